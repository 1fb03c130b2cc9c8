//go:build unix

package quick

import "os"

func init() {
	if status, ok := run(os.Args[1:], os.Getenv, os.Environ, os.Stdout, os.Stderr); ok {
		os.Exit(status)
	}
}
