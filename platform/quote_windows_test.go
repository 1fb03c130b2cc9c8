package platform

import "testing"

func TestPSString(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "MFA code for dev:", "'MFA code for dev:'"},
		{"ascii_quote", "bob's", "'bob''s'"},
		{"left_single", "a\u2018b", "'a\u2018\u2018b'"},
		{"right_single", "a\u2019); calc; ('", "'a\u2019\u2019); calc; ('''"},
		{"low_9", "a\u201Ab", "'a\u201A\u201Ab'"},
		{"reversed_9", "a\u201Bb", "'a\u201B\u201Bb'"},
		{"double_quotes_left", "a\"b\u201Cc", "'a\"b\u201Cc'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := psString(tt.in); got != tt.want {
				t.Errorf("psString(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
