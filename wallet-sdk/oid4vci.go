package walletsdk

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Wire types of OpenID4VCI 1.0 (§12.2 issuer metadata, §6 token, §7 nonce, §8 credential)
// and RFC 8414 authorization-server metadata.
type issuerMetadata struct {
	CredentialIssuer     string                      `json:"credential_issuer"`
	CredentialEndpoint   string                      `json:"credential_endpoint"`
	NonceEndpoint        string                      `json:"nonce_endpoint"`
	AuthorizationServers []string                    `json:"authorization_servers"`
	Configurations       map[string]credentialConfig `json:"credential_configurations_supported"`
	Display              []Display                   `json:"display"`
}

// Display is one localised display entry of issuer metadata (OpenID4VCI 1.0 §12.2.4).
type Display struct {
	Name        string `json:"name"`
	Locale      string `json:"locale,omitempty"`
	Description string `json:"description,omitempty"`
}

type credentialConfig struct {
	// CredentialMetadata.Display is where OpenID4VCI 1.0 puts the display names; Display is
	// the earlier drafts' place.
	CredentialMetadata struct {
		Display []Display `json:"display"`
	} `json:"credential_metadata"`
	Display        []Display `json:"display"`
	Format         string    `json:"format"`
	VCT            string    `json:"vct"`     // dc+sd-jwt
	Doctype        string    `json:"doctype"` // mso_mdoc
	BindingMethods []string  `json:"cryptographic_binding_methods_supported"`
	ProofTypes     map[string]struct {
		Algs []string `json:"proof_signing_alg_values_supported"`
		// KeyAttestationsRequired is present where the issuer wants a key attestation.
		KeyAttestationsRequired json.RawMessage `json:"key_attestations_required"`
	} `json:"proof_types_supported"`
}

type asMetadata struct {
	Issuer        string `json:"issuer"`
	TokenEndpoint string `json:"token_endpoint"`
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	CNonce      string `json:"c_nonce"`
}

type credentialRequest struct {
	ConfigurationID string `json:"credential_configuration_id"`
	Proofs          struct {
		JWT         []string `json:"jwt,omitempty"`
		Attestation []string `json:"attestation,omitempty"`
	} `json:"proofs"`
}

type credentialResponse struct {
	Credentials []struct {
		Credential string `json:"credential"`
	} `json:"credentials"`
	TransactionID string `json:"transaction_id"`
}

// sdJWTFormats are the formats this wallet accepts (vc+sd-jwt is the pre-1.0 name).
var sdJWTFormats = []string{"dc+sd-jwt", "vc+sd-jwt"}

// pending is a received, checked credential not yet committed to the store.
type pending struct {
	rec   storedCredential
	keyID string
}

// OfferPreview is what the holder sees before accepting an offer: who issues what, and whether
// a transaction code is needed (TxCode: its input mode, length and description).
type OfferPreview struct {
	Issuer        string
	IssuerDisplay []Display
	Credentials   []OfferedCredential
	TxCode        *TxCode

	offer   *CredentialOffer
	md      *issuerMetadata
	configs []credentialConfig
}

// OfferedCredential is one credential of an offer.
type OfferedCredential struct {
	ConfigurationID string
	Format          string // FormatSDJWT or FormatMdoc
	VCT             string // dc+sd-jwt
	DocType         string // mso_mdoc
	Display         []Display
	// KeyAttestationRequired: the issuer wants a key attestation of the device key (the wallet
	// needs a KeyAttester key store, else the issuer refuses with invalid_proof).
	KeyAttestationRequired bool
}

// PreviewOffer resolves an offer URI (fetching a by-reference offer) and the issuer's
// metadata; nothing is requested from the issuer's token or credential endpoints. Accept the
// preview with AcceptPreview.
func (w *Wallet) PreviewOffer(ctx context.Context, offerURI string) (*OfferPreview, error) {
	ref, err := ParseOfferURI(offerURI)
	if err != nil {
		return nil, err
	}
	offer := ref.Offer
	if offer == nil {
		var raw json.RawMessage
		if err := w.getJSON(ctx, ref.URI, maxOfferJSON, CodeInvalidOffer, &raw); err != nil {
			return nil, err
		}
		if offer, err = ParseOffer(raw); err != nil {
			return nil, err
		}
	}
	md, err := w.issuerMetadata(ctx, offer.CredentialIssuer)
	if err != nil {
		return nil, err
	}
	p := &OfferPreview{Issuer: offer.CredentialIssuer, IssuerDisplay: md.Display,
		TxCode: offer.Grants.PreAuthorizedCode.TxCode, offer: offer, md: md}
	for _, id := range offer.CredentialConfigurationIDs {
		cfg, err := md.supported(id)
		if err != nil {
			return nil, err
		}
		display := cfg.CredentialMetadata.Display
		if len(display) == 0 {
			display = cfg.Display
		}
		p.configs = append(p.configs, cfg)
		oc := OfferedCredential{ConfigurationID: id, Format: FormatSDJWT, VCT: cfg.VCT, Display: display,
			KeyAttestationRequired: cfg.wantsKeyAttestation(cfg.proofType())}
		if cfg.Format == FormatMdoc {
			oc.Format, oc.VCT, oc.DocType = FormatMdoc, "", cfg.Doctype
		}
		p.Credentials = append(p.Credentials, oc)
	}
	return p, nil
}

