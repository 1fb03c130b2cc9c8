package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// This file holds the checks [Load] makes with awsxc's own reading of the
// files (awsfiles.go) where the Go SDK, left alone, would give another
// answer than the AWS CLI, and the plan that gives the CLI's answer with
// the SDK's own providers. Each case was compared with the AWS CLI v2,
// botocore and the JS SDK v3 on the same files (the tests hold the
// fixtures):
//
//   - role_arn with neither source_profile nor credential_source: the CLI
//     refuses the profile ("Partial credentials found in assume-role,
//     missing: source_profile or credential_source"); the Go SDK takes
//     the source credentials from the EC2 metadata service, or signs with
//     the profile's own keys or process. awsxc refuses it, at once.
//   - a source profile with keys and a role_arn of its own: the CLI (and
//     every other SDK) signs with its keys; the Go SDK first assumes its
//     role too, a second hop to another principal. awsxc has the SDK
//     sign the next role's AssumeRole with the keys, the CLI's chain.
//   - aws_security_token, the old name of the session token, which
//     botocore reads and the Go SDK does not: awsxc adds it to the keys,
//     for the profile and for a source profile.
//   - a section, or a key, that appears twice: the CLI refuses the file;
//     the Go SDK merges the sections. awsxc refuses the profile.
//   - credential_process = "/path with space/p.sh": the Go SDK strips the
//     quotes and runs sh -c, which then splits the path; awsxc gives sh
//     the value as written (quotes kept), as the CLI's guide intends.

// maxChain bounds the source_profile chain awsxc follows, as chain and
// fingerprint do.
const maxChain = 16

// credentialSources are the values credential_source may take.
var credentialSources = []string{"EcsContainer", "Ec2InstanceMetadata", "Environment"}

// roleSourceError checks that profile name (top, or a source profile of
// top) gives its role_arn exactly one source, the way botocore reads the
// keys (a key present, even empty, counts), and that a source_profile it
// names exists. It makes no network call.
func (af *awsFiles) roleSourceError(top, name string) error {
	role, _ := af.value(name, "role_arn")
	if sdkValue(role) == "" {
		return nil
	}
	if v, ok := af.value(name, "web_identity_token_file"); ok && sdkValue(v) != "" {
		return nil
	}
	who := "it"
	if name != top {
		who = fmt.Sprintf("its source profile %q", name)
	}
	sp, hasSP := af.value(name, "source_profile")
	cs, hasCS := af.value(name, "credential_source")
	invalid := func(hint, format string, args ...any) error {
		return &Error{Profile: top, Kind: ErrInvalidConfig, Err: fmt.Errorf(format, args...), Hint: hint}
	}
	switch {
	case !hasSP && !hasCS:
		return invalid("add source_profile or credential_source, or remove role_arn",
			"%s has role_arn but neither source_profile nor credential_source (the AWS CLI: \"Partial credentials found in assume-role, missing: source_profile or credential_source\")", who)
	case hasSP && hasCS:
		return invalid("keep one of them", "%s sets both source_profile and credential_source", who)
	case hasCS && !slices.Contains(credentialSources, sdkValue(cs)):
		return invalid("use EcsContainer, Ec2InstanceMetadata or Environment",
			"%s has credential_source %q, which is not a valid source", who, sdkValue(cs))
	case hasSP && sdkValue(sp) == "":
		return invalid("fix source_profile in the config file", "%s has an empty source_profile", who)
	case hasSP && !af.exists(sdkValue(sp)):
		return invalid("fix source_profile in the config file", "%s has source_profile %q, which does not exist", who, sdkValue(sp))
	case hasCS && name == top && (af.has(name, "aws_access_key_id") || af.has(name, "aws_secret_access_key")):
		// The Go SDK takes a profile's own keys before its
		// credential_source (resolveCredsFromProfile), the AWS CLI the
		// credential_source.
		return invalid("remove the keys from the profile",
			"it sets keys as well as role_arn and credential_source: the AWS CLI would assume the role from credential_source, the Go SDK with the keys")
	}
	return nil
}

