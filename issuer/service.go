package issuer

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage"
)

// Service is the issuer's domain logic. Safe for concurrent use.
type Service struct {
	cfg       Config
	nonces    *nonceStore
	portraits *portraitSealer // nil without Config.DocumentSigner

	listMu       sync.Mutex   // serialises creation of a new status list when the current one fills
	pk           passkeyState // holders' passkeys, built on first use (passkeys.go)
	statusTokens sync.Map     // list id → cachedToken (status.go)
}

// New validates cfg and returns a Service.
func New(cfg Config) (*Service, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, nonces: newNonceStore(cfg.NonceTTL)}
	if cfg.DocumentSigner != nil {
		p, err := newPortraitSealer(cfg.PortraitKey)
		if err != nil {
			return nil, fmt.Errorf("issuer: portrait key: %w", err)
		}
		s.portraits = p
	}
	return s, nil
}

// PublicURL is the credential issuer identifier.
func (s *Service) PublicURL() string { return s.cfg.PublicURL }

// randomToken returns n random bytes, base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("issuer: crypto/rand failed: " + err.Error()) // the platform RNG never fails on Linux ≥ 3.17
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("issuer: crypto/rand failed: " + err.Error())
	}
	return b
}

func randomID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic("issuer: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}

func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// event is the audit event recording an action; it is handed to the store call that makes
// the change, which commits both together.
func (s *Service) event(actor, action, subject string, details map[string]string) storage.AuditEvent {
	return storage.AuditEvent{Time: s.cfg.Now().UTC(), Actor: actor, Action: action, Subject: subject, Details: details}
}

// audit appends an event that records no change (a re-delivery, a repeated token answer).
func (s *Service) audit(ctx context.Context, actor, action, subject string, details map[string]string) {
	if _, err := s.cfg.Store.AppendAudit(ctx, s.event(actor, action, subject, details)); err != nil {
		s.cfg.Logger.Error("audit append failed", "action", action, "subject", subject, "err", err)
	}
}

// --- operators ---

// EnsureOperatorToken registers token (stored hashed) for an operator named name; re-registering
// the same token is a no-op.
func (s *Service) EnsureOperatorToken(ctx context.Context, token, name string) error {
	if len(token) < 32 {
		return errf(CodeInvalidRequest, "operator token too short")
	}
	err := s.cfg.Store.CreateOperatorToken(ctx, storage.OperatorToken{Hash: hashSecret(token), Name: name, CreatedAt: s.cfg.Now().UTC()})
	if err != nil && !errors.Is(err, storage.ErrAlreadyExists) {
		return err
	}
	return nil
}

// NewOperatorToken creates, registers and returns a fresh operator token.
func (s *Service) NewOperatorToken(ctx context.Context, name string) (string, error) {
	tok := randomToken(32)
	return tok, s.EnsureOperatorToken(ctx, tok, name)
}

// Authenticate resolves an operator bearer token to the operator's name.
func (s *Service) Authenticate(ctx context.Context, token string) (string, error) {
	if token == "" {
		return "", errf(CodeUnauthorized, "operator token required")
	}
	op, err := s.cfg.Store.GetOperatorToken(ctx, hashSecret(token))
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return "", errf(CodeUnauthorized, "unknown operator token")
		}
		return "", err
	}
	return op.Name, nil
}

// --- holders and offers ---

// Enrol validates attrs for each requested credential type and stores the holder. A portrait,
// when given, becomes the sealed face_template claim. The photo itself is dropped here, unless
// the holder is enrolled for the mdoc licence (MdocMDL), which carries it: then it is kept
// sealed (Config.PortraitKey) until the licence is issued or PortraitTTL passes without an offer.
func (s *Service) Enrol(ctx context.Context, actor string, types []credential.Type, attrs map[string]any, portrait []byte) (storage.Holder, error) {
	if len(types) == 0 {
		return storage.Holder{}, errf(CodeInvalidRequest, "credential_types is required")
	}
	if _, ok := attrs[credential.FaceTemplateClaim]; ok {
		return storage.Holder{}, errf(CodeInvalidRequest, "face_template is derived from the portrait, not supplied")
	}
	if slices.Contains(types, MdocMDL) && s.offered(MdocMDL) {
		if err := checkMdocPortrait(portrait); err != nil { // before the face is read from it
			return storage.Holder{}, err
		}
	}
	if len(portrait) > 0 {
		if s.cfg.Faces == nil {
			return storage.Holder{}, errf(CodeFaceUnavailable, "face enrolment is not configured on this issuer")
		}
		sealed, err := s.cfg.Faces.EnrolFace(portrait)
		if err != nil {
			return storage.Holder{}, &Error{Code: CodeInvalidPortrait, Msg: "portrait: " + err.Error(), Err: err}
		}
		attrs[credential.FaceTemplateClaim] = sealed
	}
	now := s.cfg.Now()
	used := make(map[string]bool, len(attrs))
	for _, t := range types {
		if !s.offered(t) {
			return storage.Holder{}, errf(CodeUnknownConfiguration, "credential type %q is not issued here", t)
		}
		if t == MdocMDL {
			if err := s.checkMdocEnrolment(attrs, portrait, now); err != nil {
				return storage.Holder{}, err
			}
			for k := range attrs {
				used[k] = used[k] || mdocAttribute(k)
			}
			continue
		}
		sel := credential.Select(t, attrs)
		if _, err := credential.SubjectClaims(t, sel, now); err != nil {
			return storage.Holder{}, err
		}
		for k := range sel {
			used[k] = true
		}
	}
	// An attribute no requested type signs would be stored unchecked; refuse it instead.
	for k := range attrs {
		if !used[k] {
			return storage.Holder{}, errf(CodeInvalidRequest, "attributes: %.64q is not a claim of the requested credential types", k)
		}
	}
	h := storage.Holder{ID: randomID(), Attributes: attrs, CreatedAt: now.UTC()}
	details := map[string]string{"types": joinTypes(types), "face": strconv.FormatBool(len(portrait) > 0)}
	// The mdoc carries the portrait itself: kept sealed until the licence is issued.
	if slices.Contains(types, MdocMDL) {
		h.Portrait = &storage.Portrait{HolderID: h.ID, Sealed: s.portraits.seal(h.ID, portrait), ExpiresAt: now.Add(s.cfg.PortraitTTL).UTC()}
		details["portrait"] = "sealed"
	}
	ev := s.event(actor, "holder.enrol", h.ID, details)
	if err := s.cfg.Store.CreateHolder(ctx, h, ev); err != nil {
		return storage.Holder{}, err
	}
	return h, nil
}

