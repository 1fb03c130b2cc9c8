package rundir

import (
	"path/filepath"
	"runtime"
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
		{"runtime_dir", "linux", map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000", "XDG_CACHE_HOME": "/c", "HOME": "/home/u"}, "/run/user/1000/awsxc"},
		{"runtime_dir_on_macos", "darwin", map[string]string{"XDG_RUNTIME_DIR": "/r", "HOME": "/Users/u"}, "/r/awsxc"},
		{"relative_runtime_dir_ignored", "linux", map[string]string{"XDG_RUNTIME_DIR": "run", "HOME": "/home/u"}, "/home/u/.cache/awsxc"},
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
