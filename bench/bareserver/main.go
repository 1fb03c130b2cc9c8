// Command bareserver is the ceiling scripts/bench.sh measures the local
// credential servers against: a plain net/http server on loopback that
// answers every request with one fixed body (read from -body, so it can
// be the very document the IMDS server returns), with the same content
// type and Content-Length, and no checks at all.
//
// With -daemon PATH it is instead the floor of the daemon's numbers: a
// local API endpoint at PATH whose thread (localsock.Listener.Direct, as
// the daemon's) answers every request with the fixed body as a 200
// credentials answer, doing no work at all.
//
// It prints its URL (or the socket's path) on standard output and serves
// until interrupted or until standard input reaches end of file.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/awsxc/awsxc/internal/localsock"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	bodyFile := flag.String("body", "", "file whose content is the response body (default: 1 KiB of x)")
	ctype := flag.String("type", "text/plain; charset=utf-8", "Content-Type of the response")
	daemon := flag.String("daemon", "", "serve a local API endpoint at this socket path instead")
	flag.Parse()

	body := []byte(fmt.Sprintf("%01024d", 0))
	if *bodyFile != "" {
		b, err := os.ReadFile(*bodyFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bareserver:", err)
			os.Exit(1)
		}
		body = b
	}
	if *daemon != "" {
		serveDaemon(*daemon, body)
		return
	}
	ct := []string{*ctype}
	cl := []string{strconv.Itoa(len(body))}
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = ct
		w.Header()["Content-Length"] = cl
		w.Write(body)
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bareserver:", err)
		os.Exit(1)
	}
	fmt.Printf("http://%s/\n", ln.Addr())
	go http.Serve(ln, h)
	waitForStop()
	ln.Close()
}

// waitForStop returns on SIGINT, SIGTERM or end of standard input.
func waitForStop() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	eof := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(eof) }()
	select {
	case <-ctx.Done():
	case <-eof:
	}
}

// serveDaemon answers every request on the local endpoint at path with
// body, from the endpoint's thread.
func serveDaemon(path string, body []byte) {
	l, err := localsock.Listen(localsock.Options{Path: path})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bareserver:", err)
		os.Exit(1)
	}
	answer := fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	ln := l.Direct(localsock.DirectOptions{
		Complete: func(b []byte) bool { return bytes.Contains(b, []byte("\r\n\r\n")) && bytes.HasSuffix(b, []byte("}")) },
		Limit:    64 << 10,
		Answer:   func([]byte) ([]byte, bool) { return answer, true },
	})
	fmt.Println(path)
	go func() { // nothing is handed on, but Accept must be called to see it
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	waitForStop()
	ln.Close()
}
