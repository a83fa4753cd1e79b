package passkey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/idgate/idgate/issuer/storage"
)

// Service runs registration and login ceremonies for holders. Safe for concurrent use.
type Service struct {
	cfg      Config
	wa       *webauthn.WebAuthn
	origin   string
	sessions *sessions
}

// New validates cfg and derives the relying party from cfg.PublicURL (see RelyingParty).
func New(cfg Config) (*Service, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	wa, origin, err := newRP(cfg)
	if err != nil {
		return nil, err
	}
	sess, err := newSessions(cfg.SessionKey, cfg.MaxSessions, origin)
	if err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, wa: wa, origin: origin, sessions: sess}, nil
}

// Origin is the only origin ceremonies are accepted from.
func (s *Service) Origin() string { return s.origin }

// Invitation is what the operator hands to the holder.
type Invitation struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RegisterPath is where the invitation link points (the issuer serves the page there).
const RegisterPath = "/passkey/register"

// Invite creates a single-use registration link for holderID; the holder may then collect
// credentialTypes with the passkey. The caller has checked that the holder exists.
func (s *Service) Invite(ctx context.Context, actor, holderID string, credentialTypes []string) (Invitation, error) {
	if holderID == "" || len(credentialTypes) == 0 {
		return Invitation{}, fail(CodeInvalidRequest, "holder and credential_types are required", nil)
	}
	token, err := randomToken(32)
	if err != nil {
		return Invitation{}, err
	}
	now := s.cfg.Now()
	types := slices.Clone(credentialTypes)
	slices.Sort(types)
	inv := Invite{
		Hash: hash(token), HolderID: holderID, CredentialTypes: slices.Compact(types),
		CreatedAt: now.UTC(), ExpiresAt: now.Add(s.cfg.InviteTTL).UTC(),
	}
	if err := s.cfg.Store.CreateInvite(ctx, inv, s.event(actor, "passkey.invite", holderID, map[string]string{"types": strings.Join(inv.CredentialTypes, ",")})); err != nil {
		return Invitation{}, err
	}
	return Invitation{URL: s.origin + RegisterPath + "?invite=" + token, ExpiresAt: inv.ExpiresAt}, nil
}

// Begin is a ceremony start: Session goes back with the finish call, Options go to
// navigator.credentials.create/get as the publicKey member.
type Begin struct {
	Session string `json:"session"`
	Options any    `json:"publicKey"`
}

// BeginRegistration checks the invitation token and starts a registration ceremony.
func (s *Service) BeginRegistration(ctx context.Context, inviteToken string) (Begin, error) {
	if inviteToken == "" || len(inviteToken) > 128 {
		return Begin{}, fail(CodeInvalidInvite, "invitation token missing or malformed", nil)
	}
	now := s.cfg.Now()
	inv, err := s.cfg.Store.GetInvite(ctx, hash(inviteToken))
	if errors.Is(err, ErrNotFound) {
		return Begin{}, fail(CodeInvalidInvite, "unknown invitation", err)
	} else if err != nil {
		return Begin{}, err
	}
	if err := checkInvite(inv, now); err != nil {
		return Begin{}, err
	}
	name, err := s.cfg.Holders.HolderName(ctx, inv.HolderID)
	if err != nil {
		return Begin{}, err
	}
	u, err := s.user(ctx, inv.HolderID, name)
	if err != nil {
		return Begin{}, err
	}
	exclude := make([]protocol.CredentialDescriptor, 0, len(u.creds))
	for _, c := range u.creds {
		exclude = append(exclude, c.Descriptor())
	}
	creation, data, err := s.wa.BeginRegistration(u,
		webauthn.WithCredentialParameters(credParams),
		webauthn.WithExclusions(exclude),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementPreferred, UserVerification: protocol.VerificationRequired,
		}),
	)
	if err != nil {
		return Begin{}, fail(CodeUnavailable, "begin registration", err)
	}
	id, err := s.putSession(session{kind: ceremonyRegister, data: *data, inviteHash: inv.Hash, holderID: inv.HolderID}, now)
	if err != nil {
		return Begin{}, err
	}
	return Begin{Session: id, Options: creation.Response}, nil
}

func checkInvite(inv Invite, now time.Time) error {
	if inv.UsedAt != nil {
		return fail(CodeInviteUsed, "invitation already used", nil)
	}
	if !now.Before(inv.ExpiresAt) {
		return fail(CodeInviteExpired, "invitation expired", nil)
	}
	return nil
}

