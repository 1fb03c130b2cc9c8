package wire

import (
	"bytes"
	"strconv"
	"time"
)

// DefaultTimeout bounds one exchange with the daemon when a client sets
// none: a daemon that accepts and never answers costs its client this
// much before it resolves by itself.
const DefaultTimeout = 2 * time.Second

// MaxHeaderBytes bounds the head of a request or an answer.
const MaxHeaderBytes = 8 << 10

// WholeAnswer reports whether b holds a whole HTTP answer of a known
// length: its head and Content-Length bytes of body. An answer of
// another shape is whole when the daemon closes the connection.
func WholeAnswer(b []byte) bool {
	body, n, known := ScanHead(b)
	return body >= 0 && known && n >= 0 && len(b)-body >= n
}

// ScanHead finds the end of the HTTP head at the start of b and its
// Content-Length. body is where the body starts, -1 while the head is
// not whole. n is the Content-Length, -1 when there is none. known is
// false when the head makes the body's length unknown here: a
// Transfer-Encoding, an Expect (the body comes after an interim answer),
// or a Content-Length that is malformed or given twice with two values.
func ScanHead(b []byte) (body, n int, known bool) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return -1, -1, false
	}
	n = -1
	for line := range bytes.Lines(b[:end+2]) {
		name, value, ok := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(":"))
		switch {
		case !ok:
		case bytes.EqualFold(name, []byte("Transfer-Encoding")), bytes.EqualFold(name, []byte("Expect")):
			return end + 4, -1, false
		case bytes.EqualFold(name, []byte("Content-Length")):
			v, err := strconv.Atoi(string(bytes.TrimSpace(value)))
			if err != nil || v < 0 || n >= 0 && v != n {
				return end + 4, -1, false
			}
			n = v
		}
	}
	return end + 4, n, true
}

// CredentialsMessage is the whole HTTP request that asks the daemon for
// req's credentials: encoded by hand, to be sent in one write. The host
// names nothing; the endpoint is the socket.
func CredentialsMessage(req *CredentialsRequest) []byte {
	body := AppendRequest(make([]byte, 0, 512), req)
	msg := make([]byte, 0, 160+len(body))
	msg = append(msg, "POST "+PathCredentials+" HTTP/1.1\r\nHost: awsxc\r\n"+Header+": "+VersionText+
		"\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "...)
	msg = strconv.AppendInt(msg, int64(len(body)), 10)
	msg = append(msg, "\r\n\r\n"...)
	return append(msg, body...)
}

// PlainAnswer returns the body of answer when answer is a successful
// answer of this protocol's version in its plainest form: "HTTP/1.1 200"
// with a reason or none; header fields each on one line, of token names
// and visible values; one Awsxc-Protocol field saying [VersionText]; one
// Content-Length of plain digits, which the body matches; no
// Transfer-Encoding. It is what the daemon writes. ok is false for
// anything else, which a caller leaves to a full HTTP parser: whatever
// PlainAnswer accepts, net/http's ReadResponse reads as the same status,
// protocol version and body (FuzzPlainAnswer holds it).
func PlainAnswer(answer []byte) (body []byte, ok bool) {
	rest, ok := bytes.CutPrefix(answer, []byte("HTTP/1.1 200"))
	if !ok {
		return nil, false
	}
	line, rest, ok := bytes.Cut(rest, []byte("\r\n"))
	if !ok || len(line) > 0 && (line[0] != ' ' || !visible(line[1:])) {
		return nil, false
	}
	n, versions := -1, 0
	for {
		if line, rest, ok = bytes.Cut(rest, []byte("\r\n")); !ok {
			return nil, false
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !token(name) || !visible(value) {
			return nil, false
		}
		value = bytes.Trim(value, " \t")
		switch {
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return nil, false
		case bytes.EqualFold(name, []byte("Content-Length")):
			if n >= 0 || len(value) == 0 || len(value) > 9 || !digits(value) {
				return nil, false
			}
			n, _ = strconv.Atoi(string(value))
		case bytes.EqualFold(name, []byte(Header)):
			if versions++; string(value) != VersionText {
				return nil, false
			}
		}
	}
	if n < 0 || n > MaxResponseBytes || versions != 1 || len(rest) != n {
		return nil, false
	}
	return rest, true
}

// token reports whether b is a non-empty HTTP token (RFC 9110's tchar).
func token(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte(`"(),/:;<=>?@[\]{}`), c) >= 0 {
			return false
		}
	}
	return len(b) > 0
}

// visible reports whether b holds only visible ASCII, spaces and tabs.
func visible(b []byte) bool {
	for _, c := range b {
		if (c < '!' || c > '~') && c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// digits reports whether b is all ASCII digits.
func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
