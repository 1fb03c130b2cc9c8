package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/activity"
)

// IMDS paths and limits (protocols.md §1).
const (
	imdsTokenPath    = "/latest/api/token"
	imdsTTLHeader    = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds"
	imdsTokenHeader  = "X-Aws-Ec2-Metadata-Token"
	imdsMaxTTL       = 21600
	imdsCredsDir     = "/latest/meta-data/iam/security-credentials/"
	imdsExtCredsDir  = "/latest/meta-data/iam/security-credentials-extended/"
	imdsTokenLen     = 2 * (8 + imdsMACLen)
	imdsMACLen       = 16
	imdsTokenContext = "awsxc imds token v2"
)

// imdsKey is the per-process secret that signs IMDS session tokens, so
// tokens stay valid across SetSource and across servers of one process,
// and die with it.
var imdsKey = sync.OnceValue(func() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
})

// imdsMAC is a reusable HMAC state with its scratch space; pooled so a
// token check allocates nothing.
type imdsMAC struct {
	h   hash.Hash
	in  [len(imdsTokenContext) + 8]byte
	sum [sha256.Size]byte
	tok [8 + imdsMACLen]byte
}

var imdsMACPool = sync.Pool{New: func() any {
	m := &imdsMAC{h: hmac.New(sha256.New, imdsKey())}
	copy(m.in[:], imdsTokenContext)
	return m
}}

// mac computes the token MAC for an expiry into m.sum.
func (m *imdsMAC) mac(exp uint64) []byte {
	binary.BigEndian.PutUint64(m.in[len(imdsTokenContext):], exp)
	m.h.Reset()
	m.h.Write(m.in[:])
	return m.h.Sum(m.sum[:0])[:imdsMACLen]
}

// newIMDSToken returns a session token valid until exp: hex of the expiry
// (Unix nanoseconds, big-endian) and a truncated HMAC-SHA256 over it.
// Tokens are stateless: any number can be live, and nothing is stored.
//
// The expiry keeps its fraction of a second: in seconds, a token with a
// TTL of 1 asked for at 12:00:00.999 would die at 12:00:01, a
// millisecond later. (Version 1 tokens carried seconds; the context
// string names the version, and tokens die with the process anyway.)
func newIMDSToken(exp time.Time) string {
	m := imdsMACPool.Get().(*imdsMAC)
	defer imdsMACPool.Put(m)
	ns := uint64(exp.UnixNano())
	binary.BigEndian.PutUint64(m.tok[:8], ns)
	copy(m.tok[8:], m.mac(ns))
	return hex.EncodeToString(m.tok[:])
}