// checkHolderFor checks that holder h's attributes make a credential of configuration t.
func (s *Service) checkHolderFor(t credential.Type, h storage.Holder, now time.Time) error {
	if t == MdocMDL {
		_, err := s.mdocClaims(h.Attributes, now)
		return err
	}
	_, err := credential.SubjectClaims(t, credential.Select(t, h.Attributes), now)
	return err
}

// Offer is a created credential offer. The pre-authorised code exists only inside URI.
type Offer struct {
	ID        string    `json:"offer_id"`
	URI       string    `json:"offer_uri"`
	ByRefURI  string    `json:"offer_uri_by_reference"`
	ExpiresAt time.Time `json:"expires_at"`
}

// offerJSON is the OpenID4VCI credential offer object.
type offerJSON struct {
	CredentialIssuer string         `json:"credential_issuer"`
	ConfigurationIDs []string       `json:"credential_configuration_ids"`
	Grants           map[string]any `json:"grants"`
}

const preAuthGrant = "urn:ietf:params:oauth:grant-type:pre-authorized_code"

// CreateOffer makes a single-use, expiring credential offer of type t for a holder.
func (s *Service) CreateOffer(ctx context.Context, actor, holderID string, t credential.Type) (Offer, error) {
	if !s.offered(t) {
		return Offer{}, errf(CodeUnknownConfiguration, "credential type %q is not issued here", t)
	}
	h, err := s.cfg.Store.GetHolder(ctx, holderID)
	if err != nil {
		return Offer{}, err
	}
	now := s.cfg.Now()
	if err := s.checkHolderFor(t, h, now); err != nil {
		return Offer{}, err
	}
	code := randomToken(32)
	o := storage.Offer{
		ID: randomID(), HolderID: h.ID, CredentialType: string(t), PreAuthCodeHash: hashSecret(code),
		CreatedAt: now.UTC(), ExpiresAt: now.Add(s.cfg.OfferTTL).UTC(),
	}
	if t == MdocMDL {
		// The portrait stays until the offer's token can no longer fetch the licence.
		if err := s.keepPortraitUntil(ctx, h.ID, o.ExpiresAt.Add(s.cfg.TokenTTL+s.cfg.UndeliveredGrace), now); err != nil {
			return Offer{}, err
		}
	}
	body, err := json.Marshal(offerJSON{
		CredentialIssuer: s.cfg.PublicURL,
		ConfigurationIDs: []string{string(t)},
		Grants:           map[string]any{preAuthGrant: map[string]any{"pre-authorized_code": code}},
	})
	if err != nil {
		return Offer{}, err
	}
	if err := s.cfg.Store.CreateOffer(ctx, o, s.event(actor, "offer.create", o.ID, map[string]string{"holder": h.ID, "type": string(t)})); err != nil {
		return Offer{}, err
	}
	return Offer{
		ID:        o.ID,
		URI:       "openid-credential-offer://?credential_offer=" + url.QueryEscape(string(body)),
		ExpiresAt: o.ExpiresAt,
	}, nil
}

// --- token endpoint ---

// TokenResponse is the OAuth token endpoint's answer.
type TokenResponse struct {
	AccessToken     string `json:"access_token"`
	TokenType       string `json:"token_type"`
	ExpiresIn       int    `json:"expires_in"`
	CNonce          string `json:"c_nonce"`
	CNonceExpiresIn int    `json:"c_nonce_expires_in"`
}

