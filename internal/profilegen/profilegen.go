// Package profilegen writes an AWS config and credentials file holding
// many profiles, the way a large organisation's generated config looks:
// for the listing benchmark (bench/genprofiles, make bench) and the
// engine's tests and Go benchmarks of it, which must measure the same
// files.
package profilegen

import (
	"fmt"
	"strings"
)

// Generate returns the text of a config file and a credentials file
// holding n profiles, p0000, p0001, ...: 40% static keys in the
// credentials file (their region in the config), 30% roles with a source
// profile, 20% sso-session, 10% credential_process, each with a region,
// plus [default] and one [sso-session corp]. p0000 has static keys.
func Generate(n int) (config, credentials string) {
	var c, k strings.Builder
	c.WriteString("[default]\nregion = us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n")
	for i := range n {
		name := fmt.Sprintf("p%04d", i)
		switch i % 10 {
		case 0, 1, 2, 3:
			fmt.Fprintf(&k, "[%s]\naws_access_key_id = AKIA%016d\naws_secret_access_key = secret%036d\n\n", name, i, i)
			fmt.Fprintf(&c, "\n[profile %s]\nregion = eu-west-1\noutput = json\n", name)
		case 4, 5, 6:
			fmt.Fprintf(&c, "\n[profile %s]\nrole_arn = arn:aws:iam::%012d:role/Admin\nsource_profile = p%04d\nregion = eu-west-1\nrole_session_name = me\n", name, i, i/10*10)
		case 7, 8:
			fmt.Fprintf(&c, "\n[profile %s]\nsso_session = corp\nsso_account_id = %012d\nsso_role_name = ReadOnly\nregion = us-west-2\n", name, i)
		default:
			fmt.Fprintf(&c, "\n[profile %s]\ncredential_process = /usr/local/bin/creds --account %d\nregion = ap-south-1\n", name, i)
		}
	}
	return c.String(), k.String()
}
