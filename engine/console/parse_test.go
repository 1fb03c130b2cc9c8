package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestPartitionOfRegion(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]string{
		"us-east-1":       "aws",
		"eu-west-1":       "aws",
		"ap-southeast-2":  "aws",
		"il-central-1":    "aws",
		"mx-central-1":    "aws",
		"cn-north-1":      "aws-cn",
		"cn-northwest-1":  "aws-cn",
		"us-gov-west-1":   "aws-us-gov",
		"us-gov-east-1":   "aws-us-gov",
		"eusc-de-east-1":  "aws-eusc",
		"us-iso-east-1":   "aws-iso",
		"us-isob-east-1":  "aws-iso-b",
		"us-isof-south-1": "aws-iso-f",
		"eu-isoe-west-1":  "aws-iso-e",
		"":                "",
		"us-east":         "",
		"US-EAST-1":       "",
		"eu-west-1.evil":  "",
		"eu-west-1/x":     "",
		"aws-global":      "",
	} {
		if got := PartitionIDOfRegion(region); got != want {
			t.Errorf("PartitionIDOfRegion(%q) = %q, want %q", region, got, want)
		}
	}
}

func TestPartitionOfARN(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		arn, want string
	}{
		{"arn:aws:iam::123456789012:role/Deploy", "aws"},
		{"arn:aws-cn:iam::123456789012:role/Deploy", "aws-cn"},
		{"arn:aws-us-gov:sts::123456789012:assumed-role/R/s", "aws-us-gov"},
		{"arn:aws-eusc:iam::123456789012:user/alice", "aws-eusc"},
		{"arn:aws-iso-b:iam::123456789012:user/alice", "aws-iso-b"},
		{"arn:evil.example:iam::123456789012:user/alice", ""},
		{"arn::iam::123456789012:user/alice", ""},
		{"not an arn", ""},
		{"", ""},
	} {
		if got := PartitionIDOfARN(tc.arn); got != tc.want {
			t.Errorf("PartitionIDOfARN(%q) = %q, want %q", tc.arn, got, tc.want)
		}
	}
}

