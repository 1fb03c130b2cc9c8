// Package activity records who fetched which credentials from awsxc's
// local servers: one [Record] per credentials request (time, server,
// consumer, profile, client address, User-Agent, masked key id, outcome),
// the last few hundred kept in memory by a [Log] with live subscriptions
// for a tray menu or `awsxc-cli activity`, and optionally appended to a
// JSON-lines audit file.
//
// # Records
//
// A Record holds no secret: never a token (an ECS consumer is named, not
// quoted), and the access key id only masked ([engine.MaskKey]): the
// encoders mask any key id that is not ([Record.AppendJSON],
// [Record.String]). What a client sent (its User-Agent) is cut to
// [MaxUserAgent] bytes. A record renders as one JSON object on one line
// ([Record.AppendJSON], the audit file's and `--json`'s form) or as one
// line of text for people ([Record.String]); [ParseJSON] reads a line back.
//
// # The log
//
// [Log.Add] is on every credentials request's path: it copies the record
// into a fixed ring and hands it to each subscriber without blocking (a
// subscriber that does not keep up misses records and is told how many,
// see [Subscription]); it allocates nothing unless an audit file is set.
// The audit file ([Options] AuditFile) is opened once for appending
// (created 0600; a wider mode is narrowed to 0600), one object per line,
// each line one write; it is never read back, and never rotated by awsxc.
// It is written by a goroutine of its own, off the requests' path: Add
// only queues the record, and when the queue is full (a slow disk, an
// NFS home) records are dropped and a [Dropped] record says how many.
// Refused requests (no token, a bad, revoked or forbidden one) of one
// client (and consumer) are coalesced there, so that a loop of bad requests cannot fill
// the disk: the first of a client's refusals with an outcome is written
// at once, and the others of the next ten seconds as one record with
// their [Record] Count.
package activity

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/jsonstr"
)

// DefaultSize is how many records a [Log] keeps when [Options] Size is
// zero: a few hundred are a day of SDK refreshes for a dozen consumers,
// and 512 records are under 200 KiB.
const DefaultSize = 512

// MaxUserAgent is how much of a client's User-Agent a record keeps.
const MaxUserAgent = 256

// maxField bounds the other strings a record keeps (server, consumer and
// profile names, the client address), so a record stays one small line.
const maxField = 256

// Outcome says how a credentials request ended.
type Outcome string

// The outcomes.
const (
	// Served: credentials were sent.
	Served Outcome = "served"
	// NoToken: the request carried no token where one is needed.
	NoToken Outcome = "no-token"
	// BadToken: the token is not one the server knows.
	BadToken Outcome = "bad-token"
	// Revoked: the token was a consumer's that has been revoked.
	Revoked Outcome = "revoked"
	// Forbidden: the token is valid but not for what was asked (another
	// profile).
	Forbidden Outcome = "forbidden"
	// Unavailable: the credentials could not be obtained.
	Unavailable Outcome = "unavailable"
	// Dropped is no request: the audit file's writer did not keep up, and
	// Count records were left out of the file (the log kept them).
	Dropped Outcome = "dropped"
)

// refused reports whether o is a request refused for its token, the
// outcomes coalesced in the audit file.
func refused(o Outcome) bool {
	return o == NoToken || o == BadToken || o == Revoked || o == Forbidden
}

// Record is one credentials request.
type Record struct {
	Time time.Time
	// Server names the server ("imds-9931", "ecs"), Kind its protocol
	// ("imds" or "ecs").
	Server string
	Kind   string
	// Consumer names the ECS consumer whose token was used; empty for
	// IMDS, for the server's own token and for unknown tokens.
	Consumer string
	// Profile is the profile served (or asked for).
	Profile string
	// Client is the client's address (IP:port); UserAgent what it sent.
	Client    string
	UserAgent string
	// Path is the request's path.
	Path string
	// Key is the masked access key id served ([engine.MaskKey]); empty
	// when none was.
	Key string
	// Status is the HTTP status answered; Outcome what it means.
	Status  int
	Outcome Outcome
	// Count is how many requests the record stands for, when more than
	// one: refused requests of one client coalesced in the audit file,
	// the last of which it describes (or, for [Dropped], how many records
	// were left out). 0 is one request.
	Count int
}

// masked returns k masked unless it already is: a record never carries a
// whole key id, whoever built it.
func masked(k string) string {
	if k == "" || strings.Contains(k, "…") && utf8.RuneCountInString(k) <= 9 {
		return k
	}
	return engine.MaskKey(k)
}

