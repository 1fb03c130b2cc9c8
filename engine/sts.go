package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultSTSRegion is the region whose STS endpoint is used when the
// profile has none.
const DefaultSTSRegion = "us-east-1"

// sessionTokenOptions tunes STS GetSessionToken.
type sessionTokenOptions struct {
	// Duration asks STS for this lifetime (900 s to 36 h); 0 leaves the
	// choice to STS (12 h for IAM users).
	Duration time.Duration
	// MFASerial overrides the profile's mfa_serial.
	MFASerial string
	// MFA supplies the code when an MFA serial is known. Nil with a serial
	// fails with [ErrMFARequired].
	MFA TokenProvider
}

// getSessionToken exchanges long-term keys for temporary credentials
// through STS GetSessionToken, at the STS endpoint of the profile's region
// (or whatever AWS_ENDPOINT_URL_STS and the config say). Credentials that
// already carry a session token are returned as they are.
func (p *Profile) getSessionToken(ctx context.Context, base Credentials, opts sessionTokenOptions) (Credentials, error) {
	if base.Temporary() {
		return base, nil
	}
	ctx, done := p.bounded(ctx)
	defer done()
	full, err := p.sdkConfig(ctx)
	if err != nil {
		return Credentials{}, err
	}
	cfg := full.Copy()
	if cfg.Region == "" {
		cfg.Region = DefaultSTSRegion
	}
	cfg.Credentials = credentials.NewStaticCredentialsProvider(base.AccessKeyID, base.SecretAccessKey, "")
	in := &sts.GetSessionTokenInput{}
	if opts.Duration > 0 {
		in.DurationSeconds = aws.Int32(int32(opts.Duration / time.Second))
	}
	serial := opts.MFASerial
	if serial == "" {
		serial = p.MFASerial
	}
	if serial != "" {
		if opts.MFA == nil {
			return Credentials{}, newError(p.Name, ErrMFARequired, fmt.Errorf("mfa_serial %s needs a code", serial), ActionMFACode)
		}
		resume := p.human()
		code, err := opts.MFA()
		resume()
		if err != nil {
			return Credentials{}, newError(p.Name, ErrMFARequired, err, ActionMFACode)
		}
		in.SerialNumber = aws.String(serial)
		in.TokenCode = aws.String(code)
	}
	p.log.Debug("calling STS GetSessionToken", "profile", p.Name, "key", MaskKey(base.AccessKeyID),
		"region", cfg.Region, "mfa", serial != "")
	out, err := sts.NewFromConfig(cfg).GetSessionToken(ctx, in)
	if err != nil {
		if timedOut(ctx) {
			return Credentials{}, p.timeoutError("STS GetSessionToken")
		}
		return Credentials{}, &Error{Profile: p.Name, Kind: ErrResolve, Err: fmt.Errorf("STS GetSessionToken: %w", fromUpstream(err))}
	}
	if out.Credentials == nil || out.Credentials.AccessKeyId == nil {
		return Credentials{}, &Error{Profile: p.Name, Kind: ErrResolve, Err: errors.New("STS GetSessionToken returned no credentials")}
	}
	c := Credentials{
		AccessKeyID:     aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken:    aws.ToString(out.Credentials.SessionToken),
		AccountID:       base.AccountID,
	}
	if out.Credentials.Expiration != nil {
		c.Expires = out.Credentials.Expiration.UTC()
	}
	return c, nil
}