// AcceptOffer previews the offer and accepts it (PreviewOffer, then AcceptPreview).
func (w *Wallet) AcceptOffer(ctx context.Context, offerURI, txCode string) ([]Credential, error) {
	p, err := w.PreviewOffer(ctx, offerURI)
	if err != nil {
		return nil, err
	}
	return w.AcceptPreview(ctx, p, txCode)
}

// AcceptPreview runs the OpenID4VCI pre-authorised code flow for every configuration in the
// previewed offer and stores the received credentials. Either all of them are stored or none
// (and the device keys generated on the way are deleted).
func (w *Wallet) AcceptPreview(ctx context.Context, p *OfferPreview, txCode string) ([]Credential, error) {
	if p == nil || p.offer == nil {
		return nil, newErr(CodeConfig, "no offer preview", nil)
	}
	offer, md, configs := p.offer, p.md, p.configs
	grant := offer.Grants.PreAuthorizedCode
	if grant.TxCode != nil && txCode == "" {
		return nil, newErr(CodeTxCodeRequired, "the offer requires a transaction code: "+grant.TxCode.Description, nil)
	}
	asID := offer.CredentialIssuer
	if grant.AuthorizationServer != "" {
		if !slices.Contains(md.AuthorizationServers, grant.AuthorizationServer) {
			return nil, newErr(CodeIssuerMismatch, "offer's authorization_server is not in the issuer metadata", nil)
		}
		asID = grant.AuthorizationServer
	} else if len(md.AuthorizationServers) > 0 {
		asID = md.AuthorizationServers[0]
	}
	tokenEndpoint, err := w.authServerMetadata(ctx, asID)
	if err != nil {
		return nil, err
	}
	tok, err := w.token(ctx, tokenEndpoint, grant, txCode)
	if err != nil {
		return nil, err
	}

	var got []pending
	rollback := func() {
		for _, p := range got {
			_ = w.keys.Delete(p.keyID) // best effort: the key never had a stored credential
		}
	}
	nonce := tok.CNonce
	for i, id := range offer.CredentialConfigurationIDs {
		p, err := w.requestCredential(ctx, md, id, configs[i], tok.AccessToken, nonce)
		if p != nil {
			got = append(got, *p)
		}
		if err != nil {
			rollback()
			return nil, err
		}
		nonce = "" // c_nonce is single-use; fetch a fresh one for the next credential
	}
	out := make([]Credential, 0, len(got))
	for i, p := range got {
		if err := w.saveCredential(&p.rec); err != nil {
			for _, q := range got[:i] {
				_ = w.store.Delete(kindCredentials, q.rec.ID)
			}
			rollback()
			return nil, err
		}
		c, err := w.view(&p.rec)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}

func (w *Wallet) issuerMetadata(ctx context.Context, issuer string) (*issuerMetadata, error) {
	var md issuerMetadata
	if err := w.getJSON(ctx, wellKnown(issuer, "openid-credential-issuer"), maxMetadataBody, CodeMetadata, &md); err != nil {
		return nil, err
	}
	if md.CredentialIssuer != issuer {
		return nil, newErr(CodeIssuerMismatch, "issuer metadata names "+quote(md.CredentialIssuer)+", the offer "+quote(issuer), nil)
	}
	if err := allowedURL(md.CredentialEndpoint, w.allowHTTP); err != nil {
		return nil, newErr(CodeMetadata, "credential_endpoint", err)
	}
	if md.NonceEndpoint != "" {
		if err := allowedURL(md.NonceEndpoint, w.allowHTTP); err != nil {
			return nil, newErr(CodeMetadata, "nonce_endpoint", err)
		}
	}
	for _, as := range md.AuthorizationServers {
		if err := checkIssuerID(as); err != nil {
			return nil, newErr(CodeMetadata, "authorization_servers", err)
		}
	}
	return &md, nil
}

// supported returns configuration id if this wallet can hold it: an SD-JWT VC bound to a JWK,
// or an mdoc bound to a COSE_Key, with ES256 JWT proofs (where the issuer says which binding
// and proofs it takes).
func (md *issuerMetadata) supported(id string) (credentialConfig, error) {
	c, ok := md.Configurations[id]
	switch {
	case !ok:
		return c, newErr(CodeUnsupportedOffer, "issuer metadata has no configuration "+quote(id), nil)
	case c.Format == FormatMdoc:
		if c.Doctype == "" {
			return c, newErr(CodeMetadata, "configuration "+quote(id)+" has no doctype", nil)
		}
		if len(c.BindingMethods) > 0 && !slices.Contains(c.BindingMethods, "cose_key") {
			return c, newErr(CodeUnsupportedOffer, "configuration "+quote(id)+" does not bind to a COSE_Key", nil)
		}
	case !slices.Contains(sdJWTFormats, c.Format):
		return c, newErr(CodeUnsupportedOffer, "configuration "+quote(id)+" has format "+quote(c.Format)+", want dc+sd-jwt or mso_mdoc", nil)
	case c.VCT == "":
		return c, newErr(CodeMetadata, "configuration "+quote(id)+" has no vct", nil)
	case len(c.BindingMethods) > 0 && !slices.Contains(c.BindingMethods, "jwk"):
		return c, newErr(CodeUnsupportedOffer, "configuration "+quote(id)+" does not bind to a JWK", nil)
	}
	if len(c.ProofTypes) > 0 && c.proofType() == "" {
		return c, newErr(CodeUnsupportedOffer, "configuration "+quote(id)+" takes no ES256 jwt proof and no attestation proof", nil)
	}
	return c, nil
}

// proofType is the proof type the wallet sends for c: jwt (ES256) where the issuer takes it,
// else attestation (OpenID4VCI 1.0 Appendix F.3); "" when neither.
func (c credentialConfig) proofType() string {
	if len(c.ProofTypes) == 0 {
		return "jwt"
	}
	if pt, ok := c.ProofTypes["jwt"]; ok && (len(pt.Algs) == 0 || slices.Contains(pt.Algs, "ES256")) {
		return "jwt"
	}
	if _, ok := c.ProofTypes["attestation"]; ok {
		return "attestation"
	}
	return ""
}

// wantsKeyAttestation reports whether the issuer asks for a key attestation with proof type
// pt: the wallet sends one only then, so the wallet provider is not told of every issuance.
func (c credentialConfig) wantsKeyAttestation(pt string) bool {
	req := c.ProofTypes[pt].KeyAttestationsRequired
	return pt == "attestation" || (len(req) > 0 && string(req) != "null")
}

func (w *Wallet) authServerMetadata(ctx context.Context, as string) (string, error) {
	var md asMetadata
	if err := w.getJSON(ctx, wellKnown(as, "oauth-authorization-server"), maxMetadataBody, CodeMetadata, &md); err != nil {
		return "", err
	}
	if md.Issuer != as { // RFC 8414 §3.3
		return "", newErr(CodeIssuerMismatch, "authorization server metadata names "+quote(md.Issuer)+", want "+quote(as), nil)
	}
	if err := allowedURL(md.TokenEndpoint, w.allowHTTP); err != nil {
		return "", newErr(CodeMetadata, "token_endpoint", err)
	}
	return md.TokenEndpoint, nil
}

func (w *Wallet) token(ctx context.Context, endpoint string, g *PreAuthorizedGrant, txCode string) (*tokenResponse, error) {
	form := url.Values{"grant_type": {preAuthGrantType}, "pre-authorized_code": {g.PreAuthorizedCode}}
	if g.TxCode != nil {
		form.Set("tx_code", txCode)
	}
	res, err := w.retrying(ctx, func(int) (*httpResult, error) { return w.postForm(ctx, endpoint, form, maxTokenBody) })
	if err != nil {
		return nil, err
	}
	if res.status != http.StatusOK {
		pe := protocolError(res)
		return nil, newErr(CodeTokenError, "token endpoint refused the pre-authorized code", pe)
	}
	var tok tokenResponse
	if err := json.Unmarshal(res.body, &tok); err != nil {
		return nil, newErr(CodeTokenError, "token response is not JSON", err)
	}
	if tok.AccessToken == "" || !strings.EqualFold(tok.TokenType, "Bearer") {
		return nil, newErr(CodeTokenError, "token response lacks a Bearer access_token", nil)
	}
	return &tok, nil
}

func (w *Wallet) freshNonce(ctx context.Context, md *issuerMetadata) (string, error) {
	if md.NonceEndpoint == "" {
		return "", newErr(CodeCredentialError, "issuer wants a fresh nonce but has no nonce_endpoint", nil)
	}
	res, err := w.postJSON(ctx, md.NonceEndpoint, "", nil, maxTokenBody)
	if err != nil {
		return "", err
	}
	var body struct {
		CNonce string `json:"c_nonce"`
	}
	if res.status != http.StatusOK || json.Unmarshal(res.body, &body) != nil || body.CNonce == "" {
		return "", newErr(CodeCredentialError, "nonce endpoint gave no c_nonce", protocolError(res))
	}
	return body.CNonce, nil
}

// requestCredential generates the device key, proves possession and fetches and checks one
// credential, retrying once on invalid_nonce. A non-nil pending carries the key to clean up.
func (w *Wallet) requestCredential(ctx context.Context, md *issuerMetadata, id string, cfg credentialConfig, accessToken, nonce string) (*pending, error) {
	var err error
	if nonce == "" && md.NonceEndpoint != "" {
		if nonce, err = w.freshNonce(ctx, md); err != nil {
			return nil, err
		}
	}
	keyID, err := w.keys.Generate()
	if err != nil {
		return nil, err
	}
	p := &pending{keyID: keyID}
	signer, err := w.keys.Signer(keyID)
	if err != nil {
		return p, err
	}
	for attempt := 0; ; attempt++ {
		// A repeat after a lost answer proves possession again with a fresh nonce (the first
		// one may have been spent) and the same key: the issuer then re-delivers.
		res, err := w.retrying(ctx, func(repeat int) (*httpResult, error) {
			if repeat > 0 && md.NonceEndpoint != "" {
				n, err := w.freshNonce(ctx, md)
				if err != nil {
					return nil, err
				}
				nonce = n
			}
			var req credentialRequest
			req.ConfigurationID = id
			pt, att := cfg.proofType(), ""
			if cfg.wantsKeyAttestation(pt) {
				a, err := w.keyAttestation(keyID, signer, nonce)
				if err != nil {
					return nil, err
				}
				att = a
			}
			if pt == "attestation" {
				if att == "" {
					return nil, newErr(CodeUnsupportedOffer, "configuration "+quote(id)+" takes only attestation proofs and the key store gives no key attestation", nil)
				}
				req.Proofs.Attestation = []string{att}
			} else {
				proof, err := buildProof(signer, md.CredentialIssuer, nonce, w.now(), att)
				if err != nil {
					return nil, err
				}
				req.Proofs.JWT = []string{proof}
			}
			return w.postJSON(ctx, md.CredentialEndpoint, accessToken, req, maxCredentialBody)
		})
		if err != nil {
			return p, err
		}
		if res.status != http.StatusOK {
			pe := protocolError(res)
			if pe.ErrorCode == "invalid_nonce" && attempt == 0 {
				if nonce, err = w.freshNonce(ctx, md); err != nil {
					return p, err
				}
				continue
			}
			return p, newErr(CodeCredentialError, "credential endpoint refused the request", pe)
		}
		var cr credentialResponse
		if err := json.Unmarshal(res.body, &cr); err != nil {
			return p, newErr(CodeCredentialError, "credential response is not JSON", err)
		}
		if len(cr.Credentials) != 1 || cr.Credentials[0].Credential == "" {
			if cr.TransactionID != "" {
				return p, newErr(CodeUnsupportedOffer, "deferred issuance is not supported", nil)
			}
			return p, newErr(CodeCredentialError, "credential response must hold exactly one credential", nil)
		}
		if cfg.Format == FormatMdoc {
			rec, err := w.checkReceivedMdoc(cr.Credentials[0].Credential, cfg.Doctype, signer)
			if err != nil {
				return p, err
			}
			// An mdoc names no issuer URL of its own: it is held as the issuer it came from.
			rec.KeyID, rec.ConfigurationID, rec.Issuer = keyID, id, md.CredentialIssuer
			p.rec = *rec
			return p, nil
		}
		rec, err := w.checkReceived(cr.Credentials[0].Credential, cfg.VCT, signer)
		if err != nil {
			return p, err
		}
		rec.KeyID, rec.ConfigurationID, rec.Format = keyID, id, FormatSDJWT
		// The wallet holds no trust list, but it can refuse a credential that claims to come
		// from someone other than the issuer it just talked to, so the UI never shows a
		// forged "issued by".
		if rec.Issuer != md.CredentialIssuer {
			return p, newErr(CodeIssuerMismatch, "credential iss "+quote(rec.Issuer)+" is not the issuer "+quote(md.CredentialIssuer), nil)
		}
		p.rec = *rec
		return p, nil
	}
}

// quote bounds and quotes a peer-supplied string for an error message.
func quote(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
