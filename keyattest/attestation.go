package keyattest

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/internal/b64url"
	"github.com/idgate/idgate/internal/jsonscan"
	"github.com/idgate/idgate/statuslist"
)

// Typ is the JOSE typ of a key attestation (Appendix D.1).
const Typ = "key-attestation+jwt"

// Attack potential resistance values of key_storage and user_authentication (Appendix D.2),
// from the strongest to the weakest.
const (
	ISO18045High          = "iso_18045_high"
	ISO18045Moderate      = "iso_18045_moderate"
	ISO18045EnhancedBasic = "iso_18045_enhanced-basic"
	ISO18045Basic         = "iso_18045_basic"
)

var isoLevels = []string{ISO18045High, ISO18045Moderate, ISO18045EnhancedBasic, ISO18045Basic}

// Bounds on untrusted input: an attestation is a few KiB (a short x5c chain, a few keys).
const (
	MaxBytes        = 16 << 10
	maxAttestedKeys = 16
	maxLevels       = 8
)

// Algs are the signature algorithms accepted by default: those idgate's issuer lists in
// proof_signing_alg_values_supported.
var Algs = []jwa.SignatureAlgorithm{jwa.ES256, jwa.ES384, jwa.ES512, jwa.EdDSA}

// Attestation is a parsed key attestation. Parse fills it from the bytes alone; Verify also
// sets Signer (the wallet provider certificate whose key signed it).
type Attestation struct {
	Alg   jwa.SignatureAlgorithm
	KeyID string   // kid header: names a pinned wallet provider certificate
	X5C   []string // x5c header: the signing chain, leaf first (standard base64 DER)

	Issuer             string    // iss, the wallet provider (optional)
	IssuedAt           time.Time // iat
	ExpiresAt          time.Time // exp; zero when absent
	AttestedKeys       []jwk.Key // public keys, at least one
	KeyStorage         []string  // key_storage levels asserted (optional)
	UserAuthentication []string  // user_authentication levels asserted (optional)
	Certification      string    // certification URL (optional)
	Nonce              string    // the issuer's c_nonce, when the wallet had one
	Status             *statuslist.Reference

	SignerCN string // Subject CN of the verified signing certificate (Verify only)
	compact  []byte
	// otherStatus: a status object without status_list, a mechanism this package cannot check.
	otherStatus bool
}

type header struct {
	Alg        string          `json:"alg"`
	Typ        string          `json:"typ"`
	Kid        string          `json:"kid"`
	X5C        []string        `json:"x5c"`
	JWK        json.RawMessage `json:"jwk"`
	TrustChain json.RawMessage `json:"trust_chain"`
	Crit       []string        `json:"crit"`
}

type claims struct {
	Iss                string            `json:"iss"`
	Iat                *int64            `json:"iat"`
	Exp                *int64            `json:"exp"`
	AttestedKeys       []json.RawMessage `json:"attested_keys"`
	KeyStorage         []string          `json:"key_storage"`
	UserAuthentication []string          `json:"user_authentication"`
	Certification      *string           `json:"certification"`
	Nonce              *string           `json:"nonce"`
	Status             *struct {
		StatusList *struct {
			Idx *int    `json:"idx"`
			URI *string `json:"uri"`
		} `json:"status_list"`
	} `json:"status"`
}

