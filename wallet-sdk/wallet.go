package walletsdk

import (
	"net/http"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/statuslist"
)

// Config wires a Wallet. Dir and exactly one of StoreKey / Passphrase are required.
type Config struct {
	// Dir holds the encrypted store; the app's private data directory.
	Dir string
	// StoreKey is the 32-byte data-encryption key from the platform keychain (preferred).
	StoreKey []byte
	// Passphrase, if StoreKey is not used, is stretched with PBKDF2-SHA256 (600k iterations,
	// random salt in the store header).
	Passphrase string
	// KeyStore holds device keys; nil means PlatformKeys when set, else NewSoftwareKeyStore
	// over the encrypted store.
	KeyStore KeyStore
	// PlatformKeys, when KeyStore is nil, keeps device keys in the phone's secure hardware
	// (NewPlatformKeyStore over the encrypted store). A wallet is always opened with the same
	// kind of key store: credentials bound to keys of the other kind are unusable.
	PlatformKeys PlatformKeys
	// HTTP is the client for issuer calls; nil means a client with a 30s timeout that does not
	// follow redirects.
	HTTP *http.Client
	// Now is the clock (tests pin it); nil means time.Now.
	Now func() time.Time
	// AllowInsecureHTTP permits plain-http issuers on non-loopback hosts (never in production).
	AllowInsecureHTTP bool
	// Retries is how often a metadata, token or credential request that failed in transport (the
	// issuer may have acted and the answer been lost) is sent again, RetryDelay apart. The
	// issuer answers such a repeat with the same access token (same code, shortly after) or
	// the same credential (same token and device key). 0 means 2; negative means none.
	Retries    int
	RetryDelay time.Duration // 0 means 500 ms
	// VerifierTrust holds the roots of the relying parties the wallet presents to over
	// OpenID4VP (certs.PurposeVerifier; the scope is the client_id). ResolveVP needs it.
	VerifierTrust oid4vp.Trust
	// StatusTrust holds the roots of the issuers' status list signers (certs.PurposeStatusList);
	// CredentialStatus needs it.
	StatusTrust *certs.TrustList
}

// Wallet is a holder wallet: credentials and device keys in an encrypted store, OpenID4VCI
// issuance and SD-JWT presentation. Safe for concurrent use.
type Wallet struct {
	store     *Store
	keys      KeyStore
	http      *http.Client
	now       func() time.Time
	allowHTTP bool

	retries    int
	retryDelay time.Duration

	verifierTrust oid4vp.Trust
	status        *statuslist.Checker
}

const defaultHTTPTimeout = 30 * time.Second

// New opens (creating on first use) the wallet in cfg.Dir.
func New(cfg Config) (*Wallet, error) {
	store, err := OpenStore(cfg.Dir, cfg.StoreKey, cfg.Passphrase)
	if err != nil {
		return nil, err
	}
	w := &Wallet{store: store, keys: cfg.KeyStore, http: cfg.HTTP, now: cfg.Now, allowHTTP: cfg.AllowInsecureHTTP,
		retries: cfg.Retries, retryDelay: cfg.RetryDelay, verifierTrust: cfg.VerifierTrust}
	switch {
	case w.retries == 0:
		w.retries = 2
	case w.retries < 0:
		w.retries = 0
	}
	if w.retryDelay <= 0 {
		w.retryDelay = 500 * time.Millisecond
	}
	switch {
	case w.keys != nil:
	case cfg.PlatformKeys != nil:
		w.keys = NewPlatformKeyStore(cfg.PlatformKeys, store)
	default:
		w.keys = NewSoftwareKeyStore(store)
	}
	if w.http == nil {
		w.http = &http.Client{
			Timeout: defaultHTTPTimeout,
			// OpenID4VCI endpoints come from metadata; a redirect elsewhere is not followed.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if w.now == nil {
		w.now = time.Now
	}
	if cfg.StatusTrust != nil {
		w.status = statuslist.NewChecker(statuslist.CheckerConfig{HTTP: w.http, Trust: cfg.StatusTrust, Now: w.now,
			AllowInsecureHTTP: w.allowHTTP})
	}
	return w, nil
}

// Store returns the wallet's encrypted store (e.g. to share it with a SoftwareKeyStore).
func (w *Wallet) Store() *Store { return w.store }
