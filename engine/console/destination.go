package console

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/awsxc/awsxc/internal/lazyre"
)

// service is where a console service lives when the generic rule does
// not find it.
type service struct {
	path   string // the path after the host, without the leading /
	global bool   // the console of a global service: no region in the host or the query
	host   string // in the aws partition, the service's own console host, instead of <region>.console
}

// services are the console services whose URL the generic rule,
// https://<region>.console.<domain>/<name>/home?region=<region>, does not
// give, and a few short names. The paths are the consoles' own (the
// URLs they show; granted pkg/console/service_map.go lists the same).
// Any other name goes through the generic rule.
var services = map[string]service{
	"s3":             {path: "s3/home", host: "s3.console.aws.amazon.com"}, // S3 has a host of its own
	"iam":            {path: "iam/home", global: true},
	"route53":        {path: "route53/v2/home", global: true},
	"cloudfront":     {path: "cloudfront/v4/home", global: true},
	"organizations":  {path: "organizations/v2/home", global: true},
	"billing":        {path: "billing/home", global: true},
	"support":        {path: "support/home", global: true},
	"dynamodb":       {path: "dynamodbv2/home"},
	"stepfunctions":  {path: "states/home"},
	"eventbridge":    {path: "events/home"},
	"ssm":            {path: "systems-manager/home"},
	"identitycenter": {path: "singlesignon/home"},
}

// serviceAliases are short names for the services above and for generic ones.
var serviceAliases = map[string]string{
	"cfn": "cloudformation",
	"ddb": "dynamodb",
	"sfn": "stepfunctions",
	"r53": "route53",
	"cw":  "cloudwatch",
	"sso": "identitycenter",
	"sm":  "secretsmanager",
}

// genericServices are common services the generic rule serves, for
// completion; any other name works as well.
var genericServices = []string{"apigateway", "athena", "cloudformation", "cloudtrail", "cloudwatch", "ec2",
	"ecr", "ecs", "eks", "elasticache", "glue", "kms", "lambda", "rds", "secretsmanager", "sns", "sqs", "vpc"}

// ServiceNames lists service names for [Options.Service], sorted, for
// completion and help: the table's, their short names, and common ones
// the generic rule serves. Any other plain name works too.
func ServiceNames() []string {
	names := slices.Clone(genericServices)
	for n := range services {
		names = append(names, n)
	}
	for n := range serviceAliases {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// serviceRe is the shape of a console service name: it becomes a path
// segment, so nothing that could climb out of it is let through.
var serviceRe = lazyre.New(`^[a-z0-9][a-z0-9-]{0,62}$`)

// serviceURL is the console URL of a service in region ("" for none) of
// the console at domain. A service name is lower-cased; one that is not
// a plain name is [ErrDestination].
func serviceURL(domain, region, name string) (string, error) {
	name = strings.ToLower(name)
	if !serviceRe().MatchString(name) {
		return "", fmt.Errorf("service %q is not a console service name", name)
	}
	if a, ok := serviceAliases[name]; ok {
		name = a
	}
	s, ok := services[name]
	if !ok {
		s = service{path: name + "/home"}
	}
	host := Partition{Domain: domain}.ConsoleHost(region)
	switch {
	case s.global:
		return "https://console." + domain + "/" + s.path, nil
	case s.host != "" && domain == AWS.Domain:
		host = s.host
	}
	u := "https://" + host + "/" + s.path
	if region != "" {
		u += "?region=" + region
	}
	return u, nil
}

// homeURL is the console's home page for region ("" for none).
func homeURL(domain, region string) string {
	if region == "" {
		return "https://console." + domain + "/"
	}
	return "https://" + Partition{Domain: domain}.ConsoleHost(region) + "/console/home?region=" + region
}

// CheckDestination returns dest, normalised, when it is a URL of the
// console at one of domains: https, on console.<domain> or a host under
// it (<region>.console.<domain>, s3.console.<domain>), with no user
// information and no port but 443. Anything else is [ErrDestination]:
// the sign-in link would otherwise take the user, signed in, wherever
// the destination says (an open redirect is a phishing aid).
func CheckDestination(dest string, domains ...string) (string, error) {
	u, err := checkDestination(dest, domains)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrDestination, err)
	}
	return u, nil
}

// checkDestination is CheckDestination, its error without the sentinel.
func checkDestination(dest string, domains []string) (string, error) {
	refuse := func(why string) (string, error) {
		return "", fmt.Errorf("%s %s", quoteURL(dest), why)
	}
	if len(dest) > 4096 {
		return refuse("is too long")
	}
	// A browser reads a backslash as a slash and drops tabs and
	// newlines (WHATWG URL); Go's parser does not, so what it checked
	// would not be what the browser opens.
	if strings.ContainsAny(dest, "\\ \t\r\n") || strings.ContainsFunc(dest, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return refuse("holds a backslash, a space or a control character")
	}
	u, err := url.Parse(dest)
	if err != nil {
		return refuse("is not a URL")
	}
	switch {
	case u.Scheme != "https":
		return refuse("is not an https URL")
	case u.Opaque != "":
		return refuse("is not a URL with a host")
	case u.User != nil:
		return refuse("carries a user name")
	case u.Port() != "" && u.Port() != "443":
		return refuse("names a port")
	}
	host := strings.ToLower(u.Hostname())
	for _, d := range domains {
		if consoleHost(host, d) {
			u.Host = host // no :443, lower case as consoleHost checked
			return u.String(), nil
		}
	}
	names := make([]string, len(domains))
	for i, d := range domains {
		names[i] = "console." + d
	}
	return refuse("is not on " + strings.Join(names, " or "))
}

// consoleHost reports whether host is console.<domain> or a name under
// it made of DNS labels.
func consoleHost(host, domain string) bool {
	base := "console." + domain
	if host == base {
		return true
	}
	sub, ok := strings.CutSuffix(host, "."+base)
	if !ok || sub == "" {
		return false
	}
	for _, label := range strings.Split(sub, ".") {
		if !labelRe().MatchString(label) {
			return false
		}
	}
	return true
}

var labelRe = lazyre.New(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// quoteURL quotes a destination for an error message, cut short.
func quoteURL(s string) string {
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return fmt.Sprintf("%q", s)
}
