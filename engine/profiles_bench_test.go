package engine

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkListProfiles1000 lists 1,000 profiles (genProfiles): one read
// of each file, however many profiles (issue 10 item 36). B/op against
// the files' size (SetBytes) is the memory promise.
func BenchmarkListProfiles1000(b *testing.B) {
	dir := b.TempDir()
	config, creds := genProfiles(1000)
	env := Env{ConfigFile: filepath.Join(dir, "config"), CredentialsFile: filepath.Join(dir, "credentials")}
	os.WriteFile(env.ConfigFile, []byte(config), 0o600)
	os.WriteFile(env.CredentialsFile, []byte(creds), 0o600)
	b.SetBytes(int64(len(config) + len(creds)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ListProfiles(env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadStatic1000 loads one static profile from the same files:
// the resolution's cost, which the listing is measured against.
func BenchmarkLoadStatic1000(b *testing.B) {
	dir := b.TempDir()
	config, creds := genProfiles(1000)
	env := Env{ConfigFile: filepath.Join(dir, "config"), CredentialsFile: filepath.Join(dir, "credentials")}
	os.WriteFile(env.ConfigFile, []byte(config), 0o600)
	os.WriteFile(env.CredentialsFile, []byte(creds), 0o600)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(b.Context(), Options{Env: env, Profile: "p0000"}); err != nil {
			b.Fatal(err)
		}
	}
}
