package platform

import "strings"

// psQuotes doubles every character PowerShell takes for a single quote:
// the ASCII one and the typographic U+2018–U+201B, any of which would
// otherwise end the literal (and let the rest run as code).
var psQuotes = strings.NewReplacer(
	"'", "''",
	"\u2018", "\u2018\u2018",
	"\u2019", "\u2019\u2019",
	"\u201A", "\u201A\u201A",
	"\u201B", "\u201B\u201B",
)

// psString quotes s as a PowerShell single-quoted string literal.
func psString(s string) string {
	return "'" + psQuotes.Replace(s) + "'"
}
