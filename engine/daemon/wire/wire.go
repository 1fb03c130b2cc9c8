// Package wire is the local API's wire format: what a client of the
// awsxc daemon sends and what it reads, with the protocol's constants.
// It needs none of the AWS SDK, so that a front end can ask the daemon
// before the SDK's packages are initialized (cmd/awsxc-cli's quick path);
// package daemon serves it and holds the full client.
package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/awsxc/awsxc/engine/creds"
	"github.com/awsxc/awsxc/engine/procenv"
)

// The local API. Requests and answers are JSON over HTTP/1.1 on the
// per-user endpoint of internal/localsock; package daemon's
// documentation describes the exchange.
const (
	// Version is the protocol's version. A client sends it in the
	// [Header] of every request and the daemon in every answer; either
	// side that sees another treats the exchange as failed, and the
	// client resolves by itself. It changes whenever a field changes
	// meaning or a required one is added; new optional answer fields do
	// not change it.
	Version = 1
	// Header carries the protocol version, in requests and answers.
	Header = "Awsxc-Protocol"
	// VersionText is Version as the Header carries it.
	VersionText = "1"

	// PathCredentials answers a [CredentialsRequest] (POST).
	PathCredentials = "/v1/credentials"
	// PathStatus answers a [StatusResponse] (GET).
	PathStatus = "/v1/status"

	// MaxRequestBytes bounds a request body the daemon reads.
	MaxRequestBytes = 16 << 10
	// MaxResponseBytes bounds an answer the client reads: a bigger one
	// is refused, as a daemon that misbehaves.
	MaxResponseBytes = 64 << 10
)

// Config is what shapes a resolution besides the profile and the call's
// options: a daemon answers only a client whose Config equals its own
// (see [Config.Diff]). It holds the client's [procenv.Env] identity (its
// AWS files, home and cache folders, region and container endpoint) and
// a fingerprint of the AWS_* variables the AWS SDK reads from the
// process itself (endpoints, AWS_CA_BUNDLE, the metadata service, keys
// for credential_source = Environment, …): their names with a hash of
// each value, so that no value, secret or not, crosses the socket.
type Config struct {
	ConfigFile           string `json:"config_file"`
	CredentialsFile      string `json:"credentials_file"`
	Home                 string `json:"home"`
	CacheDir             string `json:"cache_dir"`
	Region               string `json:"region"`
	ContainerRelativeURI string `json:"container_relative_uri"`
	ContainerFullURI     string `json:"container_full_uri"`
	// SDK maps each AWS_* variable set (and not empty) in the process
	// environment to a hash of its value. The variables an Env already
	// holds, those that choose a profile, and those only the AWS CLI
	// reads are left out (see [ConfigOf]).
	SDK map[string]string `json:"sdk"`
}

// notSDK are the AWS_* variables a Config leaves out of its SDK map.
// Every other one counts, known or not: an unknown variable may change
// what the SDK resolves, so a client that has one the daemon lacks
// resolves by itself. Left out are those that cannot change whose
// credentials a profile gives:
//   - those the Env holds already (resolved: ~ expanded, made absolute);
//   - those that choose a profile, which a request names itself;
//   - those only the AWS CLI and botocore read: AWS_DATA_PATH, which the
//     AWS CLI sets in the environment of every credential_process it
//     runs, the CLI's own (AWS_PAGER, AWS_DEFAULT_OUTPUT, AWS_CLI_*) and
//     botocore's client-side monitoring (AWS_CSM_*);
//   - those the Go SDK reads for other things than credentials: the user
//     agent, retries, compression, checksums, S3 (AWS_S3_*).
var notSDK = map[string]bool{
	"AWS_PROFILE": true, "AWS_DEFAULT_PROFILE": true,
	"AWS_CONFIG_FILE": true, "AWS_SHARED_CREDENTIALS_FILE": true,
	"AWS_REGION": true, "AWS_DEFAULT_REGION": true,
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": true, "AWS_CONTAINER_CREDENTIALS_FULL_URI": true,
	"AWS_DATA_PATH": true, "AWS_PAGER": true, "AWS_DEFAULT_OUTPUT": true,
	"AWS_EXECUTION_ENV": true, "AWS_SDK_UA_APP_ID": true,
	"AWS_MAX_ATTEMPTS": true, "AWS_RETRY_MODE": true,
	"AWS_DISABLE_REQUEST_COMPRESSION": true, "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES": true,
	"AWS_REQUEST_CHECKSUM_CALCULATION": true, "AWS_RESPONSE_CHECKSUM_VALIDATION": true,
}

// notSDKPrefixes are prefixes of AWS_* variables left out as notSDK.
var notSDKPrefixes = []string{"AWS_CLI_", "AWS_CSM_", "AWS_S3_"}

