package passkey

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// Holders names a holder for the authenticator's account picker. The issuer implements it.
type Holders interface {
	HolderName(ctx context.Context, holderID string) (string, error)
}

// Auditor records security events (no credential material in details).
type Auditor interface {
	Audit(ctx context.Context, actor, action, subject string, details map[string]string)
}

// Config wires a Service. Zero durations take the defaults noted.
type Config struct {
	Store   Store
	Holders Holders
	Audit   Auditor
	// PublicURL is the issuer's public origin; RPID is its host, the only accepted origin its
	// scheme://host[:port]. The host must be a DNS name (localhost included), not an IP.
	PublicURL     string
	RPDisplayName string // "idgate issuer"
	Now           func() time.Time

	InviteTTL  time.Duration // registration link lifetime (24 h)
	SessionTTL time.Duration // one ceremony's lifetime (5 min)
	// MaxSessions caps the single-use records of finished or in-flight ceremony sessions
	// (10000). Begin calls do not use it: the client carries the sealed session.
	MaxSessions int
	// SessionKey (SessionKeySize bytes) seals ceremony sessions. Nil: a random key made at
	// New, so a session finishes only at the instance that began it. Set the same key on
	// every instance to let any of them finish a ceremony (single use stays per instance).
	SessionKey []byte
}

// RelyingParty derives the WebAuthn RP ID and origin from an issuer's public URL.
func RelyingParty(publicURL string) (rpID, origin string, err error) {
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return "", "", fail(CodeUnavailable, fmt.Sprintf("public URL %q is not an absolute http(s) URL", publicURL), err)
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return "", "", fail(CodeUnavailable, fmt.Sprintf("public URL host %s is an IP address; browsers accept only domain RP IDs (use http://localhost:PORT locally)", host), nil)
	}
	if u.Scheme == "http" && host != "localhost" {
		return "", "", fail(CodeUnavailable, "WebAuthn needs a secure context: https, or http://localhost", nil)
	}
	return host, u.Scheme + "://" + u.Host, nil
}

func (c *Config) defaults() error {
	if c.Store == nil || c.Holders == nil {
		return errors.New("passkey: Store and Holders are required")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.RPDisplayName == "" {
		c.RPDisplayName = "idgate issuer"
	}
	if c.InviteTTL == 0 {
		c.InviteTTL = 24 * time.Hour
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = 5 * time.Minute
	}
	if c.MaxSessions == 0 {
		c.MaxSessions = 10000
	}
	if c.MaxSessions < 0 || c.SessionTTL < 0 || c.InviteTTL < 0 {
		return errors.New("passkey: MaxSessions, SessionTTL and InviteTTL must not be negative")
	}
	if c.SessionKey != nil && len(c.SessionKey) != SessionKeySize {
		return fmt.Errorf("passkey: SessionKey must be %d bytes, got %d", SessionKeySize, len(c.SessionKey))
	}
	return nil
}

// credParams are the algorithms we accept, in preference order.
var credParams = []protocol.CredentialParameter{
	{Type: protocol.PublicKeyCredentialType, Algorithm: -7},   // ES256
	{Type: protocol.PublicKeyCredentialType, Algorithm: -8},   // EdDSA
	{Type: protocol.PublicKeyCredentialType, Algorithm: -257}, // RS256
}

func newRP(cfg Config) (*webauthn.WebAuthn, string, error) {
	rpID, origin, err := RelyingParty(cfg.PublicURL)
	if err != nil {
		return nil, "", err
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:                  rpID,
		RPDisplayName:         cfg.RPDisplayName,
		RPOrigins:             []string{origin},
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.VerificationRequired,
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: cfg.SessionTTL, TimeoutUVD: cfg.SessionTTL},
			Registration: webauthn.TimeoutConfig{Timeout: cfg.SessionTTL, TimeoutUVD: cfg.SessionTTL},
		},
	})
	if err != nil {
		return nil, "", fail(CodeUnavailable, "relying party configuration", err)
	}
	return wa, origin, nil
}