// TestPartitionPrecedence: the ARN names where the principal lives and
// wins over any region; then the profile's region, sso_region, and the
// region asked for.
func TestPartitionPrecedence(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		arn     string
		regions []string
		want    string
	}{
		{"arn_wins", "arn:aws-cn:iam::1:role/x", []string{"us-east-1"}, "aws-cn"},
		{"region", "", []string{"us-gov-west-1"}, "aws-us-gov"},
		{"first_region_that_is_one", "", []string{"", "nonsense", "eusc-de-east-1", "cn-north-1"}, "aws-eusc"},
		{"bad_arn_falls_to_region", "arn:bogus", []string{"cn-north-1"}, "aws-cn"},
		{"nothing_is_aws", "", nil, "aws"},
	} {
		if got := partitionID(tc.arn, tc.regions...); got != tc.want {
			t.Errorf("%s: partitionID = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestPartitionDomains: each partition's federation endpoint and console
// hosts.
func TestPartitionDomains(t *testing.T) {
	t.Parallel()
	type row struct{ Endpoint, Home, Regional, HomeRegion string }
	got := map[string]row{}
	for _, tc := range []struct {
		p                  Partition
		region, homeRegion string
	}{
		{AWS, "eu-west-1", "us-east-1"},
		{China, "cn-northwest-1", "cn-north-1"},
		{GovCloud, "us-gov-east-1", "us-gov-west-1"},
		{EUSC, "eusc-de-east-1", ""},
	} {
		got[tc.p.ID] = row{tc.p.FederationEndpoint(), tc.p.ConsoleHost(""), tc.p.ConsoleHost(tc.region), tc.p.ConsoleHost(tc.homeRegion)}
	}
	want := map[string]row{
		"aws":        {"https://signin.aws.amazon.com/federation", "console.aws.amazon.com", "eu-west-1.console.aws.amazon.com", "console.aws.amazon.com"},
		"aws-cn":     {"https://signin.amazonaws.cn/federation", "console.amazonaws.cn", "cn-northwest-1.console.amazonaws.cn", "console.amazonaws.cn"},
		"aws-us-gov": {"https://signin.amazonaws-us-gov.com/federation", "console.amazonaws-us-gov.com", "us-gov-east-1.console.amazonaws-us-gov.com", "console.amazonaws-us-gov.com"},
		"aws-eusc":   {"https://signin.amazonaws-eusc.eu/federation", "console.amazonaws-eusc.eu", "eusc-de-east-1.console.amazonaws-eusc.eu", "console.amazonaws-eusc.eu"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPlace(t *testing.T) {
	t.Parallel()
	discard := slog.New(slog.DiscardHandler)
	for _, tc := range []struct {
		name          string
		arn           string
		opts          Options
		profileRegion string
		want          placement
		kind          error
	}{
		{"aws_profile_region", "", Options{}, "eu-west-1",
			placement{id: "aws", domain: "aws.amazon.com", endpoint: "https://signin.aws.amazon.com/federation", region: "eu-west-1"}, nil},
		{"asked_region_wins", "", Options{Region: "us-west-2"}, "eu-west-1",
			placement{id: "aws", domain: "aws.amazon.com", endpoint: "https://signin.aws.amazon.com/federation", region: "us-west-2"}, nil},
		{"profile_region_of_another_partition_left_out", "arn:aws-cn:iam::1:role/x", Options{}, "eu-west-1",
			placement{id: "aws-cn", domain: "amazonaws.cn", endpoint: "https://signin.amazonaws.cn/federation"}, nil},
		{"asked_region_of_another_partition", "arn:aws-cn:iam::1:role/x", Options{Region: "eu-west-1"}, "",
			placement{}, ErrDestination},
		{"iso_has_no_console", "arn:aws-iso:iam::1:role/x", Options{}, "",
			placement{}, ErrNoConsole},
		{"iso_with_an_endpoint_at_signin", "arn:aws-iso:iam::1:role/x", Options{Endpoint: "https://signin.example.ic.gov/federation"}, "us-iso-east-1",
			placement{id: "aws-iso", domain: "example.ic.gov", region: "us-iso-east-1"}, nil},
		{"endpoint_names_the_console_domain", "", Options{Endpoint: "https://eu-west-1.signin.aws.amazon.com/federation"}, "",
			placement{id: "aws", domain: "aws.amazon.com", endpoint: "https://signin.aws.amazon.com/federation"}, nil},
		{"local_endpoint_keeps_the_partition", "", Options{Endpoint: "http://127.0.0.1:1234/federation"}, "cn-north-1",
			placement{id: "aws-cn", domain: "amazonaws.cn", endpoint: "https://signin.amazonaws.cn/federation", region: "cn-north-1"}, nil},
	} {
		pl, kind, err := place(tc.arn, tc.opts, tc.profileRegion, "", discard)
		if kind != tc.kind || (err == nil) != (tc.kind == nil) {
			t.Errorf("%s: kind %v (%v), want %v", tc.name, kind, err, tc.kind)
			continue
		}
		if tc.kind == nil && pl != tc.want {
			t.Errorf("%s: place = %+v, want %+v", tc.name, pl, tc.want)
		}
	}
}

// TestServiceURL is the service table and its generic fallback, in
// every partition.
func TestServiceURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		domain, region, service, want string
	}{
		{"aws.amazon.com", "eu-west-1", "ec2", "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"},
		{"aws.amazon.com", "us-east-1", "lambda", "https://console.aws.amazon.com/lambda/home?region=us-east-1"},
		{"aws.amazon.com", "", "lambda", "https://console.aws.amazon.com/lambda/home"},
		{"aws.amazon.com", "eu-west-1", "s3", "https://s3.console.aws.amazon.com/s3/home?region=eu-west-1"},
		{"aws.amazon.com", "", "s3", "https://s3.console.aws.amazon.com/s3/home"},
		{"aws.amazon.com", "eu-west-1", "IAM", "https://console.aws.amazon.com/iam/home"},
		{"aws.amazon.com", "eu-west-1", "r53", "https://console.aws.amazon.com/route53/v2/home"},
		{"aws.amazon.com", "eu-west-1", "ddb", "https://eu-west-1.console.aws.amazon.com/dynamodbv2/home?region=eu-west-1"},
		{"aws.amazon.com", "eu-west-1", "sfn", "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1"},
		{"aws.amazon.com", "eu-west-1", "cfn", "https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1"},
		{"amazonaws.cn", "cn-northwest-1", "s3", "https://cn-northwest-1.console.amazonaws.cn/s3/home?region=cn-northwest-1"},
		{"amazonaws.cn", "cn-north-1", "iam", "https://console.amazonaws.cn/iam/home"},
		{"amazonaws-us-gov.com", "us-gov-east-1", "ec2", "https://us-gov-east-1.console.amazonaws-us-gov.com/ec2/home?region=us-gov-east-1"},
		{"amazonaws-eusc.eu", "eusc-de-east-1", "kms", "https://eusc-de-east-1.console.amazonaws-eusc.eu/kms/home?region=eusc-de-east-1"},
	} {
		got, err := serviceURL(tc.domain, tc.region, tc.service)
		if err != nil || got != tc.want {
			t.Errorf("serviceURL(%q, %q, %q) = %q, %v; want %q", tc.domain, tc.region, tc.service, got, err, tc.want)
		}
		if _, err := checkDestination(got, []string{tc.domain}); err != nil {
			t.Errorf("the service URL %s fails the destination check: %v", got, err)
		}
	}
	for _, bad := range []string{"", "../../evil", "s3/../x", "a b", "s3?x", "é", strings.Repeat("a", 64)} {
		if _, err := serviceURL(AWS.Domain, "", bad); err == nil {
			t.Errorf("serviceURL took %q", bad)
		}
	}
	if names := ServiceNames(); len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("ServiceNames lists a name twice: %v", names)
	}
	for _, n := range ServiceNames() {
		if _, err := serviceURL(AWS.Domain, "eu-west-1", n); err != nil {
			t.Errorf("listed service %q: %v", n, err)
		}
	}
}

func TestCheckDestination(t *testing.T) {
	t.Parallel()
	aws := []string{"aws.amazon.com"}
	for _, tc := range []struct {
		dest, want string // want "" for a refusal
	}{
		{"https://console.aws.amazon.com/", "https://console.aws.amazon.com/"},
		{"https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:", "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:"},
		{"https://S3.Console.AWS.Amazon.com:443/s3/buckets", "https://s3.console.aws.amazon.com/s3/buckets"},
		{"https://console.aws.amazon.com", "https://console.aws.amazon.com"},
		{"http://console.aws.amazon.com/", ""},
		{"https://console.aws.amazon.com:8443/", ""},
		{"https://user@console.aws.amazon.com/", ""},
		{"https://console.aws.amazon.com.evil.example/", ""},
		{"https://evilconsole.aws.amazon.com/", ""},
		{"https://aws.amazon.com/", ""},
		{"https://signin.aws.amazon.com/federation", ""},
		{"https://evil.example/?https://console.aws.amazon.com/", ""},
		{`https://console.aws.amazon.com\@evil.example/`, ""},
		{"https://evil.example\\.console.aws.amazon.com/", ""},
		{"https://console.aws.amazon.com/\n", ""},
		{"https://a..console.aws.amazon.com/", ""},
		{"https://-x.console.aws.amazon.com/", ""},
		{"https://xn--80ak6aa92e.console.aws.amazon.com/", "https://xn--80ak6aa92e.console.aws.amazon.com/"},
		{"https://сonsole.aws.amazon.com/", ""}, // a Cyrillic с
		{"https://console.amazonaws.cn/", ""},
		{"javascript:alert(1)", ""},
		{"//console.aws.amazon.com/", ""},
		{"console.aws.amazon.com", ""},
		{"", ""},
	} {
		got, err := CheckDestination(tc.dest, aws...)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("CheckDestination(%q) = %q, %v; want %q", tc.dest, got, err, tc.want)
		}
	}
}

// FuzzCheckDestination: whatever is accepted is an https URL on a
// console host, unchanged by a second check, and reads the same to
// Go's parser after the round trip.
func FuzzCheckDestination(f *testing.F) {
	for _, s := range []string{"https://console.aws.amazon.com/", "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#x",
		"https://S3.console.aws.amazon.com:443/", `https://console.aws.amazon.com\@evil`, "https://x%2e.console.aws.amazon.com/",
		"https://[::1]/", "https://console.aws.amazon.com%00/", "https://a.b.console.aws.amazon.com./"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dest string) {
		got, err := CheckDestination(dest, "aws.amazon.com")
		if err != nil {
			if got != "" {
				t.Fatalf("a refusal returned %q", got)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error on two lines: %q", err)
			}
			return
		}
		u, perr := url.Parse(got)
		if perr != nil || u.Scheme != "https" || u.User != nil || u.Port() != "" || !consoleHost(u.Host, "aws.amazon.com") {
			t.Fatalf("accepted %q as %q: %+v %v", dest, got, u, perr)
		}
		if again, err := CheckDestination(got, "aws.amazon.com"); err != nil || again != got {
			t.Fatalf("second check of %q: %q, %v", got, again, err)
		}
	})
}

var federatedNameRe = regexp.MustCompile(`^[\w+=,.@-]{2,32}$`)

func TestParsePrincipal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		arn  string
		want principal
	}{
		{"arn:aws:iam::123456789012:user/alice", principal{principalUser, "aws", "alice"}},
		{"arn:aws-cn:iam::123456789012:user/dev/team/bob", principal{principalUser, "aws-cn", "bob"}},
		{"arn:aws:iam::123456789012:root", principal{principalUser, "aws", "root"}},
		{"arn:aws:sts::123456789012:assumed-role/Admin/alice", principal{principalAssumedRole, "aws", ""}},
		{"arn:aws-us-gov:sts::123456789012:federated-user/awsxc-alice", principal{principalFederatedUser, "aws-us-gov", ""}},
		{"arn:aws:iam::123456789012:user/", principal{principalUnknown, "aws", ""}},
		{"arn:aws:iam::123456789012:role/Admin", principal{principalUnknown, "aws", ""}},
		{"arn:aws:sts::123456789012:user/alice", principal{principalUnknown, "aws", ""}},
		{"nonsense", principal{}},
	} {
		if got := parsePrincipal(tc.arn); got != tc.want {
			t.Errorf("parsePrincipal(%q) = %+v, want %+v", tc.arn, got, tc.want)
		}
	}
}