// ConfigOf returns the Config of a process: its Env and its environment
// (os.Environ's form, NAME=value).
func ConfigOf(env procenv.Env, environ []string) Config {
	id := env.Identity()
	c := Config{
		ConfigFile:           id.ConfigFile,
		CredentialsFile:      id.CredentialsFile,
		Home:                 id.Home,
		CacheDir:             id.CacheDir,
		Region:               id.Region,
		ContainerRelativeURI: id.ContainerRelativeURI,
		ContainerFullURI:     id.ContainerFullURI,
		SDK:                  map[string]string{},
	}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || value == "" || !strings.HasPrefix(name, "AWS_") || notSDK[name] ||
			slices.ContainsFunc(notSDKPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		sum := sha256.Sum256([]byte(name + "=" + value))
		c.SDK[name] = hex.EncodeToString(sum[:8])
	}
	return c
}

// Diff names what differs between c and o ("config_file",
// "AWS_ENDPOINT_URL_STS", …), sorted; none when they are equal. It names
// fields and variables, never their values.
func (c Config) Diff(o Config) []string {
	if c.sameFields(o) && maps.Equal(c.SDK, o.SDK) {
		return nil // the common case, without the sorting
	}
	var d []string
	for _, f := range []struct {
		name string
		a, b string
	}{
		{"config_file", c.ConfigFile, o.ConfigFile},
		{"credentials_file", c.CredentialsFile, o.CredentialsFile},
		{"home", c.Home, o.Home},
		{"cache_dir", c.CacheDir, o.CacheDir},
		{"region", c.Region, o.Region},
		{"container_relative_uri", c.ContainerRelativeURI, o.ContainerRelativeURI},
		{"container_full_uri", c.ContainerFullURI, o.ContainerFullURI},
	} {
		if f.a != f.b {
			d = append(d, f.name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.SDK)) {
		if v, ok := o.SDK[name]; !ok || v != c.SDK[name] {
			d = append(d, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(o.SDK)) {
		if _, ok := c.SDK[name]; !ok {
			d = append(d, name)
		}
	}
	slices.Sort(d)
	return d
}

// sameFields reports whether c and o are equal but for their SDK maps.
func (c Config) sameFields(o Config) bool {
	return c.ConfigFile == o.ConfigFile && c.CredentialsFile == o.CredentialsFile && c.Home == o.Home &&
		c.CacheDir == o.CacheDir && c.Region == o.Region &&
		c.ContainerRelativeURI == o.ContainerRelativeURI && c.ContainerFullURI == o.ContainerFullURI
}

// CredentialsRequest asks for a profile's credentials, as a command line
// would resolve them in its own process (see engine.ObtainOptions).
type CredentialsRequest struct {
	Profile string `json:"profile"`
	Config  Config `json:"config"`
	// EnsureTemporary, DurationSeconds and MFASerial are those of
	// engine.ObtainOptions.
	EnsureTemporary bool   `json:"ensure_temporary,omitempty"`
	DurationSeconds int64  `json:"duration_seconds,omitempty"`
	MFASerial       string `json:"mfa_serial,omitempty"`
	// MFACode is a code the client got from its user, for a profile
	// that needs one; the daemon uses it only when it has no valid
	// credentials, and then they serve every later caller. It is a
	// secret: never logged.
	MFACode string `json:"mfa_code,omitempty"`
	// Refresh asks for new credentials even if the daemon holds valid
	// ones.
	Refresh bool `json:"refresh,omitempty"`
}

// CredentialsResponse is the answer to a [CredentialsRequest] that
// succeeded (HTTP 200): what a resolution in the client's own process
// would have given.
type CredentialsResponse struct {
	Profile     string      `json:"profile"`
	Kind        string      `json:"kind"`
	Region      string      `json:"region,omitempty"`
	Credentials Credentials `json:"credentials"`
	// Warnings are what is wrong with the AWS files (engine.FileWarning),
	// for the client to show as its own.
	Warnings []Warning `json:"warnings,omitempty"`
}

// Warning is an engine.FileWarning on the wire.
type Warning struct {
	File string `json:"file"`
	Text string `json:"text"`
}

// Credentials are [creds.Credentials] on the wire. Expiration is RFC
// 3339 with the fraction it has, empty when they do not expire.
type Credentials struct {
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
	SessionToken    string `json:"session_token,omitempty"`
	Expiration      string `json:"expiration,omitempty"`
	AccountID       string `json:"account_id,omitempty"`
}

// FromEngine returns credentials as the wire carries them.
func FromEngine(c creds.Credentials) Credentials {
	w := Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
		SessionToken: c.SessionToken, AccountID: c.AccountID}
	if c.CanExpire() {
		w.Expiration = c.Expires.UTC().Format(time.RFC3339Nano)
	}
	return w
}

// Engine returns the credentials as the engine has them; an expiration
// that does not parse, or keys that are missing, are an error.
func (w Credentials) Engine() (creds.Credentials, error) {
	c := creds.Credentials{AccessKeyID: w.AccessKeyID, SecretAccessKey: w.SecretAccessKey,
		SessionToken: w.SessionToken, AccountID: w.AccountID}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return creds.Credentials{}, errors.New("credentials without keys")
	}
	if w.Expiration != "" {
		t, err := time.Parse(time.RFC3339Nano, w.Expiration)
		if err != nil {
			return creds.Credentials{}, fmt.Errorf("bad expiration: %w", err)
		}
		c.Expires = t.UTC()
	}
	return c, nil
}
