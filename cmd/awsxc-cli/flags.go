package main

// The option parser every command shares. It is written here rather than
// taken from the standard library's flag package because awsxc-cli keeps
// aws-export-credentials' command line, which is Python argparse's: long
// options that match by unique prefix (--prof, --env-e), --opt=value,
// -cNAME, mutually exclusive output modes, an option that takes the rest
// of the line (--exec) and one that takes one or two values (--container
// PORT [TOKEN]).
//
// An option that takes a value never takes an empty one: `--imds "$PORT"`
// with PORT unset must fail, not fall back to printing the credentials.
// The parser checks it, so every command's options get the rule.

import (
	"fmt"
	"strings"
)

// flagSpec describes one option of a command.
type flagSpec struct {
	name  string // the long name, without "--"
	arg   string // the metavar shown in the help; "" for a switch
	short byte   // the one-letter form (-c), 0 for none
	mode  bool   // an output mode: listed apart in the help, one at a time (the command checks)
	help  string
	// set stores the value; a switch gets "".
	set func(v string) error
	// rest, instead of set, takes every later argument (after an
	// optional "--"): --exec CMD ARGS...
	rest func(args []string) error
	// extra, with set, takes an optional second value when the next
	// argument is no option: --container PORT [TOKEN].
	extra func(v string)
}

// usageError is a mistake on the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// parsed is what a command line held besides its options.
type parsed struct {
	args  []string // the positional arguments
	modes []string // the mode options given ("--json"), in order
}

// strayer is a command that takes no positional arguments and says what
// one might have meant (the export modes: --exec). Others get theirs in
// parsed.args.
type strayer interface {
	stray(arg string) error
}

// parseFlags reads args against specs. Positional arguments, and all
// arguments after "--", go to parsed.args, or to r.stray when r is a
// strayer.
func parseFlags(specs []flagSpec, args []string, r any) (parsed, error) {
	var p parsed
	st, _ := r.(strayer)
	for i := 0; i < len(args); i++ {
		a := args[i]
		var spec *flagSpec
		var val string
		hasVal := false
		switch {
		case a == "--":
			if st != nil {
				return p, st.stray(a)
			}
			p.args = append(p.args, args[i+1:]...)
			return p, nil
		case strings.HasPrefix(a, "--"):
			name := a[2:]
			if n, v, ok := strings.Cut(name, "="); ok {
				name, val, hasVal = n, v, true
			}
			s, err := lookup(specs, name)
			if err != nil {
				return p, err
			}
			spec = s
		case strings.HasPrefix(a, "-") && len(a) >= 2:
			for j := range specs {
				if specs[j].short == a[1] {
					spec = &specs[j]
				}
			}
			if spec == nil {
				return p, usagef("unknown option %s", a)
			}
			if len(a) > 2 {
				val, hasVal = strings.TrimPrefix(a[2:], "="), true
			}
		default:
			if st != nil {
				return p, st.stray(a)
			}
			p.args = append(p.args, a)
			continue
		}

		if spec.mode {
			p.modes = append(p.modes, "--"+spec.name)
		}
		if spec.rest != nil {
			if hasVal {
				return p, usagef("argument --%s takes the rest of the line, not a value", spec.name)
			}
			rest := args[i+1:]
			if len(rest) > 0 && rest[0] == "--" {
				rest = rest[1:]
			}
			if len(rest) > 0 && rest[0] == "" {
				return p, emptyValue(spec)
			}
			return p, spec.rest(rest)
		}
		if spec.arg == "" {
			if hasVal {
				return p, usagef("option --%s takes no value", spec.name)
			}
		} else if !hasVal {
			if i+1 >= len(args) {
				return p, usagef("argument --%s: expected %s", spec.name, strings.Fields(spec.arg)[0])
			}
			i++
			val = args[i]
		}
		if spec.arg != "" && val == "" {
			return p, emptyValue(spec)
		}
		if err := spec.set(val); err != nil {
			return p, err
		}
		if spec.extra != nil && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			i++
			if args[i] == "" {
				return p, emptyValue(spec)
			}
			spec.extra(args[i])
		}
	}
	return p, nil
}

// emptyValue is the error for an option given an empty value.
func emptyValue(spec *flagSpec) error {
	return usagef("argument --%s: empty value; expected %s", spec.name, spec.arg)
}

// lookup finds a long option by exact name, else by unique prefix (as
// argparse does: --prof, --env-e).
func lookup(specs []flagSpec, name string) (*flagSpec, error) {
	var matches []*flagSpec
	for i := range specs {
		if specs[i].name == name {
			return &specs[i], nil
		}
		if strings.HasPrefix(specs[i].name, name) {
			matches = append(matches, &specs[i])
		}
	}
	switch len(matches) {
	case 0:
		return nil, usagef("unknown option --%s", name)
	case 1:
		return matches[0], nil
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = "--" + m.name
	}
	return nil, usagef("ambiguous option --%s could match %s", name, strings.Join(names, ", "))
}

// boolFlag is a switch that sets *p.
func boolFlag(name, help string, p *bool) flagSpec {
	return flagSpec{name: name, help: help, set: func(string) error { *p = true; return nil }}
}

// stringFlag is an option whose value goes to *p.
func stringFlag(name, arg, help string, p *string) flagSpec {
	return flagSpec{name: name, arg: arg, help: help, set: func(v string) error { *p = v; return nil }}
}
