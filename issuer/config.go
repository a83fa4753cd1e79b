package issuer

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/passkey"
	"github.com/idgate/idgate/issuer/storage"
)

// FaceEnroller turns a portrait photo into a face template sealed to the gate readers' key
// (a compact JWE; see package biometric). The issuer stores only that sealed template, never
// the photo. Optional: without one, enrolment with a portrait fails with a clear error.
// Portraits are not liveness-checked: enrolment is operator-attended (the operator sees the
// person and the document), unlike the unattended gate, where every live_jpeg is.
type FaceEnroller interface {
	EnrolFace(portrait []byte) (sealed string, err error)
}

// Config wires a Service. Zero durations take the defaults noted.
type Config struct {
	Store storage.Storage
	// Passkeys keeps the holders' passkeys and invitations, beside Store in the same database
	// (passkey.NewSQLiteStore, passkey.NewPostgresStore); nil: in memory, lost on restart.
	Passkeys passkey.Store
	// PublicURL is the credential issuer identifier (OpenID4VCI credential_issuer and the
	// SD-JWT VC iss); it must be a SAN URI of every signing certificate.
	PublicURL string
	// Signers maps each credential type to its signing key.
	Signers      map[credential.Type]certs.Signer
	StatusSigner certs.Signer
	Faces        FaceEnroller
	Now          func() time.Time
	Logger       *slog.Logger

	// DocumentSigner signs the mDL as an ISO/IEC 18013-5 mdoc (configuration MdocMDL, format
	// mso_mdoc); its certificate is of the Document Signer profile under an IACA. Nil: the
	// mdoc is not offered.
	DocumentSigner certs.Signer
	// PortraitKey (32 bytes, AES-256-GCM) seals the enrolment portraits kept for the mdoc until
	// it is issued; required with DocumentSigner.
	PortraitKey []byte

	OfferTTL time.Duration // pre-authorised code lifetime (10 min)
	TokenTTL time.Duration // access token lifetime (5 min)
	// TokenRepeatWindow is how long after its redemption a repeated token request with the
	// same pre-authorised code gets the same access token (30 s, or TokenTTL if shorter; see
	// Service.Token); from MinTokenRepeatWindow up to TokenTTL.
	TokenRepeatWindow time.Duration
	// UndeliveredGrace is how long past its token's expiry a credential whose delivery was
	// never confirmed stays valid before RevokeUndelivered revokes it (1 min; see
	// MinUndeliveredGrace, MaxUndeliveredGrace).
	UndeliveredGrace time.Duration
	NonceTTL         time.Duration // c_nonce lifetime (5 min)
	CredentialTTL    time.Duration // credential validity (365 days)
	StatusListSize   int           // slots per status list (65536)
	StatusTTL        time.Duration // list token ttl claim (5 min)
	StatusExpiry     time.Duration // list token exp (24 h)
	ProofMaxAge      time.Duration // proof JWT iat window (5 min)
	// PortraitTTL is how long an enrolment portrait waits for an mdoc offer (24 h); an offer
	// keeps it until the offer's token can no longer fetch the licence.
	PortraitTTL time.Duration

	// KeyAttestation names the credential configurations that require key attestations and the
	// wallet providers trusted for them; the zero value requires none.
	KeyAttestation KeyAttestationConfig
}

