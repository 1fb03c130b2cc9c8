package engine

// Micro-benchmarks that scripts/bench.sh summarises in BENCHMARKS.md,
// beside the ones next to their code (BenchmarkEditCredentialsLargeFile in
// credfile_test.go) and the servers' in engine/server.
// Run: go test -run '^$' -bench . -benchmem ./engine/...

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

// benchCreds are temporary credentials the size STS hands out: a
// session token of about 1 KB.
var benchCreds = Credentials{
	AccessKeyID:     "ASIAEXAMPLEEXAMPLE01",
	SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	SessionToken:    "IQoJb3JpZ2luX2VjE" + strings.Repeat("AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/", 26) + "==",
	Expires:         time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC),
	AccountID:       "123456789012",
}

func BenchmarkRender(b *testing.B) {
	for _, f := range Formats {
		for _, pretty := range []bool{false, true} {
			if pretty && f != FormatProcess {
				continue
			}
			name := string(f)
			if pretty {
				name += "-pretty"
			}
			b.Run(name, func(b *testing.B) {
				o := RenderOptions{Region: "eu-west-1", Pretty: pretty}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Render(f, benchCreds, o); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// benchCredentialsFile is a credentials file of n profiles, each with a
// session token, as a tool that writes many profiles leaves it.
func benchCredentialsFile(n int) []byte {
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "[profile-%05d]\naws_access_key_id = ASIA%016d\naws_secret_access_key = secret%d\naws_session_token = token%d\n\n", i, i, i, i)
	}
	return []byte(sb.String())
}

// BenchmarkEditCredentialsNewProfile appends a profile to a file of
// 10 000 (the in-place case is BenchmarkEditCredentialsLargeFile).
func BenchmarkEditCredentialsNewProfile(b *testing.B) {
	in := benchCredentialsFile(10000)
	kv, err := credentialLines(benchCreds)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := editCredentials(in, "new-profile", kv, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteCredentialsProfile is the whole write to disk: lock,
// read, edit, write a temp file, fsync, rename, on a file of 10 000
// profiles. It is dominated by the file system.
func BenchmarkWriteCredentialsProfile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "credentials")
	lockDir := b.TempDir()
	if err := os.WriteFile(path, benchCredentialsFile(10000), 0o600); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := WriteCredentialsProfile(path, "profile-05000", benchCreds, WriteOptions{Force: true, LockDir: lockDir}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadCache(b *testing.B) {
	path := filepath.Join(b.TempDir(), "cache.json")
	const key = "profile=bench;config=0123456789abcdef;temporary=false;duration=0;mfa="
	if err := writeCache(path, key, benchCreds); err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readCache(path, key, now, 10*time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}

const (
	benchConfig = "[profile static]\nregion = eu-west-1\n" +
		"[profile role]\nrole_arn = arn:aws:iam::123456789012:role/bench\nsource_profile = static\nregion = eu-west-1\n"
	benchCredsFile = "[static]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"
)

// benchAWSEnv writes throwaway AWS files whose profiles call a fake STS,
// and returns the Env holding them.
func benchAWSEnv(b *testing.B) Env {
	b.Helper()
	fake := fakeaws.New()
	b.Cleanup(fake.Close)
	dir, cf, kf := fake.Files(b, benchConfig, benchCredsFile)
	return Env{ConfigFile: cf, CredentialsFile: kf, Home: dir}
}

// BenchmarkResolveStatic is the in-process part of `awsxc-cli --profile
// static`: the SDK's config loader and the static provider.
func BenchmarkResolveStatic(b *testing.B) {
	env := benchAWSEnv(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Obtain(ctx, ObtainOptions{Env: env, Profile: "static"}); err != nil {
			b.Fatal(err)
		}
	}
}