// clip makes s valid UTF-8 (each invalid byte becomes U+FFFD) and cuts
// it to n bytes at a rune boundary.
func clip(s string, n int) string {
	if !utf8.ValidString(s) {
		var b strings.Builder
		for i := 0; i < len(s) && b.Len() < n; {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteRune(utf8.RuneError)
			} else {
				b.WriteString(s[i : i+size])
			}
			i += size
		}
		s = b.String()
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Clean returns r as a [Log] keeps it: the key id masked, every string
// valid UTF-8, the User-Agent and the names cut to their bounds.
func (r Record) Clean() Record {
	r.Key = clip(masked(clip(r.Key, maxField)), maxField) // MaskKey cuts bytes, not runes
	r.UserAgent = clip(r.UserAgent, MaxUserAgent)
	r.Server = clip(r.Server, maxField)
	r.Kind = clip(r.Kind, maxField)
	r.Consumer = clip(r.Consumer, maxField)
	r.Profile = clip(r.Profile, maxField)
	r.Client = clip(r.Client, maxField)
	r.Path = clip(r.Path, maxField)
	r.Outcome = Outcome(clip(string(r.Outcome), maxField))
	r.Count = countOf(r.Count)
	return r
}

// Options configures a [Log].
type Options struct {
	// Size is how many records are kept; zero is [DefaultSize].
	Size int
	// AuditFile, if set, is a file every record is appended to as one
	// JSON line (created 0600).
	AuditFile string
}

// Log keeps the last records in memory, hands new ones to subscribers
// and appends them to an audit file. It is safe for concurrent use.
type Log struct {
	mu     sync.Mutex // protects the fields below
	ring   []Record
	next   int // where the next record goes
	full   bool
	subs   map[*Subscription]struct{}
	queue  chan Record // to the audit file's writer; nil without one
	closed bool

	dropped atomic.Uint64 // records the queue had no room for
	audit   *os.File      // nil without an audit file
	window  time.Duration // how long refusals of one client are coalesced
	done    chan struct{} // closed when the writer has finished

	wmu      sync.Mutex // held by the writer for each write; protects auditErr
	auditErr error      // the first failed write
}

// auditQueue is how many records wait for the audit file's writer before
// they are dropped: seconds of requests at any plausible rate.
const auditQueue = 1024

// coalesceWindow is how long refused requests of one client, with one
// outcome, are counted into one audit record.
const coalesceWindow = 10 * time.Second

// maxCoalesced bounds the clients whose refusals are counted apart in one
// window; beyond them, refusals of one server and outcome are counted
// together, whoever sent them.
const maxCoalesced = 1024

// New returns an empty log, with its audit file open when one is set.
// The error is the audit file's: it could not be opened, or it is not a
// regular file.
func New(o Options) (*Log, error) { return newLog(o, auditQueue, coalesceWindow) }

func newLog(o Options, queue int, window time.Duration) (*Log, error) {
	n := o.Size
	if n <= 0 {
		n = DefaultSize
	}
	l := &Log{ring: make([]Record, n), subs: map[*Subscription]struct{}{}}
	if o.AuditFile != "" {
		f, err := openAudit(o.AuditFile)
		if err != nil {
			return nil, err
		}
		l.audit, l.window = f, window
		l.queue, l.done = make(chan Record, queue), make(chan struct{})
		go l.writeAudit()
	}
	return l, nil
}

// coalesceKey is what refusals are counted by.
type coalesceKey struct {
	client, server, consumer string
	outcome                  Outcome
}

// writeAudit appends the queued records to the audit file until the
// queue is closed, coalescing refusals (see the package doc).
func (l *Log) writeAudit() {
	defer close(l.done)
	var line []byte
	write := func(r Record) {
		l.wmu.Lock()
		defer l.wmu.Unlock()
		if l.auditErr != nil {
			return
		}
		line = append(r.AppendJSON(line[:0]), '\n')
		if _, err := l.audit.Write(line); err != nil {
			l.auditErr = fmt.Errorf("append to audit file: %w", err)
		}
	}
	type count struct {
		last Record
		n    int // after the first, which was written
	}
	seen := map[coalesceKey]*count{}
	flush := func() {
		for _, c := range seen {
			if c.n > 0 {
				r := c.last
				r.Count = c.n
				write(r)
			}
		}
		clear(seen)
	}
	tick := time.NewTicker(l.window)
	defer tick.Stop()
	for {
		select {
		case r, ok := <-l.queue:
			if !ok {
				flush()
				l.writeDropped(write)
				return
			}
			if !refused(r.Outcome) {
				write(r)
				break
			}
			k := coalesceKey{client: clientHost(r.Client), server: r.Server, consumer: r.Consumer, outcome: r.Outcome}
			if _, ok := seen[k]; !ok && len(seen) >= maxCoalesced {
				k.client = "" // counted with the other clients'
			}
			if c := seen[k]; c != nil {
				c.last = r
				c.n++
				break
			}
			seen[k] = &count{}
			write(r)
		case <-tick.C:
			flush()
		}
		l.writeDropped(write)
	}
}

// writeDropped writes a [Dropped] record for the records dropped since
// the last one, if any.
func (l *Log) writeDropped(write func(Record)) {
	if n := l.dropped.Swap(0); n > 0 {
		write(Record{Time: time.Now(), Outcome: Dropped, Count: int(n)})
	}
}

// clientHost is a client address without its port: one client opens a
// connection per request.
func clientHost(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 && !strings.Contains(addr[i:], "]") {
		return addr[:i]
	}
	return addr
}

// openAudit opens path for appending: created 0600, an existing file
// narrowed to 0600, a file that is not regular (a FIFO, a device)
// refused. Nothing is read.
func openAudit(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit file: %w", err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", path)
	}
	if err == nil && fi.Mode().Perm()&0o077 != 0 {
		err = f.Chmod(0o600)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open audit file: %w", err)
	}
	return f, nil
}

