package server

// Micro-benchmarks of the servers' handlers, which scripts/bench.sh
// summarises in BENCHMARKS.md with engine's: BenchmarkECSCredentials,
// BenchmarkECSConsumer and BenchmarkIMDSTokenIssue here, BenchmarkIMDSCredentials,
// BenchmarkIMDSTokenCheck, BenchmarkIMDSLoopback and BenchmarkBareLoopback
// in imds_test.go.
// Run: go test -run '^$' -bench . -benchmem ./engine/server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/activity"
)

// BenchmarkECSCredentials is the ECS server's handler for GET / with the
// Authorization token, credentials in hand (the IMDS twin is
// BenchmarkIMDSCredentials).
func BenchmarkECSCredentials(b *testing.B) {
	fake, _, env := srvEnv(b)
	fake.SetNow(time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := newTestSource(b, engine.SourceOptions{Env: env, Profile: "static"})
	e, err := NewECS(ctx, src, ECSOptions{Token: testToken})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	r := httptest.NewRequest("GET", "/", nil)
	r.Host = "127.0.0.1:1234"
	r.Header.Set("Authorization", testToken)
	w := &discardWriter{h: http.Header{}}
	e.srv.ServeHTTP(w, r) // the first fetch
	if _, ok := src.Current(); !ok {
		b.Fatal("no credentials after the first request")
	}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		e.srv.ServeHTTP(w, r)
	}
}

// BenchmarkIMDSTokenIssue is PUT /latest/api/token's work: a new token.
func BenchmarkIMDSTokenIssue(b *testing.B) {
	exp := time.Now().Add(6 * time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if len(newIMDSToken(exp)) != imdsTokenLen {
			b.Fatal("bad token length")
		}
	}
}

// BenchmarkECSConsumer is GET /v1/credentials with one consumer's token
// of 100, credentials in hand, every request recorded in an activity log
// with a subscriber: the pinned-server hot path.
func BenchmarkECSConsumer(b *testing.B) {
	fake, _, env := srvEnv(b)
	fake.SetNow(time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := newTestSource(b, engine.SourceOptions{Env: env, Profile: "static"})
	log, err := activity.New(activity.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer log.Close()
	sub := log.Subscribe(1)
	defer sub.Close()
	var cs []Consumer
	for i := range 100 {
		cs = append(cs, Consumer{Name: "c" + strconv.Itoa(i), Source: src})
	}
	e, err := NewECS(ctx, nil, ECSOptions{Options: Options{Activity: log}, Consumers: cs})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	r := httptest.NewRequest("GET", "/v1/credentials", nil)
	r.Host = "169.254.170.23"
	r.Header.Set("Authorization", e.Consumers()[57].Token)
	r.Header.Set("User-Agent", "aws-sdk-go-v2/1.36.3 os/linux lang/go#1.26")
	w := &discardWriter{h: http.Header{}}
	e.srv.ServeHTTP(w, r) // the first fetch
	if _, ok := src.Current(); !ok || len(log.Recent()) != 1 {
		b.Fatal("no credentials or no record after the first request")
	}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		e.srv.ServeHTTP(w, r)
	}
}
