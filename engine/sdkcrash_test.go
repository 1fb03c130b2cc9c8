package engine

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A value that is one quote character makes the Go SDK's config parser
// panic (a slice out of range in its unquote), which would kill awsxc-cli,
// the tray and the daemon. Every path that hands a file to the SDK refuses
// it first, with one line naming the file and the line.
func TestGoSDKCrashLineRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(config, []byte("[profile x]\nregion = \"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte("[x]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\naws_secret_access_key = s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := Env{ConfigFile: config, CredentialsFile: creds}
	_, err := Obtain(context.Background(), ObtainOptions{Env: env, Profile: "x"})
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), config+" line 2: a value that is one quote character") {
		t.Fatalf("Obtain: %v", err)
	}
	if _, err := ListProfiles(env); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("ListProfiles: %v, want the refusal", err)
	}
}

// The credentials-file writer reads its edit back through the SDK: a file
// holding such a line elsewhere is refused, not a crash, and left as it is.
func TestWriteCredentialsProfileSDKCrashLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "credentials")
	old := []byte("[other]\nnote = '\n")
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := WriteCredentialsProfile(path, "tgt", testTemp, WriteOptions{LockDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "line 2: a value that is one quote character") {
		t.Fatalf("err = %v, want the refusal", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
		t.Errorf("file changed:\n%s", got)
	}
}
