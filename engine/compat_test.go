package engine

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsxc/awsxc/internal/fakeaws"
)

// The tests of issue 10's "same answers as the AWS CLI" items read the
// fixtures under testdata/compat/ITEM (a config and a credentials file,
// written for each case and checked with the AWS CLI v2, botocore and the
// JS SDK v3), with the Go SDK in this process and, where the comparison
// is the point, with the AWS CLI v2 at /usr/bin/aws against the same fake
// STS.

// compatEnv writes the fixture item's files for the fake (see
// fakeaws.Server.Files; with a nil fake, as they are), with each "DIR" in
// them replaced by the test's folder, and returns the folder and an Env
// reading them.
func compatEnv(t *testing.T, fake *fakeaws.Server, item string) (string, Env) {
	t.Helper()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", "compat", item, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tmp := t.TempDir()
	config := strings.ReplaceAll(read("config"), "DIR", tmp)
	creds := strings.ReplaceAll(read("credentials"), "DIR", tmp)
	if fake == nil {
		cf, kf := filepath.Join(tmp, "config"), filepath.Join(tmp, "credentials")
		for p, body := range map[string]string{cf: config, kf: creds} {
			if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return tmp, Env{ConfigFile: cf, CredentialsFile: kf, Home: tmp, Dir: tmp, CacheDir: filepath.Join(tmp, "cache")}
	}
	dir, cf, kf := fake.Files(t, config, creds)
	return tmp, Env{ConfigFile: cf, CredentialsFile: kf, Home: dir, Dir: dir, CacheDir: filepath.Join(dir, "cache")}
}

// errorKind returns which sentinel err wraps, for table tests.
func errorKind(err error) error {
	for _, s := range []error{ErrNoCredentials, ErrResolve, ErrSSOLoginRequired, ErrLoginRequired, ErrProfileNotFound, ErrInvalidConfig, ErrMFARequired, ErrRecursion} {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}

// awsCLIPath is the Debian AWS CLI v2; "aws" on PATH may be a v1 shim.
const awsCLIPath = "/usr/bin/aws"

// needAWSCLI skips the test when the AWS CLI v2 is missing, and fails it
// under CI.
func needAWSCLI(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(awsCLIPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing (apt install awscli): %v", awsCLIPath, err)
		}
		t.Skipf("%s is missing (apt install awscli): %v", awsCLIPath, err)
	}
}

// awsCLIResult is what one run of the AWS CLI gave.
type awsCLIResult struct {
	stdout, stderr string
	code           int
}

// awsCLI runs /usr/bin/aws with args on env's files, in a scratch HOME
// (the CLI caches assumed roles under ~/.aws/cli/cache), with its STS and
// SSO calls sent to fake. That CLI (2.9) predates AWS_ENDPOINT_URL_STS:
// AWS_DATA_PATH gives it endpoint rule sets whose one rule is the fake's
// URL.
func awsCLI(t *testing.T, fake *fakeaws.Server, env Env, home string, args ...string) awsCLIResult {
	t.Helper()
	data := t.TempDir()
	ruleset := `{"version":"1.0","parameters":{"Region":{"builtIn":"AWS::Region","required":false,"documentation":"r","type":"String"}},` +
		`"rules":[{"conditions":[],"endpoint":{"url":"` + fake.URL + `","properties":{},"headers":{}},"type":"endpoint"}]}`
	for _, svc := range []string{"sts/2011-06-15", "sso/2019-06-10"} {
		d := filepath.Join(data, svc)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "endpoint-rule-set-1.json"), []byte(ruleset), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if home == "" {
		home = t.TempDir()
	}
	cmd := exec.CommandContext(context.Background(), awsCLIPath, args...)
	cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "AWS_DATA_PATH=" + data,
		"AWS_CONFIG_FILE=" + env.ConfigFile, "AWS_SHARED_CREDENTIALS_FILE=" + env.CredentialsFile,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER="}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return awsCLIResult{out.String(), errb.String(), code}
}

// callsOf lists the fake's calls from index from on, as "Action RoleArn
// by KEY".
func callsOf(fake *fakeaws.Server, from int) []string {
	var out []string
	for _, c := range fake.Calls()[from:] {
		s := c.Action
		if arn := c.Form.Get("RoleArn"); arn != "" {
			s += " " + arn[strings.LastIndexByte(arn, '/')+1:]
		}
		out = append(out, s+" by "+c.SignedBy)
	}
	return out
}
