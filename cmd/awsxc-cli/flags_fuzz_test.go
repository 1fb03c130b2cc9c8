package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzParseFlags (review 1, L5) runs the shared option parser over every
// command's real options with any command line: it never panics; on
// success an option that takes a value was never given an empty one, the
// modes named are output modes of the command, and the positional
// arguments are arguments of the line, in order; every failure is one
// line.
func FuzzParseFlags(f *testing.F) {
	for _, line := range []string{
		"--profile\x00dev\x00--json",
		"-cNAME\x00--prof=dev",
		"--container\x009911\x00TOKEN",
		"--exec\x00--\x00aws\x00s3\x00ls",
		"--imds\x00\x00--env",
		"--env-e\x00-c=",
		"--\x00x",
		"console\x00--service\x00s3",
		"-",
	} {
		for i := range commands {
			f.Add(uint8(i), line)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, line string) {
		cmd := commands[int(which)%len(commands)]
		args := strings.Split(line, "\x00")
		r := cmd.new()
		var o common
		specs := append(r.flags(), o.flags()...)
		var empty []string
		for i := range specs {
			s := &specs[i]
			if s.set != nil {
				set, name, takes := s.set, s.name, s.arg != ""
				s.set = func(v string) error {
					if takes && v == "" {
						empty = append(empty, name)
					}
					return set(v)
				}
			}
			if s.extra != nil {
				extra, name := s.extra, s.name
				s.extra = func(v string) {
					if v == "" {
						empty = append(empty, name)
					}
					extra(v)
				}
			}
		}
		p, err := parseFlags(specs, args, r)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error on more than one line: %q", err)
			}
			var ue *usageError
			if !errors.As(err, &ue) && err.Error() == "" {
				t.Fatalf("empty error for %q", args)
			}
			return
		}
		if len(empty) > 0 {
			t.Fatalf("%s: %q: options given an empty value: %v", cmd.name, args, empty)
		}
		for _, m := range p.modes {
			if !slices.ContainsFunc(specs, func(s flagSpec) bool { return s.mode && "--"+s.name == m }) {
				t.Fatalf("%s: mode %s is no output mode of the command", cmd.name, m)
			}
		}
		// The positional arguments are arguments of the line, in order.
		j := 0
		for _, a := range p.args {
			for j < len(args) && args[j] != a {
				j++
			}
			if j == len(args) {
				t.Fatalf("%s: %q: positional %q is not in the line (in order)", cmd.name, args, a)
			}
			j++
		}
	})
}
