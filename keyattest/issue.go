package keyattest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/json"
	"time"

	"github.com/lestrrat-go/jwx/v2/cert"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/statuslist"
)

// Claims is what a wallet provider asserts in a key attestation it issues.
type Claims struct {
	Issuer             string // iss, the wallet provider's identifier (optional)
	IssuedAt           time.Time
	ExpiresAt          time.Time // zero: no exp (then the attestation cannot go in a jwt proof)
	AttestedKeys       []crypto.PublicKey
	KeyStorage         []string
	UserAuthentication []string
	Certification      string
	Nonce              string // the issuer's c_nonce the wallet passed on
	Status             *statuslist.Reference
}

// Issue signs a key attestation with signer (a P-256 wallet provider key, ES256) and names the
// signer by its chain in x5c. ByKID names it instead by the thumbprint of its key.
func Issue(signer certs.Signer, c Claims) (string, error) { return issue(signer, c, false) }

// IssueByKID is Issue with the signer named by kid, the RFC 7638 thumbprint of its key (the
// verifier pins the certificate in its trust list).
func IssueByKID(signer certs.Signer, c Claims) (string, error) { return issue(signer, c, true) }

func issue(signer certs.Signer, c Claims, byKID bool) (string, error) {
	pub, ok := signer.Public().(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return "", newErr(ErrAlg, nil, "the wallet provider key must be P-256 (ES256)")
	}
	if len(c.AttestedKeys) == 0 || len(c.AttestedKeys) > maxAttestedKeys {
		return "", newErr(ErrMalformed, nil, "attest 1..%d keys", maxAttestedKeys)
	}
	body := map[string]any{"iat": c.IssuedAt.Unix()}
	keys := make([]jwk.Key, len(c.AttestedKeys))
	for i, k := range c.AttestedKeys {
		jk, err := jwk.FromRaw(k)
		if err != nil || !isPublic(jk) {
			return "", newErr(ErrMalformed, err, "attested key %d is not a public key", i)
		}
		keys[i] = jk
	}
	body["attested_keys"] = keys
	if !c.ExpiresAt.IsZero() {
		body["exp"] = c.ExpiresAt.Unix()
	}
	for name, v := range map[string]string{"iss": c.Issuer, "certification": c.Certification, "nonce": c.Nonce} {
		if v != "" {
			body[name] = v
		}
	}
	for name, v := range map[string][]string{"key_storage": c.KeyStorage, "user_authentication": c.UserAuthentication} {
		if len(v) > 0 {
			body[name] = v
		}
	}
	if c.Status != nil {
		body["status"] = map[string]any{"status_list": c.Status}
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return "", newErr(ErrMalformed, err, "claims")
	}
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, Typ); err != nil {
		return "", err
	}
	if byKID {
		tp, err := Thumbprint(pub)
		if err != nil {
			return "", err
		}
		err = hdr.Set(jws.KeyIDKey, tp)
		if err != nil {
			return "", err
		}
	} else {
		var chain cert.Chain
		for _, c := range certs.EncodeX5C(signer.Chain()) {
			if err := chain.AddString(c); err != nil {
				return "", err
			}
		}
		if err := hdr.Set(jws.X509CertChainKey, &chain); err != nil {
			return "", err
		}
	}
	out, err := jws.Sign(payload, jws.WithKey(jwa.ES256, signer, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", newErr(ErrSignature, err, "sign")
	}
	return string(out), nil
}
