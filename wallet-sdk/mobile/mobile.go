package mobile

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// callTimeout bounds one facade call, so that none blocks forever.
const callTimeout = 2 * time.Minute

// Wallet is a holder wallet opened on an app directory.
type Wallet struct {
	w *walletsdk.Wallet

	mu         sync.Mutex
	pending    map[string]*walletsdk.VPRequest // resolved OpenID4VP requests by request_id
	order      []string
	offers     map[string]*walletsdk.OfferPreview // previewed offers by preview_id
	offerOrder []string

	callMu   sync.Mutex
	calls    context.Context // parent of the calls in progress; Cancel ends it
	endCalls context.CancelFunc
}

// call returns the context of one network call: bounded by callTimeout, ended by Cancel.
func (m *Wallet) call() (context.Context, context.CancelFunc) {
	m.callMu.Lock()
	if m.calls == nil {
		m.calls, m.endCalls = context.WithCancel(context.Background())
	}
	parent := m.calls
	m.callMu.Unlock()
	return context.WithTimeout(parent, callTimeout)
}

// Cancel ends every network call of this wallet in progress (AcceptOffer, Present, PresentMdoc,
// CredentialStatus, ResolveVP, RespondVP, DeclineVP): each returns promptly with code
// "cancelled". Calls made afterwards run normally. Safe to call from any thread.
func (m *Wallet) Cancel() {
	m.callMu.Lock()
	defer m.callMu.Unlock()
	if m.endCalls != nil {
		m.endCalls()
	}
	m.calls, m.endCalls = nil, nil
}

// cancelled reports an error of a call that Cancel ended as code "cancelled".
func cancelled(ctx context.Context, err error) error {
	if err != nil && errors.Is(ctx.Err(), context.Canceled) {
		return &walletsdk.Error{Code: walletsdk.CodeCancelled, Msg: "cancelled by the app", Err: err}
	}
	return err
}

// PlatformKeyStore is implemented by the app over the phone's secure hardware: Android
// Keystore (StrongBox where present) or the iOS Secure Enclave. The private key never leaves
// the platform; the wallet pins the public key at generation and checks every signature
// against it, so a wrong key or a bad signature fails the call with code "key_store".
type PlatformKeyStore interface {
	// GenerateP256 creates a P-256 signing key under alias and returns its public key: the
	// uncompressed point 0x04||X||Y (iOS SecKeyCopyExternalRepresentation) or
	// SubjectPublicKeyInfo DER (Android PublicKey.getEncoded()).
	GenerateP256(alias string) ([]byte, error)
	// Sign signs the 32-byte SHA-256 digest it is given, without hashing again: Android
	// Signature.getInstance("NONEwithECDSA") on a key generated with DIGEST_NONE, iOS
	// SecKeyCreateSignature(.ecdsaSignatureDigestX962SHA256). It returns the ASN.1 DER
	// signature both platforms produce (raw r||s, 64 bytes, is accepted too).
	Sign(alias string, digest []byte) ([]byte, error)
	// Delete removes the key under alias.
	Delete(alias string) error
}

// OpenWallet opens (creating on first use) the wallet in dir, sealed with the 32-byte
// storeKey from the platform keychain. keys holds the device keys in secure hardware; null
// keeps them as software keys in the encrypted store (tests, desktop). Open a wallet always
// with the same kind of key store.
func OpenWallet(dir string, storeKey []byte, keys PlatformKeyStore) (*Wallet, error) {
	return open(walletsdk.Config{Dir: dir, StoreKey: storeKey}, keys)
}

func open(cfg walletsdk.Config, keys PlatformKeyStore) (*Wallet, error) {
	if keys != nil {
		cfg.PlatformKeys = keys
	}
	w, err := walletsdk.New(cfg)
	if err != nil {
		return nil, err
	}
	return &Wallet{w: w}, nil
}

// AcceptOffer runs OpenID4VCI issuance for an offer URI (txCode "" when the offer asks for
// none) and returns the ids of the stored credentials as a JSON array of strings.
func (m *Wallet) AcceptOffer(offerURI, txCode string) (string, error) {
	ctx, cancel := m.call()
	defer cancel()
	creds, err := m.w.AcceptOffer(ctx, offerURI, txCode)
	if err != nil {
		return "", cancelled(ctx, err)
	}
	return credentialIDs(creds)
}

