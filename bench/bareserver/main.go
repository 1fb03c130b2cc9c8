// Command bareserver is the ceiling scripts/bench.sh measures the local
// credential servers against: a plain net/http server on loopback that
// answers every request with one fixed body (read from -body, so it can
// be the very document the IMDS server returns), with the same content
// type and Content-Length, and no checks at all.
//
// It prints its URL on standard output and serves until interrupted or
// until standard input reaches end of file.
package main

import (
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
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	bodyFile := flag.String("body", "", "file whose content is the response body (default: 1 KiB of x)")
	ctype := flag.String("type", "text/plain; charset=utf-8", "Content-Type of the response")
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
