package localsock

import (
	"bufio"
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
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := bufio.NewReader(c).ReadString('\n'); err == nil {
					serve(c)
				}
			}()
		}
	}()
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
		timeout  time.Duration
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
		{name: "canceled", serve: func(net.Conn) { <-never }, cancel: 50 * time.Millisecond, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := standIn(t, tt.serve)
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			if tt.cancel != 0 {
				time.AfterFunc(tt.cancel, cancel)
			}
			limit := tt.limit
			if limit == 0 {
				limit = 1 << 10
			}
			start := time.Now()
			got, err := Exchange(ctx, Options{Path: path}, []byte("ping\n"), limit, tt.complete)
			if took := time.Since(start); took > 5*time.Second {
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