// Add records r (cleaned, see [Record.Clean]): into the ring, to every
// subscriber that has room, and into the audit file's queue. It never
// blocks on a subscriber, nor on the audit file.
func (l *Log) Add(r Record) {
	r = r.Clean()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.ring[l.next] = r
	l.next++
	if l.next == len(l.ring) {
		l.next, l.full = 0, true
	}
	for s := range l.subs {
		select {
		case s.c <- r:
		default:
			s.missed.Add(1)
		}
	}
	if l.queue != nil {
		select {
		case l.queue <- r:
		default:
			l.dropped.Add(1)
		}
	}
}

// Recent returns the records kept, oldest first.
func (l *Log) Recent() []Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.full {
		return append([]Record(nil), l.ring[:l.next]...)
	}
	out := make([]Record, 0, len(l.ring))
	out = append(out, l.ring[l.next:]...)
	return append(out, l.ring[:l.next]...)
}

// Err returns the first error appending to the audit file, if any; after
// one, records are kept in memory only.
func (l *Log) Err() error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	return l.auditErr
}

// Subscription delivers new records as they are added.
type Subscription struct {
	l      *Log
	c      chan Record
	missed atomic.Uint64
}

// C delivers the records added after Subscribe. It is closed by
// [Subscription.Close] and by [Log.Close].
func (s *Subscription) C() <-chan Record { return s.c }

// Missed returns how many records the subscriber missed so far because
// C was full, and resets the count.
func (s *Subscription) Missed() uint64 { return s.missed.Swap(0) }

// Close ends the subscription; C is closed. It is safe to call more than
// once.
func (s *Subscription) Close() {
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	if _, ok := s.l.subs[s]; ok {
		delete(s.l.subs, s)
		close(s.c)
	}
}

// Subscribe returns a subscription whose channel holds up to buf records
// (at least 1) that the reader has not taken yet.
func (l *Log) Subscribe(buf int) *Subscription {
	s := &Subscription{l: l, c: make(chan Record, max(buf, 1))}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		close(s.c)
		return s
	}
	l.subs[s] = struct{}{}
	return s
}

// Close ends every subscription and closes the audit file, once the
// records queued for it are written; later records are dropped. It
// returns the audit file's errors, if any.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	for s := range l.subs {
		delete(l.subs, s)
		close(s.c)
	}
	if l.queue != nil {
		close(l.queue)
	}
	l.mu.Unlock()
	if l.done != nil {
		<-l.done
	}
	err := l.Err()
	if l.audit != nil {
		if cerr := l.audit.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close audit file: %w", cerr)
		}
	}
	return err
}

