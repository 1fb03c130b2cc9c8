package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Consumer is one client of an [ECS] server with a token of its own,
// bound to one source: its token reads that source's credentials on /,
// /creds and /v1/credentials, and on /profiles/NAME only for the
// source's own profile (any other NAME is 403). Consumers are added,
// replaced and revoked while the server runs ([ECS.SetConsumers],
// [ECS.AddConsumer], [ECS.Revoke]).
type Consumer struct {
	// Name identifies the consumer in activity records and token file
	// names: 1 to 64 of A-Z a-z 0-9 . _ - (see [ValidConsumerName]).
	Name string
	// Token is what the consumer sends in the Authorization header: at
	// least [MinTokenLen] and at most [MaxTokenLen] characters, printable
	// ASCII without spaces. Empty generates a 256-bit random token (see
	// [NewToken]), and keeps the one a consumer of that name already has.
	Token string
	// Source is what the token reads.
	Source Source
}

// Token length bounds. A token shorter than MinTokenLen could be guessed
// by trying; MaxTokenLen keeps the lookup on the stack.
const (
	MinTokenLen = 16
	MaxTokenLen = 256
)

// maxRevoked bounds how many revoked tokens a server remembers, to name
// their consumer in the records of refused fetches.
const maxRevoked = 1024

// NewToken returns a new random consumer token: 256 bits, base64url.
func NewToken() string { return randomToken() }

// ValidConsumerName reports whether name can name a [Consumer]: 1 to 64
// of A-Z a-z 0-9 . _ -, not starting with a dot (a token file
// DIR/NAME.token is then always a plain file name).
func ValidConsumerName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("invalid consumer name %q: want 1 to 64 characters", name)
	}
	if name[0] == '.' {
		return fmt.Errorf("invalid consumer name %q: it starts with a dot", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("invalid consumer name %q: use letters, digits, '.', '_' and '-'", name)
		}
	}
	return nil
}

// ErrInvalidToken is wrapped by the errors of [ValidToken] and
// [CheckToken].
var ErrInvalidToken = errors.New("invalid ECS token")

// ValidToken checks an ECS token: [MinTokenLen] to [MaxTokenLen]
// characters of visible ASCII (! to ~). Spaces, control characters and
// anything beyond ASCII are refused: a client sends the header value as
// it reads it, and SDKs trim spaces or refuse such bytes, so the token
// could never match. The error wraps [ErrInvalidToken] and never quotes
// the token.
func ValidToken(tok string) error {
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c <= ' ' || c > '~' {
			what := "a space"
			switch {
			case c >= 0x80:
				what = "a character beyond ASCII"
			case c != ' ':
				what = "a control character"
			}
			return fmt.Errorf("%w: it holds %s (at byte %d); use visible ASCII only", ErrInvalidToken, what, i+1)
		}
	}
	switch {
	case len(tok) < MinTokenLen:
		return fmt.Errorf("%w: %d characters, want at least %d", ErrInvalidToken, len(tok), MinTokenLen)
	case len(tok) > MaxTokenLen:
		return fmt.Errorf("%w: %d characters, want at most %d", ErrInvalidToken, len(tok), MaxTokenLen)
	}
	return nil
}

// CheckToken checks an ECS server's own token as [NewECS] takes it
// ([ECSOptions] Token): empty (a random one is made), or as
// [ValidToken] says.
func CheckToken(tok string) error {
	if tok == "" {
		return nil
	}
	return ValidToken(tok)
}

// tokenHash is the key consumers are looked up by.
type tokenHash [sha256.Size]byte

// hashToken hashes tok without allocating; ok is false for a token too
// long to be one.
func hashToken(tok string) (h tokenHash, ok bool) {
	if len(tok) > MaxTokenLen {
		return h, false
	}
	var buf [MaxTokenLen]byte
	n := copy(buf[:], tok)
	return sha256.Sum256(buf[:n]), true
}

// consumer is one consumer as the server keeps it.
type consumer struct {
	name    string
	token   string
	hash    tokenHash
	entry   *ecsEntry // its source, the rendered credentials
	revoked atomic.Bool
}

// consumerTable is the set of consumers, replaced whole on every change
// (copy on write), so a request reads it without a lock.
type consumerTable struct {
	byHash map[tokenHash]*consumer
	byName map[string]*consumer
}

// consumers is an ECS server's consumers.
//
// # Tokens and timing
//
// A request's token is looked up by its SHA-256 hash in a map, never
// compared with the consumers' tokens one by one: how long the lookup
// takes depends on the hash of what the client sent, which tells it
// nothing about any token (finding a token from its hash is as hard as
// guessing it), and not on how many consumers there are or how much of a
// token matched. The server's own token is compared with
// crypto/subtle in constant time.
type consumers struct {
	table atomic.Pointer[consumerTable]

	mu      sync.Mutex           // serialises changes; protects revoked and order
	revoked map[tokenHash]string // revoked tokens' consumer names
	order   []tokenHash          // revoked, oldest first, to bound the map
}

