// Package textsafe shows text that comes from files and other programs
// (profile names, regions, role ARNs, commands, an SDK's message) on a
// terminal without letting it act there: [Escape] writes every character
// that is not graphic as a Go escape, so an ESC in a profile name shows
// as \x1b instead of starting a terminal control sequence, a BEL as \a
// instead of ringing, and a line break as \n instead of faking another
// line of output.
//
// It is the one rule awsxc applies wherever such text reaches standard
// output or standard error as text: the CLI's listings, explanations,
// errors and warnings, and the engine's error messages. JSON output has
// its own escaping.
package textsafe

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with each character that is not graphic written as
// Go writes it in a quoted string: \a \b \f \n \r \t \v, \xHH for other
// ASCII controls and for bytes that are not UTF-8, \uHHHH or \UHHHHHHHH
// beyond ASCII (C1 controls, bidirectional overrides, zero-width and
// line-separator characters, private use). Spaces, letters, marks,
// numbers, punctuation and symbols of any script are kept, and so is a
// backslash: s is shown, not quoted, so text without control characters
// reads exactly as it is.
func Escape(s string) string {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++
	}
	if i == len(s) {
		return s // printable ASCII, the usual case
	}
	b := make([]byte, 0, len(s)+8)
	b = append(b, s[:i]...)
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, `\x`...)
			b = append(b, hex[s[i]>>4], hex[s[i]&0xf])
		case r == ' ' || unicode.IsGraphic(r):
			b = append(b, s[i:i+n]...)
		default:
			// strconv writes the escape; cut its quotes.
			q := strconv.QuoteRuneToASCII(r)
			b = append(b, q[1:len(q)-1]...)
		}
		i += n
	}
	return string(b)
}

const hex = "0123456789abcdef"

// Line returns msg as one line of a message: its runs of white space
// (line breaks too) as one space, then [Escape]d.
func Line(msg string) string {
	return Escape(strings.Join(strings.Fields(msg), " "))
}
