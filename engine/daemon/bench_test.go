package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/fakeaws"
)

// benchHandler answers one request of profile per iteration, in process
// (no socket): the daemon's share of a CLI run through it.
func benchHandler(b *testing.B, profile string) {
	sts := fakeaws.New()
	b.Cleanup(sts.Close)
	dir, cf, kf := sts.Files(b, testConfig, testCreds)
	env := engine.Env{ConfigFile: cf, CredentialsFile: kf, Home: dir, Dir: dir}
	d, err := New(context.Background(), Options{Env: env})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	h := d.Handler()
	body, _ := json.Marshal(CredentialsRequest{Profile: profile, Config: ConfigOf(env, nil)})
	for b.Loop() {
		req := httptest.NewRequest("POST", PathCredentials, bytes.NewReader(body))
		req.Header.Set(Header, "1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkDaemonStatic is a static profile's answer: the keys read from
// the files.
func BenchmarkDaemonStatic(b *testing.B) { benchHandler(b, "static") }

// BenchmarkDaemonRole is an assume-role profile's answer from the shared
// source (one AssumeRole for all iterations).
func BenchmarkDaemonRole(b *testing.B) { benchHandler(b, "role") }
