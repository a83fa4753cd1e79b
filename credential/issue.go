package credential

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"sort"
	"time"

	"github.com/lestrrat-go/jwx/v2/cert"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/sdjwt"
)

// Typ is the SD-JWT VC media type we issue; LegacyTyp is still accepted on input.
const (
	Typ       = "dc+sd-jwt"
	LegacyTyp = "vc+sd-jwt"
)

// neverDisclosable are the claims SD-JWT VC forbids from being selectively disclosable.
var neverDisclosable = map[string]bool{
	"iss": true, "nbf": true, "exp": true, "cnf": true, "vct": true, "vct#integrity": true,
	"status": true, "iat": true,
}

// StatusRef is the credential's entry in a Token Status List.
type StatusRef struct {
	Index int
	URI   string
}

// IssueRequest is everything the issuer decided about one credential.
type IssueRequest struct {
	Type      Type
	Issuer    string         // iss: the issuer identifier, a SAN URI of the signing certificate
	Subject   map[string]any // from SubjectClaims
	HolderKey crypto.PublicKey
	Status    StatusRef
	IssuedAt  time.Time
	ExpiresAt time.Time
	Decoys    int
}

// Issue signs an SD-JWT VC: registered claims in the clear, every subject claim selectively
// disclosable (driving privileges also per element), the issuer chain in x5c.
func Issue(req IssueRequest, signer certs.Signer) (string, error) {
	spec, ok := specs[req.Type]
	if !ok {
		return "", newError(CodeInvalidRequest, "unknown credential type %q", req.Type)
	}
	if req.Issuer == "" || req.Status.URI == "" || req.Status.Index < 0 {
		return "", newError(CodeInvalidRequest, "issuer and status reference are required")
	}
	if !req.ExpiresAt.After(req.IssuedAt) {
		return "", newError(CodeInvalidRequest, "expiry must follow issuance")
	}
	holder, err := jwk.FromRaw(req.HolderKey)
	if err != nil {
		return "", wrapError(CodeInvalidRequest, err, "holder key")
	}
	holderJSON, err := publicJWKMap(holder)
	if err != nil {
		return "", err
	}
	claims := make(map[string]any, len(req.Subject)+8)
	var sdPaths []string
	for k, v := range req.Subject {
		if neverDisclosable[k] {
			return "", newError(CodeInvalidRequest, "subject claim %q collides with a registered claim", k)
		}
		claims[k] = v
		sdPaths = append(sdPaths, "/"+k)
	}
	if _, ok := req.Subject["driving_privileges"]; ok {
		sdPaths = append(sdPaths, "/driving_privileges/*")
	}
	sort.Strings(sdPaths)
	claims["iss"] = req.Issuer
	claims["vct"] = spec.VCT
	claims["iat"] = req.IssuedAt.Unix()
	claims["nbf"] = req.IssuedAt.Unix()
	claims["exp"] = req.ExpiresAt.Unix()
	claims["cnf"] = map[string]any{"jwk": holderJSON}
	claims["status"] = map[string]any{"status_list": map[string]any{"idx": req.Status.Index, "uri": req.Status.URI}}

	chain := signer.Chain()
	if len(chain) == 0 {
		return "", newError(CodeInternal, "signer has no certificate chain")
	}
	var x5c cert.Chain
	for _, c := range chain {
		if err := x5c.AddString(base64.StdEncoding.EncodeToString(c.Raw)); err != nil {
			return "", wrapError(CodeInternal, err, "x5c")
		}
	}
	// kid is the signing key's RFC 7638 thumbprint, the kid the issuer's JWKS publishes it under.
	sk, err := jwk.FromRaw(signer.Public())
	if err != nil {
		return "", wrapError(CodeInternal, err, "signer key")
	}
	tp, err := sk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", wrapError(CodeInternal, err, "signer key thumbprint")
	}
	decoys := req.Decoys
	if decoys == 0 {
		decoys = 2
	}
	out, err := sdjwt.Issue(claims, sdPaths, sdjwt.IssueOptions{
		Signer:  signer,
		Alg:     jwa.ES256,
		Header:  map[string]any{"typ": Typ, "x5c": &x5c, "kid": base64.RawURLEncoding.EncodeToString(tp)},
		Decoys:  decoys,
		HashAlg: "sha-256",
	})
	if err != nil {
		return "", wrapError(CodeInternal, err, "sign")
	}
	return out, nil
}

// publicJWKMap renders a public JWK as a plain JSON object for cnf.jwk (RFC 7517 encoding:
// base64url coordinates, which is why it goes through the key's own JSON marshaller).
func publicJWKMap(k jwk.Key) (map[string]any, error) {
	pub, err := k.PublicKey()
	if err != nil {
		return nil, wrapError(CodeInvalidRequest, err, "holder key")
	}
	return JWKMap(pub)
}

// JWKMap returns the RFC 7517 JSON object of a key.
func JWKMap(k jwk.Key) (map[string]any, error) {
	raw, err := json.Marshal(k)
	if err != nil {
		return nil, wrapError(CodeInternal, err, "jwk")
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, wrapError(CodeInternal, err, "jwk")
	}
	if _, ok := m["d"]; ok {
		return nil, newError(CodeInvalidRequest, "private key material where a public key belongs")
	}
	return m, nil
}
