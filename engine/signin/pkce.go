package signin

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// verifierAlphabet is RFC 7636's unreserved characters, from which the
// AWS CLI draws its 64-character verifiers (botocore utils.py
// SSOTokenFetcherAuth, login/utils.py BaseLoginTokenFetcher).
const verifierAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

// newVerifier returns a PKCE code verifier: 64 characters drawn
// uniformly from verifierAlphabet with crypto/rand.
func newVerifier() string {
	b := make([]byte, 0, 64)
	var buf [1]byte
	for len(b) < 64 {
		rand.Read(buf[:])
		// 66 characters: reject 198..255 so that every one is equally likely.
		if int(buf[0]) < 3*len(verifierAlphabet) {
			b = append(b, verifierAlphabet[int(buf[0])%len(verifierAlphabet)])
		}
	}
	return string(b)
}

// challengeS256 is the S256 code challenge of a verifier (RFC 7636
// §4.2): base64url of its SHA-256 without padding, the 43 characters the
// AWS CLI sends after trimming the one '='.
func challengeS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// newUUID returns a random (version 4) UUID, the AWS CLI's state and the
// DPoP proofs' jti.
func newUUID() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}

// pctEncode encodes query parameters in order as botocore's
// percent_encode_sequence does: every byte but A-Z a-z 0-9 - _ . ~ as
// %XX (a space is %20, not +).
func pctEncode(pairs [][2]string) string {
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		pctEscape(&b, p[0])
		b.WriteByte('=')
		pctEscape(&b, p[1])
	}
	return b.String()
}

func pctEscape(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}
