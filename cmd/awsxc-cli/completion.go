package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/console"
)

var completionCommand = &command{
	name:    "completion",
	usage:   "completion bash|zsh|fish|powershell",
	summary: "print a shell completion script",
	new:     func() runner { return &completionCmd{} },
}

type completionCmd struct{}

func (*completionCmd) flags() []flagSpec { return nil }

// run prints a shell completion script for every command and option.
// Profile names are completed by calling `awsxc-cli profiles --names`,
// which reads the files and resolves nothing.
func (*completionCmd) run(_ context.Context, c *cli, p parsed) error {
	if len(p.args) != 1 {
		return usagef("completion: name one shell: bash, zsh, fish or powershell")
	}
	specs := allFlags(c.commands)
	var flags, valued, names []string
	for _, s := range specs {
		flags = append(flags, "--"+s.name)
		if s.arg != "" && !slices.Contains([]string{"profile", "credentials-file-profile", "format", "service", "cache-file", "container-token-file", "exec", "engine", "token-dir", "audit-log"}, s.name) {
			// Values to type, not to complete.
			valued = append(valued, "--"+s.name)
		}
	}
	// Commands of two words ("sso sync"): the first completes as a
	// command, the second after it.
	var firsts []string
	subs := map[string][]string{}
	for _, cmd := range c.commands {
		w := strings.Fields(cmd.name)
		if len(w) > 0 && !slices.Contains(names, w[0]) {
			names = append(names, w[0])
		}
		if len(w) == 2 {
			if subs[w[0]] == nil {
				firsts = append(firsts, w[0])
			}
			subs[w[0]] = append(subs[w[0]], w[1])
		}
	}
	var bashSubs, zshSubs, fishSubs, psSubs strings.Builder
	for _, first := range firsts {
		words := strings.Join(subs[first], " ")
		fmt.Fprintf(&bashSubs, "        %s)\n            ((COMP_CWORD == 2)) && { COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return; } ;;\n", first, words)
		fmt.Fprintf(&zshSubs, "        %s) (( CURRENT == 3 )) && { compadd -- %s; return }; ;;\n", first, words)
		fmt.Fprintf(&fishSubs, "complete -c awsxc-cli -n '__fish_seen_subcommand_from %s; and not __fish_seen_subcommand_from %s' -x -a '%s'\n", first, words, words)
		fmt.Fprintf(&psSubs, "        { $_ -eq '%s' -and $words[1] -eq '%s' } { '%s'; break }\n", first, first, strings.Join(subs[first], "', '"))
	}
	formats := strings.Join(engine.FormatNames(), " ")
	services := strings.Join(console.ServiceNames(), " ")
	engines := strings.Join(kindNames(), " ")
	var script string
	switch p.args[0] {
	case "bash":
		script = fmt.Sprintf(bashCompletion, strings.Join(flags, " "), formats, strings.Join(names, " "), strings.Join(valued, "|"), services, engines, bashSubs.String())
	case "zsh":
		script = fmt.Sprintf(zshCompletion, strings.Join(flags, " "), formats, strings.Join(names, " "), strings.Join(valued, "|"), services, engines, zshSubs.String())
	case "fish":
		var b strings.Builder
		b.WriteString("# fish completion for awsxc-cli\ncomplete -c awsxc-cli -f\n")
		b.WriteString("complete -c awsxc-cli -n '__fish_use_subcommand' -a '" + strings.Join(names, " ") + "'\n")
		for _, s := range specs {
			line := fmt.Sprintf("complete -c awsxc-cli -l %s", s.name)
			if s.short != 0 {
				line += fmt.Sprintf(" -s %c", s.short)
			}
			switch s.name {
			case "profile", "credentials-file-profile":
				line += " -x -a '(awsxc-cli profiles --names 2>/dev/null)'"
			case "format":
				line += " -x -a '" + formats + "'"
			case "service":
				line += " -x -a '" + services + "'"
			case "cache-file", "container-token-file", "audit-log", "token-dir":
				line += " -r -F"
			case "engine":
				line += " -x -a '" + engines + "'"
			default:
				if s.arg != "" {
					line += " -x"
				}
			}
			line += " -d " + fishDesc(s.help)
			b.WriteString(line + "\n")
		}
		b.WriteString("complete -c awsxc-cli -n '__fish_seen_subcommand_from completion' -x -a 'bash zsh fish powershell'\n")
		b.WriteString(fishSubs.String())
		script = b.String()
	case "powershell":
		script = fmt.Sprintf(psCompletion, "'"+strings.Join(flags, "','")+"'", "'"+strings.Join(engine.FormatNames(), "','")+"'",
			"'"+strings.Join(names, "','")+"'", "'"+strings.Join(console.ServiceNames(), "','")+"'", "'"+strings.Join(kindNames(), "','")+"'", psSubs.String())
	default:
		return usagef("completion: unknown shell %q (want bash, zsh, fish or powershell)", p.args[0])
	}
	_, err := fmt.Fprint(c.stdout, script)
	return err
}

