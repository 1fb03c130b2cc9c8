package platform

import "testing"

func TestDesktopExec(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		argv []string
		want string
	}{
		{"plain", []string{"/usr/bin/awsxc"}, `/usr/bin/awsxc`},
		{"space", []string{"/opt/my apps/awsxc"}, `"/opt/my apps/awsxc"`},
		{"dollar_and_quote", []string{`/opt/a$b"c/awsxc`}, `"/opt/a\\$b\\"c/awsxc"`},
		{"backslash", []string{`/opt/a\b/awsxc`}, `"/opt/a\\\\b/awsxc"`},
		{"percent", []string{"/opt/100%/awsxc"}, `/opt/100%%/awsxc`},
		{"args", []string{"/usr/bin/awsxc", "--debug", ""}, `/usr/bin/awsxc --debug ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := DesktopExec(tt.argv...); got != tt.want {
				t.Errorf("DesktopExec(%q) = %s, want %s", tt.argv, got, tt.want)
			}
		})
	}
}
