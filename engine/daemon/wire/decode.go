package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Hand-driven decoding of the answer a client reads on its hot path.
// encoding/json's Unmarshal builds a struct's decoder by reflection on
// its first use, about a fifth of a fresh client's whole exchange with
// the daemon (measured: 0.1 ms of 0.55 ms); its token reader has no
// such cost. What is decoded is exactly what Unmarshal decodes, keys
// matched as it matches them (exactly, else ignoring case), unknown keys
// skipped, null leaving a value as it was (a slice nil), and whatever
// Unmarshal refuses refused (FuzzDecodeCredentialsResponse holds it).

// DecodeCredentialsResponse is json.Unmarshal(data, out).
func DecodeCredentialsResponse(data []byte, out *CredentialsResponse) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber() // a number is skipped, never converted
	err := decodeObject(d, func(key string) error {
		const depth = 1 // in the answer's object
		switch {
		case matchKey(key, "profile"):
			return decodeString(d, &out.Profile)
		case matchKey(key, "kind"):
			return decodeString(d, &out.Kind)
		case matchKey(key, "region"):
			return decodeString(d, &out.Region)
		case matchKey(key, "credentials"):
			c := &out.Credentials
			return decodeObject(d, func(key string) error {
				const depth = 2
				switch {
				case matchKey(key, "access_key_id"):
					return decodeString(d, &c.AccessKeyID)
				case matchKey(key, "secret_access_key"):
					return decodeString(d, &c.SecretAccessKey)
				case matchKey(key, "session_token"):
					return decodeString(d, &c.SessionToken)
				case matchKey(key, "expiration"):
					return decodeString(d, &c.Expiration)
				case matchKey(key, "account_id"):
					return decodeString(d, &c.AccountID)
				}
				return skipValue(d, depth)
			})
		case matchKey(key, "warnings"):
			return decodeWarnings(d, &out.Warnings)
		}
		return skipValue(d, depth)
	})
	if err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return errors.New("json: invalid data after the top-level value")
	}
	return nil
}

// matchKey is how Unmarshal matches a key to a field's name: a field
// takes a key equal to its name ignoring case (bytes.EqualFold).
func matchKey(key, name string) bool { return strings.EqualFold(key, name) }

// decodeObject reads an object, calling field for each key with the
// decoder before the key's value, which field must read; null is no
// object and leaves everything as it was.
func decodeObject(d *json.Decoder, field func(key string) error) error {
	t, err := d.Token()
	switch {
	case err != nil:
		return err
	case t == nil:
		return nil
	case t != json.Delim('{'):
		return fmt.Errorf("json: cannot decode %v into an object", kindOf(t))
	}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return err
		}
		if err := field(t.(string)); err != nil {
			return err
		}
	}
	_, err = d.Token() // }
	return err
}

// decodeWarnings reads the warnings array into w as Unmarshal does:
// elements decode into the slice's existing ones, the slice is cut to
// the array's length, an empty array is an empty slice, null is nil.
func decodeWarnings(d *json.Decoder, w *[]Warning) error {
	t, err := d.Token()
	switch {
	case err != nil:
		return err
	case t == nil:
		*w = nil
		return nil
	case t != json.Delim('['):
		return fmt.Errorf("json: cannot decode %v into the warnings", kindOf(t))
	}
	i := 0
	for ; d.More(); i++ {
		switch {
		case i < len(*w):
		case i < cap(*w):
			// As reflect's SetLen: what the array held there before.
			*w = (*w)[:i+1]
		default:
			*w = append(*w, Warning{})
		}
		e := &(*w)[i]
		if err := decodeObject(d, func(key string) error {
			const depth = 3 // in an element of the array in the answer
			switch {
			case matchKey(key, "file"):
				return decodeString(d, &e.File)
			case matchKey(key, "text"):
				return decodeString(d, &e.Text)
			}
			return skipValue(d, depth)
		}); err != nil {
			return err
		}
	}
	if _, err := d.Token(); err != nil { // ]
		return err
	}
	if i == 0 {
		*w = []Warning{}
	} else {
		*w = (*w)[:i]
	}
	return nil
}

// decodeString reads a string into s; null leaves s as it was.
func decodeString(d *json.Decoder, s *string) error {
	t, err := d.Token()
	if err != nil {
		return err
	}
	switch v := t.(type) {
	case string:
		*s = v
	case nil:
	default:
		return fmt.Errorf("json: cannot decode %v into a string", kindOf(t))
	}
	return nil
}

// maxDepth is encoding/json's bound on nesting, which Unmarshal refuses
// past.
const maxDepth = 10000

// skipValue reads one value, of any kind, inside depth open objects and
// arrays; nesting past maxDepth is refused, as Unmarshal refuses it.
func skipValue(d *json.Decoder, depth int) error {
	open := 0
	for {
		t, err := d.Token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			if open++; depth+open > maxDepth {
				return errors.New("json: exceeded max depth")
			}
		case json.Delim('}'), json.Delim(']'):
			open--
		}
		if open == 0 {
			return nil
		}
	}
}

// kindOf names a token's kind for an error.
func kindOf(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}
