package wire

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// plainAnswers are answers PlainAnswer takes, with the body it returns.
var plainAnswers = []struct{ name, answer, body string }{
	{"daemon", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", "{}"},
	{"net_http", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nContent-Type: application/json\r\nDate: Wed, 02 Dec 2026 13:00:00 GMT\r\nContent-Length: 4\r\n\r\nnull", "null"},
	{"no_reason", "HTTP/1.1 200\r\nContent-Length: 0\r\nawsxc-protocol:1\r\n\r\n", ""},
	{"blanks", "HTTP/1.1 200 OK\r\nContent-Length:\t 3 \r\nAwsxc-Protocol:  1\t\r\n\r\nabc", "abc"},
}

// notPlain are answers PlainAnswer leaves to a full parser.
var notPlain = []struct{ name, answer string }{
	{"empty", ""},
	{"head_only", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nContent-Length: 2\r\n"},
	{"http10", "HTTP/1.0 200 OK\r\nAwsxc-Protocol: 1\r\nContent-Length: 2\r\n\r\n{}"},
	{"status_201", "HTTP/1.1 201 Created\r\nAwsxc-Protocol: 1\r\nContent-Length: 2\r\n\r\n{}"},
	{"status_2000", "HTTP/1.1 2000 OK\r\nAwsxc-Protocol: 1\r\nContent-Length: 2\r\n\r\n{}"},
	{"error", "HTTP/1.1 422 Unprocessable Entity\r\nAwsxc-Protocol: 1\r\nContent-Length: 2\r\n\r\n{}"},
	{"no_version", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"},
	{"version_2", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 2\r\nContent-Length: 2\r\n\r\n{}"},
	{"two_versions", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nAwsxc-Protocol: 1\r\nContent-Length: 2\r\n\r\n{}"},
	{"no_length", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\n\r\n{}"},
	{"two_lengths", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}"},
	{"signed_length", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nContent-Length: +2\r\n\r\n{}"},
	{"short_body", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nContent-Length: 3\r\n\r\n{}"},
	{"too_big", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nContent-Length: 65537\r\n\r\n" + strings.Repeat("x", MaxResponseBytes+1)},
	{"long_body", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nContent-Length: 1\r\n\r\n{}"},
	{"chunked", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nTransfer-Encoding: chunked\r\nContent-Length: 7\r\n\r\n2\r\n{}\r\n"},
	{"folded", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nX: a\r\n b\r\nContent-Length: 2\r\n\r\n{}"},
	{"bare_lf", "HTTP/1.1 200 OK\nAwsxc-Protocol: 1\nContent-Length: 2\n\n{}"},
	{"bad_name", "HTTP/1.1 200 OK\r\nAwsxc Protocol: 1\r\nAwsxc-Protocol: 1\r\nContent-Length: 2\r\n\r\n{}"},
	{"control_value", "HTTP/1.1 200 OK\r\nAwsxc-Protocol: 1\r\nX: a\x00b\r\nContent-Length: 2\r\n\r\n{}"},
}

func TestPlainAnswer(t *testing.T) {
	for _, tt := range plainAnswers {
		body, ok := PlainAnswer([]byte(tt.answer))
		if !ok || string(body) != tt.body {
			t.Errorf("%s: PlainAnswer = %q, %v; want %q, true", tt.name, body, ok, tt.body)
		}
	}
	for _, tt := range notPlain {
		if body, ok := PlainAnswer([]byte(tt.answer)); ok {
			t.Errorf("%s: PlainAnswer = %q, true; want it left to a full parser", tt.name, body)
		}
	}
}

// FuzzPlainAnswer: whatever PlainAnswer takes, net/http reads as a 200
// answer of this protocol's version with the same body, which a client
// would read (no bigger than MaxResponseBytes).
func FuzzPlainAnswer(f *testing.F) {
	for _, tt := range plainAnswers {
		f.Add([]byte(tt.answer))
	}
	for _, tt := range notPlain {
		f.Add([]byte(tt.answer))
	}
	f.Fuzz(func(t *testing.T, answer []byte) {
		body, ok := PlainAnswer(answer)
		if !ok {
			return
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(answer)), nil)
		if err != nil {
			t.Fatalf("PlainAnswer took %q, which net/http refuses: %v", answer, err)
		}
		got, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("PlainAnswer took %q, whose body net/http cannot read: %v", answer, err)
		}
		if len(body) > MaxResponseBytes {
			t.Fatalf("PlainAnswer took a body of %d bytes, more than a client reads", len(body))
		}
		if resp.StatusCode != http.StatusOK || resp.Header.Get(Header) != VersionText || !bytes.Equal(got, body) {
			t.Fatalf("PlainAnswer(%q) = %q; net/http reads %d, version %q, body %q",
				answer, body, resp.StatusCode, resp.Header.Get(Header), got)
		}
	})
}

// TestCredentialsMessage: the request reads as the POST net/http's
// server would take, with the body AppendRequest writes.
func TestCredentialsMessage(t *testing.T) {
	req := &CredentialsRequest{Profile: "dev", Config: Config{ConfigFile: "/h/.aws/config", SDK: map[string]string{}}, Refresh: true}
	msg := CredentialsMessage(req)
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(msg)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || r.URL.Path != PathCredentials || r.Header.Get(Header) != VersionText ||
		string(body) != string(AppendRequest(nil, req)) || !strings.Contains(string(body), `"refresh":true`) {
		t.Errorf("CredentialsMessage = %q", msg)
	}
	if body, n, known := ScanHead(msg); !known || len(msg)-body != n {
		t.Errorf("ScanHead(CredentialsMessage) = %d, %d, %v", body, n, known)
	}
}
