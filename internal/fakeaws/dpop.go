package fakeaws

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// dpopMaxAge bounds how far a proof's iat may be from the server's clock.
const dpopMaxAge = 5 * time.Minute

// dpopProof is what a verified DPoP proof tells the server.
type dpopProof struct {
	thumbprint string // RFC 7638 SHA-256 thumbprint of the public key
	jti        string
	iat        time.Time
}

// verifyDPoP checks a DPoP proof (RFC 9449 §4.3) the way the signin
// service must for CreateOAuth2Token: a JWT with typ dpop+jwt, alg ES256
// and the P-256 public key in jwk (AWS signin always uses P-256: Go SDK
// credentials/logincreds/dpop.go, botocore utils.py build_dpop_header),
// the signature a raw r||s pair over header.payload, htm and htu matching
// the request, and iat within dpopMaxAge of now. Replay (jti reuse) is the
// caller's check.
func verifyDPoP(proof, method, htu string, now time.Time) (dpopProof, error) {
	parts := strings.Split(proof, ".")
	if len(parts) != 3 {
		return dpopProof{}, errors.New("dpop proof is not a JWS compact serialization")
	}
	var hdr struct {
		Typ string `json:"typ"`
		Alg string `json:"alg"`
		Jwk struct {
			Kty string `json:"kty"`
			Crv string `json:"crv"`
			X   string `json:"x"`
			Y   string `json:"y"`
		} `json:"jwk"`
	}
	if err := decodeSegment(parts[0], &hdr); err != nil {
		return dpopProof{}, fmt.Errorf("dpop header: %w", err)
	}
	switch {
	case hdr.Typ != "dpop+jwt":
		return dpopProof{}, fmt.Errorf("dpop typ %q, want dpop+jwt", hdr.Typ)
	case hdr.Alg != "ES256":
		return dpopProof{}, fmt.Errorf("dpop alg %q, want ES256", hdr.Alg)
	case hdr.Jwk.Kty != "EC" || hdr.Jwk.Crv != "P-256":
		return dpopProof{}, errors.New("dpop jwk is not an EC P-256 key")
	}
	x, errX := base64.RawURLEncoding.DecodeString(hdr.Jwk.X)
	y, errY := base64.RawURLEncoding.DecodeString(hdr.Jwk.Y)
	// RFC 7518 §6.2.1.2 wants exactly 32 bytes; the Go SDK writes
	// big.Int.Bytes(), which drops leading zero bytes, so shorter values
	// are accepted and padded (what the real service does is not known).
	if errX != nil || errY != nil || len(x) == 0 || len(x) > 32 || len(y) == 0 || len(y) > 32 {
		return dpopProof{}, errors.New("dpop jwk coordinates are malformed")
	}
	pt := make([]byte, 65)
	pt[0] = 4
	copy(pt[1+32-len(x):33], x)
	copy(pt[33+32-len(y):], y)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pt)
	if err != nil {
		return dpopProof{}, fmt.Errorf("dpop jwk: %w", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return dpopProof{}, errors.New("dpop signature is not a 64-byte r||s pair")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return dpopProof{}, errors.New("dpop signature does not verify")
	}
	var claims struct {
		Jti string `json:"jti"`
		Htm string `json:"htm"`
		Htu string `json:"htu"`
		Iat *int64 `json:"iat"`
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return dpopProof{}, fmt.Errorf("dpop payload: %w", err)
	}
	switch {
	case claims.Jti == "":
		return dpopProof{}, errors.New("dpop jti is missing")
	case claims.Htm != method:
		return dpopProof{}, fmt.Errorf("dpop htm %q, want %q", claims.Htm, method)
	case stripQuery(claims.Htu) != htu:
		return dpopProof{}, fmt.Errorf("dpop htu %q, want %q", claims.Htu, htu)
	case claims.Iat == nil:
		return dpopProof{}, errors.New("dpop iat is missing")
	}
	iat := time.Unix(*claims.Iat, 0)
	if d := now.Sub(iat); d > dpopMaxAge || d < -dpopMaxAge {
		return dpopProof{}, fmt.Errorf("dpop iat is %v away from the server clock", d.Round(time.Second))
	}
	// RFC 7638: the required members, in lexical order, no whitespace,
	// over the key's canonical 32-byte coordinates: one key is one
	// binding however its proofs spell it. botocore pads, the Go SDK does
	// not, and both refresh sessions aws login (or awsxc) started, so a
	// thumbprint over the strings as sent would refuse the Go SDK's
	// refresh of a key whose X or Y starts with a zero byte (1 in 128).
	b64 := base64.RawURLEncoding.EncodeToString
	thumb := sha256.Sum256([]byte(`{"crv":"P-256","kty":"EC","x":"` + b64(pt[1:33]) + `","y":"` + b64(pt[33:]) + `"}`))
	return dpopProof{thumbprint: b64(thumb[:]), jti: claims.Jti, iat: iat}, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// stripQuery drops the query and fragment, which htu comparisons ignore
// (RFC 9449 §4.3 step 9).
func stripQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}