func credentialIDs(creds []walletsdk.Credential) (string, error) {
	ids := make([]string, len(creds))
	for i, c := range creds {
		ids[i] = c.ID
	}
	return marshal(ids)
}

// credentialJSON is the list item the app UI renders.
type credentialJSON struct {
	ID          string         `json:"id"`
	Format      string         `json:"format"`
	VCT         string         `json:"vct,omitempty"`
	DocType     string         `json:"doctype,omitempty"`
	Issuer      string         `json:"issuer"`
	IssuedAt    int64          `json:"issued_at"`
	ExpiresAt   int64          `json:"expires_at,omitempty"`
	Claims      map[string]any `json:"claims"`
	Disclosable []string       `json:"disclosable"`
}

func toJSON(c walletsdk.Credential) credentialJSON {
	out := credentialJSON{ID: c.ID, Format: c.Format, VCT: c.VCT, DocType: c.DocType, Issuer: c.Issuer, IssuedAt: c.IssuedAt.Unix(),
		Claims: c.Claims, Disclosable: c.Disclosable}
	if !c.ExpiresAt.IsZero() {
		out.ExpiresAt = c.ExpiresAt.Unix()
	}
	if out.Disclosable == nil {
		out.Disclosable = []string{}
	}
	return out
}

// ListJSON returns every stored credential as a JSON array of
// {"id","format","vct","doctype","issuer","issued_at","expires_at","claims":{...},"disclosable":[...]}
// (times in Unix seconds). An SD-JWT VC ("format":"dc+sd-jwt") has a vct, its claims as
// issued and its top-level disclosable claim names; an mdoc ("format":"mso_mdoc") has a
// doctype, claims as {namespace:{element:value}} (bstr such as the portrait in standard
// base64, dates as text) and "namespace/element" for each element it may disclose.
func (m *Wallet) ListJSON() (string, error) {
	creds, err := m.w.Credentials()
	if err != nil {
		return "", err
	}
	out := make([]credentialJSON, len(creds))
	for i, c := range creds {
		out[i] = toJSON(c)
	}
	return marshal(out)
}

// CredentialJSON returns one stored credential as one item of ListJSON.
func (m *Wallet) CredentialJSON(credentialID string) (string, error) {
	c, err := m.w.Credential(credentialID)
	if err != nil {
		return "", err
	}
	return marshal(toJSON(*c))
}

// Present answers a verifier's presentation request (the JSON of POST
// /v1/presentation-requests) with credential credentialID, disclosing only the requested
// claims, and returns the SD-JWT+KB presentation.
func (m *Wallet) Present(credentialID string, requestJSON []byte) (string, error) {
	req, err := walletsdk.ParsePresentationRequest(requestJSON)
	if err != nil {
		return "", err
	}
	ctx, cancel := m.call()
	defer cancel()
	pres, err := m.w.Present(ctx, credentialID, req)
	return pres, cancelled(ctx, err)
}

// CredentialStatus asks the credential's issuer afresh for its Token Status List entry and
// returns "valid", "revoked", "suspended", "none" (the credential names no status list) or
// "0xNN" (an application-specific value). Needs status list roots (OpenWalletWithRoots); a
// list that cannot be fetched is code "transport", one that does not verify
// "invalid_credential".
func (m *Wallet) CredentialStatus(credentialID string) (string, error) {
	ctx, cancel := m.call()
	defer cancel()
	st, err := m.w.CredentialStatus(ctx, credentialID)
	return st, cancelled(ctx, err)
}

// FindCredentialID returns the id of the best stored credential of type vct (an SD-JWT VC's
// vct or an mdoc's doctype).
func (m *Wallet) FindCredentialID(vct string) (string, error) {
	c, err := m.w.FindCredential(vct)
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// Delete removes a credential and its device key.
func (m *Wallet) Delete(credentialID string) error { return m.w.Delete(credentialID) }

// ErrorCode returns the stable walletsdk code of an error from this package ("" if none).
func ErrorCode(err error) string { return walletsdk.CodeOf(err) }

func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", &walletsdk.Error{Code: walletsdk.CodeConfig, Msg: "encode result", Err: err}
	}
	return string(b), nil
}
