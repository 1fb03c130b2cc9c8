package fakeaws

import (
	"sync"
	"time"
)

// Kind says how a set of credentials was issued. The console federation
// endpoint's rules depend on it, as the real endpoint's do.
type Kind int

// The kinds of credentials the fakes hand out, and long-term user keys.
const (
	KindUnknown         Kind = iota // not issued by a fake
	KindLongTerm                    // an IAM user's access key, registered with Server.AddUser
	KindSessionToken                // STS GetSessionToken
	KindRole                        // STS AssumeRole signed by a long-term key
	KindChainedRole                 // STS AssumeRole signed by temporary credentials (role chaining)
	KindWebIdentity                 // STS AssumeRoleWithWebIdentity
	KindFederationToken             // STS GetFederationToken
	KindSSORole                     // SSO portal GetRoleCredentials
	KindLogin                       // signin CreateOAuth2Token (aws login)
)

var kindNames = [...]string{"unknown", "long-term", "session-token", "role", "chained-role",
	"web-identity", "federation-token", "sso-role", "login"}

// String names the kind, for test messages.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "invalid"
	}
	return kindNames[k]
}

// Issued is one set of credentials a fake handed out (or a user key a test
// registered), as the issuing service remembers it.
type Issued struct {
	Kind            Kind
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string    // empty for long-term keys
	Expires         time.Time // zero for long-term keys
	Arn             string    // the principal: user, assumed-role or federated-user ARN
}

// registry remembers every set of credentials the fakes issued, so that a
// later call (the federation endpoint, a chained AssumeRole) can tell what
// it was given.
type registry struct {
	mu    sync.Mutex // protects byKey
	byKey map[string]Issued
}

func (r *registry) add(c Issued) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byKey == nil {
		r.byKey = map[string]Issued{}
	}
	r.byKey[c.AccessKeyID] = c
}

func (r *registry) get(akid string) (Issued, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.byKey[akid]
	return c, ok
}