// allFlags lists the options of every command once each, the export
// modes' first, then --debug and --help.
func allFlags(cmds []*command) []flagSpec {
	var all []flagSpec
	seen := map[string]bool{}
	var o common
	for _, cmd := range cmds {
		for _, s := range cmd.new().flags() {
			if !seen[s.name] {
				seen[s.name] = true
				all = append(all, s)
			}
		}
	}
	return append(all, o.flags()...)
}

func fishDesc(s string) string {
	if i := strings.IndexAny(s, "(;"); i > 0 {
		s = s[:i]
	}
	return "'" + strings.ReplaceAll(strings.TrimSpace(s), "'", `\'`) + "'"
}

const bashCompletion = `# bash completion for awsxc-cli
_awsxc_cli() {
    local cur prev
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    local i
    for ((i = 1; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} == --exec ]] && { COMPREPLY=($(compgen -c -- "$cur")); return; }
    done
    case "$prev" in
        --profile|-c|--credentials-file-profile)
            # Names are data: compgen -W would expand $(...) inside them.
            local name names
            mapfile -t names < <(awsxc-cli profiles --names 2>/dev/null)
            COMPREPLY=()
            for name in "${names[@]}"; do
                [[ $name == "$cur"* ]] && COMPREPLY+=("$name")
            done
            return ;;
        --format)
            COMPREPLY=($(compgen -W "%[2]s" -- "$cur")); return ;;
        --service)
            COMPREPLY=($(compgen -W "%[5]s" -- "$cur")); return ;;
        --cache-file|--container-token-file|--audit-log)
            COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --token-dir)
            COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --engine)
            COMPREPLY=($(compgen -W "%[6]s" -- "$cur")); return ;;
        completion)
            COMPREPLY=($(compgen -W "bash zsh fish powershell" -- "$cur")); return ;;
%[7]s        %[4]s)
            return ;;
    esac
    if [[ $COMP_CWORD -eq 1 && $cur != -* ]]; then
        COMPREPLY=($(compgen -W "%[3]s" -- "$cur")); return
    fi
    COMPREPLY=($(compgen -W "%[1]s" -- "$cur"))
}
complete -F _awsxc_cli awsxc-cli
`

const zshCompletion = `#compdef awsxc-cli
# zsh completion for awsxc-cli
_awsxc_cli() {
    local prev=${words[CURRENT-1]}
    if (( ${words[(I)--exec]} && ${words[(I)--exec]} < CURRENT )); then
        _normal; return
    fi
    case $prev in
        --profile|-c|--credentials-file-profile)
            compadd -- ${(f)"$(awsxc-cli profiles --names 2>/dev/null)"}; return ;;
        --format) compadd -- %[2]s; return ;;
        --service) compadd -- %[5]s; return ;;
        --cache-file|--container-token-file|--audit-log) _files; return ;;
        --token-dir) _files -/; return ;;
        --engine) compadd -- %[6]s; return ;;
        completion) compadd -- bash zsh fish powershell; return ;;
%[7]s        %[4]s) return ;;
    esac
    if (( CURRENT == 2 )) && [[ ${words[CURRENT]} != -* ]]; then
        compadd -- %[3]s; return
    fi
    compadd -- %[1]s
}
if [[ ${funcstack[1]} == _awsxc-cli ]]; then
    _awsxc_cli "$@"
else
    compdef _awsxc_cli awsxc-cli
fi
`

const psCompletion = `# PowerShell completion for awsxc-cli: add to $PROFILE with
#   awsxc-cli completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName awsxc-cli, awsxc-cli.exe -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = $commandAst.CommandElements | ForEach-Object { $_.ToString() }
    $prev = if ($words.Count -ge 2) { $words[-1] } else { '' }
    if ($wordToComplete -ne '' -and $words.Count -ge 2) { $prev = $words[-2] }
    $candidates = switch ($prev) {
        { $_ -in '--profile', '-c', '--credentials-file-profile' } { & awsxc-cli profiles --names 2>$null; break }
        '--format' { %[2]s; break }
        '--service' { %[4]s; break }
        '--engine' { %[5]s; break }
        'completion' { 'bash', 'zsh', 'fish', 'powershell'; break }
%[6]s        default { %[1]s, %[3]s }
    }
    $candidates | Where-Object { $_ -like "$wordToComplete*" } |
        ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
}
`