func TestFederatedName(t *testing.T) {
	t.Parallel()
	for user, want := range map[string]string{
		"alice":                               "awsxc-alice",
		"root":                                "awsxc-root",
		"a.b+c=d,e@f_g-h":                     "awsxc-a.b+c=d,e@f_g-h",
		"alice-has-a-rather-long-name-indeed": "awsxc-alice-has-a-rather-long-na",
		"who?/*":                              "awsxc-who---",
	} {
		if got := federatedName(user); got != want {
			t.Errorf("federatedName(%q) = %q, want %q", user, got, want)
		}
	}
}

// FuzzPrincipal: any ARN reads without a panic, and the Name made of a
// user name is always one GetFederationToken takes.
func FuzzPrincipal(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::123456789012:user/alice", "arn:aws:iam::1:root", "arn:aws-cn:sts::1:assumed-role/a/b",
		"arn:aws:iam::1:user/p/q/é", "arn:::::", "arn:aws:iam::1:user/" + strings.Repeat("x", 80)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := parsePrincipal(s)
		if p.kind == principalUser {
			if p.userName == "" || strings.Contains(p.userName, "/") {
				t.Fatalf("user name %q from %q", p.userName, s)
			}
			if n := federatedName(p.userName); !federatedNameRe.MatchString(n) && utf8.ValidString(n) {
				t.Fatalf("federatedName(%q) = %q, which STS refuses", p.userName, n)
			}
		}
		if p.partition != "" && PartitionIDOfARN(s) != p.partition {
			t.Fatalf("partition %q of %q", p.partition, s)
		}
	})
}

