package localsock

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// standIn listens on a fresh endpoint and hands each connection, after
// its first line, to serve.
func standIn(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	path := endpoint(t)
	l, err := Listen(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go serveLines(l, func(c net.Conn, _ string) { serve(c) })
	return path
}

// TestExchange: an exchange reads until the daemon hangs up or the answer
// is complete, at most limit+1 bytes, and ends at its deadline or when
// its context is cancelled, whatever the daemon does.
func TestExchange(t *testing.T) {
	t.Parallel()
	never := make(chan struct{})
	t.Cleanup(func() { close(never) })
	big := strings.Repeat("x", 10000)
	tests := []struct {
		name     string
		serve    func(net.Conn)
		limit    int
		complete func([]byte) bool
		timeout  time.Duration // Request.Timeout
		ctxLimit time.Duration // the context's deadline
		cancel   time.Duration // cancel the context after this long
		want     string
		wantErr  error
	}{
		{name: "until_close", serve: func(c net.Conn) { io.WriteString(c, "echo ping\n") }, want: "echo ping\n"},
		{name: "hang_up", serve: func(net.Conn) {}, want: ""},
		{name: "complete", serve: func(c net.Conn) { io.WriteString(c, "HEAD\r\n"); <-never },
			complete: func(b []byte) bool { return bytes.HasSuffix(b, []byte("\r\n")) }, want: "HEAD\r\n"},
		{name: "in_pieces", serve: func(c net.Conn) {
			for _, p := range []string{"a", "b", "c;"} {
				io.WriteString(c, p)
				time.Sleep(5 * time.Millisecond)
			}
			<-never
		}, complete: func(b []byte) bool { return bytes.HasSuffix(b, []byte(";")) }, want: "abc;"},
		{name: "over_limit", serve: func(c net.Conn) { io.WriteString(c, big) }, limit: 100, want: big[:101]},
		{name: "grows", serve: func(c net.Conn) { io.WriteString(c, big) }, limit: len(big), want: big},
		{name: "silent", serve: func(net.Conn) { <-never }, timeout: 100 * time.Millisecond, wantErr: os.ErrDeadlineExceeded},
		{name: "silent_context", serve: func(net.Conn) { <-never }, ctxLimit: 100 * time.Millisecond, wantErr: os.ErrDeadlineExceeded},
		// The timeout bounds the exchange, not each read.
		{name: "dribbles", serve: func(c net.Conn) {
			for range 100 { // 2 s, each byte well within the timeout
				io.WriteString(c, ".")
				time.Sleep(20 * time.Millisecond)
			}
		}, timeout: 100 * time.Millisecond, wantErr: os.ErrDeadlineExceeded},
		{name: "canceled", serve: func(net.Conn) { <-never }, cancel: 50 * time.Millisecond, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := standIn(t, tt.serve)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.ctxLimit != 0 {
				ctx, cancel = context.WithTimeout(ctx, tt.ctxLimit)
				defer cancel()
			}
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			if tt.cancel != 0 {
				time.AfterFunc(tt.cancel, cancel)
			}
			limit := tt.limit
			if limit == 0 {
				limit = 1 << 10
			}
			start := time.Now()
			got, err := Exchange(ctx, Options{Path: path}, Request{Data: []byte("ping\n"), Limit: limit, Timeout: timeout, Complete: tt.complete})
			if took := time.Since(start); took > 5*time.Second || tt.wantErr == os.ErrDeadlineExceeded && took > 1500*time.Millisecond {
				t.Errorf("took %v", took)
			}
			if tt.wantErr != nil {
				var xerr *ExchangeError
				if !errors.Is(err, tt.wantErr) || !errors.As(err, &xerr) || xerr.Op != "read" {
					t.Errorf("err = %v, want a read's ExchangeError wrapping %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Errorf("Exchange = %.40q (%d bytes), %v; want %.40q (%d bytes)", got, len(got), err, tt.want, len(tt.want))
			}
		})
	}
}
