package daemon

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// A byte-level reader of the requests clients send, for the daemon's
// hot path. encoding/json's reflective decoder costs about 50 µs a
// request in a daemon that was idle (its code and type data cold), a
// third of the daemon's work for a held profile; this reader, about a
// tenth of that. It takes only the plain form a client writes
// (wire.AppendRequest): each key spelled exactly and given once, strings
// without escapes, integers, no null but for "sdk". Anything else is
// left to encoding/json, which then decodes it or says what is wrong:
// so whatever scanRequest accepts, json.Unmarshal decodes to the same
// request (FuzzScanRequest holds it).

// scanRequest decodes body into a request; ok is false when body is not
// in the plain form.
func scanRequest(body []byte) (req CredentialsRequest, ok bool) {
	s := scanner{b: body}
	var seen uint32
	ok = s.object(func(key string) bool {
		switch key {
		case "profile":
			return once(&seen, 0) && s.str(&req.Profile)
		case "config":
			return once(&seen, 1) && s.config(&req.Config)
		case "ensure_temporary":
			return once(&seen, 2) && s.boolean(&req.EnsureTemporary)
		case "duration_seconds":
			return once(&seen, 3) && s.integer(&req.DurationSeconds)
		case "mfa_serial":
			return once(&seen, 4) && s.str(&req.MFASerial)
		case "mfa_code":
			return once(&seen, 5) && s.str(&req.MFACode)
		case "refresh":
			return once(&seen, 6) && s.boolean(&req.Refresh)
		}
		return false
	})
	s.space()
	return req, ok && s.i == len(s.b)
}

// scanner reads b from i.
type scanner struct {
	b []byte
	i int
}

// once reports whether bit is not yet in seen, and sets it.
func once(seen *uint32, bit uint) bool {
	if *seen&(1<<bit) != 0 {
		return false
	}
	*seen |= 1 << bit
	return true
}

func (s *scanner) config(c *Config) bool {
	var seen uint32
	return s.object(func(key string) bool {
		switch key {
		case "config_file":
			return once(&seen, 0) && s.str(&c.ConfigFile)
		case "credentials_file":
			return once(&seen, 1) && s.str(&c.CredentialsFile)
		case "home":
			return once(&seen, 2) && s.str(&c.Home)
		case "cache_dir":
			return once(&seen, 3) && s.str(&c.CacheDir)
		case "region":
			return once(&seen, 4) && s.str(&c.Region)
		case "container_relative_uri":
			return once(&seen, 5) && s.str(&c.ContainerRelativeURI)
		case "container_full_uri":
			return once(&seen, 6) && s.str(&c.ContainerFullURI)
		case "sdk":
			if !once(&seen, 7) {
				return false
			}
			if s.literal("null") {
				return true
			}
			c.SDK = map[string]string{}
			return s.object(func(name string) bool {
				if _, dup := c.SDK[name]; dup {
					return false
				}
				var v string
				if !s.str(&v) {
					return false
				}
				c.SDK[name] = v
				return true
			})
		}
		return false
	})
}

// object reads {"key": value, ...}, value by value (field reads the
// value of key and reports whether it could).
func (s *scanner) object(field func(key string) bool) bool {
	if !s.punct('{') {
		return false
	}
	if s.punct('}') {
		return true
	}
	for {
		var key string
		if !s.str(&key) || !s.punct(':') || !field(key) {
			return false
		}
		if s.punct('}') {
			return true
		}
		if !s.punct(',') {
			return false
		}
	}
}

// space skips JSON's white space.
func (s *scanner) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// punct reads c after white space.
func (s *scanner) punct(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// literal reads word (null, true, false) after white space.
func (s *scanner) literal(word string) bool {
	s.space()
	if bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		s.i += len(word)
		return true
	}
	return false
}

// str reads a string without escapes: valid UTF-8, no control
// character, no backslash.
func (s *scanner) str(out *string) bool {
	if !s.punct('"') {
		return false
	}
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			if !utf8.Valid(v) {
				return false
			}
			*out = string(v)
			return true
		case c == '\\' || c < 0x20:
			return false
		}
		s.i++
	}
	return false
}

func (s *scanner) boolean(out *bool) bool {
	switch {
	case s.literal("true"):
		*out = true
	case s.literal("false"):
		*out = false
	default:
		return false
	}
	return true
}

// integer reads -?[1-9][0-9]* or 0, within int64.
func (s *scanner) integer(out *int64) bool {
	s.space()
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	digits := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	if s.i == digits || s.b[digits] == '0' && s.i-digits > 1 {
		return false
	}
	if s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		return false
	}
	n, err := strconv.ParseInt(string(s.b[start:s.i]), 10, 64)
	if err != nil {
		return false
	}
	*out = n
	return true
}
