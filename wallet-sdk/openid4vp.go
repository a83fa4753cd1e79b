package walletsdk

import (
	"cmp"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
)

// Bounds on what an OpenID4VP verifier may send the wallet.
const (
	maxRequestObjectBody = 128 << 10
	maxResponseURIReply  = 64 << 10
	// vpStepTimeout bounds each HTTP exchange with a verifier, whatever the caller's context.
	vpStepTimeout = 30 * time.Second
)

// VPRequest is a resolved and validated OpenID4VP Authorization Request together with what
// answering it would disclose: the input of a consent screen and of RespondVP.
type VPRequest struct {
	Verifier     VerifierIdentity
	ResponseURI  string
	ResponseMode string    // direct_post or direct_post.jwt
	ExpiresAt    time.Time // the Request Object's exp
	// Queries are the credential queries the wallet answers, in the request's order: every
	// query, or with credential_sets the first satisfiable option of each set.
	Queries []VPQuery

	ar    *oid4vp.AuthorizationRequest
	creds []Credential
}

// VerifierIdentity is who asks, as its validated certificate says.
type VerifierIdentity struct {
	ClientID string   // with its prefix, e.g. x509_san_dns:rp.example
	Subject  string   // the leaf certificate's subject DN
	DNSNames []string // the leaf's SAN dNSNames
	Issuer   string   // the leaf's issuer DN (the verifier's CA)
}

// VPQuery is one credential query and the stored credentials that can answer it.
type VPQuery struct {
	ID         string
	Candidates []VPCandidate // first is the default choice
}

// VPCandidate is a stored credential that satisfies a query, with exactly what presenting it
// reveals.
type VPCandidate struct {
	CredentialID string
	Format       string // FormatSDJWT or FormatMdoc
	VCT          string // dc+sd-jwt
	DocType      string // mso_mdoc
	Issuer       string
	// Disclosed are the requested claims and their values (selectively disclosed); an mdoc's
	// paths are [namespace, element].
	Disclosed []DisclosedClaim
	// AlwaysVisible names the claims the issuer signed in clear: every presentation shows them
	// (none for an mdoc, which discloses only the requested elements).
	AlwaysVisible []string
}

// DisclosedClaim is one requested claim: its DCQL path as JSON text (e.g.
// ["address","locality"]) and the values the path selects in the credential.
type DisclosedClaim struct {
	Path   string
	Values []any
}

// VPResult is the verifier's answer to a posted response.
type VPResult struct {
	// RedirectURI, when the verifier returned one, is where the app must navigate next
	// (same-device flows, §8.2); it carries the response code that binds the session.
	RedirectURI string
}

// walletMetadata is what the wallet tells a verifier with request_uri_method=post (§10).
var walletMetadata = map[string]any{
	"vp_formats_supported": map[string]any{
		oid4vp.FormatSDJWT: map[string]any{"sd-jwt_alg_values": []string{"ES256"}, "kb-jwt_alg_values": []string{"ES256"}},
		oid4vp.FormatMDoc:  map[string]any{"issuerauth_alg_values": []int{-7, -9}, "deviceauth_alg_values": []int{-7}},
	},
	"client_id_prefixes_supported":                  []string{oid4vp.PrefixX509SanDNS, oid4vp.PrefixX509Hash},
	"request_object_signing_alg_values_supported":   []string{"ES256"},
	"authorization_encryption_alg_values_supported": []string{oid4vp.AlgECDHES},
	"authorization_encryption_enc_values_supported": oid4vp.SupportedEncs,
	"response_modes_supported":                      []string{oid4vp.ModeDirectPost, oid4vp.ModeDirectPostJWT},
}

