package mobile

import (
	"crypto/rand"
	"encoding/hex"

	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// maxPendingOffers bounds the previewed offers awaiting the holder's answer; the oldest is
// forgotten first.
const maxPendingOffers = 8

type offerPreviewJSON struct {
	PreviewID     string              `json:"preview_id"`
	Issuer        string              `json:"issuer"`
	IssuerDisplay []walletsdk.Display `json:"issuer_display"`
	Credentials   []offeredJSON       `json:"credentials"`
	TxCode        *walletsdk.TxCode   `json:"tx_code,omitempty"`
}

type offeredJSON struct {
	ConfigurationID string              `json:"configuration_id"`
	Format          string              `json:"format"`
	VCT             string              `json:"vct,omitempty"`
	DocType         string              `json:"doctype,omitempty"`
	Display         []walletsdk.Display `json:"display"`
	// KeyAttestation: the issuer requires a key attestation (OpenWalletWithKeyAttester).
	KeyAttestation bool `json:"key_attestation_required"`
}

// PreviewOffer resolves a scanned offer URI and the issuer's metadata and returns the
// preview as JSON: {"preview_id","issuer","issuer_display":[{"name","locale","description"}],
// "credentials":[{"configuration_id","format","vct" or "doctype","display":[...],
// "key_attestation_required":bool}],"tx_code":{"input_mode","length",
// "description"}} (tx_code absent when no code is needed). Accept it with
// AcceptPreviewedOffer(preview_id, the code the user typed).
func (m *Wallet) PreviewOffer(offerURI string) (string, error) {
	ctx, cancel := m.call()
	defer cancel()
	p, err := m.w.PreviewOffer(ctx, offerURI)
	if err != nil {
		return "", cancelled(ctx, err)
	}
	id := make([]byte, 16)
	rand.Read(id)
	out := offerPreviewJSON{PreviewID: hex.EncodeToString(id), Issuer: p.Issuer, IssuerDisplay: p.IssuerDisplay,
		Credentials: []offeredJSON{}, TxCode: p.TxCode}
	if out.IssuerDisplay == nil {
		out.IssuerDisplay = []walletsdk.Display{}
	}
	for _, c := range p.Credentials {
		oc := offeredJSON{ConfigurationID: c.ConfigurationID, Format: c.Format, VCT: c.VCT, DocType: c.DocType, Display: c.Display,
			KeyAttestation: c.KeyAttestationRequired}
		if oc.Display == nil {
			oc.Display = []walletsdk.Display{}
		}
		out.Credentials = append(out.Credentials, oc)
	}
	s, err := marshal(out)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.offers == nil {
		m.offers = map[string]*walletsdk.OfferPreview{}
	}
	if len(m.offerOrder) >= maxPendingOffers {
		delete(m.offers, m.offerOrder[0])
		m.offerOrder = m.offerOrder[1:]
	}
	m.offers[out.PreviewID] = p
	m.offerOrder = append(m.offerOrder, out.PreviewID)
	return s, nil
}

// AcceptPreviewedOffer accepts a previewed offer (txCode "" when it needs none) and returns
// the ids of the stored credentials as AcceptOffer does. A preview is accepted at most once;
// a missing transaction code leaves it pending for another try.
func (m *Wallet) AcceptPreviewedOffer(previewID, txCode string) (string, error) {
	m.mu.Lock()
	p := m.offers[previewID]
	m.mu.Unlock()
	if p == nil {
		return "", &walletsdk.Error{Code: walletsdk.CodeNotFound, Msg: "no previewed offer with this id"}
	}
	if p.TxCode != nil && txCode == "" {
		return "", &walletsdk.Error{Code: walletsdk.CodeTxCodeRequired, Msg: "the offer requires a transaction code"}
	}
	m.mu.Lock()
	if m.offers[previewID] != p {
		m.mu.Unlock()
		return "", &walletsdk.Error{Code: walletsdk.CodeNotFound, Msg: "no previewed offer with this id"}
	}
	delete(m.offers, previewID)
	for i, id := range m.offerOrder {
		if id == previewID {
			m.offerOrder = append(m.offerOrder[:i], m.offerOrder[i+1:]...)
			break
		}
	}
	m.mu.Unlock()
	ctx, cancel := m.call()
	defer cancel()
	creds, err := m.w.AcceptPreview(ctx, p, txCode)
	if err != nil {
		return "", cancelled(ctx, err)
	}
	return credentialIDs(creds)
}
