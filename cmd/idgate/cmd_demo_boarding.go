package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/idgate/idgate/airline"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/internal/facephotos"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/verifier"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

const demoGate = "A12"

// checkDemoBoarding fails early, with the fix, when the photos or the face models are missing.
func checkDemoBoarding(photos fs.FS, models string) error {
	for _, n := range []string{facephotos.Portrait, facephotos.Live, facephotos.Impostor} {
		if _, err := fs.Stat(photos, n); err != nil {
			return fmt.Errorf("--faces: photo %s: %w", n, err)
		}
	}
	if _, err := os.Stat(filepath.Join(models, "dlib_face_recognition_resnet_model_v1.dat")); err != nil {
		return fmt.Errorf("face models not found in %s (run `make models`, pass --models DIR, or --boarding=false)", models)
	}
	return nil
}

// enrolment is the operator's enrol request, with the portrait when the demo boards.
func (d *demo) enrolment() (string, error) {
	if d.photos == nil {
		return demoHolder, nil
	}
	img, err := fs.ReadFile(d.photos, facephotos.Portrait)
	if err != nil {
		return "", err
	}
	var req map[string]any
	if err := json.Unmarshal([]byte(demoHolder), &req); err != nil {
		return "", err
	}
	req["portrait"] = img // encoding/json writes []byte as base64
	// With the portrait the licence is also issued as an ISO/IEC 18013-5 mdoc.
	req["credential_types"] = append(req["credential_types"].([]any), string(issuer.MdocMDL))
	b, err := json.Marshal(req)
	return string(b), err
}

// enableGates adds the gate API to the demo's verifier.
func (d *demo) enableGates(ctx context.Context, api *verifier.API, core *verifierCore, pkiDir string, o verifierOptions, logger *slog.Logger) (func(), error) {
	g := gateOptions{dbPath: filepath.Join(d.root, "gate.db"), modelsDir: d.models, retention: 6 * time.Hour}
	g.operatorToken = verifier.HashToken(d.gateToken)
	// One token for the demo's operator, its one terminal and the check-in it does not use.
	g.terminalToken, g.checkinToken = g.operatorToken, g.operatorToken
	routes, closeGates, err := newGateRoutes(ctx, pkiDir, core, o, g, logger)
	if err != nil {
		return nil, err
	}
	api.GateRoutes = routes
	return closeGates, nil
}

// board runs the gate: configure gate A12 for today's IG0101, issue the holder's boarding pass,
// then three attempts: an impostor's face (deny), the holder (allow), the holder again (deny).
func (d *demo) board(ctx context.Context, w *walletsdk.Wallet, licenceID, pkiDir string) error {
	today := time.Now().UTC().Format(time.DateOnly)
	bcbp, err := d.openFlight(demoGate, pkiDir, airline.PassRequest{PNR: "XK4T2Q", From: "FRA", To: "LHR",
		Flight: "0101", Date: today, Seat: "12A", Sequence: "42"})
	if err != nil {
		return err
	}
	d.say("gate operator sets gate %s to board flight IG0101 on %s", demoGate, today)
	d.say("airline IG issues a signed IATA boarding pass (BCBP, ES256 in the security section)")
	d.detail("%s", bcbp[:60]+"…")

	attempts := []struct {
		what, photo string
		allow       bool
		reason      string
	}{
		{"someone else holds the phone up to the camera", facephotos.Impostor, false, string(gate.ReasonFaceMismatch)},
		{"the passenger boards (a different photo of the enrolled face)", facephotos.Live, true, ""},
		{"the same boarding pass is tried again", facephotos.Live, false, string(gate.ReasonAlreadyBoarded)},
	}
	for _, a := range attempts {
		dec, err := d.gateVerify(ctx, w, licenceID, bcbp, a.photo)
		if err != nil {
			return err
		}
		d.say("gate %s: %s (live photo %s) → %s %v, %s",
			demoGate, a.what, a.photo, strings.ToUpper(dec.Decision), dec.Reasons, dec.scores())
		if (dec.Decision == "allow") != a.allow || (a.reason != "" && !containsReason(dec.Reasons, a.reason)) {
			return fmt.Errorf("gate decided %s %v, expected allow=%v %s", dec.Decision, dec.Reasons, a.allow, a.reason)
		}
	}
	return nil
}