// ResolveVP resolves an openid4vp:// (or haip-vp://) link: it fetches the Request Object
// from request_uri (GET, or POST with wallet_metadata and a wallet_nonce the object must
// echo; no redirects followed), validates it against Config.VerifierTrust (signature, chain,
// x509_san_dns / x509_hash against the certificate and the response_uri host, typ, aud, exp,
// client_id), and evaluates its DCQL query against the stored, unexpired credentials. A
// request the wallet cannot satisfy is a CodeNoMatchingCredential error; nothing is sent to
// the verifier until RespondVP or DeclineVP.
func (w *Wallet) ResolveVP(ctx context.Context, link string) (*VPRequest, error) {
	if w.verifierTrust == nil {
		return nil, newErr(CodeConfig, "Config.VerifierTrust is required for OpenID4VP", nil)
	}
	l, err := oid4vp.ParseAuthorizationURL(link)
	if err != nil {
		return nil, newErr(CodeVPRequest, "authorization link", err)
	}
	jwt, walletNonce, err := w.fetchRequestObject(ctx, l)
	if err != nil {
		return nil, err
	}
	ar, err := oid4vp.ValidateRequestObject(jwt, oid4vp.ValidateOptions{
		Trust: w.verifierTrust, ClientID: l.ClientID, WalletNonce: walletNonce, Now: w.now(),
		// Loopback only, as for issuers: local demos and tests.
		AllowHTTP: true,
	})
	if err != nil {
		return nil, newErr(CodeVPRequest, "request object", err)
	}
	if err := allowedURL(ar.ResponseURI, w.allowHTTP); err != nil {
		return nil, newErr(CodeVPRequest, "response_uri", err)
	}
	return w.preview(ar)
}

// fetchRequestObject GETs or POSTs the request_uri and returns the JWS and the wallet_nonce
// sent ("" for GET).
func (w *Wallet) fetchRequestObject(ctx context.Context, l *oid4vp.AuthorizationLink) (string, string, error) {
	ctx, cancel := context.WithTimeout(ctx, vpStepTimeout)
	defer cancel()
	var (
		req         *http.Request
		err         error
		walletNonce string
	)
	if l.RequestURIMethod == "post" {
		walletNonce = oid4vp.NewNonce()
		md, _ := json.Marshal(walletMetadata)
		form := url.Values{"wallet_metadata": {string(md)}, "wallet_nonce": {walletNonce}}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, l.RequestURI, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, l.RequestURI, nil)
	}
	if err != nil {
		return "", "", newErr(CodeVPRequest, "request_uri", err)
	}
	req.Header.Set("Accept", "application/oauth-authz-req+jwt")
	status, ctype, body, err := w.vpExchange(req, maxRequestObjectBody)
	if err != nil {
		return "", "", err
	}
	if status != http.StatusOK {
		return "", "", newErr(CodeTransport, req.Method+" request_uri: HTTP "+http.StatusText(status), nil)
	}
	if mt, _, _ := mime.ParseMediaType(ctype); mt != "application/oauth-authz-req+jwt" && mt != "application/jwt" {
		return "", "", newErr(CodeVPRequest, "request_uri answered "+quote(mt)+", not application/oauth-authz-req+jwt", nil)
	}
	return strings.TrimSpace(string(body)), walletNonce, nil
}

// vpExchange sends req without following redirects (Errata 1: a wallet should not follow 3xx
// from request_uri or response_uri) and reads at most limit bytes of the answer.
func (w *Wallet) vpExchange(req *http.Request, limit int64) (status int, ctype string, body []byte, err error) {
	if err := allowedURL(req.URL.String(), w.allowHTTP); err != nil {
		return 0, "", nil, newErr(CodeTransport, "refusing "+req.URL.Redacted(), err)
	}
	client := *w.http
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", nil, newErr(CodeTransport, req.Method+" "+req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return 0, "", nil, newErr(CodeTransport, "read "+req.URL.Redacted(), err)
	}
	if int64(len(body)) > limit {
		return 0, "", nil, newErr(CodeResponseTooLarge, req.URL.Redacted()+" answered more than the size bound", nil)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body, nil
}