// FuzzPartition: a region and an ARN give a known partition id or none,
// and only a region name gives one; the console host made of it is a
// host under the console domain.
func FuzzPartition(f *testing.F) {
	for _, s := range []string{"us-east-1", "cn-north-1", "us-gov-west-1", "eusc-de-east-1", "us-isob-east-1", "eu-west-1.evil", "arn:aws-cn:iam::1:role/x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id := PartitionIDOfRegion(s)
		if id != "" {
			if !ValidRegion(s) {
				t.Fatalf("partition %q for %q, not a region", id, s)
			}
			if !consoleHost(AWS.ConsoleHost(s), AWS.Domain) {
				t.Fatalf("console host %q for region %q", AWS.ConsoleHost(s), s)
			}
		}
		if a := PartitionIDOfARN(s); a != "" && !strings.HasPrefix(s, "arn:"+a+":") {
			t.Fatalf("partition %q of %q", a, s)
		}
	})
}

func TestCheckEndpoint(t *testing.T) {
	t.Parallel()
	for ep, ok := range map[string]bool{
		"https://signin.aws.amazon.com/federation":     true,
		"https://signin.example.eu/federation":         true,
		"http://127.0.0.1:8080/federation":             true,
		"http://localhost:8080/federation":             true,
		"http://[::1]:8080/federation":                 true,
		"http://signin.aws.amazon.com/federation":      false,
		"https://signin.aws.amazon.com/federation?x=1": false,
		"https://signin.aws.amazon.com/federation?":    false,
		"https://signin.aws.amazon.com/federation#x":   false,
		"https://user:pw@signin.aws.amazon.com/":       false,
		"signin.aws.amazon.com/federation":             false,
		"file:///etc/passwd":                           false,
		"":                                             false,
	} {
		if err := CheckEndpoint(ep); (err == nil) != ok {
			t.Errorf("CheckEndpoint(%q) = %v, want ok %v", ep, err, ok)
		}
	}
	for ep, want := range map[string]string{
		"https://signin.aws.amazon.com/federation":           "aws.amazon.com",
		"https://eu-west-1.signin.aws.amazon.com/federation": "aws.amazon.com",
		"https://SIGNIN.amazonaws.cn/federation":             "amazonaws.cn",
		"http://127.0.0.1:1/federation":                      "",
		"https://signin.localhost/federation":                "",
		"https://notsignin.example.com/federation":           "",
	} {
		if got := endpointDomain(ep); got != want {
			t.Errorf("endpointDomain(%q) = %q, want %q", ep, got, want)
		}
	}
}

