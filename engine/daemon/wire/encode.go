package wire

import (
	"slices"
	"strconv"

	"github.com/awsxc/awsxc/internal/jsonstr"
)

// Hand-written encoding of what a client sends. A client is a fresh
// process whose one request should cost less than resolving a static
// profile itself: encoding/json's first use of a type builds its encoder
// by reflection, which costs more than the rest of the request
// (measured: 40-100 µs). What is written is what encoding/json would
// decode to the same values (FuzzAppendRequest holds it).

// AppendRequest appends req as a JSON object, with the keys and the
// omitempty rules of its struct tags.
func AppendRequest(b []byte, req *CredentialsRequest) []byte {
	b = append(b, `{"profile":`...)
	b = jsonstr.Append(b, req.Profile)
	c := &req.Config
	b = append(b, `,"config":{"config_file":`...)
	b = jsonstr.Append(b, c.ConfigFile)
	b = append(b, `,"credentials_file":`...)
	b = jsonstr.Append(b, c.CredentialsFile)
	b = append(b, `,"home":`...)
	b = jsonstr.Append(b, c.Home)
	b = append(b, `,"cache_dir":`...)
	b = jsonstr.Append(b, c.CacheDir)
	b = append(b, `,"region":`...)
	b = jsonstr.Append(b, c.Region)
	b = append(b, `,"container_relative_uri":`...)
	b = jsonstr.Append(b, c.ContainerRelativeURI)
	b = append(b, `,"container_full_uri":`...)
	b = jsonstr.Append(b, c.ContainerFullURI)
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
			b = jsonstr.Append(b, k)
			b = append(b, ':')
			b = jsonstr.Append(b, c.SDK[k])
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
		b = jsonstr.Append(b, req.MFASerial)
	}
	if req.MFACode != "" {
		b = append(b, `,"mfa_code":`...)
		b = jsonstr.Append(b, req.MFACode)
	}
	if req.Refresh {
		b = append(b, `,"refresh":true`...)
	}
	return append(b, '}')
}

// AppendResponse appends resp as a JSON object, with the keys and the
// omitempty rules of its struct tags: the daemon's answer on its hot
// path (encoding/json's reflective encoder costs about 20 µs in a daemon
// that was idle). FuzzAppendResponse holds it to encoding/json.
func AppendResponse(b []byte, resp *CredentialsResponse) []byte {
	b = append(b, `{"profile":`...)
	b = jsonstr.Append(b, resp.Profile)
	b = append(b, `,"kind":`...)
	b = jsonstr.Append(b, resp.Kind)
	if resp.Region != "" {
		b = append(b, `,"region":`...)
		b = jsonstr.Append(b, resp.Region)
	}
	c := &resp.Credentials
	b = append(b, `,"credentials":{"access_key_id":`...)
	b = jsonstr.Append(b, c.AccessKeyID)
	b = append(b, `,"secret_access_key":`...)
	b = jsonstr.Append(b, c.SecretAccessKey)
	for _, f := range []struct{ key, value string }{
		{`,"session_token":`, c.SessionToken}, {`,"expiration":`, c.Expiration}, {`,"account_id":`, c.AccountID},
	} {
		if f.value != "" {
			b = append(b, f.key...)
			b = jsonstr.Append(b, f.value)
		}
	}
	b = append(b, '}')
	if len(resp.Warnings) > 0 {
		b = append(b, `,"warnings":[`...)
		for i, w := range resp.Warnings {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"file":`...)
			b = jsonstr.Append(b, w.File)
			b = append(b, `,"text":`...)
			b = jsonstr.Append(b, w.Text)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, "}\n"...)
}
