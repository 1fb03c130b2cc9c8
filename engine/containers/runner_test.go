package containers

import "testing"

// TestEnvPath: PATH is found in an environment as os/exec finds it, the
// Windows spelling Path included (review 1, L3: every probe there said
// docker was not installed).
func TestEnvPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, goos string
		env        []string
		want       string
	}{
		{"linux", "linux", []string{"HOME=/h", "PATH=/usr/bin:/bin"}, "/usr/bin:/bin"},
		{"linux_last_wins", "linux", []string{"PATH=/a", "PATH=/b"}, "/b"},
		{"linux_case_matters", "linux", []string{"Path=/a"}, ""},
		{"windows_path", "windows", []string{`=C:=C:\`, `Path=C:\Windows\system32;C:\Program Files\Docker\Docker\resources\bin`},
			`C:\Windows\system32;C:\Program Files\Docker\Docker\resources\bin`},
		{"windows_upper", "windows", []string{`PATH=C:\bin`}, `C:\bin`},
		{"windows_last_wins", "windows", []string{`PATH=C:\a`, `path=C:\b`}, `C:\b`},
		{"windows_prefix_only", "windows", []string{`PATHEXT=.COM;.EXE`}, ""},
		{"none", "linux", nil, ""},
	} {
		if got := envPath(tc.goos, tc.env); got != tc.want {
			t.Errorf("%s: envPath = %q, want %q", tc.name, got, tc.want)
		}
	}
}
