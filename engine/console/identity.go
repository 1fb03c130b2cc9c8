package console

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/internal/lazyre"
)

// principalKind is what an ARN from STS GetCallerIdentity says about the
// credentials that made the call (STS API reference, GetCallerIdentity:
// an IAM user's own keys, and a GetSessionToken session made from them,
// report arn:aws:iam::ACCOUNT:user/NAME, or :root for the account's root
// user; a role session arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION; a
// federation token arn:aws:sts::ACCOUNT:federated-user/NAME).
type principalKind int

const (
	principalUnknown       principalKind = iota
	principalUser                        // an IAM user (or the root user)
	principalAssumedRole                 // a role session
	principalFederatedUser               // a GetFederationToken session
)

// principal is a caller ARN, read.
type principal struct {
	kind      principalKind
	partition string // the ARN's partition
	userName  string // principalUser: the IAM user name ("root" for the root user)
}

// parsePrincipal reads a caller ARN.
func parsePrincipal(s string) principal {
	a, err := arn.Parse(s)
	if err != nil {
		return principal{}
	}
	p := principal{partition: PartitionIDOfARN(s)}
	res := a.Resource
	switch {
	case a.Service == "iam" && res == "root":
		p.kind, p.userName = principalUser, "root"
	case a.Service == "iam" && strings.HasPrefix(res, "user/"):
		// user/NAME or user/PATH/NAME: the name is the last part.
		name := res[strings.LastIndex(res, "/")+1:]
		if name != "" {
			p.kind, p.userName = principalUser, name
		}
	case a.Service == "sts" && strings.HasPrefix(res, "assumed-role/"):
		p.kind = principalAssumedRole
	case a.Service == "sts" && strings.HasPrefix(res, "federated-user/"):
		p.kind = principalFederatedUser
	}
	return p
}

// federatedNameMax is the longest Name GetFederationToken takes (STS
// model userNameType: 2 to 32 characters of [\w+=,.@-]).
const federatedNameMax = 32

var notFederatedNameChar = lazyre.New(`[^\w+=,.@-]`)

// federatedName is the GetFederationToken Name for an IAM user:
// "awsxc-" and the user name, any character STS does not take replaced
// by "-", cut to 32 characters. The federated user shows in CloudTrail
// and in the console's menu under this name.
func federatedName(user string) string {
	n := "awsxc-" + notFederatedNameChar().ReplaceAllString(user, "-")
	if len(n) > federatedNameMax {
		n = n[:federatedNameMax]
	}
	return n
}

// callerARN asks STS who the credentials are.
func callerARN(ctx context.Context, p *engine.Profile, creds engine.Credentials) (string, error) {
	cfg, err := p.ClientConfig(ctx, creds)
	if err != nil {
		return "", err
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", &engine.Error{Profile: p.Name, Kind: engine.ErrResolve, Err: fmt.Errorf("STS GetCallerIdentity: %w", err)}
	}
	return aws.ToString(out.Arn), nil
}

// adminPolicyARN is the AWS managed AdministratorAccess policy of a
// partition, passed to GetFederationToken as the session's upper bound:
// without a session policy a federation token may do nothing (granted
// pkg/cfaws/assumer_aws_iam.go), and with one its permissions are the
// intersection of the user's own policies and this one (STS API
// reference), so never more than the user has.
func adminPolicyARN(partition string) string {
	return "arn:" + partition + ":iam::aws:policy/AdministratorAccess"
}

// federationToken exchanges an IAM user's long-term keys for a federation
// token through STS GetFederationToken.
func federationToken(ctx context.Context, p *engine.Profile, creds engine.Credentials, name, partition string, d time.Duration) (engine.Credentials, error) {
	cfg, err := p.ClientConfig(ctx, creds)
	if err != nil {
		return engine.Credentials{}, err
	}
	in := &sts.GetFederationTokenInput{
		Name:       aws.String(name),
		PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String(adminPolicyARN(partition))}},
	}
	if d > 0 {
		in.DurationSeconds = aws.Int32(int32(d / time.Second))
	}
	out, err := sts.NewFromConfig(cfg).GetFederationToken(ctx, in)
	if err != nil {
		return engine.Credentials{}, federationError(p.Name, err)
	}
	c := out.Credentials
	if c == nil || c.AccessKeyId == nil || c.SecretAccessKey == nil || c.SessionToken == nil {
		return engine.Credentials{}, &engine.Error{Profile: p.Name, Kind: engine.ErrResolve, Err: errors.New("STS GetFederationToken returned no credentials")}
	}
	fc := engine.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken, AccountID: creds.AccountID}
	if c.Expiration != nil {
		fc.Expires = c.Expiration.UTC()
	}
	return fc, nil
}

// federationError words a GetFederationToken failure. AccessDenied is
// the user's policies: without an allow it reads "is not authorized to
// perform: sts:GetFederationToken"; with an explicit deny (the usual
// "force MFA" policy denies everything without aws:MultiFactorAuthPresent,
// aws-vault#784) it says "with an explicit deny". GetFederationToken
// takes no MFA code, so no code helps: a role profile with mfa_serial
// does.
func federationError(profile string, err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		return &engine.Error{Profile: profile, Kind: engine.ErrResolve, Err: fmt.Errorf("STS GetFederationToken: %w", err)}
	}
	hint := "allow sts:GetFederationToken for the IAM user, or sign in with a role profile (role_arn with these keys as source_profile)"
	if strings.Contains(ae.ErrorMessage(), "explicit deny") {
		hint = "an explicit deny, as policies that require MFA make, and a federation token cannot carry MFA: sign in with a role profile (role_arn with mfa_serial and these keys as source_profile)"
	}
	return &engine.Error{Profile: profile, Kind: ErrFederationDenied, Err: errors.New(ae.ErrorMessage()), Hint: hint}
}