// Parse reads a key attestation without checking its signature or times: the JWS compact
// form, typ key-attestation+jwt, an allowed asymmetric alg, the signer named by x5c or kid
// (not both; never jwk or trust_chain), and the Appendix D.1 claims with their types.
// Unknown claims are ignored, as JWT processing requires.
func Parse(compact []byte) (*Attestation, error) {
	if len(compact) == 0 || len(compact) > MaxBytes {
		return nil, newErr(ErrMalformed, nil, "size %d bytes, want 1..%d", len(compact), MaxBytes)
	}
	parts := bytes.Split(compact, []byte("."))
	if len(parts) != 3 || len(parts[0]) == 0 || len(parts[1]) == 0 || len(parts[2]) == 0 {
		return nil, newErr(ErrMalformed, nil, "not a compact JWS")
	}
	var raw [3][]byte
	for i, p := range parts {
		b, err := b64url.Decode(string(p))
		if err != nil {
			return nil, newErr(ErrMalformed, nil, "JWS part %d is not base64url", i)
		}
		raw[i] = b
	}
	var h header
	if err := jsonscan.Decode(raw[0], &h, jsonscan.Options{IgnoreUnknown: true}); err != nil {
		return nil, newErr(ErrMalformed, err, "header")
	}
	a := &Attestation{Alg: jwa.SignatureAlgorithm(h.Alg), KeyID: h.Kid, X5C: h.X5C, compact: bytes.Clone(compact)}
	switch {
	case h.Typ != Typ:
		return nil, newErr(ErrType, nil, "typ must be %s", Typ)
	case !slices.Contains(Algs, a.Alg):
		return nil, newErr(ErrAlg, nil, "alg %s not allowed", strings.ToValidUTF8(h.Alg, "?"))
	case len(h.Crit) > 0:
		return nil, newErr(ErrMalformed, nil, "crit header parameters are not understood")
	case h.JWK != nil || h.TrustChain != nil:
		return nil, newErr(ErrUntrusted, nil, "the signer must be named by x5c or kid (a jwk or trust_chain header is not accepted)")
	case (h.Kid == "") == (len(h.X5C) == 0):
		return nil, newErr(ErrUntrusted, nil, "the signer must be named by exactly one of x5c and kid")
	}
	var c claims
	if err := jsonscan.Decode(raw[1], &c, jsonscan.Options{IgnoreUnknown: true}); err != nil {
		return nil, newErr(ErrMalformed, err, "claims")
	}
	if err := a.fill(&c); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *Attestation) fill(c *claims) error {
	if c.Iat == nil {
		return newErr(ErrMalformed, nil, "iat is required")
	}
	a.IssuedAt = time.Unix(*c.Iat, 0)
	if c.Exp != nil {
		a.ExpiresAt = time.Unix(*c.Exp, 0)
		if !a.ExpiresAt.After(a.IssuedAt) {
			return newErr(ErrMalformed, nil, "exp is not after iat")
		}
	}
	a.Issuer = c.Iss
	if len(c.AttestedKeys) == 0 || len(c.AttestedKeys) > maxAttestedKeys {
		return newErr(ErrMalformed, nil, "attested_keys must hold 1..%d keys, has %d", maxAttestedKeys, len(c.AttestedKeys))
	}
	for i, rk := range c.AttestedKeys {
		k, err := jwk.ParseKey(rk)
		if err != nil {
			return newErr(ErrMalformed, nil, "attested_keys[%d] is not a JWK", i)
		}
		if !isPublic(k) {
			return newErr(ErrMalformed, nil, "attested_keys[%d] is not a public key", i)
		}
		a.AttestedKeys = append(a.AttestedKeys, k)
	}
	for _, l := range []struct {
		name string
		vals []string
		dst  *[]string
	}{{"key_storage", c.KeyStorage, &a.KeyStorage}, {"user_authentication", c.UserAuthentication, &a.UserAuthentication}} {
		if l.vals == nil {
			continue
		}
		if len(l.vals) == 0 || len(l.vals) > maxLevels || slices.Contains(l.vals, "") {
			return newErr(ErrMalformed, nil, "%s must be a non-empty array of 1..%d non-empty strings", l.name, maxLevels)
		}
		*l.dst = l.vals
	}
	if c.Certification != nil {
		if *c.Certification == "" {
			return newErr(ErrMalformed, nil, "certification is empty")
		}
		a.Certification = *c.Certification
	}
	if c.Nonce != nil {
		if *c.Nonce == "" {
			return newErr(ErrMalformed, nil, "nonce is empty")
		}
		a.Nonce = *c.Nonce
	}
	if c.Status != nil && c.Status.StatusList == nil {
		a.otherStatus = true
	}
	if c.Status != nil && c.Status.StatusList != nil {
		sl := c.Status.StatusList
		if sl.Idx == nil || *sl.Idx < 0 || sl.URI == nil || *sl.URI == "" {
			return newErr(ErrMalformed, nil, "status.status_list needs idx >= 0 and uri")
		}
		a.Status = &statuslist.Reference{Index: *sl.Idx, URI: *sl.URI}
	}
	return nil
}

// isPublic reports whether k is an asymmetric public key (not a private or symmetric one).
func isPublic(k jwk.Key) bool {
	switch k.(type) {
	case jwk.ECDSAPublicKey, jwk.RSAPublicKey, jwk.OKPPublicKey:
		return true
	}
	return false
}
