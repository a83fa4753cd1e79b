package verifier

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/verifier/vpstore"
)

// Wallet-facing paths of OpenID4VP transactions; the transaction id follows.
const (
	PathVPRequest  = "/v1/openid4vp/requests/"
	PathVPResponse = "/v1/openid4vp/responses/"
)

// VPConfig configures the OpenID4VP relying-party service.
type VPConfig struct {
	Credentials *credential.Verifier
	// MDoc verifies mso_mdoc presentations; without it mso_mdoc queries are refused.
	MDoc  *MDocConfig
	Store vpstore.Store
	// Signer signs Request Objects; its leaf's first SAN dNSName is the client_id
	// (x509_san_dns:<name>) and must be BaseURL's host.
	Signer certs.Signer
	// BaseURL is the verifier's public URL, for request_uri and response_uri.
	BaseURL string
	// ClientIDPrefix is oid4vp.PrefixX509SanDNS (default) or oid4vp.PrefixX509Hash.
	ClientIDPrefix string
	// ResponseMode is oid4vp.ModeDirectPostJWT (default) or oid4vp.ModeDirectPost.
	ResponseMode string
	TTL          time.Duration // default 5 min
	PerClient    int           // open transactions per client; default DefaultOpenPerClient
	Now          func() time.Time
}

// VP runs OpenID4VP transactions: a relying party creates one, the wallet fetches the signed
// request and posts its response, the relying party reads the outcome once.
type VP struct {
	cfg      VPConfig
	clientID string
	base     *url.URL
	queries  *queryCache
}