// webIdentityKeysError refuses a profile (not a source profile) that sets
// keys as well as role_arn and web_identity_token_file: the Go SDK would
// sign an AssumeRole with the keys, the AWS CLI assume the role with the
// token.
func (af *awsFiles) webIdentityKeysError(name string) error {
	role, _ := af.value(name, "role_arn")
	tok, _ := af.value(name, "web_identity_token_file")
	if sdkValue(role) == "" || sdkValue(tok) == "" || !(af.has(name, "aws_access_key_id") || af.has(name, "aws_secret_access_key")) {
		return nil
	}
	return &Error{Profile: name, Kind: ErrInvalidConfig,
		Err:  errors.New("it sets keys as well as role_arn and web_identity_token_file: the AWS CLI would assume the role with the token, the Go SDK with the keys"),
		Hint: "remove the keys from the profile"}
}

// checkChain walks profile top's source_profile chain in the files and
// returns the first reason to refuse it: a profile of the chain that
// appears twice in a file, or a role with no source (roleSourceError). A
// source profile that sets keys ends the chain, as in every SDK. A
// profile that does not exist is left to the SDK to report.
func (af *awsFiles) checkChain(top string) error {
	name := top
	seen := map[string]bool{}
	for depth := 0; depth < maxChain && af.exists(name); depth++ {
		if err := af.duplicated(name); err != nil {
			if name != top {
				var e *Error
				if errors.As(err, &e) {
					e.Profile, e.Err = top, fmt.Errorf("its source profile %q: %w", name, e.Err)
				}
			}
			return err
		}
		if depth > 0 && (af.has(name, "aws_access_key_id") || af.has(name, "aws_secret_access_key")) {
			return nil
		}
		if depth == 0 {
			if err := af.webIdentityKeysError(name); err != nil {
				return err
			}
		}
		if err := af.roleSourceError(top, name); err != nil {
			return err
		}
		role, _ := af.value(name, "role_arn")
		sp, hasSP := af.value(name, "source_profile")
		if sdkValue(role) == "" || !hasSP || af.has(name, "web_identity_token_file") || seen[name] {
			return nil
		}
		seen[name] = true
		name = sdkValue(sp)
	}
	return nil
}

// sessionToken returns the session token of profile name's keys: the
// one the SDK read (sdk), or aws_security_token from the section the SDK
// took the keys from when the SDK read none. Both set to different values
// is an error: botocore would use aws_security_token, the Go SDK
// aws_session_token.
func (af *awsFiles) sessionToken(top, name, sdk string) (string, error) {
	f := af.keysFile(name)
	p := f.section(name)
	if p == nil {
		return sdk, nil
	}
	raw, ok := p.keys["aws_security_token"]
	legacy := sdkValue(raw)
	switch {
	case !ok || legacy == "" || legacy == sdk:
		return sdk, nil
	case sdk == "":
		return legacy, nil
	}
	who := "it"
	if name != top {
		who = fmt.Sprintf("its source profile %q", name)
	}
	return "", &Error{Profile: top, Kind: ErrInvalidConfig,
		Err: fmt.Errorf("%s sets aws_session_token and aws_security_token to different values (%s): the AWS CLI would use aws_security_token, the Go SDK aws_session_token",
			who, f.lineOf(name, "aws_security_token")),
		Hint: "keep aws_session_token only"}
}

// tokenless refuses keys whose id says they are temporary (ASIA…) when
// no session token goes with them: they cannot sign anything, and
// handing them out would look like a success.
func tokenless(top string, sc *config.SharedConfig) error {
	c := sc.Credentials
	if c.SessionToken != "" || !strings.HasPrefix(c.AccessKeyID, "ASIA") {
		return nil
	}
	who := "its key"
	if sc.Profile != top {
		who = fmt.Sprintf("the key of its source profile %q,", sc.Profile)
	}
	return &Error{Profile: top, Kind: ErrInvalidConfig,
		Err:  fmt.Errorf("%s %s is a temporary key (ASIA), but no aws_session_token goes with it", who, MaskKey(c.AccessKeyID)),
		Hint: "add its session token, or get new credentials"}
}

