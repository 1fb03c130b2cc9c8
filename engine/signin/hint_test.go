package signin

import "testing"

// The hint is a command to paste: the profile name is quoted for a shell
// (review 1, L11).
func TestLoginHintQuotes(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"dev":    "sign in with the AWS CLI instead: aws login --profile dev",
		"my dev": "sign in with the AWS CLI instead: aws login --profile 'my dev'",
		"a;b":    "sign in with the AWS CLI instead: aws login --profile 'a;b'",
		"":       "sign in with the AWS CLI (aws login) instead",
	} {
		if got := loginHint(name); got != want {
			t.Errorf("loginHint(%q) = %q, want %q", name, got, want)
		}
	}
}
