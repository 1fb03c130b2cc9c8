package console

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/awsxc/awsxc/internal/lazyre"
)

// Partition is an AWS partition that has a public console: its id (the
// second field of its ARNs) and the domain under which its sign-in and
// console hosts live (signin.<Domain>, console.<Domain>).
type Partition struct {
	ID     string
	Domain string
}

// The partitions with a public console, from the AWS endpoints
// (aws-vault generateLoginURL for the first three; granted
// pkg/console/partition.go and the Go SDK's signin endpoint rules for
// all four). The ISO partitions have none.
var (
	AWS      = Partition{ID: "aws", Domain: "aws.amazon.com"}
	China    = Partition{ID: "aws-cn", Domain: "amazonaws.cn"}
	GovCloud = Partition{ID: "aws-us-gov", Domain: "amazonaws-us-gov.com"}
	EUSC     = Partition{ID: "aws-eusc", Domain: "amazonaws-eusc.eu"}
)

// Partitions lists the partitions awsxc knows a console for.
var Partitions = []Partition{AWS, China, GovCloud, EUSC}

// FederationEndpoint is the partition's console federation endpoint,
// https://signin.<Domain>/federation. The global host serves every
// region of its partition (the IAM User Guide uses it throughout).
func (p Partition) FederationEndpoint() string {
	return "https://signin." + p.Domain + "/federation"
}

// ConsoleHost is the console host for region: <region>.console.<Domain>,
// or console.<Domain> for no region and for the partitions' first
// regions (us-east-1, cn-north-1, us-gov-west-1), which the peers send
// to the global host (granted GetRegionPrefixFromRegion); the console
// redirects from either.
func (p Partition) ConsoleHost(region string) string {
	switch region {
	case "", "us-east-1", "cn-north-1", "us-gov-west-1":
		return "console." + p.Domain
	}
	return region + ".console." + p.Domain
}

// partitionByID returns the known partition with the given id.
func partitionByID(id string) (Partition, bool) {
	for _, p := range Partitions {
		if p.ID == id {
			return p, true
		}
	}
	return Partition{}, false
}

// regionRe is the shape of an AWS region name: us-east-1,
// us-gov-west-1, eusc-de-east-1, cn-northwest-1. A region goes into a
// host name and a URL, so nothing else is let through.
var regionRe = lazyre.New(`^[a-z]{2,4}(-[a-z]{2,12}){1,3}-[0-9]{1,2}$`)

// ValidRegion reports whether region has the shape of an AWS region name.
func ValidRegion(region string) bool { return regionRe().MatchString(region) }

// PartitionIDOfRegion returns the id of the partition a region belongs
// to, by the region patterns of the SDK's partitions table
// (internal/endpoints/awsrulesfn/partitions.json): cn-* is aws-cn,
// us-gov-* aws-us-gov, eusc-* aws-eusc, us-iso-*, us-isob-*, us-isof-*
// and eu-isoe-* the ISO partitions, and anything else aws. It is "" for
// a string that is not a region name.
func PartitionIDOfRegion(region string) string {
	if !ValidRegion(region) {
		return ""
	}
	for _, r := range []struct{ prefix, id string }{
		{"cn-", "aws-cn"},
		{"us-gov-", "aws-us-gov"},
		{"eusc-", "aws-eusc"},
		{"us-iso-", "aws-iso"},
		{"us-isob-", "aws-iso-b"},
		{"us-isof-", "aws-iso-f"},
		{"eu-isoe-", "aws-iso-e"},
	} {
		if strings.HasPrefix(region, r.prefix) {
			return r.id
		}
	}
	return "aws"
}

// PartitionIDOfARN returns the partition field of an ARN
// (arn:aws-cn:iam::...), or "" when s is not an ARN.
func PartitionIDOfARN(s string) string {
	a, err := arn.Parse(s)
	if err != nil || !partitionIDRe().MatchString(a.Partition) {
		return ""
	}
	return a.Partition
}

var partitionIDRe = lazyre.New(`^aws(-[a-z]{1,8}){0,2}$`)

// partitionID decides the credentials' partition: the ARN's when there
// is one (it names where the principal lives), else the region's, else
// the next region's (an SSO profile's sso_region), else aws.
func partitionID(principalARN string, regions ...string) string {
	if id := PartitionIDOfARN(principalARN); id != "" {
		return id
	}
	for _, r := range regions {
		if id := PartitionIDOfRegion(r); id != "" {
			return id
		}
	}
	return AWS.ID
}