type gateDecision struct {
	Decision  string   `json:"decision"`
	Reasons   []string `json:"reasons"`
	Score     *float64 `json:"score"` // present with an allow only
	Threshold float64  `json:"threshold"`
	// Passive liveness of the live photo: the score is present with an allow only.
	LivenessScore     *float64 `json:"liveness_score"`
	LivenessThreshold float64  `json:"liveness_threshold"`
}

// scores is the decision's face distance and liveness score beside their thresholds.
func (dec gateDecision) scores() string {
	if dec.Score == nil {
		return "no scores on a deny"
	}
	s := fmt.Sprintf("face distance %.3f (threshold %.2f)", *dec.Score, dec.Threshold)
	if dec.LivenessScore != nil {
		s += fmt.Sprintf(", liveness %.3f (threshold %.3f)", *dec.LivenessScore, dec.LivenessThreshold)
	}
	return s
}

func containsReason(rs []string, r string) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// gateVerify is one passage: the gate shows a nonce, the wallet presents name and face
// template for it, the gate sends presentation, pass and the live JPEG in one call.
func (d *demo) gateVerify(ctx context.Context, w *walletsdk.Wallet, licenceID, bcbp, photo string) (gateDecision, error) {
	var dec gateDecision
	nonce, err := d.gateNonce(demoGate)
	if err != nil {
		return dec, err
	}
	pres, err := w.Present(ctx, licenceID, walletsdk.PresentationRequest{
		Audience: nonce.Audience, Nonce: nonce.Nonce, VCT: credential.VCTDrivingLicence,
		Claims: []string{"family_name", "given_name", credential.FaceTemplateClaim},
	})
	if err != nil {
		return dec, err
	}
	img, err := fs.ReadFile(d.photos, photo)
	if err != nil {
		return dec, err
	}
	body, _ := json.Marshal(map[string]any{"presentation": pres, "bcbp": bcbp, "live_jpeg": img})
	return d.postGate("/v1/gates/"+demoGate+"/verify", body)
}

// openFlight sets gate to board the flight of pass (airline IG, the pass's date) and has the
// airline issue the passenger's signed boarding pass for it.
func (d *demo) openFlight(gateName, pkiDir string, pass airline.PassRequest) (string, error) {
	body := fmt.Sprintf(`{"carrier":"IG","number":%q,"date":%q,"boarding":true}`, strings.TrimLeft(pass.Flight, "0"), pass.Date)
	if err := d.gateCall("PUT", "/v1/gates/"+gateName, d.gateToken, body, http.StatusOK, nil); err != nil {
		return "", err
	}
	ig, err := loadAirline(pkiDir, "IG")
	if err != nil {
		return "", err
	}
	pass.Name = "MUSTERMANN/ERIKA"
	return ig.Issue(pass)
}

// gateNonce is the nonce gate shows the passenger's phone.
func (d *demo) gateNonce(gateName string) (gate.Nonce, error) {
	var nonce gate.Nonce
	err := d.gateCall("POST", "/v1/gates/"+gateName+"/nonce", d.gateToken, "", http.StatusCreated, &nonce)
	return nonce, err
}

// postGate posts a verify body with the terminal's token and reads the decision.
func (d *demo) postGate(path string, body []byte) (gateDecision, error) {
	var dec gateDecision
	req, err := http.NewRequest("POST", d.verifyURL+path, bytes.NewReader(body))
	if err != nil {
		return dec, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+d.gateToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return dec, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err := json.Unmarshal(raw, &dec); err != nil {
		return dec, fmt.Errorf("gate answer %d %s", resp.StatusCode, raw)
	}
	return dec, nil
}

func (d *demo) gateCall(method, path, token, body string, want int, out any) error {
	req, err := http.NewRequest(method, d.verifyURL+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	return doJSON(req, want, out)
}
