package signin

// The cache files are written the way the AWS CLI writes them: by
// Python's json.dumps with its defaults (separators ", " and ": ",
// ensure_ascii, keys in insertion order; awscli/customizations/sso/
// utils.py _sso_json_dumps, botocore JSONFileCache), with timestamps as
// %Y-%m-%dT%H:%M:%SZ. encoding/json would write compact separators,
// escape <, > and &, and leave non-ASCII as it is, so the few lines here
// write Python's form byte for byte, and read objects keeping the order
// of their members, so that a rewrite keeps another tool's fields where
// they were.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// object is a JSON object with its members in order.
type object []member

// member is one member of an object. Value is a string, a time.Time
// (written in cacheTimeFormat), a []string, an object, json.Number,
// bool, nil, or a []any of those.
type member struct {
	Key   string
	Value any
}

// cacheTimeFormat is the AWS CLI's timestamp format in its caches.
const cacheTimeFormat = "2006-01-02T15:04:05Z"

// get returns the value of key.
func (o object) get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

// str returns key's value when it is a string, else "".
func (o object) str(key string) string {
	v, _ := o.get(key)
	s, _ := v.(string)
	return s
}

// obj returns key's value when it is an object.
func (o object) obj(key string) (object, bool) {
	v, _ := o.get(key)
	ob, ok := v.(object)
	return ob, ok
}

// set replaces key's value where it is, or adds it at the end.
func (o *object) set(key string, v any) {
	for i := range *o {
		if (*o)[i].Key == key {
			(*o)[i].Value = v
			return
		}
	}
	*o = append(*o, member{key, v})
}

// parseObject reads a JSON object, keeping the order of its members
// (nested objects too). Numbers stay json.Number.
func parseObject(data []byte) (object, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	o, ok := v.(object)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("data after the JSON object")
	}
	return o, nil
}

func parseValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := object{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				// A repeated key: the last one wins, as in Python.
				o.set(k, v)
			}
			_, err := dec.Token() // '}'
			return o, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token() // ']'
			return a, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	}
	return tok, nil // string, json.Number, bool, nil
}

// pyDumps returns v as Python's json.dumps writes it with its defaults.
func pyDumps(v any) []byte {
	var b bytes.Buffer
	pyEncode(&b, v)
	return b.Bytes()
}

func pyEncode(b *bytes.Buffer, v any) {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case json.Number:
		b.WriteString(t.String())
	case int:
		fmt.Fprint(b, t)
	case int64:
		fmt.Fprint(b, t)
	case string:
		pyQuote(b, t)
	case time.Time:
		pyQuote(b, t.UTC().Format(cacheTimeFormat))
	case []string:
		b.WriteByte('[')
		for i, s := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			pyQuote(b, s)
		}
		b.WriteByte(']')
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			pyEncode(b, e)
		}
		b.WriteByte(']')
	case object:
		b.WriteByte('{')
		for i, m := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			pyQuote(b, m.Key)
			b.WriteString(": ")
			pyEncode(b, m.Value)
		}
		b.WriteByte('}')
	default:
		panic(fmt.Sprintf("pyEncode: %T", v))
	}
}

// pyQuote writes s as a JSON string the way Python's json module does
// with ensure_ascii (its ESCAPE_ASCII rule): printable ASCII as it is but
// for " and \, the short escapes \n \r \t \b \f, and every other
// character as \uXXXX, with surrogate pairs above U+FFFF. Invalid UTF-8
// is written as U+FFFD, as encoding/json decodes it.
func pyQuote(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r >= ' ' && r <= '~':
			b.WriteRune(r)
		case r > 0xFFFF:
			r -= 0x10000
			fmt.Fprintf(b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			if r == utf8.RuneError {
				r = 0xFFFD
			}
			fmt.Fprintf(b, `\u%04x`, r)
		}
	}
	b.WriteByte('"')
}

// parseCacheTime reads a timestamp of a cache file. The AWS CLI writes
// %Y-%m-%dT%H:%M:%SZ; the Go SDK writes RFC 3339 (fractions possible);
// early AWS CLI v2 releases wrote "...UTC", and botocore's dateutil takes
// all of them, so these are read too. A time without a zone is UTC.
func parseCacheTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05UTC", "2006-01-02T15:04:05.999999999UTC",
		"2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("unreadable time (not RFC 3339)")
}

// timeOf returns key's value as a time, or the zero time and false.
func (o object) timeOf(key string) (time.Time, bool) {
	switch v, _ := o.get(key); t := v.(type) {
	case time.Time:
		return t, true
	case string:
		tm, err := parseCacheTime(t)
		return tm, err == nil
	}
	return time.Time{}, false
}
