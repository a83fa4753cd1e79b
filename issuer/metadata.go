package issuer

import (
	"encoding/base64"
	"sort"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/credential"
)

// CredentialIssuerMetadata is served at /.well-known/openid-credential-issuer (OpenID4VCI §12.2).
func (s *Service) CredentialIssuerMetadata() map[string]any {
	configs := map[string]any{}
	for t := range s.cfg.Signers {
		spec, _ := credential.Lookup(t)
		configs[string(t)] = map[string]any{
			"format": credential.Typ,
			"vct":    spec.VCT,
			"scope":  string(t),
			"cryptographic_binding_methods_supported": []string{"jwk"},
			"credential_signing_alg_values_supported": []string{"ES256"},
			"proof_types_supported":                   s.proofTypesSupported(string(t)),
			"credential_metadata":                     map[string]any{"display": []map[string]any{{"name": spec.Name, "locale": "en"}}},
		}
	}
	if s.cfg.DocumentSigner != nil {
		configs[string(MdocMDL)] = s.mdocConfiguration()
	}
	u := s.cfg.PublicURL
	return map[string]any{
		"credential_issuer":                   u,
		"authorization_servers":               []string{u},
		"credential_endpoint":                 u + "/credential",
		"nonce_endpoint":                      u + "/nonce",
		"credential_configurations_supported": configs,
		"display":                             []map[string]any{{"name": "idgate issuer", "locale": "en"}},
	}
}

// AuthorizationServerMetadata is served at /.well-known/oauth-authorization-server (RFC 8414).
func (s *Service) AuthorizationServerMetadata() map[string]any {
	return map[string]any{
		"issuer":                s.cfg.PublicURL,
		"token_endpoint":        s.cfg.PublicURL + "/token",
		"grant_types_supported": []string{preAuthGrant},
		"pre-authorized_grant_anonymous_access_supported": true,
	}
}

// JWTVCIssuerMetadata is served at /.well-known/jwt-vc-issuer (SD-JWT VC §5): the issuer's
// signing keys with their x5c chains.
func (s *Service) JWTVCIssuerMetadata() (map[string]any, error) {
	types := make([]string, 0, len(s.cfg.Signers))
	for t := range s.cfg.Signers {
		types = append(types, string(t))
	}
	sort.Strings(types)
	keys := make([]any, 0, len(types))
	for _, t := range types {
		signer := s.cfg.Signers[credential.Type(t)]
		k, err := jwk.FromRaw(signer.Public())
		if err != nil {
			return nil, err
		}
		x5c := []string{}
		for _, c := range signer.Chain() {
			x5c = append(x5c, base64.StdEncoding.EncodeToString(c.Raw))
		}
		m, err := credential.JWKMap(k)
		if err != nil {
			return nil, err
		}
		tp, err := thumbprint(k)
		if err != nil {
			return nil, err
		}
		m["kid"], m["use"], m["alg"], m["x5c"] = tp, "sig", "ES256", x5c
		keys = append(keys, m)
	}
	return map[string]any{"issuer": s.cfg.PublicURL, "jwks": map[string]any{"keys": keys}}, nil
}