func TestPortalBase(t *testing.T) {
	t.Parallel()
	for start, want := range map[string]string{
		"https://d-1234567890.awsapps.com/start":      "https://d-1234567890.awsapps.com/start",
		"https://d-1234567890.awsapps.com/start/":     "https://d-1234567890.awsapps.com/start",
		"https://d-1234567890.awsapps.com/start/#/":   "https://d-1234567890.awsapps.com/start",
		"https://corp.awsapps.com/start?x=1#/console": "https://corp.awsapps.com/start",
		"https://sso.example.com":                     "https://sso.example.com",
		"http://d-1234567890.awsapps.com/start":       "",
		"https://u@corp.awsapps.com/start":            "",
		"corp.awsapps.com/start":                      "",
		"":                                            "",
	} {
		got, err := portalBase(start)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("portalBase(%q) = %q, %v; want %q", start, got, err, want)
		}
	}
}

// TestURLMasked: no way of printing or encoding a URL shows the sign-in
// token, except Reveal.
func TestURLMasked(t *testing.T) {
	t.Parallel()
	const tok = "SECRETSIGNINTOKEN"
	dest := "https://console.aws.amazon.com/"
	link := loginURL("https://signin.aws.amazon.com/federation", dest, tok)
	u := &URL{link: &link, masked: maskedLogin("https://signin.aws.amazon.com/federation", dest), Method: Federation, Destination: dest}

	var b bytes.Buffer
	for _, verb := range []string{"%v", "%s", "%q", "%+v", "%#v", "%x", "%d"} {
		fmt.Fprintf(&b, verb+"\n", u)
		fmt.Fprintf(&b, verb+"\n", *u) // a copy, its methods out of reach
	}
	fmt.Fprintf(&b, "%+v\n", struct{ L *URL }{u})
	fmt.Fprintf(&b, "%+v\n", struct{ l URL }{*u})
	fmt.Fprintln(&b, u.String())
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "link", u)
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "link", u)
	js, _ := json.Marshal(map[string]any{"link": u})
	b.Write(js)
	if strings.Contains(b.String(), tok) {
		t.Errorf("the token shows:\n%s", b.String())
	}
	if !strings.Contains(b.String(), "SigninToken=[hidden]") || !strings.Contains(b.String(), url.QueryEscape(dest)) {
		t.Errorf("the masked form says too little:\n%s", b.String())
	}
	if u.Reveal() != link || !u.Secret() {
		t.Errorf("Reveal = %q", u.Reveal())
	}
	portal := &URL{link: new(string), Method: Portal}
	if portal.Secret() {
		t.Error("a portal link is no secret")
	}
	var nilURL *URL
	if nilURL.Reveal() != "" || nilURL.String() != "<nil>" || nilURL.Secret() {
		t.Error("nil URL")
	}
	if got := ServiceNames(); !slices.IsSorted(got) || !slices.Contains(got, "s3") {
		t.Errorf("ServiceNames = %v", got)
	}
}
