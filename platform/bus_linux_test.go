package platform

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestSessionBusAddress(t *testing.T) {
	sockDir := t.TempDir()
	l, err := net.Listen("unix", filepath.Join(sockDir, "bus"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fileDir := t.TempDir()
	os.WriteFile(filepath.Join(fileDir, "bus"), nil, 0o600)
	tests := []struct {
		name, env, runtime string
		want               string
	}{
		{"variable_set", "unix:path=/elsewhere", sockDir, "unix:path=/elsewhere"},
		{"runtime_dir_socket", "", sockDir, "unix:path=" + filepath.Join(sockDir, "bus")},
		{"runtime_dir_plain_file", "", fileDir, ""},
		{"runtime_dir_without_bus", "", t.TempDir(), ""},
		{"no_runtime_dir", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", tt.env)
			t.Setenv("XDG_RUNTIME_DIR", tt.runtime)
			if got := SessionBusAddress(); got != tt.want {
				t.Errorf("SessionBusAddress() = %q, want %q", got, tt.want)
			}
			if got := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); got != tt.want {
				t.Errorf("DBUS_SESSION_BUS_ADDRESS = %q after the call, want %q", got, tt.want)
			}
		})
	}
}
