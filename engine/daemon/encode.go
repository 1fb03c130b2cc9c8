package daemon

import (
	"slices"
	"strconv"
	"unicode/utf8"
)

// Hand-written encoding of what a client sends. A client is a fresh
// process whose one request should cost less than resolving a static
// profile itself: encoding/json's first use of a type builds its encoder
// by reflection, which costs more than the rest of the request
// (measured: 40-100 µs). What is written is what encoding/json would
// decode to the same values (FuzzAppendRequest holds it).

// appendRequest appends req as a JSON object, with the keys and the
// omitempty rules of its struct tags.
func appendRequest(b []byte, req *CredentialsRequest) []byte {
	b = append(b, `{"profile":`...)
	b = appendString(b, req.Profile)
	c := &req.Config
	b = append(b, `,"config":{"config_file":`...)
	b = appendString(b, c.ConfigFile)
	b = append(b, `,"credentials_file":`...)
	b = appendString(b, c.CredentialsFile)
	b = append(b, `,"home":`...)
	b = appendString(b, c.Home)
	b = append(b, `,"cache_dir":`...)
	b = appendString(b, c.CacheDir)
	b = append(b, `,"region":`...)
	b = appendString(b, c.Region)
	b = append(b, `,"container_relative_uri":`...)
	b = appendString(b, c.ContainerRelativeURI)
	b = append(b, `,"container_full_uri":`...)
	b = appendString(b, c.ContainerFullURI)
	b = append(b, `,"sdk":`...)
	if c.SDK == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '{')
		keys := make([]string, 0, len(c.SDK))
		for k := range c.SDK {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, c.SDK[k])
		}
		b = append(b, '}')
	}
	b = append(b, '}')
	if req.EnsureTemporary {
		b = append(b, `,"ensure_temporary":true`...)
	}
	if req.DurationSeconds != 0 {
		b = append(b, `,"duration_seconds":`...)
		b = strconv.AppendInt(b, req.DurationSeconds, 10)
	}
	if req.MFASerial != "" {
		b = append(b, `,"mfa_serial":`...)
		b = appendString(b, req.MFASerial)
	}
	if req.MFACode != "" {
		b = append(b, `,"mfa_code":`...)
		b = appendString(b, req.MFACode)
	}
	if req.Refresh {
		b = append(b, `,"refresh":true`...)
	}
	return append(b, '}')
}

// appendString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 as U+FFFD (as encoding/json
// writes it).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
