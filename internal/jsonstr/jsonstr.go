// Package jsonstr appends strings as JSON string literals without
// encoding/json's reflection: for hand-written encoders on hot paths
// (the daemon's requests, the activity records) whose output must read
// back with encoding/json exactly as encoding/json would have written it.
package jsonstr

import "unicode/utf8"

// Append appends s to b as a JSON string: quotes, backslashes and control
// characters (and DEL) escaped, invalid UTF-8 as U+FFFD (as encoding/json
// writes it), and U+2028 and U+2029 escaped, so the text stays one line
// for any reader, JavaScript's included.
func Append(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
