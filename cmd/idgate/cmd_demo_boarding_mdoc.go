package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/idgate/idgate/airline"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/internal/facephotos"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// demoGateMdoc boards a second flight, where the passenger shows the mdoc licence.
const demoGateMdoc = "B3"

// boardMdoc is the passenger's next flight, IG0103 at gate B3, boarded with the mDL as an
// ISO/IEC 18013-5 mdoc: the gate's nonce, the wallet's DeviceResponse device-signed over the
// gate's SessionTranscript (its audience and nonce), the pass and the live photo in one call.
func (d *demo) boardMdoc(ctx context.Context, w *walletsdk.Wallet, mdocID, pkiDir string) error {
	bcbp, err := d.openFlight(demoGateMdoc, pkiDir, airline.PassRequest{PNR: "XK4T2R", From: "LHR", To: "FRA",
		Flight: "0103", Date: time.Now().UTC().Format(time.DateOnly), Seat: "7C", Sequence: "17"})
	if err != nil {
		return err
	}
	d.say("gate %s boards IG0103; the passenger shows the driving licence as an mdoc this time", demoGateMdoc)
	nonce, err := d.gateNonce(demoGateMdoc)
	if err != nil {
		return err
	}
	resp, err := w.PresentMdoc(ctx, mdocID, walletsdk.MdocPresentationRequest{
		ClientID: nonce.Audience, Nonce: nonce.Nonce, ResponseURI: nonce.Audience, Elements: gate.MdocRequest(),
	})
	if err != nil {
		return fmt.Errorf("wallet mdoc presentation: %w", err)
	}
	d.detail("DeviceResponse (%d bytes base64url) discloses family_name, given_name and the sealed face_template, device-signed over the OpenID4VP handover of %s and the nonce", len(resp), nonce.Audience)
	img, err := fs.ReadFile(d.photos, facephotos.Live)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(map[string]any{"mdoc": resp, "nonce": nonce.Nonce, "bcbp": bcbp, "live_jpeg": img})
	dec, err := d.postGate("/v1/gates/"+demoGateMdoc+"/verify", raw)
	if err != nil {
		return err
	}
	d.say("gate %s: the passenger boards with the mdoc licence (live photo %s) → %s %v, %s", demoGateMdoc, facephotos.Live,
		strings.ToUpper(dec.Decision), dec.Reasons, dec.scores())
	if dec.Decision != "allow" {
		return fmt.Errorf("gate denied the mdoc licence: %v", dec.Reasons)
	}
	// The same DeviceResponse again: its nonce is spent, so nothing is verified twice.
	dec, err = d.postGate("/v1/gates/"+demoGateMdoc+"/verify", raw)
	if err != nil {
		return err
	}
	d.say("the same request is sent again → %s %v", strings.ToUpper(dec.Decision), dec.Reasons)
	if dec.Decision != "deny" || !containsReason(dec.Reasons, string(gate.ReasonNonceInvalid)) {
		return fmt.Errorf("a replayed mdoc was not denied nonce_invalid: %v", dec.Reasons)
	}
	return nil
}
