// Package lazyre compiles a regular expression on its first use rather
// than at program start. awsxc-cli starts afresh for every
// credential_process call, and the package-level regexp.MustCompile of
// patterns most runs never use (redaction, the console's names, the
// container recipes) cost about half a millisecond of each start.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr on its first call and
// returns that one *regexp.Regexp on every call; like
// regexp.MustCompile, it panics when expr does not compile.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