// validIMDSToken reports whether tok is a token this process issued that
// has not expired at now. It does not allocate.
func validIMDSToken(tok string, now time.Time) bool {
	if len(tok) != imdsTokenLen {
		return false
	}
	m := imdsMACPool.Get().(*imdsMAC)
	defer imdsMACPool.Put(m)
	for i := range m.tok {
		hi, ok1 := unhex(tok[2*i])
		lo, ok2 := unhex(tok[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		m.tok[i] = hi<<4 | lo
	}
	exp := binary.BigEndian.Uint64(m.tok[:8])
	if subtle.ConstantTimeCompare(m.mac(exp), m.tok[8:]) != 1 {
		return false
	}
	return now.UnixNano() < int64(exp)
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// IMDS emulates the EC2 instance metadata service (IMDSv2) on a local
// port, serving one [Source]'s credentials as an instance role.
//
// Paths served (GET or HEAD, with a session token unless AllowV1):
//
//   - /latest/meta-data/iam/security-credentials/ → the role name
//     ([engine.Status] RoleName): the name in the profile's role_arn, else
//     the profile name
//   - /latest/meta-data/iam/security-credentials/ROLE → credentials JSON
//   - /latest/meta-data/iam/security-credentials-extended/ and .../ROLE →
//     the same plus AccountId when known (newer Java, Rust, Kotlin, Ruby
//     and PHP SDKs ask for it first; it is served rather than 404 so they
//     get the account id)
//   - /latest/meta-data/iam/info, /latest/meta-data/placement/region,
//     /latest/meta-data/placement/availability-zone (region + "a"),
//     /latest/dynamic/instance-identity/document. When the profile has no
//     region, the region paths answer 404: an SDK then goes on down its
//     region chain instead of using a made-up region.
//
// A leading "//" is accepted (an endpoint configured with a trailing
// slash in an SDK that adds one). Unknown paths get 404, other methods 405.
type IMDS struct {
	srv     *core
	allowV1 bool
	now     func() time.Time
	state   atomic.Pointer[imdsState]
}

// IMDSOptions configures [NewIMDS].
type IMDSOptions struct {
	Options
	// AllowV1 also answers GET and HEAD requests that carry no session
	// token, as IMDSv1 did.
	AllowV1 bool
}

// imdsState is what the server serves for one source, precomputed.
type imdsState struct {
	src          Source
	profile      string // for activity records
	role         string
	credsPath    string
	extCredsPath string
	roleBody     []byte
	roleLen      []string
	region       string
	body         atomic.Pointer[imdsBody] // the rendered credentials
}

// imdsBody is the rendered credentials for one set of credentials.
type imdsBody struct {
	key     string
	masked  string // key, masked, for activity records
	exp     time.Time
	json    []byte
	jsonLen []string
	ext     []byte
	extLen  []string
}

// NewIMDS listens on opts.Addr and serves src until ctx is done or Close
// is called. The listener is bound when it returns, so URL reports the
// real port even for port 0.
func NewIMDS(ctx context.Context, src Source, opts IMDSOptions) (*IMDS, error) {
	if src == nil {
		return nil, errNoSource
	}
	s, err := newCore(ctx, opts.Options)
	if err != nil {
		return nil, err
	}
	m := &IMDS{srv: s, allowV1: opts.AllowV1, now: time.Now}
	if opts.Clock != nil {
		m.now = opts.Clock.Now
	}
	m.SetSource(src)
	s.route = m.route
	s.deny = imdsError
	s.start(ctx)
	return m, nil
}

// URL returns the server's base URL with a trailing slash, e.g.
// http://127.0.0.1:41234/, the value for AWS_EC2_METADATA_SERVICE_ENDPOINT.
func (m *IMDS) URL() string { return m.srv.url }

// Port returns the port the server listens on.
func (m *IMDS) Port() int { return m.srv.port }

// Reach says who beyond this machine can connect; see [Options.AllowRemote].
func (m *IMDS) Reach() Reach { return m.srv.reach }

// SetSource switches the served source at once; requests already running
// finish with the old one. The caller keeps ownership of both sources.
func (m *IMDS) SetSource(src Source) {
	status := src.Status()
	st := &imdsState{src: src, profile: status.Profile, role: status.RoleName, region: status.Region}
	st.credsPath = imdsCredsDir + st.role
	st.extCredsPath = imdsExtCredsDir + st.role
	st.roleBody = []byte(st.role)
	st.roleLen = []string{strconv.Itoa(len(st.roleBody))}
	m.state.Store(st)
}

// Source returns the source being served.
func (m *IMDS) Source() Source { return m.state.Load().src }

// Close stops the server gracefully: requests in flight get a few
// seconds to finish.
func (m *IMDS) Close() error { return m.srv.close() }

// Settings returns what a client needs to use the server; see [Settings].
func (m *IMDS) Settings() Settings {
	port := strconv.Itoa(m.srv.port)
	return Settings{
		Env:    []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + m.srv.url},
		Docker: []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=http://host.docker.internal:" + port + "/"},
		Note: "Docker Desktop forwards host.docker.internal to this machine's loopback; " +
			"with Docker Engine on Linux add --add-host=host.docker.internal:host-gateway and listen on the " +
			"bridge address (e.g. 172.17.0.1:" + port + ", allowed beyond loopback), which lets every container on that network read the credentials",
	}
}

var (
	hdrAllowIMDS = []string{"GET, HEAD, PUT"}
	hdrAllowPUT  = []string{"PUT"}
)

func imdsError(w http.ResponseWriter, status int, _, msg string) int {
	return writeString(w, status, hdrText, strconv.Itoa(status)+" - "+http.StatusText(status)+": "+msg+"\n")
}

func (m *IMDS) route(w http.ResponseWriter, r *http.Request) (int, string) {
	p := r.URL.Path
	for len(p) > 1 && p[0] == '/' && p[1] == '/' {
		p = p[1:]
	}
	switch r.Method {
	case http.MethodPut:
		return m.putToken(w, r, p), ""
	case http.MethodGet, http.MethodHead:
	default:
		w.Header()["Allow"] = hdrAllowIMDS
		return imdsError(w, http.StatusMethodNotAllowed, "", "method not allowed"), ""
	}
	if p == imdsTokenPath {
		w.Header()["Allow"] = hdrAllowPUT
		return imdsError(w, http.StatusMethodNotAllowed, "", "get a token with PUT"), ""
	}
	if tok := r.Header[imdsTokenHeader]; len(tok) > 0 {
		if !validIMDSToken(tok[0], m.now()) {
			return imdsError(w, http.StatusUnauthorized, "", "invalid or expired token"), ""
		}
	} else if !m.allowV1 {
		return imdsError(w, http.StatusUnauthorized, "", "a session token is required (IMDSv2)"), ""
	}

	st := m.state.Load()
	switch p {
	case imdsCredsDir, imdsCredsDir[:len(imdsCredsDir)-1],
		imdsExtCredsDir, imdsExtCredsDir[:len(imdsExtCredsDir)-1]:
		return writeBody(w, http.StatusOK, hdrText, st.roleLen, st.roleBody), ""
	case st.credsPath:
		return m.credentials(w, r, st, false)
	case st.extCredsPath:
		return m.credentials(w, r, st, true)
	case "/latest/meta-data/iam/info", "/latest/meta-data/iam/info/":
		return m.info(w, st), ""
	case "/latest/meta-data/placement/region", "/latest/meta-data/placement/region/":
		if st.region == "" {
			return imdsError(w, http.StatusNotFound, "", "the profile has no region"), ""
		}
		return writeString(w, http.StatusOK, hdrText, st.region), ""
	case "/latest/meta-data/placement/availability-zone", "/latest/meta-data/placement/availability-zone/":
		if st.region == "" {
			return imdsError(w, http.StatusNotFound, "", "the profile has no region"), ""
		}
		return writeString(w, http.StatusOK, hdrText, st.region+"a"), ""
	case "/latest/dynamic/instance-identity/document", "/latest/dynamic/instance-identity/document/":
		return m.document(w, st), ""
	}
	return imdsError(w, http.StatusNotFound, "", "not found"), ""
}

// putToken answers PUT /latest/api/token.
func (m *IMDS) putToken(w http.ResponseWriter, r *http.Request, p string) int {
	if p != imdsTokenPath {
		return imdsError(w, http.StatusForbidden, "", "tokens are issued at "+imdsTokenPath)
	}
	if len(r.Header["X-Forwarded-For"]) > 0 {
		return imdsError(w, http.StatusForbidden, "", "PUT requests can't contain X-Forwarded-For")
	}
	v := r.Header[imdsTTLHeader]
	if len(v) == 0 {
		return imdsError(w, http.StatusBadRequest, "", "missing "+imdsTTLHeader)
	}
	ttl, ok := parseTTL(v[0])
	if !ok {
		return imdsError(w, http.StatusBadRequest, "", imdsTTLHeader+" must be 1 to 21600")
	}
	tok := newIMDSToken(m.now().Add(time.Duration(ttl) * time.Second))
	// Go's SDK needs the TTL echoed; without it it falls back to IMDSv1.
	w.Header()[imdsTTLHeader] = []string{strconv.Itoa(ttl)}
	return writeString(w, http.StatusOK, hdrText, tok)
}

// parseTTL accepts 1..21600 written as plain decimal digits.
func parseTTL(s string) (int, bool) {
	if s == "" || len(s) > 5 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n >= 1 && n <= imdsMaxTTL
}

// imdsCreds is the credentials document as AWS documents it.
type imdsCreds struct {
	Code            string
	LastUpdated     string
	Type            string
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      string
	AccountID       string `json:"AccountId,omitempty"`
}

func (m *IMDS) credentials(w http.ResponseWriter, r *http.Request, st *imdsState, ext bool) (int, string) {
	c, err := credentialsFor(r, st.src)
	if err != nil {
		// 503: every SDK retries a 5xx (or treats it as "try later").
		status := imdsError(w, http.StatusServiceUnavailable, "", m.srv.unavailable(err))
		m.srv.record(r, activity.Record{Profile: st.profile, Status: status, Outcome: activity.Unavailable})
		return status, ""
	}
	b := st.body.Load()
	if b == nil || b.key != c.AccessKeyID || !b.exp.Equal(c.Expires) {
		b = renderIMDSCreds(c, st.src.Status().Updated)
		st.body.Store(b)
	}
	m.srv.record(r, activity.Record{Profile: st.profile, Key: b.masked, Status: http.StatusOK, Outcome: activity.Served})
	if ext {
		return writeBody(w, http.StatusOK, hdrText, b.extLen, b.ext), c.AccessKeyID
	}
	return writeBody(w, http.StatusOK, hdrText, b.jsonLen, b.json), c.AccessKeyID
}

func renderIMDSCreds(c engine.Credentials, updated time.Time) *imdsBody {
	doc := imdsCreds{
		Code:            "Success",
		LastUpdated:     engine.FormatTime(updated),
		Type:            "AWS-HMAC",
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		Token:           c.SessionToken,
		Expiration:      engine.FormatTime(c.Expires),
	}
	b := &imdsBody{key: c.AccessKeyID, masked: engine.MaskKey(c.AccessKeyID), exp: c.Expires}
	b.json, _ = json.MarshalIndent(doc, "", "  ")
	doc.AccountID = c.AccountID
	b.ext, _ = json.MarshalIndent(doc, "", "  ")
	b.jsonLen = []string{strconv.Itoa(len(b.json))}
	b.extLen = []string{strconv.Itoa(len(b.ext))}
	return b
}

// info answers /latest/meta-data/iam/info.
func (m *IMDS) info(w http.ResponseWriter, st *imdsState) int {
	status := st.src.Status()
	doc := struct {
		Code               string
		LastUpdated        string
		InstanceProfileArn string `json:",omitempty"`
		InstanceProfileID  string `json:"InstanceProfileId"`
	}{
		Code:              "Success",
		LastUpdated:       engine.FormatTime(status.Updated),
		InstanceProfileID: "AIPAAWSXCLOCAL",
	}
	if status.AccountID != "" {
		doc.InstanceProfileArn = "arn:aws:iam::" + status.AccountID + ":instance-profile/" + st.role
	}
	if status.Updated.IsZero() {
		doc.LastUpdated = engine.FormatTime(m.now())
	}
	body, _ := json.MarshalIndent(doc, "", "  ")
	return writeBody(w, http.StatusOK, hdrText, []string{strconv.Itoa(len(body))}, body)
}

// document answers /latest/dynamic/instance-identity/document.
func (m *IMDS) document(w http.ResponseWriter, st *imdsState) int {
	if st.region == "" {
		return imdsError(w, http.StatusNotFound, "", "the profile has no region")
	}
	status := st.src.Status()
	doc := struct {
		AccountID        string `json:"accountId"`
		Architecture     string `json:"architecture"`
		AvailabilityZone string `json:"availabilityZone"`
		ImageID          string `json:"imageId"`
		InstanceID       string `json:"instanceId"`
		InstanceType     string `json:"instanceType"`
		PendingTime      string `json:"pendingTime"`
		PrivateIP        string `json:"privateIp"`
		Region           string `json:"region"`
		Version          string `json:"version"`
	}{
		AccountID:        status.AccountID,
		Architecture:     "x86_64",
		AvailabilityZone: st.region + "a",
		ImageID:          "ami-00000000000000000",
		InstanceID:       "i-00000000000000000",
		InstanceType:     "t3.micro",
		PendingTime:      engine.FormatTime(status.Updated),
		PrivateIP:        "127.0.0.1",
		Region:           st.region,
		Version:          "2017-09-30",
	}
	body, _ := json.MarshalIndent(doc, "", "  ")
	return writeBody(w, http.StatusOK, hdrText, []string{strconv.Itoa(len(body))}, body)
}