// String renders r as one line of text for people:
//
//	2026-11-26T10:00:00Z ecs api → dev served ASIA…WXYZ to 127.0.0.1:5123 "aws-sdk-go-v2/1.36.3"
//
// Control characters and quotes in what clients sent are escaped, so a
// record is always one line.
func (r Record) String() string {
	r = r.Clean()
	var b strings.Builder
	b.WriteString(engine.FormatTime(r.Time))
	b.WriteByte(' ')
	b.WriteString(quoteIfNeeded(r.Server))
	if r.Consumer != "" {
		b.WriteByte(' ')
		b.WriteString(quoteIfNeeded(r.Consumer))
	}
	b.WriteString(" → ")
	b.WriteString(quoteIfNeeded(cmpOr(r.Profile, "-")))
	b.WriteByte(' ')
	b.WriteString(quoteIfNeeded(cmpOr(string(r.Outcome), strconv.Itoa(r.Status))))
	if r.Key != "" {
		b.WriteByte(' ')
		b.WriteString(quoteIfNeeded(r.Key))
	}
	b.WriteString(" to ")
	b.WriteString(quoteIfNeeded(cmpOr(r.Client, "-")))
	if r.UserAgent != "" {
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(r.UserAgent))
	}
	if r.Count > 1 {
		b.WriteString(" (")
		b.WriteString(strconv.Itoa(r.Count))
		b.WriteString(" times)")
	}
	return b.String()
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// quoteIfNeeded leaves a plain word as it is and quotes anything with
// spaces, quotes or characters that are not printable.
func quoteIfNeeded(s string) string {
	for _, c := range s {
		if c <= ' ' || c == '"' || c == '\\' || c == utf8.RuneError || !strconv.IsPrint(c) {
			return strconv.Quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

// The JSON field names, in the order AppendJSON writes them.
const (
	fTime      = "time"
	fServer    = "server"
	fKind      = "kind"
	fConsumer  = "consumer"
	fProfile   = "profile"
	fClient    = "client"
	fUserAgent = "user_agent"
	fPath      = "path"
	fKey       = "key"
	fStatus    = "status"
	fOutcome   = "outcome"
	fCount     = "count"
)

// AppendJSON appends r (cleaned) as one JSON object, without a final
// newline: {"time":"…","server":"…","kind":"…","consumer":"…",
// "profile":"…","client":"…","user_agent":"…","path":"…","key":"…",
// "status":200,"outcome":"served"}. Empty strings are left out; time is
// RFC 3339 with nanoseconds, UTC. It is written by hand, so adding a
// record allocates nothing but the line.
func (r Record) AppendJSON(b []byte) []byte {
	r = r.Clean()
	b = append(b, `{"`+fTime+`":"`...)
	b = r.Time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	for _, f := range [...]struct{ k, v string }{
		{fServer, r.Server}, {fKind, r.Kind}, {fConsumer, r.Consumer}, {fProfile, r.Profile},
		{fClient, r.Client}, {fUserAgent, r.UserAgent}, {fPath, r.Path}, {fKey, r.Key},
	} {
		if f.v == "" {
			continue
		}
		b = append(b, `,"`...)
		b = append(b, f.k...)
		b = append(b, `":`...)
		b = jsonstr.Append(b, f.v)
	}
	b = append(b, `,"`+fStatus+`":`...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	if r.Outcome != "" {
		b = append(b, `,"`+fOutcome+`":`...)
		b = jsonstr.Append(b, string(r.Outcome))
	}
	if r.Count > 1 {
		b = append(b, `,"`+fCount+`":`...)
		b = strconv.AppendInt(b, int64(r.Count), 10)
	}
	return append(b, '}')
}

// countOf is a record's Count as read: below 2 it is one request, 0.
func countOf(n int) int {
	if n < 2 {
		return 0
	}
	return n
}

// ErrBadRecord is what [ParseJSON] returns for a line that is not a
// record.
var ErrBadRecord = errors.New("not an activity record")

// ParseJSON reads one line [Record.AppendJSON] wrote (a final newline is
// allowed). Unknown fields are ignored, so older readers take newer
// records.
func ParseJSON(line []byte) (Record, error) {
	var j struct {
		Time      time.Time `json:"time"`
		Server    string    `json:"server"`
		Kind      string    `json:"kind"`
		Consumer  string    `json:"consumer"`
		Profile   string    `json:"profile"`
		Client    string    `json:"client"`
		UserAgent string    `json:"user_agent"`
		Path      string    `json:"path"`
		Key       string    `json:"key"`
		Status    int       `json:"status"`
		Outcome   string    `json:"outcome"`
		Count     int       `json:"count"`
	}
	if err := json.Unmarshal(line, &j); err != nil {
		return Record{}, fmt.Errorf("%w: %v", ErrBadRecord, err)
	}
	return Record{Time: j.Time, Server: j.Server, Kind: j.Kind, Consumer: j.Consumer, Profile: j.Profile,
		Client: j.Client, UserAgent: j.UserAgent, Path: j.Path, Key: j.Key, Status: j.Status, Outcome: Outcome(j.Outcome), Count: countOf(j.Count)}, nil
}
