// Command genprofiles writes an AWS config and credentials file holding
// N profiles, the way a large organisation's generated config looks, for
// scripts/bench.sh's listing benchmark:
//
//	genprofiles -n 1000 -dir HOME/.aws
//
// The files are internal/profilegen's, which the engine's tests and Go
// benchmarks of the listing use too.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/awsxc/awsxc/internal/profilegen"
)

func main() {
	n := flag.Int("n", 1000, "how many profiles")
	dir := flag.String("dir", ".", "where to write config and credentials")
	flag.Parse()
	config, creds := profilegen.Generate(*n)
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "genprofiles:", err)
		os.Exit(1)
	}
	for name, body := range map[string]string{"config": config, "credentials": creds} {
		if err := os.WriteFile(filepath.Join(*dir, name), []byte(body), 0o600); err != nil {
			fmt.Fprintln(os.Stderr, "genprofiles:", err)
			os.Exit(1)
		}
	}
}