func (c *Config) defaults() error {
	if c.Store == nil || c.StatusSigner == nil || len(c.Signers) == 0 {
		return errors.New("issuer: Store, Signers and StatusSigner are required")
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("issuer: PublicURL %q must be an absolute http(s) URL", c.PublicURL)
	}
	for t, s := range c.Signers {
		if _, ok := credential.Lookup(t); !ok {
			return fmt.Errorf("issuer: signer for unknown credential type %q", t)
		}
		if !namesURI(s, c.PublicURL) {
			return fmt.Errorf("issuer: %s signing certificate does not name %s", t, c.PublicURL)
		}
		// Verifiers refuse what a certificate of another role signs: refuse it here, at start-up.
		if err := certs.ProfileCredentialSigner.Check(s.Chain()[0]); err != nil {
			return fmt.Errorf("issuer: %s signing certificate: %w", t, err)
		}
	}
	if len(c.StatusSigner.Chain()) == 0 {
		return errors.New("issuer: status list signer has no certificate")
	}
	if err := certs.ProfileStatusListSigner.Check(c.StatusSigner.Chain()[0]); err != nil {
		return fmt.Errorf("issuer: status list signing certificate: %w", err)
	}
	if err := c.KeyAttestation.check(func(id string) bool {
		_, ok := c.Signers[credential.Type(id)]
		return ok || (id == string(MdocMDL) && c.DocumentSigner != nil)
	}); err != nil {
		return err
	}
	if c.DocumentSigner != nil {
		if len(c.DocumentSigner.Chain()) == 0 {
			return errors.New("issuer: document signer has no certificate")
		}
		ds := c.DocumentSigner.Chain()[0]
		if err := certs.ProfileDocumentSigner.Check(ds); err != nil {
			return fmt.Errorf("issuer: document signer certificate: %w", err)
		}
		if len(ds.Subject.Country) != 1 {
			return errors.New("issuer: document signer certificate names no country (C)")
		}
		if len(c.PortraitKey) != PortraitKeySize {
			return fmt.Errorf("issuer: PortraitKey must be %d bytes with a DocumentSigner", PortraitKeySize)
		}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Passkeys == nil {
		c.Passkeys = passkey.NewMemoryStore(c.Store)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.OfferTTL, 10*time.Minute)
	def(&c.TokenTTL, 5*time.Minute)
	def(&c.TokenRepeatWindow, min(30*time.Second, c.TokenTTL))
	def(&c.UndeliveredGrace, time.Minute)
	def(&c.NonceTTL, 5*time.Minute)
	def(&c.CredentialTTL, 365*24*time.Hour)
	def(&c.StatusTTL, 5*time.Minute)
	def(&c.StatusExpiry, 24*time.Hour)
	def(&c.ProofMaxAge, 5*time.Minute)
	def(&c.PortraitTTL, 24*time.Hour)
	if c.StatusListSize == 0 {
		c.StatusListSize = 1 << 16
	}
	return c.checkWindows()
}

// Bounds of the re-delivery windows, checked at New.
const (
	// MinTokenRepeatWindow leaves a wallet whose token answer was lost time to repeat the
	// request; the window's upper bound is TokenTTL, past which the token is dead anyway.
	MinTokenRepeatWindow = time.Second
	// MinUndeliveredGrace is the servers' write timeout: a credential request accepted just
	// before its token expired may still be answering that long after.
	MinUndeliveredGrace = 30 * time.Second
	// MaxUndeliveredGrace bounds how long a credential no holder received stays valid.
	MaxUndeliveredGrace = time.Hour
)

// ErrConfig marks a Config value outside its bounds.
var ErrConfig = errors.New("issuer: configuration out of bounds")

func (c *Config) checkWindows() error {
	if c.TokenTTL < 0 {
		return fmt.Errorf("%w: TokenTTL %v is negative", ErrConfig, c.TokenTTL)
	}
	if c.TokenRepeatWindow < MinTokenRepeatWindow || c.TokenRepeatWindow > c.TokenTTL {
		return fmt.Errorf("%w: token repeat window %v must be from %v up to the token lifetime %v", ErrConfig, c.TokenRepeatWindow, MinTokenRepeatWindow, c.TokenTTL)
	}
	if c.UndeliveredGrace < MinUndeliveredGrace || c.UndeliveredGrace > MaxUndeliveredGrace {
		return fmt.Errorf("%w: undelivered grace %v must be from %v to %v", ErrConfig, c.UndeliveredGrace, MinUndeliveredGrace, MaxUndeliveredGrace)
	}
	return nil
}

func namesURI(s certs.Signer, uri string) bool {
	chain := s.Chain()
	if len(chain) == 0 {
		return false
	}
	for _, u := range chain[0].URIs {
		if u.String() == uri {
			return true
		}
	}
	return false
}
