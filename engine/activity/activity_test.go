package activity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 123456789, time.UTC)

func rec(i int) Record {
	return Record{Time: t0.Add(time.Duration(i) * time.Second), Server: "ecs", Kind: "ecs", Consumer: "api",
		Profile: "dev", Client: "127.0.0.1:5123", UserAgent: "aws-sdk-go-v2/1.36.3 os/linux",
		Path: "/v1/credentials", Key: "ASIAEXAMPLEKEY000042", Status: 200, Outcome: Served}
}

func TestRecordJSON(t *testing.T) {
	t.Parallel()
	got := string(rec(0).AppendJSON(nil))
	want := `{"time":"2026-11-26T10:00:00.123456789Z","server":"ecs","kind":"ecs","consumer":"api","profile":"dev",` +
		`"client":"127.0.0.1:5123","user_agent":"aws-sdk-go-v2/1.36.3 os/linux","path":"/v1/credentials","key":"ASIA…0042",` +
		`"status":200,"outcome":"served"}`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	empty := string(Record{Time: t0, Status: 403}.AppendJSON(nil))
	if want := `{"time":"2026-11-26T10:00:00.123456789Z","status":403}`; empty != want {
		t.Errorf("empty record %s, want %s", empty, want)
	}
}

func TestRecordString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		r    Record
		want string
	}{
		{"served", rec(0), `2026-11-26T10:00:00Z ecs api → dev served ASIA…0042 to 127.0.0.1:5123 "aws-sdk-go-v2/1.36.3 os/linux"`},
		{"imds_no_consumer", Record{Time: t0, Server: "imds-9931", Profile: "prod", Client: "172.17.0.2:4000", Status: 200, Outcome: Served, Key: "AKIA…WXYZ"},
			`2026-11-26T10:00:00Z imds-9931 → prod served AKIA…WXYZ to 172.17.0.2:4000`},
		{"hostile", Record{Time: t0, Server: "a b", Consumer: "x\ny", UserAgent: "ua\r\n\x1b[31m", Status: 403, Outcome: BadToken},
			`2026-11-26T10:00:00Z "a b" "x\ny" → - bad-token to - "ua\r\n\x1b[31m"`},
		{"status_only", Record{Time: t0, Server: "s", Status: 503}, `2026-11-26T10:00:00Z s → - 503 to -`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.r.String(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// A record never carries a whole key id, whoever built it.
func TestRecordMasksKey(t *testing.T) {
	t.Parallel()
	r := rec(0)
	for _, out := range []string{string(r.AppendJSON(nil)), r.String()} {
		if strings.Contains(out, r.Key) {
			t.Errorf("whole key id in %s", out)
		}
	}
	if got := (Record{Key: "AKIA…WXYZ"}).Clean().Key; got != "AKIA…WXYZ" {
		t.Errorf("a masked key masked again: %q", got)
	}
	if got := (Record{Key: "AKIA…WXYZAKIA…WXYZ"}).Clean().Key; got == "AKIA…WXYZAKIA…WXYZ" {
		t.Errorf("a long key with an ellipsis kept whole")
	}
}

func TestLogRing(t *testing.T) {
	t.Parallel()
	l, err := New(Options{Size: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := l.Recent(); len(got) != 0 {
		t.Fatalf("new log has %d records", len(got))
	}
	for i := range 2 {
		l.Add(rec(i))
	}
	times := func() []int {
		var s []int
		for _, r := range l.Recent() {
			s = append(s, int(r.Time.Sub(t0)/time.Second))
		}
		return s
	}
	if diff := cmp.Diff([]int{0, 1}, times()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for i := 2; i < 7; i++ {
		l.Add(rec(i))
	}
	if diff := cmp.Diff([]int{4, 5, 6}, times()); diff != "" {
		t.Errorf("after wrapping (-want +got):\n%s", diff)
	}
	if k := l.Recent()[0].Key; k != "ASIA…0042" {
		t.Errorf("kept key %q", k)
	}
}

func TestLogSubscribe(t *testing.T) {
	t.Parallel()
	l, _ := New(Options{})
	s := l.Subscribe(2)
	for i := range 5 {
		l.Add(rec(i)) // never blocks, though the subscriber reads nothing
	}
	if got := (<-s.C()).Time; !got.Equal(t0) {
		t.Errorf("first record at %v", got)
	}
	<-s.C()
	if n := s.Missed(); n != 3 {
		t.Errorf("missed %d, want 3", n)
	}
	if n := s.Missed(); n != 0 {
		t.Errorf("missed not reset: %d", n)
	}
	s2 := l.Subscribe(1)
	s2.Close()
	s2.Close()
	if _, ok := <-s2.C(); ok {
		t.Error("closed subscription delivered")
	}
	l.Close()
	if _, ok := <-s.C(); ok {
		t.Error("Log.Close left a subscription open")
	}
	if _, ok := <-l.Subscribe(1).C(); ok {
		t.Error("subscription after Close is open")
	}
	l.Add(rec(9)) // dropped, no panic
}

func TestAuditFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	if err := os.WriteFile(path, []byte("{\"old\":true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := New(Options{AuditFile: path})
	if err != nil {
		t.Fatal(err)
	}
	hostile := rec(1)
	hostile.UserAgent = "evil\n{\"forged\":1}\u2028" + strings.Repeat("x", 1000)
	l.Add(rec(0))
	l.Add(hostile)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 3 || lines[0] != `{"old":true}` {
		t.Fatalf("file is not the old line and two records:\n%s", data)
	}
	for i, line := range lines[1:] {
		r, err := ParseJSON([]byte(line))
		if err != nil {
			t.Fatalf("line %d: %v", i+2, err)
		}
		want := rec(i)
		if i == 1 {
			want = hostile
		}
		if diff := cmp.Diff(want.Clean(), r); diff != "" {
			t.Errorf("line %d (-want +got):\n%s", i+2, diff)
		}
	}
	if strings.Contains(string(data), "ASIAEXAMPLEKEY000042") {
		t.Error("whole key id in the audit file")
	}

	if _, err := New(Options{AuditFile: dir}); err == nil {
		t.Error("a folder as audit file accepted")
	}
	if _, err := New(Options{AuditFile: filepath.Join(dir, "none", "x")}); err == nil {
		t.Error("an audit file in a missing folder accepted")
	}
}

func TestParseJSONRejects(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "[]", "{", `{"status":"x"}`} {
		if _, err := ParseJSON([]byte(s)); err == nil {
			t.Errorf("ParseJSON(%q) accepted", s)
		}
	}
}

// Add allocates nothing without an audit file: it is on every
// credentials request's path.
func TestAddAllocs(t *testing.T) {
	l, _ := New(Options{Size: 8})
	s := l.Subscribe(4)
	defer s.Close()
	r := rec(0)
	r.Key = "ASIA…0042"
	if n := testing.AllocsPerRun(100, func() { l.Add(r) }); n != 0 {
		t.Errorf("Add allocates %v times", n)
	}
}

// FuzzRecordEncoding: any record encodes as one line of valid JSON that
// reads back as the cleaned record, and renders as one line of text;
// neither holds a whole key id.
func FuzzRecordEncoding(f *testing.F) {
	r := rec(0)
	f.Add(r.Server, r.Consumer, r.Profile, r.Client, r.UserAgent, r.Path, r.Key, 200, string(r.Outcome), int64(0))
	f.Add("a\"b", "\x00", "prof\u2028ile", "[::1]:1", "\xff\xfe", "/", "AKIA…WXYZ", -1, "", int64(-1e18))
	f.Add("", "", "", "", strings.Repeat("é", 300), "", "short", 0, "x\ny", int64(1e18))
	f.Fuzz(func(t *testing.T, server, consumer, profile, client, ua, path, key string, status int, outcome string, ns int64) {
		r := Record{Time: time.Unix(0, ns).UTC(), Server: server, Kind: "ecs", Consumer: consumer, Profile: profile,
			Client: client, UserAgent: ua, Path: path, Key: key, Status: status, Outcome: Outcome(outcome),
			Count: int(ns % 7)} // a count too, without a new argument: the corpus stays
		line := r.AppendJSON(nil)
		if bytes.ContainsAny(line, "\n\r") || !json.Valid(line) {
			t.Fatalf("not one line of JSON: %q", line)
		}
		got, err := ParseJSON(line)
		if err != nil {
			t.Fatal(err)
		}
		want := r.Clean()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("read back (-want +got):\n%s", diff)
		}
		text := r.String()
		if strings.ContainsAny(text, "\n\r") || !utf8.ValidString(text) {
			t.Fatalf("text is not one valid line: %q", text)
		}
		others := strings.Join([]string{server, consumer, profile, client, ua, path, outcome}, "\x00")
		if len(key) >= 12 && key != want.Key && !strings.Contains(others, key) && // a field of its own may hold the same text
			(bytes.Contains(line, []byte(key)) || strings.Contains(text, key)) {
			t.Fatalf("whole key id %q in %s / %s", key, line, text)
		}
		if len(got.UserAgent) > MaxUserAgent {
			t.Fatalf("user agent of %d bytes kept", len(got.UserAgent))
		}
	})
}

// TestAuditCoalesce: a loop of refused requests from one client writes
// two audit lines, not one per request: the first refusal at once, and
// the rest as one record with a count; another client's and served
// requests are written each (review 2, L2).
func TestAuditCoalesce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := newLog(Options{AuditFile: path}, auditQueue, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	bad := func(i int, client string) Record {
		r := rec(i)
		r.Consumer, r.Key, r.Status, r.Outcome, r.Client = "", "", 401, BadToken, client
		return r
	}
	l.Add(rec(0))
	for i := range 1000 {
		l.Add(bad(i+1, "127.0.0.1:"+strconv.Itoa(40000+i))) // a connection, a port, per request
		if i == 500 {
			l.Add(bad(i+1, "[::1]:5000"))
			l.Add(rec(i + 1))
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(l.Recent()); n != DefaultSize {
		t.Errorf("the ring keeps %d records, want every one up to %d", n, DefaultSize)
	}
	data, _ := os.ReadFile(path)
	var got []string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		r, err := ParseJSON([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %d", r.Client, r.Outcome, r.Count))
	}
	want := []string{"127.0.0.1:5123 served 0", "127.0.0.1:40000 bad-token 0", "[::1]:5000 bad-token 0", "127.0.0.1:5123 served 0",
		"127.0.0.1:40999 bad-token 999"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit lines (-want +got):\n%s", diff)
	}
}

// TestAuditDropped: Add never waits for the audit file; what its queue
// has no room for is dropped and counted in a dropped record, so every
// request is accounted for (review 2, L2).
func TestAuditDropped(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l, err := newLog(Options{AuditFile: path}, 4, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	l.wmu.Lock() // a stalled disk: the writer waits for the write
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 100 {
			l.Add(rec(i))
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Add waits for the audit file")
	}
	l.wmu.Unlock()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	served, dropped := 0, 0
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		r, err := ParseJSON([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		switch r.Outcome {
		case Served:
			served++
		case Dropped:
			dropped += max(r.Count, 1) // 0 is one
		}
	}
	if served+dropped != 100 || dropped == 0 {
		t.Errorf("%d written and %d dropped, want 100 in all, some dropped:\n%s", served, dropped, data)
	}
}
