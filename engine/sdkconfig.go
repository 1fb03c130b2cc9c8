package engine

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// ClientConfig returns the AWS SDK's config for the profile (its region,
// endpoints, retries and HTTP client, as the SDK loaded them from Env's
// files) signing with creds instead of the profile's own provider, for
// an engine package that calls an AWS service as those credentials
// (engine/console asks STS who they are). The region is the profile's,
// else [DefaultSTSRegion]. It touches no network.
func (p *Profile) ClientConfig(ctx context.Context, creds Credentials) (aws.Config, error) {
	full, err := p.sdkConfig(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	cfg := full.Copy()
	if cfg.Region == "" {
		cfg.Region = DefaultSTSRegion
	}
	cfg.Credentials = credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
	return cfg, nil
}
