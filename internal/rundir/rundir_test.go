package rundir

import (
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

func TestDir(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the cases use Unix paths")
	}
	for _, tc := range []struct {
		name string
		goos string
		env  map[string]string
		want string // "" for an error
	}{
		// A desktop session and a cron job of the same user lock in one
		// folder (review 1, M1).
		{"runtime_dir_ignored", "linux", map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000", "HOME": "/home/u"}, "/home/u/.cache/awsxc"},
		{"runtime_dir_ignored_with_cache_home", "linux", map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000", "XDG_CACHE_HOME": "/c", "HOME": "/home/u"}, "/c/awsxc"},
		{"runtime_dir_ignored_on_macos", "darwin", map[string]string{"XDG_RUNTIME_DIR": "/r", "HOME": "/Users/u"}, "/Users/u/Library/Caches/awsxc"},
		{"relative_runtime_dir_ignored", "linux", map[string]string{"XDG_RUNTIME_DIR": "run", "HOME": "/home/u"}, "/home/u/.cache/awsxc"},
		{"runtime_dir_alone", "linux", map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000"}, ""},
		{"cache_home", "linux", map[string]string{"XDG_CACHE_HOME": "/c", "HOME": "/home/u"}, "/c/awsxc"},
		{"linux_home", "linux", map[string]string{"HOME": "/home/u"}, "/home/u/.cache/awsxc"},
		{"freebsd_home", "freebsd", map[string]string{"HOME": "/home/u"}, "/home/u/.cache/awsxc"},
		{"macos_home", "darwin", map[string]string{"HOME": "/Users/u"}, "/Users/u/Library/Caches/awsxc"},
		{"windows_local_app_data", "windows", map[string]string{"LOCALAPPDATA": "/AppData/Local", "HOME": "/ignored"}, "/AppData/Local/cache/awsxc"},
		{"windows_without_local_app_data", "windows", map[string]string{"HOME": "/home/u"}, ""},
		{"nothing_set", "linux", nil, ""},
		{"relative_home", "linux", map[string]string{"HOME": "home"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := dir(tc.goos, func(k string) string { return tc.env[k] })
			if tc.want == "" {
				if err == nil {
					t.Errorf("dir = %q, want an error", got)
				}
				return
			}
			if err != nil || got != filepath.FromSlash(tc.want) {
				t.Errorf("dir = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestSocketDir(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the cases use Unix paths")
	}
	for _, tc := range []struct {
		name  string
		goos  string
		env   map[string]string
		uid   int
		owned []string // folders ownedDir says are the user's
		want  string   // "" for an error
	}{
		{"runtime_dir", "linux", map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000", "HOME": "/home/u"}, 1000, nil, "/run/user/1000/awsxc"},
		{"runtime_dir_on_macos", "darwin", map[string]string{"XDG_RUNTIME_DIR": "/r", "HOME": "/Users/u"}, 501, nil, "/r/awsxc"},
		{"relative_runtime_dir_ignored", "linux", map[string]string{"XDG_RUNTIME_DIR": "run"}, 1000, nil, "/tmp/awsxc-1000"},
		{"session_folder_without_env", "linux", map[string]string{"HOME": "/home/u"}, 1000, []string{"/run/user/1000"}, "/run/user/1000/awsxc"},
		{"session_folder_of_another_user", "linux", nil, 1000, []string{"/run/user/1001"}, "/tmp/awsxc-1000"},
		{"no_session_folder", "linux", map[string]string{"HOME": "/home/u", "XDG_CACHE_HOME": "/c"}, 1000, nil, "/tmp/awsxc-1000"},
		{"root", "linux", nil, 0, []string{"/run/user/0"}, "/run/user/0/awsxc"},
		{"freebsd", "freebsd", nil, 1001, nil, "/tmp/awsxc-1001"},
		{"macos_cache", "darwin", map[string]string{"HOME": "/Users/u"}, 501, []string{"/run/user/501"}, "/Users/u/Library/Caches/awsxc"},
		{"macos_cache_home", "darwin", map[string]string{"HOME": "/Users/u", "XDG_CACHE_HOME": "/c"}, 501, nil, "/c/awsxc"},
		{"macos_nothing_set", "darwin", nil, 501, nil, ""},
		{"no_uid", "linux", nil, -1, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			owned := func(path string, uid int) bool {
				return uid == tc.uid && slices.Contains(tc.owned, path)
			}
			got, err := socketDir(tc.goos, func(k string) string { return tc.env[k] }, tc.uid, owned)
			if tc.want == "" {
				if err == nil {
					t.Errorf("socketDir = %q, want an error", got)
				}
				return
			}
			if err != nil || got != filepath.FromSlash(tc.want) {
				t.Errorf("socketDir = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestRuntimeDir: files of one session go to XDG_RUNTIME_DIR when there
// is one, else where the locks are.
func TestRuntimeDir(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the cases use the Linux folders")
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string // "" for an error
	}{
		{"runtime_dir", map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000", "HOME": "/home/u"}, "/run/user/1000/awsxc"},
		{"relative_runtime_dir_ignored", map[string]string{"XDG_RUNTIME_DIR": "run", "HOME": "/home/u"}, filepath.Join("/home/u/.cache", "awsxc")},
		{"no_runtime_dir", map[string]string{"XDG_CACHE_HOME": "/c"}, "/c/awsxc"},
		{"nothing_set", nil, ""},
	} {
		got, err := RuntimeDir(func(k string) string { return tc.env[k] })
		if (tc.want == "") != (err != nil) || got != tc.want {
			t.Errorf("%s: RuntimeDir = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}
