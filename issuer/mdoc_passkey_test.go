package issuer

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage"
)

// faceStub stands in for the dlib face enroller (a cgo system edge, tested in biometric/face).
type faceStub struct{}

func (faceStub) EnrolFace([]byte) (string, error) {
	return "eyJhbGciOiJFQ0RILUVTK0EyNTZLVyJ9.k.iv.ct.tag", nil
}

// A holder's passkey collects the mdoc licence like the SD-JWT ones: offered while the portrait
// waits, not once it is held, and skipped (the other offers still made) once the portrait is
// gone.
func TestPasskeyOffersMdoc(t *testing.T) {
	svc := newMdocService(t)
	svc.cfg.Faces = faceStub{}
	ctx := t.Context()
	attrs := func() map[string]any {
		return map[string]any{"family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-05-17",
			"issuing_country": "UT", "issuing_authority": "Utopia DMV", "document_number": "D1234567",
			"issue_date": "2026-01-01", "expiry_date": "2036-01-01", "un_distinguishing_sign": "UTO",
			"driving_privileges": []any{map[string]any{"vehicle_category_code": "B"}}}
	}
	jpeg := []byte{0xff, 0xd8, 0xff, 0xe0, 'j', 'p', 'e', 'g'}
	types := []credential.Type{credential.DrivingLicence, MdocMDL}
	h, err := svc.Enrol(ctx, "op", types, attrs(), jpeg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.InvitePasskey(ctx, "op", h.ID, types); err != nil {
		t.Fatalf("invite for the mdoc: %v", err)
	}
	offers, err := svc.PendingOffers(ctx, "op", h.ID, types)
	if err != nil || len(offers) != 2 {
		t.Fatalf("offers %v, %v", offers, err)
	}
	var mdocOffer Offer
	for _, o := range offers {
		if o.CredentialType == MdocMDL {
			mdocOffer = o.Offer
		}
	}
	// Collect the mdoc with a wallet: it is held, so no longer offered.
	u, _ := url.Parse(mdocOffer.URI)
	var body struct {
		Grants map[string]map[string]any `json:"grants"`
	}
	if err := json.Unmarshal([]byte(u.Query().Get("credential_offer")), &body); err != nil {
		t.Fatal(err)
	}
	tok, err := svc.Token(ctx, preAuthGrant, body.Grants[preAuthGrant]["pre-authorized_code"].(string))
	if err != nil {
		t.Fatal(err)
	}
	w := newHolder(t)
	iss, err := svc.Credential(ctx, tok.AccessToken, CredentialRequest{ConfigurationID: string(MdocMDL),
		Proofs: &KeyProofs{JWT: []string{w.proof(t, svc.PublicURL(), tok.CNonce, svc.cfg.Now(), nil)}}})
	if err != nil || iss.Credential == "" {
		t.Fatalf("credential: %v", err)
	}
	offers, err = svc.PendingOffers(ctx, "op", h.ID, types)
	if err != nil || len(offers) != 1 || offers[0].CredentialType != credential.DrivingLicence {
		t.Fatalf("offers once the mdoc is held: %v, %v", offers, err)
	}

	// Another holder whose portrait expired unused: the mdoc is skipped, the rest offered.
	h2, err := svc.Enrol(ctx, "op", types, attrs(), jpeg)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.cfg.Store.UpdatePortrait(ctx, h2.ID, func(p *storage.Portrait) error {
		p.ExpiresAt = time.Now().Add(-time.Second)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.DeleteExpiredPortraits(ctx); err != nil || n != 1 {
		t.Fatalf("swept %d, %v", n, err)
	}
	offers, err = svc.PendingOffers(ctx, "op", h2.ID, types)
	if err != nil || len(offers) != 1 || offers[0].CredentialType != credential.DrivingLicence {
		t.Fatalf("offers without the portrait: %v, %v", offers, err)
	}
	if _, err := svc.CreateOffer(ctx, "op", h2.ID, MdocMDL); AsError(err).Code != CodeConflict {
		t.Fatalf("operator offer without the portrait: %v", err)
	}
	if _, err := svc.cfg.Store.GetPortrait(ctx, h2.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("portrait after the sweep: %v", err)
	}
}
