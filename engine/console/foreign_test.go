package console

import "testing"

// TestForeignEndpoint: the hosts a front end warns of, as it is sent the
// secret key and the session token (review 1, L2).
func TestForeignEndpoint(t *testing.T) {
	t.Parallel()
	for endpoint, want := range map[string]string{
		"https://signin.aws.amazon.com/federation":              "",
		"https://SIGNIN.AWS.AMAZON.COM./federation":             "",
		"https://eu-west-1.signin.aws.amazon.com/federation":    "",
		"https://us-gov-west-1.signin.amazonaws-us-gov.com/fed": "",
		"https://signin.amazonaws.cn/federation":                "",
		"https://signin.amazonaws-eusc.eu/federation":           "",
		"http://127.0.0.1:8080/federation":                      "",
		"http://localhost/federation":                           "",
		"https://[::1]:9/federation":                            "",
		"https://signin.example.net/federation":                 "signin.example.net",
		"https://evil.signin.aws.amazon.com/federation":         "evil.signin.aws.amazon.com",
		"https://a.b.signin.aws.amazon.com/federation":          "a.b.signin.aws.amazon.com",
		"https://signin.aws.amazon.com.evil.example/federation": "signin.aws.amazon.com.evil.example",
		"https://aws.amazon.com/federation":                     "aws.amazon.com",
		"https://10.0.0.1/federation":                           "10.0.0.1",
		"http://signin.example.net/federation":                  "", // refused by CheckEndpoint: never used
		"not a url":                                             "",
		"":                                                      "",
	} {
		if got := ForeignEndpoint(endpoint); got != want {
			t.Errorf("ForeignEndpoint(%q) = %q, want %q", endpoint, got, want)
		}
	}
}