// NewVP checks cfg: the signer's SAN dNSName must be the base URL's host, so wallets that
// compare x509_san_dns with the response_uri host accept the requests.
func NewVP(cfg VPConfig) (*VP, error) {
	if cfg.Credentials == nil || cfg.Store == nil || cfg.Signer == nil || len(cfg.Signer.Chain()) == 0 {
		return nil, errors.New("verifier: OpenID4VP needs a credential verifier, a transaction store and a request signer")
	}
	if cfg.MDoc != nil && (cfg.MDoc.Trust == nil || cfg.MDoc.Status == nil) {
		return nil, errors.New("verifier: OpenID4VP mdoc verification needs the IACA trust list and a status checker")
	}
	base, err := url.Parse(strings.TrimSuffix(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" || base.Path != "" {
		return nil, fmt.Errorf("verifier: OpenID4VP base URL %q must be an absolute http(s) URL without a path", cfg.BaseURL)
	}
	leaf := cfg.Signer.Chain()[0]
	if !slices.ContainsFunc(leaf.DNSNames, func(n string) bool { return strings.EqualFold(n, base.Hostname()) }) {
		return nil, fmt.Errorf("verifier: request signer's certificate has no SAN dNSName %q (the base URL's host)", base.Hostname())
	}
	cfg.ClientIDPrefix = cmpOr(cfg.ClientIDPrefix, oid4vp.PrefixX509SanDNS)
	cfg.ResponseMode = cmpOr(cfg.ResponseMode, oid4vp.ModeDirectPostJWT)
	if cfg.ResponseMode != oid4vp.ModeDirectPostJWT && cfg.ResponseMode != oid4vp.ModeDirectPost {
		return nil, fmt.Errorf("verifier: response mode %q", cfg.ResponseMode)
	}
	if cfg.TTL == 0 {
		cfg.TTL = 5 * time.Minute
	}
	if cfg.PerClient == 0 {
		cfg.PerClient = DefaultOpenPerClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	vp := &VP{cfg: cfg, base: base, queries: &queryCache{}}
	switch cfg.ClientIDPrefix {
	case oid4vp.PrefixX509SanDNS:
		vp.clientID = oid4vp.X509SanDNSClientID(base.Hostname())
	case oid4vp.PrefixX509Hash:
		vp.clientID = oid4vp.X509HashClientID(leaf)
	default:
		return nil, fmt.Errorf("verifier: client_id prefix %q", cfg.ClientIDPrefix)
	}
	return vp, nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ClientID is the verifier's client_id, prefix included (the KB-JWT aud).
func (vp *VP) ClientID() string { return vp.clientID }

// vpRecord is a transaction's Data: the request and, once answered, the outcome.
type vpRecord struct {
	Nonce        string          `json:"nonce"`
	State        string          `json:"state"`
	ResponseMode string          `json:"response_mode"`
	Query        json.RawMessage `json:"query"`
	Key          []byte          `json:"key,omitempty"` // PKCS#8 of the ephemeral encryption key
	Result       json.RawMessage `json:"result,omitempty"`
	Failure      string          `json:"failure,omitempty"`
	// Same-device: the relying party's return URL, and the SHA-256 of the response_code the
	// wallet was sent back with, which the relying party presents to read the outcome.
	RedirectURI      string `json:"redirect_uri,omitempty"`
	ResponseCodeHash []byte `json:"response_code_hash,omitempty"`

	// ResponseURI is where the wallet posts; an mdoc's SessionTranscript binds it.
	ResponseURI string `json:"response_uri,omitempty"`
}

// CreateOptions are a transaction's optional parameters.
type CreateOptions struct {
	// RedirectURI makes the transaction same-device (OpenID4VP §13.3, HAIP §5.1): the
	// response_uri sends the wallet back to this relying-party URL with a fresh
	// #response_code=…, and the outcome is read only with that response_code. It is an
	// absolute https URL (http only for loopback hosts) without a fragment.
	RedirectURI string
}

// Bounds on a same-device return URL.
const maxRedirectURI = 2048

// checkRedirectURI validates a relying party's return URL.
func checkRedirectURI(s string) error {
	bad := func(why string) error {
		return &Error{Code: "invalid_request", Msg: "redirect_uri: " + why}
	}
	if len(s) > maxRedirectURI {
		return bad("longer than 2048 bytes")
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "":
		return bad("not an absolute URL")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return bad("a fragment is not allowed (the response_code goes there)")
	case u.User != nil:
		return bad("user info is not allowed")
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
	default:
		return bad("https only (http for loopback hosts)")
	}
	return nil
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// ErrResponseCode refuses to read a same-device transaction's outcome without the
// response_code its wallet was sent back with: the answer came in another session.
var ErrResponseCode = errors.New("verifier: this same-device transaction's outcome is read only with the response_code its wallet was redirected with")

func hashResponseCode(code string) []byte {
	h := sha256.Sum256([]byte(code))
	return h[:]
}

// Created is what a relying party receives for a new transaction.
type Created struct {
	ID                   string    `json:"id"`
	ExpiresAt            time.Time `json:"expires_at"`
	RequestURI           string    `json:"request_uri"`
	AuthorizationRequest string    `json:"authorization_request"`
}

// QueryFromClaims turns the relying-party API's {vct, claims} into a DCQL query for one
// SD-JWT VC (either idgate type when vct is empty) with those top-level claims.
func QueryFromClaims(vct string, claims []string) (*oid4vp.Query, error) {
	if len(claims) == 0 || len(claims) > maxRequestedClaims {
		return nil, &Error{Code: "invalid_request", Msg: "claims: between 1 and 64 claim names"}
	}
	vcts := []string{credential.VCTEmployeeID, credential.VCTDrivingLicence}
	if vct != "" {
		if _, ok := credential.LookupVCT(vct); !ok {
			return nil, &Error{Code: "invalid_request", Msg: "unknown vct"}
		}
		vcts = []string{vct}
	}
	cq := oid4vp.CredentialQuery{ID: "credential", Format: oid4vp.FormatSDJWT, Meta: oid4vp.Meta{VCTValues: vcts}}
	for _, c := range claims {
		if c == "" || len(c) > 128 {
			return nil, &Error{Code: "invalid_request", Msg: "claims: empty or oversized claim name"}
		}
		cq.Claims = append(cq.Claims, oid4vp.ClaimQuery{Path: oid4vp.NewPath(c)})
	}
	b, err := json.Marshal(&oid4vp.Query{Credentials: []oid4vp.CredentialQuery{cq}})
	if err != nil {
		return nil, err
	}
	return oid4vp.ParseQuery(b) // one validation path for every query
}

// Create opens a transaction for q on behalf of client (its open transactions are bounded).
// dc+sd-jwt credentials are verified, and mso_mdoc ones when VPConfig.MDoc is set: a query
// for another format is refused with vp_formats_not_supported.
func (vp *VP) Create(ctx context.Context, client string, q *oid4vp.Query) (*Created, error) {
	return vp.CreateWithID(ctx, random(16), client, q, CreateOptions{})
}

// CreateWithID is Create with the transaction id chosen by the caller (the id of a
// direct-posting request opened for the same claims) and options.
func (vp *VP) CreateWithID(ctx context.Context, id, client string, q *oid4vp.Query, opts CreateOptions) (*Created, error) {
	if opts.RedirectURI != "" {
		if err := checkRedirectURI(opts.RedirectURI); err != nil {
			return nil, err
		}
	}
	for _, cq := range q.Credentials {
		if cq.Format != oid4vp.FormatSDJWT && (cq.Format != oid4vp.FormatMDoc || vp.cfg.MDoc == nil) {
			return nil, &oid4vp.Error{Code: oid4vp.VPFormatsNotSupported, Detail: "this verifier does not check " + cq.Format + " credentials"}
		}
	}
	qb, err := json.Marshal(q)
	if err != nil {
		return nil, err
	}
	rec := vpRecord{Nonce: oid4vp.NewNonce(), State: random(16), ResponseMode: vp.cfg.ResponseMode, Query: qb, RedirectURI: opts.RedirectURI,
		ResponseURI: vp.base.String() + PathVPResponse + id}
	if rec.ResponseMode == oid4vp.ModeDirectPostJWT {
		key, err := oid4vp.NewEncryptionKey()
		if err != nil {
			return nil, err
		}
		if rec.Key, err = key.MarshalPrivate(); err != nil {
			return nil, err
		}
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	now := vp.cfg.Now()
	t := vpstore.Transaction{ID: id, Client: client, CreatedAt: now, ExpiresAt: now.Add(vp.cfg.TTL).Truncate(time.Second), Data: data}
	if err := vp.cfg.Store.Create(ctx, t, vp.cfg.PerClient); err != nil {
		switch {
		case errors.Is(err, vpstore.ErrClientLimit):
			return nil, ErrClientRequestLimit
		case errors.Is(err, vpstore.ErrNetworkLimit):
			return nil, ErrNetworkRequestLimit
		case errors.Is(err, vpstore.ErrFull):
			return nil, ErrTooManyRequests
		}
		return nil, err
	}
	requestURI := vp.base.String() + PathVPRequest + t.ID
	return &Created{
		ID: t.ID, ExpiresAt: t.ExpiresAt.UTC(), RequestURI: requestURI,
		AuthorizationRequest: oid4vp.AuthorizationURL(vp.clientID, requestURI, "post"),
	}, nil
}

// open returns a pending, unexpired transaction and its record.
func (vp *VP) open(ctx context.Context, id string) (*vpstore.Transaction, *vpRecord, error) {
	t, err := vp.cfg.Store.Get(ctx, id)
	if errors.Is(err, vpstore.ErrNotFound) {
		return nil, nil, ErrRequestNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	if t.Status != vpstore.StatusPending {
		return nil, nil, ErrRequestUsed
	}
	if !vp.cfg.Now().Before(t.ExpiresAt) {
		return nil, nil, ErrRequestExpired
	}
	var rec vpRecord
	if err := json.Unmarshal(t.Data, &rec); err != nil {
		return nil, nil, fmt.Errorf("verifier: transaction %s: %w", id, err)
	}
	return &t, &rec, nil
}

// RequestObject signs the Request Object of an open transaction; walletNonce, sent by a
// wallet that fetches with request_uri_method=post, is echoed inside.
func (vp *VP) RequestObject(ctx context.Context, id, walletNonce string) (string, error) {
	t, rec, err := vp.open(ctx, id)
	if err != nil {
		return "", err
	}
	q, err := oid4vp.ParseQuery(rec.Query)
	if err != nil {
		return "", err
	}
	ro := &oid4vp.RequestObject{
		ClientID: vp.clientID, ResponseType: "vp_token", ResponseMode: rec.ResponseMode,
		ResponseURI: cmpOr(rec.ResponseURI, vp.base.String()+PathVPResponse+t.ID), Nonce: rec.Nonce, State: rec.State,
		DCQLQuery: q, WalletNonce: walletNonce, ExpiresAt: t.ExpiresAt.Unix(),
	}
	var key *oid4vp.EncryptionKey
	if len(rec.Key) > 0 {
		if key, err = oid4vp.ParseEncryptionKey(rec.Key); err != nil {
			return "", err
		}
	}
	ro.ClientMetadata = oid4vp.NewClientMetadata(key)
	return oid4vp.SignRequestObject(ro, vp.cfg.Signer, vp.cfg.Now(), 0)
}

// Presented is one verified credential in a transaction's result: an SD-JWT VC's vct, or an
// mdoc's doctype with Issuer its Document Signer's subject and Claims {namespace: {element:
// value}} (bstr values in standard base64).
type Presented struct {
	VCT       string         `json:"vct,omitempty"`
	Doctype   string         `json:"doctype,omitempty"`
	Issuer    string         `json:"issuer"`
	IssuedAt  time.Time      `json:"issued_at"`
	ExpiresAt time.Time      `json:"expires_at"`
	Status    string         `json:"status"`
	Claims    map[string]any `json:"claims"`
}

// Respond takes the form a wallet posted to the response_uri. A form that does not decode
// (or decrypt with the transaction's key) leaves the transaction pending; a decoded response
// settles it once: verified, or failed with the check's reason. A second response is
// ErrRequestUsed. For a same-device transaction whose response is verified or a wallet's
// error, redirect is where the wallet sends the user: the relying party's return URL with a
// fresh 128-bit #response_code=…, whose hash the transaction keeps.
func (vp *VP) Respond(ctx context.Context, id string, form url.Values) (redirect string, err error) {
	_, rec, err := vp.open(ctx, id)
	if err != nil {
		return "", err
	}
	opts := oid4vp.DecodeOptions{Mode: rec.ResponseMode}
	if len(rec.Key) > 0 {
		if opts.Key, err = oid4vp.ParseDecryptionKey(rec.Key); err != nil {
			return "", err
		}
	}
	resp, err := oid4vp.DecodeResponse(form, opts)
	if err != nil {
		return "", err
	}
	result, verr := vp.check(ctx, rec, resp)
	code := ""
	if rec.RedirectURI != "" && (verr == nil || oid4vp.ReasonOf(verr) == oid4vp.ReasonWalletError) {
		code = random(16)
	}
	_, err = vp.cfg.Store.Update(ctx, id, func(t *vpstore.Transaction) error {
		if t.Status != vpstore.StatusPending {
			return ErrRequestUsed
		}
		if !vp.cfg.Now().Before(t.ExpiresAt) {
			return ErrRequestExpired
		}
		var cur vpRecord
		if err := json.Unmarshal(t.Data, &cur); err != nil {
			return err
		}
		cur.Key = nil // the key has served; it is not kept
		if code != "" {
			cur.ResponseCodeHash = hashResponseCode(code)
		}
		if verr != nil {
			t.Status, cur.Failure = vpstore.StatusFailed, failureCode(verr)
		} else {
			t.Status, cur.Result = vpstore.StatusVerified, result
		}
		t.Data, err = json.Marshal(cur)
		return err
	})
	if err != nil {
		return "", err
	}
	if code != "" {
		redirect = rec.RedirectURI + "#response_code=" + code
	}
	return redirect, verr
}

// check verifies a decoded response against the transaction: state, then every presentation
// (KB-JWT aud = client_id, nonce = the transaction's, and all of credential.Verifier's checks)
// against the DCQL query. It returns the result JSON.
func (vp *VP) check(ctx context.Context, rec *vpRecord, resp *oid4vp.Response) (json.RawMessage, error) {
	if resp.State != rec.State {
		return nil, oid4vp.Reason(oid4vp.InvalidRequest, oid4vp.ReasonStateMismatch)
	}
	if err := resp.WalletError(); err != nil {
		return nil, err
	}
	q, err := vp.queries.query(rec.Query)
	if err != nil {
		return nil, err
	}
	details := map[*oid4vp.Credential]*credential.Result{}
	mdocs := map[*oid4vp.Credential]*Presented{}
	var transcript []byte
	out, err := q.CheckVPToken(resp.VPToken, func(cq *oid4vp.CredentialQuery, p string) (*oid4vp.Credential, error) {
		if cq.Format == oid4vp.FormatMDoc {
			if transcript == nil {
				st, err := vp.sessionTranscript(rec)
				if err != nil {
					return nil, err
				}
				transcript = st
			}
			c, pr, err := vp.verifyMDoc(ctx, cq, p, transcript)
			if err != nil {
				return nil, err
			}
			mdocs[c] = pr
			return c, nil
		}
		// A query that waives holder binding takes a presentation without KB-JWT (§6.1).
		res, err := vp.cfg.Credentials.Verify(ctx, p, credential.Expectation{Audience: vp.clientID, Nonce: rec.Nonce,
			KeyBindingOptional: !cq.HolderBindingRequired()})
		if err != nil {
			return nil, err
		}
		c := &oid4vp.Credential{Format: oid4vp.FormatSDJWT, VCT: res.VCT, Claims: res.Claims, HolderBound: res.KeyBound}
		details[c] = res
		return c, nil
	})
	if err != nil {
		// The presentation's own code (e.g. credential_revoked) names the failure best.
		if oid4vp.ReasonOf(err) == oid4vp.ReasonPresentationInvalid {
			return nil, presentationFailure(errors.Unwrap(err), err)
		}
		return nil, err
	}
	result := map[string][]Presented{}
	for id, list := range out {
		for _, p := range list {
			if pr := mdocs[p.Credential]; pr != nil {
				pr.Claims = requested(p.Credential.Claims, p.Selection.Paths())
				result[id] = append(result[id], *pr)
				continue
			}
			res := details[p.Credential]
			result[id] = append(result[id], Presented{
				VCT: res.VCT, Issuer: res.Issuer, IssuedAt: res.IssuedAt.UTC(), ExpiresAt: res.ExpiresAt.UTC(),
				Status: "valid", Claims: requested(res.Claims, p.Selection.Paths()),
			})
		}
	}
	return json.Marshal(result)
}

// requested copies from claims only what paths select: a wallet that over-discloses does not
// leak it onward. A path's array steps keep the whole array below them.
func requested(claims map[string]any, paths []oid4vp.ClaimPath) map[string]any {
	out := map[string]any{}
	for _, p := range paths {
		src, dst := any(claims), out
		for i, e := range p {
			m, ok := src.(map[string]any)
			if !ok || !e.IsKey() {
				break
			}
			v, ok := m[e.Key]
			if !ok {
				break
			}
			last := i == len(p)-1 || !p[i+1].IsKey()
			if _, isMap := v.(map[string]any); last || !isMap {
				dst[e.Key] = v
				break
			}
			next, ok := dst[e.Key].(map[string]any)
			if !ok {
				next = map[string]any{}
				dst[e.Key] = next
			}
			src, dst = v, next
		}
	}
	return out
}

// Outcome is what a relying party reads about a transaction.
type Outcome struct {
	ID          string                 `json:"id"`
	Status      string                 `json:"status"` // pending, verified, failed
	ExpiresAt   time.Time              `json:"expires_at"`
	Credentials map[string][]Presented `json:"credentials,omitempty"`
	Error       string                 `json:"error,omitempty"`
}

// ErrResultRead: the outcome was already read (it is handed out once and not kept).
var ErrResultRead = errors.New("verifier: the outcome of this presentation request was already read")

// Outcome answers pending, or the verified result or failure exactly once (the claims are then
// dropped from the store). An expired pending transaction reads as failed, request_expired.
// A same-device transaction whose wallet was redirected is read only with that redirect's
// responseCode (ErrResponseCode otherwise, and the outcome stays unread).
func (vp *VP) Outcome(ctx context.Context, id, responseCode string) (*Outcome, error) {
	var out *Outcome
	_, err := vp.cfg.Store.Update(ctx, id, func(t *vpstore.Transaction) error {
		out = &Outcome{ID: id, ExpiresAt: t.ExpiresAt.UTC()}
		var rec vpRecord
		if err := json.Unmarshal(t.Data, &rec); err != nil {
			return err
		}
		if t.Status != vpstore.StatusRead && len(rec.ResponseCodeHash) > 0 &&
			subtle.ConstantTimeCompare(hashResponseCode(responseCode), rec.ResponseCodeHash) != 1 {
			return ErrResponseCode
		}
		switch t.Status {
		case vpstore.StatusRead:
			return ErrResultRead
		case vpstore.StatusPending:
			if vp.cfg.Now().Before(t.ExpiresAt) {
				out.Status = "pending"
				return nil
			}
			out.Status, out.Error = "failed", "request_expired"
		case vpstore.StatusVerified:
			out.Status = "verified"
			if err := json.Unmarshal(rec.Result, &out.Credentials); err != nil {
				return err
			}
		case vpstore.StatusFailed:
			out.Status, out.Error = "failed", rec.Failure
		}
		t.Status = vpstore.StatusRead
		rec.Result, rec.Key, rec.ResponseCodeHash = nil, nil, nil
		var err error
		t.Data, err = json.Marshal(rec)
		return err
	})
	if errors.Is(err, vpstore.ErrNotFound) {
		return nil, ErrRequestNotFound
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Link returns the authorization request link of an open transaction (for its QR code).
func (vp *VP) Link(ctx context.Context, id string) (string, error) {
	t, _, err := vp.open(ctx, id)
	if err != nil {
		return "", err
	}
	return oid4vp.AuthorizationURL(vp.clientID, vp.base.String()+PathVPRequest+t.ID, "post"), nil
}

// failureCode is the stable code a relying party reads for a refused response.
func failureCode(err error) string {
	var ve *Error
	if errors.As(err, &ve) {
		return ve.Code
	}
	if r := oid4vp.ReasonOf(err); r != "" {
		return r
	}
	return string(credential.CodeOf(err))
}