// FinishRegistration verifies the attestation in body (see ParseRegistration), consumes
// the invitation and stores the passkey. It returns the holder id.
func (s *Service) FinishRegistration(ctx context.Context, body []byte) (string, error) {
	sid, parsed, err := ParseRegistration(body)
	if err != nil {
		return "", err
	}
	now := s.cfg.Now()
	sess, done, err := s.sessions.take(sid, ceremonyRegister, now)
	if err != nil {
		return "", err
	}
	// The token stays spent only once the passkey is stored; any failure releases it (a
	// replayed attestation cannot succeed then: the invite is consumed atomically).
	stored := false
	defer func() { done(stored) }()
	u, err := s.user(ctx, sess.holderID, "")
	if err != nil {
		return "", err
	}
	cred, err := s.wa.CreateCredential(u, sess.data, parsed)
	if err != nil {
		s.audit(ctx, "holder", "passkey.register.reject", sess.holderID, map[string]string{"reason": reason(err)})
		return "", fail(CodeVerification, "registration did not verify", err)
	}
	if !cred.Flags.UserVerified { // CreateCredential checked it (UV required); keep the rule local too
		return "", fail(CodeVerification, "user verification required", nil)
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return "", err
	}
	inv, err := s.cfg.Store.GetInvite(ctx, sess.inviteHash)
	if err != nil {
		return "", err
	}
	err = s.cfg.Store.RegisterCredential(ctx, sess.inviteHash, now, Credential{
		ID: cred.ID, HolderID: sess.holderID, CredentialTypes: inv.CredentialTypes,
		SignCount: cred.Authenticator.SignCount, Record: record, CreatedAt: now.UTC(),
	}, s.event("holder", "passkey.register", sess.holderID, map[string]string{"credential": shortID(cred.ID), "alg": fmt.Sprint(cred.Attestation.PublicKeyAlgorithm)}))
	if errors.Is(err, ErrConflict) {
		// The invite was consumed or expired while the ceremony ran, or the id exists.
		if e := checkInvite(inv, now); e != nil {
			return "", e
		}
		return "", fail(CodeInviteUsed, "invitation already used or passkey already registered", err)
	} else if err != nil {
		return "", err
	}
	stored = true
	return sess.holderID, nil
}

// BeginLogin starts a discoverable (username-less) login ceremony with UV required.
func (s *Service) BeginLogin(_ context.Context) (Begin, error) {
	assertion, data, err := s.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return Begin{}, fail(CodeUnavailable, "begin login", err)
	}
	id, err := s.putSession(session{kind: ceremonyLogin, data: *data}, s.cfg.Now())
	if err != nil {
		return Begin{}, err
	}
	return Begin{Session: id, Options: assertion.Response}, nil
}

// Login is a verified holder.
type Login struct {
	HolderID        string
	CredentialTypes []string // what the passkey's invitation entitled the holder to collect
}

