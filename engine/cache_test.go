package engine

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCache(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	creds := Credentials{
		AccessKeyID:     "ASIACACHEEXAMPLE",
		SecretAccessKey: "cachesecret",
		SessionToken:    "cachetoken",
		Expires:         now.Add(30 * time.Minute),
		AccountID:       "123456789012",
	}
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, path string) // writes the cache file
		key     string
		now     time.Time
		buffer  time.Duration
		wantErr string // "" for a hit
	}{
		{
			name:  "hit",
			setup: func(t *testing.T, p string) { mustWriteCache(t, p, "k", creds) },
			key:   "k", now: now, buffer: 10 * time.Minute,
		},
		{
			name:  "miss_not_found",
			setup: func(*testing.T, string) {},
			key:   "k", now: now, wantErr: "not found",
		},
		{
			name:  "miss_other_identity",
			setup: func(t *testing.T, p string) { mustWriteCache(t, p, "other", creds) },
			key:   "k", now: now, wantErr: "another identity",
		},
		{
			name: "miss_corrupt",
			setup: func(t *testing.T, p string) {
				mustWrite(t, p, `{"Version":1,"Key":"k","Credentials":{"AccessKeyId":"ASIA`)
			},
			key: "k", now: now, wantErr: "corrupt",
		},
		{
			name:  "miss_unreadable",
			setup: func(t *testing.T, p string) { os.Mkdir(p, 0o700) },
			key:   "k", now: now, wantErr: "not a regular file",
		},
		{
			name:  "miss_old_version",
			setup: func(t *testing.T, p string) { mustWrite(t, p, `{"Version":0,"Key":"k"}`) },
			key:   "k", now: now, wantErr: "version 0",
		},
		{
			name: "miss_no_expiry",
			setup: func(t *testing.T, p string) {
				mustWrite(t, p, `{"Version":1,"Key":"k","Credentials":{"AccessKeyId":"ASIA","SecretAccessKey":"s"}}`)
			},
			key: "k", now: now, wantErr: "no expiry",
		},
		{
			name: "miss_fractional_expiry",
			setup: func(t *testing.T, p string) {
				mustWrite(t, p, `{"Version":1,"Key":"k","Credentials":{"AccessKeyId":"ASIA","SecretAccessKey":"s","Expiration":"2099-01-02T03:04:05.000Z"}}`)
			},
			key: "k", now: now, wantErr: "bad Expiration",
		},
		{
			name:  "miss_expiring_within_buffer",
			setup: func(t *testing.T, p string) { mustWriteCache(t, p, "k", creds) },
			key:   "k", now: now.Add(25 * time.Minute), buffer: 10 * time.Minute, wantErr: "within 10m0s",
		},
		{
			name:  "miss_at_exactly_expiry_minus_buffer",
			setup: func(t *testing.T, p string) { mustWriteCache(t, p, "k", creds) },
			key:   "k", now: now.Add(20 * time.Minute), buffer: 10 * time.Minute, wantErr: "within",
		},
		{
			name:  "hit_zero_buffer",
			setup: func(t *testing.T, p string) { mustWriteCache(t, p, "k", creds) },
			key:   "k", now: now.Add(29 * time.Minute),
		},
		{
			name:  "hit_negative_buffer_after_expiry",
			setup: func(t *testing.T, p string) { mustWriteCache(t, p, "k", creds) },
			key:   "k", now: now.Add(35 * time.Minute), buffer: -10 * time.Minute,
		},
		{
			name:  "miss_negative_buffer_too_old",
			setup: func(t *testing.T, p string) { mustWriteCache(t, p, "k", creds) },
			key:   "k", now: now.Add(45 * time.Minute), buffer: -10 * time.Minute, wantErr: "within -10m0s",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "cache.json")
			tc.setup(t, path)
			got, err := readCache(path, tc.key, tc.now, tc.buffer)
			if tc.wantErr != "" {
				if !errors.Is(err, errCacheMiss) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want errCacheMiss saying %q", err, tc.wantErr)
				}
				for _, s := range []string{creds.SecretAccessKey, creds.SessionToken, creds.AccessKeyID} {
					if strings.Contains(err.Error(), s) {
						t.Errorf("error shows a secret: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(creds, got); diff != "" {
				t.Errorf("readCache (-want +got):\n%s", diff)
			}
		})
	}
}

func mustWrite(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func mustWriteCache(t *testing.T, path, key string, c Credentials) {
	t.Helper()
	if err := writeCache(path, key, c); err != nil {
		t.Fatal(err)
	}
}

func TestWriteCache(t *testing.T) {
	t.Parallel()
	exp := time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC)
	c := Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s", SessionToken: "t", Expires: exp}
	t.Run("format_and_mode", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "sub", "cache.json")
		if err := writeCache(path, "dev|abc", c); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"Version":1,"ProviderType":"awsxc","Key":"dev|abc","Credentials":{"AccessKeyId":"ASIA","SecretAccessKey":"s","SessionToken":"t","Expiration":"2099-01-02T03:04:05Z"}}` + "\n"
		if diff := cmp.Diff(want, string(data)); diff != "" {
			t.Errorf("cache file (-want +got):\n%s", diff)
		}
		var e cacheEntry
		if err := json.Unmarshal(data, &e); err != nil || e.Key != "dev|abc" {
			t.Errorf("cacheEntry: %+v, %v", e, err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", fi.Mode().Perm())
		}
		if fi, _ := os.Stat(filepath.Dir(path)); fi.Mode().Perm() != 0o700 {
			t.Errorf("folder mode %v, want 0700", fi.Mode().Perm())
		}
	})
	t.Run("no_expiry_not_written", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "cache.json")
		static := c
		static.Expires = time.Time{}
		if err := writeCache(path, "k", static); err == nil {
			t.Error("no error for credentials without expiry")
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("file written: %v", err)
		}
	})
}

func TestDefaultCachePath(t *testing.T) {
	t.Parallel()
	env := Env{CacheDir: t.TempDir()}
	seen := map[string]string{}
	for _, profile := range []string{"dev", "Dev", "a/b", "../x", "con", "my prof", "ä", strings.Repeat("x", 300), "a:b*c?"} {
		p, err := defaultCachePath(env, profile)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(p) != filepath.Join(env.CacheDir, "awsxc", "credentials") {
			t.Errorf("%q: %s not under the cache folder", profile, p)
		}
		base := filepath.Base(p)
		if strings.ContainsAny(base, `/\:*?"<>| `) || len(base) > 80 || strings.HasPrefix(base, ".") {
			t.Errorf("%q: unsafe file name %q", profile, base)
		}
		if other, dup := seen[strings.ToLower(base)]; dup {
			t.Errorf("%q and %q share %s", profile, other, base)
		}
		seen[strings.ToLower(base)] = profile
	}
	if _, err := defaultCachePath(env, ""); err == nil {
		t.Error("no error for an empty profile")
	}
	if _, err := defaultCachePath(Env{}, "dev"); err == nil {
		t.Error("no error without a cache folder")
	}
}