// processCommand returns the credential_process command line to run for
// profile name, whose value the SDK read as sdk: the value as written
// when the SDK only stripped its enclosing quotes (so that sh sees them,
// as the AWS CLI's guide intends for a path with spaces), else sdk.
func (af *awsFiles) processCommand(name, sdk string) string {
	if raw, ok := af.value(name, "credential_process"); ok && raw != sdk && sdkValue(raw) == sdk {
		return raw
	}
	return sdk
}

// levels returns a profile and its source profiles as the SDK linked
// them, the profile first.
func levels(sc *config.SharedConfig) []*config.SharedConfig {
	var out []*config.SharedConfig
	for depth := 0; sc != nil && depth < maxChain; depth++ {
		out = append(out, sc)
		sc = sc.Source
	}
	return out
}

// roleHops returns the role ARNs the SDK assumes for the chain, in the
// order it builds their providers (the deepest first): every level with a
// role_arn, except one that is itself a web identity (the SDK assumes
// that role with the token instead, not with AssumeRole). It follows the
// order of the SDK's resolveCredsFromProfile.
func roleHops(ls []*config.SharedConfig) []string {
	var hops []string
	for i := len(ls) - 1; i >= 0; i-- {
		l := ls[i]
		webIdentity := l.Source == nil && !l.Credentials.HasKeys() && l.CredentialSource == "" && l.WebIdentityTokenFile != ""
		if l.RoleARN != "" && !webIdentity {
			hops = append(hops, l.RoleARN)
		}
	}
	return hops
}

// hopPlan makes the SDK sign one AssumeRole of a role chain with other
// credentials than the ones it would use: the keys of a source profile
// instead of that profile's own role (the AWS CLI's chain), keys with
// their aws_security_token, or awsxc's own run of a credential_process.
// The SDK still builds every provider and makes every call; awsxc only
// decides which credentials sign that one.
type hopPlan struct {
	hops   []string                // role ARNs, deepest first (roleHops)
	index  int                     // the hop to sign; -1 for none
	signer aws.CredentialsProvider // what signs it
	why    string                  // for the debug log

	built   int  // providers the SDK has built in this load
	applied bool // the signer was put in place
}

// expect checks, after the SDK loaded the config, that the plan was
// carried out: a chain the SDK built another way would otherwise give
// another identity silently.
func (h *hopPlan) expect(profile string) error {
	if h == nil || h.index < 0 || h.applied {
		return nil
	}
	return &Error{Profile: profile, Kind: ErrResolve,
		Err: fmt.Errorf("the AWS SDK built the role chain differently than expected (%s)", h.why)}
}

// reset starts a new load of the SDK's config.
func (h *hopPlan) reset() {
	if h != nil {
		h.built, h.applied = 0, false
	}
}

// sign is called for every AssumeRole provider the SDK builds, from
// config.WithAssumeRoleCredentialOptions, in the order roleHops lists
// them; it puts the plan's signer on the hop it names. The SDK also calls
// it once per hop with empty options, to check them early: those have no
// client and are skipped.
func (h *hopPlan) sign(o *stscreds.AssumeRoleOptions) {
	if h == nil || o.Client == nil {
		return
	}
	i := h.built
	h.built++
	if i == h.index && i < len(h.hops) && h.hops[i] == o.RoleARN {
		o.Client = signedBy{AssumeRoleAPIClient: o.Client, creds: h.signer}
		h.applied = true
	}
}

// signedBy is the SDK's STS client with the credentials that sign its
// AssumeRole calls replaced, through the SDK's own per-call options.
type signedBy struct {
	stscreds.AssumeRoleAPIClient
	creds aws.CredentialsProvider
}

// AssumeRole calls STS AssumeRole signed with s.creds.
func (s signedBy) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	optFns = append(slices.Clip(optFns), func(o *sts.Options) { o.Credentials = s.creds })
	return s.AssumeRoleAPIClient.AssumeRole(ctx, in, optFns...)
}
