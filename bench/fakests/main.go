// Command fakests runs the module's fake STS and SSO endpoint
// (internal/fakeaws) on a loopback port for scripts/bench.sh: it prints
// the URL, for AWS_ENDPOINT_URL_STS, on standard output and serves until
// interrupted or until standard input reaches end of file. On exit it
// prints the number of calls per action on standard error.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

func main() {
	s := fakeaws.New()
	fmt.Println(s.URL)
	waitForStop()
	counts := map[string]int{}
	for _, c := range s.Calls() {
		counts[c.Action]++
	}
	actions := make([]string, 0, len(counts))
	for a := range counts {
		actions = append(actions, a)
	}
	sort.Strings(actions)
	for _, a := range actions {
		fmt.Fprintf(os.Stderr, "fakests: %s %d\n", a, counts[a])
	}
	s.Close()
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
