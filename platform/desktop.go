package platform

import "strings"

// DesktopExec turns an argv into the value of an Exec= key, quoted the way
// the Desktop Entry Specification says: arguments holding a reserved
// character are put in double quotes with ", `, $ and \ backslash-escaped,
// % becomes %%, and then the whole value gets the string-value escaping,
// which doubles every backslash once more.
// https://specifications.freedesktop.org/desktop-entry-spec/latest/exec-variables.html
func DesktopExec(argv ...string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		parts[i] = quoteExecArg(a)
	}
	return strings.ReplaceAll(strings.Join(parts, " "), `\`, `\\`)
}

const execReserved = " \t\n\"'\\><~|&;$*?#()`="

func quoteExecArg(a string) string {
	a = strings.ReplaceAll(a, "%", "%%")
	if a != "" && !strings.ContainsAny(a, execReserved) {
		return a
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range a {
		switch r {
		case '"', '`', '$', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}