// FinishLogin verifies the assertion in body (see ParseLogin): signature, origin, RP ID,
// challenge, UV, and a sign counter that advances (else CodeCloneDetected, audited).
func (s *Service) FinishLogin(ctx context.Context, body []byte) (Login, error) {
	sid, parsed, err := ParseLogin(body)
	if err != nil {
		return Login{}, err
	}
	now := s.cfg.Now()
	sess, done, err := s.sessions.take(sid, ceremonyLogin, now)
	if err != nil {
		return Login{}, err
	}
	// Once an assertion over this challenge has verified, the token stays spent whatever
	// follows (clone check, counter CAS, store error): releasing it would let the same body
	// be replayed, e.g. by an authenticator whose counter is always 0. Before that, failures
	// release it, so anonymous begin+garbage-finish loops leave nothing behind.
	spent := false
	defer func() { done(spent) }()
	// One passkey holds at most maxPerPasskey spent tokens and logins in flight: past that its
	// logins wait until the oldest token's hold ends (expiry plus a minute), so it cannot fill
	// the single-use set for everyone. Only its holder can spend them (each is a verified
	// assertion), so naming a victim's credential id here blocks nobody for long: a login in
	// flight that fails verification is settled at once. The raw id is the one the store looks
	// up below, so the count and the credential cannot differ.
	passkey := passkeyOwner(parsed.RawID)
	if !s.sessions.used.claim(passkey, now) {
		return Login{}, fail(CodePasskeyBusy, "this passkey signed in too often in the last minutes; retry shortly", nil)
	}
	defer func() { s.sessions.used.settle(passkey, spent, sess.expires.Add(usedGrace), s.cfg.Now()) }()
	var rec Credential
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		c, err := s.cfg.Store.GetCredential(ctx, rawID)
		if err != nil {
			return nil, err
		}
		if c.HolderID != string(userHandle) {
			return nil, fmt.Errorf("%w: user handle does not own the credential", ErrUnknownPasskey)
		}
		rec = c
		return s.user(ctx, c.HolderID, "")
	}
	_, cred, err := s.wa.ValidatePasskeyLogin(handler, sess.data, parsed)
	if err != nil {
		if errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnknownPasskey) {
			return Login{}, fail(CodeUnknownPasskey, "passkey not registered here", err)
		}
		if rec.HolderID != "" {
			s.audit(ctx, "holder", "passkey.login.reject", rec.HolderID, map[string]string{"credential": shortID(rec.ID), "reason": reason(err)})
		}
		return Login{}, fail(CodeVerification, "login did not verify", err)
	}
	spent = true
	got := parsed.Response.AuthenticatorData.Counter
	// WebAuthn §6.1.1: a counter that does not grow signals a cloned authenticator. Counters
	// that stay 0 mean the authenticator keeps none. go-webauthn only flags it: we refuse.
	if cred.Authenticator.CloneWarning || ((got != 0 || rec.SignCount != 0) && got <= rec.SignCount) {
		s.audit(ctx, "holder", "passkey.clone_detected", rec.HolderID, map[string]string{
			"credential": shortID(rec.ID), "stored_count": fmt.Sprint(rec.SignCount), "presented_count": fmt.Sprint(got),
		})
		return Login{}, fail(CodeCloneDetected, "authenticator sign counter did not advance; passkey refused", nil)
	}
	if err := s.cfg.Store.UpdateSignCount(ctx, rec.ID, rec.SignCount, got, now,
		s.event("holder", "passkey.login", rec.HolderID, map[string]string{"credential": shortID(rec.ID)})); err != nil {
		if errors.Is(err, ErrConflict) {
			s.audit(ctx, "holder", "passkey.clone_detected", rec.HolderID, map[string]string{"credential": shortID(rec.ID), "reason": "concurrent use"})
			return Login{}, fail(CodeCloneDetected, "passkey used concurrently; refused", err)
		}
		return Login{}, err
	}
	return Login{HolderID: rec.HolderID, CredentialTypes: rec.CredentialTypes}, nil
}

// putSession seals sess into the token the client carries to the finish call; nothing is
// stored.
func (s *Service) putSession(sess session, now time.Time) (string, error) {
	sess.expires = now.Add(s.cfg.SessionTTL)
	return s.sessions.seal(sess)
}

// event is the audit event recording a change; the store call making the change commits it.
func (s *Service) event(actor, action, subject string, details map[string]string) storage.AuditEvent {
	return storage.AuditEvent{Time: s.cfg.Now().UTC(), Actor: actor, Action: action, Subject: subject, Details: details}
}

// audit records an event of no change of its own (a refusal) through cfg.Audit.
func (s *Service) audit(ctx context.Context, actor, action, subject string, details map[string]string) {
	if s.cfg.Audit != nil {
		s.cfg.Audit.Audit(ctx, actor, action, subject, details)
	}
}

// user is a holder as go-webauthn sees it. The user handle is the holder id: random, no
// personal data, at most 64 bytes.
type user struct {
	id    string
	name  string
	creds []webauthn.Credential
}

func (u user) WebAuthnID() []byte                         { return []byte(u.id) }
func (u user) WebAuthnName() string                       { return u.name }
func (u user) WebAuthnDisplayName() string                { return u.name }
func (u user) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func (s *Service) user(ctx context.Context, holderID, name string) (user, error) {
	if len(holderID) == 0 || len(holderID) > 64 {
		return user{}, fail(CodeInvalidRequest, "holder id must be 1..64 bytes", nil)
	}
	recs, err := s.cfg.Store.ListCredentials(ctx, holderID)
	if err != nil {
		return user{}, err
	}
	u := user{id: holderID, name: name, creds: make([]webauthn.Credential, 0, len(recs))}
	if u.name == "" {
		u.name = holderID
	}
	for _, r := range recs {
		var c webauthn.Credential
		if err := json.Unmarshal(r.Record, &c); err != nil {
			return user{}, fmt.Errorf("passkey: stored credential record: %w", err)
		}
		c.Authenticator.SignCount = r.SignCount // the column is authoritative
		u.creds = append(u.creds, c)
	}
	return u, nil
}

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hash(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

// shortID identifies a credential in the audit log without recording the whole id.
func shortID(id []byte) string {
	h := sha256.Sum256(id)
	return hex.EncodeToString(h[:6])
}

// reason is the library's short error description for the audit log.
func reason(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe.Type + ": " + pe.Details
	}
	return "verification failed"
}

// passkeyOwner is a credential id's key in the single-use set's per-passkey shares.
func passkeyOwner(id []byte) string { return "passkey:" + base64.RawURLEncoding.EncodeToString(id) }