// Token redeems a pre-authorised code for an access token and a c_nonce. Marking the code
// redeemed, storing the token and the audit event are one transaction.
//
// The code is single-use with one exception: repeated within TokenRepeatWindow of its
// redemption, it gets the same access token again (derived from the code and a random salt
// stored with the offer; the store keeps only hashes), so a wallet whose answer was lost can
// retry. Whoever holds the code could redeem it anyway before the wallet did; the window only
// lets a second holder of the code get the token the first one got, which still spends once:
// the credential goes to the first proof's key, and a proof by another key is refused.
func (s *Service) Token(ctx context.Context, grantType, code string) (TokenResponse, error) {
	if grantType != preAuthGrant {
		return TokenResponse{}, errf(CodeUnsupportedGrant, "grant_type must be %s", preAuthGrant)
	}
	if code == "" {
		return TokenResponse{}, errf(CodeInvalidRequest, "pre-authorized_code is required")
	}
	o, err := s.cfg.Store.GetOfferByCodeHash(ctx, hashSecret(code))
	if errors.Is(err, storage.ErrNotFound) {
		return TokenResponse{}, errf(CodeInvalidGrant, "unknown pre-authorized code")
	} else if err != nil {
		return TokenResponse{}, err
	}
	now := s.cfg.Now()
	if o.RedeemedAt != nil {
		return s.repeatToken(ctx, o, code, now)
	}
	salt := randomBytes(32)
	tok, nonce := deriveToken(code, salt), randomToken(16)
	at := storage.AccessToken{
		TokenHash: hashSecret(tok), OfferID: o.ID, CNonce: nonce,
		CNonceExpiresAt: now.Add(s.cfg.NonceTTL).UTC(), ExpiresAt: now.Add(s.cfg.TokenTTL).UTC(),
	}
	errRedeemed := errors.New("redeemed concurrently")
	err = s.cfg.Store.RedeemOffer(ctx, o.ID, func(o *storage.Offer) error {
		if o.RedeemedAt != nil {
			return errRedeemed
		}
		if !now.Before(o.ExpiresAt) {
			return errf(CodeInvalidGrant, "pre-authorized code expired")
		}
		t := now.UTC()
		o.RedeemedAt, o.TokenSalt = &t, salt
		return nil
	}, at, s.event("wallet", "offer.redeem", o.ID, nil))
	if errors.Is(err, errRedeemed) {
		if o, err = s.cfg.Store.GetOffer(ctx, o.ID); err != nil {
			return TokenResponse{}, err
		}
		return s.repeatToken(ctx, o, code, now)
	}
	if err != nil {
		return TokenResponse{}, err
	}
	return TokenResponse{
		AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(s.cfg.TokenTTL.Seconds()),
		CNonce: nonce, CNonceExpiresIn: int(s.cfg.NonceTTL.Seconds()),
	}, nil
}

// repeatToken answers a code redeemed before: the same access token within
// TokenRepeatWindow of the redemption (while the token lives), invalid_grant otherwise.
func (s *Service) repeatToken(ctx context.Context, o storage.Offer, code string, now time.Time) (TokenResponse, error) {
	used := errf(CodeInvalidGrant, "pre-authorized code already used")
	if o.RedeemedAt == nil || o.TokenSalt == nil || now.Before(*o.RedeemedAt) || now.Sub(*o.RedeemedAt) >= s.cfg.TokenRepeatWindow {
		return TokenResponse{}, used
	}
	tok := deriveToken(code, o.TokenSalt)
	at, err := s.cfg.Store.GetAccessToken(ctx, hashSecret(tok))
	if err != nil {
		return TokenResponse{}, err
	}
	if !now.Before(at.ExpiresAt) {
		return TokenResponse{}, used
	}
	nonce, nonceTTL := at.CNonce, at.CNonceExpiresAt.Sub(now)
	if nonce == "" || nonceTTL < time.Second { // spent on a credential: a fresh one from the nonce endpoint
		nonce, nonceTTL = s.nonces.issue(now), s.cfg.NonceTTL
	}
	s.audit(ctx, "wallet", "offer.redeem.repeat", o.ID, nil)
	return TokenResponse{
		AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(at.ExpiresAt.Sub(now).Seconds()),
		CNonce: nonce, CNonceExpiresIn: int(nonceTTL.Seconds()),
	}, nil
}

// deriveToken is the access token of a code redeemed with salt: HMAC-SHA256 keyed with the
// salt (stored) over the code (held only by the wallet; stored hashed).
func deriveToken(code string, salt []byte) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte("idgate access token v1\x00"))
	m.Write([]byte(code))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Nonce hands out a fresh single-use c_nonce (the OpenID4VCI nonce endpoint).
func (s *Service) Nonce() (string, int) {
	return s.nonces.issue(s.cfg.Now()), int(s.cfg.NonceTTL.Seconds())
}

func joinTypes(ts []credential.Type) string {
	ss := make([]string, len(ts))
	for i, t := range ts {
		ss[i] = string(t)
	}
	slices.Sort(ss)
	return strings.Join(ss, ",")
}
