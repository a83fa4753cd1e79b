package walletsdk

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/sdjwt"
)

const maxX5C = 8 // certificates in an x5c header

// issuerAlgs are the issuer signature algorithms the wallet accepts (HAIP: ES256).
var issuerAlgs = []jwa.SignatureAlgorithm{jwa.ES256, jwa.ES384, jwa.ES512}

// registeredClaims are hidden from Credential.Claims: they are metadata, not holder attributes.
var registeredClaims = []string{"iss", "iat", "nbf", "exp", "vct", "vct#integrity", "cnf", "status"}

// verifyIssued checks the issuer signature with the x5c leaf key and the SD-JWT structure.
// The x5c chain must be internally consistent (each certificate signed by the next); when
// atTime is set the leaf must be valid then. Trust in the chain's root is not decided here.
func verifyIssued(raw string, atTime time.Time) (*sdjwt.Verified, error) {
	resolve := func(h jws.Headers) (crypto.PublicKey, error) {
		leaf, err := x5cLeaf(h, atTime)
		if err != nil {
			return nil, err
		}
		return leaf.PublicKey, nil
	}
	v, err := sdjwt.Verify(raw, sdjwt.VerifyOptions{IssuerKey: resolve, AllowedAlgs: issuerAlgs})
	if err != nil {
		code := CodeInvalidCredential
		if sdjwt.ErrorCode(err) == sdjwt.CodeSignatureInvalid {
			code = CodeBadSignature
		}
		return nil, newErr(code, "issuer-signed SD-JWT does not verify", err)
	}
	if typ := v.Header.Type(); typ != "dc+sd-jwt" && typ != "vc+sd-jwt" {
		return nil, newErr(CodeInvalidCredential, "issuer JWT typ is "+quote(typ)+", want dc+sd-jwt", nil)
	}
	return v, nil
}

func x5cLeaf(h jws.Headers, atTime time.Time) (*x509.Certificate, error) {
	c := h.X509CertChain()
	if c == nil {
		return nil, newErr(CodeInvalidCredential, "issuer JWT has no x5c header", nil)
	}
	if c.Len() == 0 || c.Len() > maxX5C {
		return nil, newErr(CodeInvalidCredential, "x5c must hold 1 to 8 certificates", nil)
	}
	// jwx keeps x5c entries as their base64 (standard, padded) text; certs.ParseX5C admits
	// only its canonical spelling.
	x5c := make([]string, c.Len())
	for i := range x5c {
		b, _ := c.Get(i)
		x5c[i] = string(b)
	}
	chain, err := certs.ParseX5C(x5c)
	if err != nil {
		return nil, newErr(CodeInvalidCredential, "x5c is not a list of certificates in canonical standard base64", err)
	}
	for i := 0; i+1 < len(chain); i++ {
		if err := chain[i].CheckSignatureFrom(chain[i+1]); err != nil {
			return nil, newErr(CodeInvalidCredential, "x5c chain is not linked", err)
		}
	}
	leaf := chain[0]
	if !atTime.IsZero() && (atTime.Before(leaf.NotBefore) || atTime.After(leaf.NotAfter)) {
		return nil, newErr(CodeInvalidCredential, "issuer certificate is not valid now", nil)
	}
	return leaf, nil
}

// checkReceived verifies a freshly issued credential before it is stored: issuer signature and
// structure, typ, vct as offered, cnf.jwk equal to our device key, exp not passed.
func (w *Wallet) checkReceived(raw, wantVCT string, device crypto.Signer) (*storedCredential, error) {
	now := w.now()
	v, err := verifyIssued(raw, now)
	if err != nil {
		return nil, err
	}
	if tok, err := sdjwt.Parse(raw); err != nil || tok.KeyBinding != "" {
		return nil, newErr(CodeInvalidCredential, "an issued credential must end with '~' and carry no KB-JWT", err)
	}
	vct, _ := v.Claims["vct"].(string)
	if vct != wantVCT {
		return nil, newErr(CodeVCTMismatch, "credential vct is "+quote(vct)+", the offer's is "+quote(wantVCT), nil)
	}
	if v.HolderKey == nil {
		return nil, newErr(CodeKeyMismatch, "credential has no cnf.jwk holder binding", nil)
	}
	ours, err := publicJWK(device)
	if err != nil {
		return nil, err
	}
	same, err := sameKey(v.HolderKey, ours)
	if err != nil {
		return nil, newErr(CodeInvalidCredential, "cnf.jwk", err)
	}
	if !same {
		return nil, newErr(CodeKeyMismatch, "credential is bound to another key than the device key", nil)
	}
	rec := &storedCredential{VCT: vct, Raw: raw}
	rec.Issuer, _ = v.Claims["iss"].(string)
	rec.IssuedAt = numericDate(v.Claims["iat"])
	rec.ExpiresAt = numericDate(v.Claims["exp"])
	if !rec.ExpiresAt.IsZero() && !rec.ExpiresAt.After(now) {
		return nil, newErr(CodeInvalidCredential, "credential is already expired", nil)
	}
	return rec, nil
}

// sameKey compares two public JWKs by RFC 7638 thumbprint.
func sameKey(a, b jwk.Key) (bool, error) {
	ta, err := a.Thumbprint(crypto.SHA256)
	if err != nil {
		return false, err
	}
	tb, err := b.Thumbprint(crypto.SHA256)
	if err != nil {
		return false, err
	}
	return bytes.Equal(ta, tb), nil
}

func numericDate(v any) time.Time {
	if f, ok := v.(float64); ok && f > 0 && f < 1<<40 {
		return time.Unix(int64(f), 0).UTC()
	}
	return time.Time{}
}

// view builds the UI form of a stored credential. The stored SD-JWT is re-verified (signature
// and structure; not certificate expiry) so a record can never show claims it does not prove.
func (w *Wallet) view(rec *storedCredential) (*Credential, error) {
	if rec.isMdoc() {
		return viewMdoc(rec)
	}
	v, err := verifyIssued(rec.Raw, time.Time{})
	if err != nil {
		return nil, newErr(CodeStoreTampered, "stored credential "+rec.ID+" no longer verifies", err)
	}
	tok, err := sdjwt.Parse(rec.Raw)
	if err != nil {
		return nil, newErr(CodeStoreTampered, "stored credential "+rec.ID, err)
	}
	paths, err := tok.Paths()
	if err != nil {
		return nil, newErr(CodeStoreTampered, "stored credential "+rec.ID, err)
	}
	claims := make(map[string]any, len(v.Claims))
	for k, val := range v.Claims {
		claims[k] = val
	}
	for _, k := range registeredClaims {
		delete(claims, k)
	}
	var disclosable []string
	for _, p := range paths {
		if name, ok := strings.CutPrefix(p, "/"); ok && !strings.Contains(name, "/") {
			disclosable = append(disclosable, strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~"))
		}
	}
	return &Credential{
		ID: rec.ID, Format: FormatSDJWT, VCT: rec.VCT, Issuer: rec.Issuer, ConfigurationID: rec.ConfigurationID, KeyID: rec.KeyID,
		IssuedAt: rec.IssuedAt, ExpiresAt: rec.ExpiresAt, Claims: claims, Disclosable: disclosable,
	}, nil
}