// preview evaluates the request's DCQL query against the stored credentials.
func (w *Wallet) preview(ar *oid4vp.AuthorizationRequest) (*VPRequest, error) {
	all, err := w.Credentials()
	if err != nil {
		return nil, err
	}
	now := w.now()
	var creds []Credential
	var held []oid4vp.Credential
	for _, c := range all {
		if !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt) {
			continue
		}
		oc, err := w.dcqlCredential(&c)
		if err != nil {
			return nil, err
		}
		creds = append(creds, c)
		held = append(held, *oc)
	}
	ev, err := ar.DCQLQuery.Evaluate(held)
	if err != nil {
		return nil, newErr(CodeNoMatchingCredential, "the wallet holds no credentials that satisfy the request", err)
	}
	r := &VPRequest{
		Verifier: VerifierIdentity{
			ClientID: ar.ClientID, Subject: ar.Leaf.Subject.String(),
			DNSNames: slices.Clone(ar.Leaf.DNSNames), Issuer: ar.Leaf.Issuer.String(),
		},
		ResponseURI: ar.ResponseURI, ResponseMode: ar.ResponseMode, ExpiresAt: time.Unix(ar.ExpiresAt, 0),
		ar: ar, creds: creds,
	}
	for _, cq := range ar.DCQLQuery.Credentials {
		if !slices.Contains(ev.Selected, cq.ID) {
			continue
		}
		q := VPQuery{ID: cq.ID}
		for _, cand := range ev.Candidates[cq.ID] {
			c := &creds[cand.Index]
			vc := VPCandidate{CredentialID: c.ID, Format: cmp.Or(c.Format, FormatSDJWT), VCT: c.VCT, DocType: c.DocType, Issuer: c.Issuer, AlwaysVisible: alwaysVisible(c)}
			for _, cl := range cand.Selection.Claims {
				p, _ := json.Marshal(cl.Path)
				vc.Disclosed = append(vc.Disclosed, DisclosedClaim{Path: string(p), Values: cl.Path.Select(c.Claims)})
			}
			q.Candidates = append(q.Candidates, vc)
		}
		r.Queries = append(r.Queries, q)
	}
	return r, nil
}

// alwaysVisible names the top-level claims the holder cannot withhold (an mdoc has none).
func alwaysVisible(c *Credential) []string {
	if c.Format == FormatMdoc {
		return nil
	}
	var out []string
	for k := range c.Claims {
		if !slices.Contains(c.Disclosable, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// dcqlCredential is what DCQL evaluation knows of a stored SD-JWT VC: its full claim tree,
// its holder binding (every stored credential is bound to a device key) and the key
// identifiers of its issuer chain for trusted_authorities of type aki.
func (w *Wallet) dcqlCredential(c *Credential) (*oid4vp.Credential, error) {
	rec, err := w.loadCredential(c.ID)
	if err != nil {
		return nil, err
	}
	if rec.isMdoc() {
		return &oid4vp.Credential{Format: oid4vp.FormatMDoc, Doctype: c.DocType, Claims: c.Claims, HolderBound: c.KeyID != "",
			AuthorityKeyIDs: mdocKeyIDs(rec.IssuerSigned)}, nil
	}
	return &oid4vp.Credential{
		Format: oid4vp.FormatSDJWT, VCT: c.VCT, Claims: c.Claims, HolderBound: c.KeyID != "",
		AuthorityKeyIDs: issuerKeyIDs(rec.Raw),
	}, nil
}

// mdocKeyIDs returns the base64url SKIs of an mdoc's x5chain certificates and the AKI of its
// Document Signer (the IACA's key identifier, which x5chain leaves out).
func mdocKeyIDs(issuerSigned []byte) []string {
	h, err := mdoc.CheckIssuerSigned(issuerSigned)
	if err != nil {
		return nil
	}
	return keyIDs(h.Chain)
}

// issuerKeyIDs returns the base64url SKIs of the issuer JWT's x5c certificates and the AKI of
// its leaf (the key identifier of the root, which x5c leaves out).
func issuerKeyIDs(raw string) []string {
	hdr, _, ok := strings.Cut(raw, ".")
	if !ok {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(hdr)
	if err != nil {
		return nil
	}
	var h struct {
		X5C []string `json:"x5c"`
	}
	if json.Unmarshal(b, &h) != nil || len(h.X5C) == 0 || len(h.X5C) > maxX5C {
		return nil
	}
	chain, err := certs.ParseX5C(h.X5C)
	if err != nil {
		return nil
	}
	return keyIDs(chain)
}

// keyIDs are the SKIs of chain's certificates and the AKI of its leaf, base64url.
func keyIDs(chain []*x509.Certificate) []string {
	if len(chain) == 0 {
		return nil
	}
	var out []string
	add := func(id []byte) {
		if s := base64.RawURLEncoding.EncodeToString(id); len(id) > 0 && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, cert := range chain {
		add(cert.SubjectKeyId)
	}
	add(chain[0].AuthorityKeyId)
	return out
}

// Leaf returns the verifier's validated certificate.
func (r *VPRequest) Leaf() *x509.Certificate { return r.ar.Leaf }

// Nonce returns the request's nonce, which the KB-JWT carries.
func (r *VPRequest) Nonce() string { return r.ar.Nonce }
