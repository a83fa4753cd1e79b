package mobile

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// callTimeout bounds one facade call: the bridged API has no context to cancel with.
const callTimeout = 2 * time.Minute

// Wallet is a holder wallet opened on an app directory.
type Wallet struct {
	w *walletsdk.Wallet

	mu      sync.Mutex
	pending map[string]*walletsdk.VPRequest // resolved OpenID4VP requests by request_id
	order   []string
}

// NewWallet opens (creating on first use) the wallet in dir, sealed with the 32-byte storeKey
// from the platform keychain. Device keys are software keys in the encrypted store.
func NewWallet(dir string, storeKey []byte) (*Wallet, error) {
	w, err := walletsdk.New(walletsdk.Config{Dir: dir, StoreKey: storeKey})
	if err != nil {
		return nil, err
	}
	return &Wallet{w: w}, nil
}

// AcceptOffer runs OpenID4VCI issuance for an offer URI (txCode "" when the offer asks for
// none) and returns the ids of the stored credentials as a JSON array of strings.
func (m *Wallet) AcceptOffer(offerURI, txCode string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	creds, err := m.w.AcceptOffer(ctx, offerURI, txCode)
	if err != nil {
		return "", err
	}
	ids := make([]string, len(creds))
	for i, c := range creds {
		ids[i] = c.ID
	}
	return marshal(ids)
}

// credentialJSON is the list item the app UI renders.
type credentialJSON struct {
	ID          string         `json:"id"`
	VCT         string         `json:"vct"`
	Issuer      string         `json:"issuer"`
	IssuedAt    int64          `json:"issued_at"`
	ExpiresAt   int64          `json:"expires_at,omitempty"`
	Claims      map[string]any `json:"claims"`
	Disclosable []string       `json:"disclosable"`
}

// ListJSON returns every stored credential as a JSON array of
// {"id","vct","issuer","issued_at","expires_at","claims":{...},"disclosable":[...]}
// (times in Unix seconds).
func (m *Wallet) ListJSON() (string, error) {
	creds, err := m.w.Credentials()
	if err != nil {
		return "", err
	}
	out := make([]credentialJSON, len(creds))
	for i, c := range creds {
		out[i] = credentialJSON{ID: c.ID, VCT: c.VCT, Issuer: c.Issuer, IssuedAt: c.IssuedAt.Unix(),
			Claims: c.Claims, Disclosable: c.Disclosable}
		if !c.ExpiresAt.IsZero() {
			out[i].ExpiresAt = c.ExpiresAt.Unix()
		}
		if out[i].Disclosable == nil {
			out[i].Disclosable = []string{}
		}
	}
	return marshal(out)
}

// Present answers a verifier's presentation request (the JSON of POST
// /v1/presentation-requests) with credential credentialID, disclosing only the requested
// claims, and returns the SD-JWT+KB presentation.
func (m *Wallet) Present(credentialID string, requestJSON []byte) (string, error) {
	req, err := walletsdk.ParsePresentationRequest(requestJSON)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	return m.w.Present(ctx, credentialID, req)
}

// FindCredentialID returns the id of the best stored credential of type vct.
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
