package wire

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecodeCredentialsResponse: the hand-driven decoder of the answer
// decodes what json.Unmarshal decodes and refuses what it refuses, into a
// zero answer and into one that holds values already (null, merges and
// repeated keys act on those).
func FuzzDecodeCredentialsResponse(f *testing.F) {
	f.Add([]byte(`{"profile":"p","kind":"static","credentials":{"access_key_id":"AKIAX","secret_access_key":"s"}}`))
	f.Add([]byte(`{"profile":"p","kind":"role","region":"eu-west-1","credentials":{"access_key_id":"ASIA","secret_access_key":"s","session_token":"t","expiration":"2026-01-02T03:04:05.5Z","account_id":"1"},"warnings":[{"file":"/c","text":"x"}]}`))
	f.Add([]byte(`{"PROFILE":"p","Credentials":{"Access_Key_ID":"A"},"new":{"a":[1,2e999,{"b":null}]},"warnings":[]}`))
	f.Add([]byte(`{"profile":null,"credentials":null,"warnings":null}`))
	f.Add([]byte(`{"warnings":[{"file":"a"},{"text":"b"}],"warnings":[{"text":"c"}]}`))
	f.Add([]byte(`{"profile":"\u017fp\ud800","kind":1}`))
	f.Add([]byte(`{"credentials":{"\u017fecret_access_key":"s","session_to\u212aen":"t"}}`))
	f.Add([]byte("{\"credentials\":{\"\u017fecret_access_key\":\"s\",\"session_to\u212aen\":\"t\"}}"))
	f.Add([]byte(`{"warnings":[{}],"warnings":[{},{}]}`))
	f.Add([]byte(`{"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`))
	f.Add([]byte(`{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`))
	f.Add([]byte(`{"credentials":{"x":` + strings.Repeat("{\"a\":", 9998) + `1` + strings.Repeat("}", 9998) + `}}`))
	for _, n := range []int{9997, 9998} {
		f.Add([]byte(`{"warnings":[{"x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}]}`))
	}
	f.Add([]byte(`{"profile":"p"} {}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, start := range []CredentialsResponse{{}, {Profile: "was", Credentials: Credentials{AccessKeyID: "was"},
			Warnings: []Warning{{File: "f1", Text: "t1"}, {File: "f2"}}}} {
			std, ours := start, start
			std.Warnings, ours.Warnings = slices.Clone(start.Warnings), slices.Clone(start.Warnings)
			serr := json.Unmarshal(data, &std)
			oerr := DecodeCredentialsResponse(data, &ours)
			if (serr == nil) != (oerr == nil) {
				t.Fatalf("%q: encoding/json says %v, ours %v", data, serr, oerr)
			}
			if serr != nil {
				continue
			}
			if diff := cmp.Diff(std, ours); diff != "" {
				t.Errorf("%q (-encoding/json +ours):\n%s", data, diff)
			}
		}
	})
}

// FuzzWholeAnswer: an answer WholeAnswer calls whole holds all of its
// body: when net/http reads its head, the body reads to its end.
func FuzzWholeAnswer(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
	f.Add([]byte("HTTP/1.1 200 OK\r\ncontent-length: 5\r\nContent-Length: 5\r\n\r\n{}"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\n{}"))
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !WholeAnswer(b) {
			return
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b)), nil)
		if err != nil {
			return
		}
		if _, err := io.ReadAll(resp.Body); err != nil {
			t.Errorf("%q: whole, but its body reads %v", b, err)
		}
	})
}