func newConsumers() *consumers {
	c := &consumers{revoked: map[tokenHash]string{}}
	c.table.Store(&consumerTable{byHash: map[tokenHash]*consumer{}, byName: map[string]*consumer{}})
	return c
}

// lookup returns the consumer whose token is tok, or nil; with nil,
// revoked names the consumer a revoked tok belonged to ("" for a token
// never known).
func (cs *consumers) lookup(tok string) (c *consumer, revoked string) {
	h, ok := hashToken(tok)
	if !ok {
		return nil, ""
	}
	if c := cs.table.Load().byHash[h]; c != nil && !c.revoked.Load() {
		return c, ""
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return nil, cs.revoked[h]
}

// revokeLocked marks c revoked (requests holding it fail before they
// answer) and remembers its token; cs.mu must be held.
func (cs *consumers) revokeLocked(c *consumer) {
	c.revoked.Store(true)
	if _, ok := cs.revoked[c.hash]; !ok {
		cs.order = append(cs.order, c.hash)
	}
	cs.revoked[c.hash] = c.name
	for len(cs.order) > maxRevoked {
		delete(cs.revoked, cs.order[0])
		cs.order = cs.order[1:]
	}
}

// set replaces the consumers with list (see [ECS.SetConsumers]) and
// returns them with their tokens. own is the server's own token ("" for
// none), which no consumer may have: it reads the default source and
// every profile (review 2, L3).
func (cs *consumers) set(list []Consumer, add bool, own string) ([]Consumer, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	old := cs.table.Load()
	next := &consumerTable{byHash: map[tokenHash]*consumer{}, byName: map[string]*consumer{}}
	if add {
		for n, c := range old.byName {
			next.byName[n], next.byHash[c.hash] = c, c
		}
	}
	out := make([]Consumer, len(list))
	given := make(map[string]bool, len(list))
	for i, want := range list {
		if err := ValidConsumerName(want.Name); err != nil {
			return nil, err
		}
		if kept := next.byName[want.Name]; kept != nil && !given[want.Name] {
			// AddConsumer replacing one: the kept copy makes way.
			delete(next.byName, kept.name)
			delete(next.byHash, kept.hash)
		}
		given[want.Name] = true
		if want.Source == nil {
			return nil, fmt.Errorf("consumer %q: %w", want.Name, errNoSource)
		}
		if _, dup := next.byName[want.Name]; dup {
			return nil, fmt.Errorf("consumer %q given twice", want.Name)
		}
		prev := old.byName[want.Name]
		tok := want.Token
		if tok == "" && prev != nil {
			tok = prev.token
		}
		if tok == "" {
			tok = randomToken()
		}
		if err := ValidToken(tok); err != nil {
			return nil, fmt.Errorf("consumer %q: %w", want.Name, err)
		}
		if own != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(own)) == 1 {
			return nil, fmt.Errorf("consumer %q: its token is the server's own, which reads more than the consumer's profile", want.Name)
		}
		h, _ := hashToken(tok)
		if other := next.byHash[h]; other != nil {
			return nil, fmt.Errorf("consumers %q and %q have the same token", other.name, want.Name)
		}
		c := prev
		if c == nil || c.token != tok || c.entry.src != want.Source {
			c = &consumer{name: want.Name, token: tok, hash: h, entry: newECSEntry(want.Source)}
		}
		next.byName[c.name], next.byHash[h] = c, c
		out[i] = Consumer{Name: c.name, Token: tok, Source: want.Source}
	}
	for n, c := range old.byName {
		if next.byName[n] != c {
			if nc := next.byName[n]; nc != nil && nc.token == c.token {
				// The same token on another source: not a revocation,
				// but requests in flight on the old source stop too.
				c.revoked.Store(true)
				continue
			}
			cs.revokeLocked(c)
		}
	}
	// A token given again after its revocation works again.
	for h := range next.byHash {
		delete(cs.revoked, h)
	}
	cs.order = slices.DeleteFunc(cs.order, func(h tokenHash) bool { _, ok := cs.revoked[h]; return !ok })
	cs.table.Store(next)
	return out, nil
}

// revoke revokes the consumer named name; it reports whether there was
// one.
func (cs *consumers) revoke(name string) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	old := cs.table.Load()
	c := old.byName[name]
	if c == nil {
		return false
	}
	next := &consumerTable{byHash: make(map[tokenHash]*consumer, len(old.byHash)), byName: make(map[string]*consumer, len(old.byName))}
	for n, o := range old.byName {
		if o != c {
			next.byName[n], next.byHash[o.hash] = o, o
		}
	}
	cs.revokeLocked(c)
	cs.table.Store(next)
	return true
}

// list returns the consumers, by name.
func (cs *consumers) list() []Consumer {
	t := cs.table.Load()
	out := make([]Consumer, 0, len(t.byName))
	for _, c := range t.byName {
		out = append(out, Consumer{Name: c.name, Token: c.token, Source: c.entry.src})
	}
	slices.SortFunc(out, func(a, b Consumer) int { return strings.Compare(a.Name, b.Name) })
	return out
}
