// Command fakests runs the module's fake STS/SSO endpoint
// (internal/fakeaws) as a process, for test/e2e/run.sh and
// scripts/bench.sh: it prints its URL on standard output, serves until
// standard input reaches end of file or a signal arrives, then prints
// "GetSessionToken=N" style call counts on standard output, one per line.
package main

import (
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
	defer s.Close()
	fmt.Println(s.URL)
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-done:
	case <-sig:
	}
	counts := map[string]int{}
	for _, c := range s.Calls() {
		counts[c.Action]++
	}
	var names []string
	for a := range counts {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, a := range names {
		fmt.Printf("%s=%d\n", a, counts[a])
	}
}
