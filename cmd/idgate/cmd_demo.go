package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/internal/facephotos"
	"github.com/idgate/idgate/internal/httpserve"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/issuerhttp"
	"github.com/idgate/idgate/keyattest"
	"github.com/idgate/idgate/verifier"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

func init() {
	register("demo", "end-to-end demo on embedded defaults (what `make run` runs)", runDemo)
}

// demoKeyStorage is what the demo's wallet provider (the development one of `idgate certs
// init`, attesting the software keys of keyattest.SoftwareKeys) asserts: iso_18045_basic, the
// honest level of a software key; a phone's secure hardware attested by a real wallet provider
// asserts more.
const demoKeyStorage = keyattest.ISO18045Basic

// demoHolder is the enrolment record the operator submits (both credential types).
const demoHolder = `{
  "credential_types": ["employee-id", "mdl"],
  "attributes": {
    "family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-05-17",
    "employee_number": "E-2041-77", "organisation": "Federal Ministry of Transport",
    "department": "Aviation Security", "position": "Inspector", "grade": "A11",
    "photo_ref": "https://photos.idgate.test/erika-mustermann", "issuing_country": "DE",
    "issuing_authority": "Kraftfahrt-Bundesamt", "document_number": "B072RRE2I55",
    "issue_date": "2021-03-01", "expiry_date": "2036-02-28", "un_distinguishing_sign": "D", "sex": 2,
    "driving_privileges": [
      {"vehicle_category_code": "B", "issue_date": "2008-06-12", "expiry_date": "2036-02-28"},
      {"vehicle_category_code": "A2", "issue_date": "2015-04-02", "expiry_date": "2036-02-28"}
    ]
  }
}`

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("demo", "demo [--dir DIR]", stderr)
	dir := stringFlag(fs, "dir", "IDGATE_VAR", "var", "working directory; the demo uses DIR/demo and recreates it")
	models := stringFlag(fs, "models", "IDGATE_MODELS", "var/models", "face models directory (make models)")
	faces := stringFlag(fs, "faces", "IDGATE_DEMO_FACES", "", "folder with "+facephotos.Portrait+", "+facephotos.Live+" and "+facephotos.Impostor+" for the boarding part (default: the photos built into idgate)")
	boarding := fs.Bool("boarding", true, "run the gate part (needs the face models)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	d := &demo{out: stdout, root: filepath.Join(*dir, "demo"), models: *models}
	if *boarding {
		d.photos = facephotos.FS()
		if *faces != "" {
			d.photos = os.DirFS(*faces)
		}
		if err := checkDemoBoarding(d.photos, d.models); err != nil {
			fmt.Fprintf(stderr, "idgate demo: %v\n", err)
			return 2
		}
	}
	if err := d.run(); err != nil {
		fmt.Fprintf(stdout, "\nFAILED: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "\nDemo finished: every step behaved as expected.")
	return 0
}

type demo struct {
	out       io.Writer
	root      string
	models    string
	photos    fs.FS // the portrait, live and impostor photos; nil skips boarding
	gateToken string
	step      int
	issuerURL string
	verifyURL string
	opToken   string
}

func (d *demo) say(format string, args ...any) {
	d.step++
	fmt.Fprintf(d.out, "\n[%d] "+format+"\n", append([]any{d.step}, args...)...)
}

func (d *demo) detail(format string, args ...any) {
	fmt.Fprintf(d.out, "    "+format+"\n", args...)
}

func (d *demo) run() error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fmt.Fprintln(d.out, "idgate demo: PKI, issuer, wallet and relying-party verifier, over real HTTP on 127.0.0.1")
	if err := os.RemoveAll(d.root); err != nil {
		return err
	}
	if err := os.MkdirAll(d.root, 0o700); err != nil {
		return err
	}
	issuerL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	verifierL, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// A host name, not an IP, so the issuer can also serve passkey ceremonies to browsers.
	d.issuerURL = fmt.Sprintf("http://localhost:%d", issuerL.Addr().(*net.TCPAddr).Port)
	// localhost: the OpenID4VP request signer's SAN, which wallets compare with the response_uri host.
	d.verifyURL = fmt.Sprintf("http://localhost:%d", verifierL.Addr().(*net.TCPAddr).Port)

	pkiDir := filepath.Join(d.root, "pki")
	if _, _, err := certs.Init(pkiDir, certs.Options{IssuerURL: d.issuerURL, MdocCountry: "DE", // the holder's issuing_country
		EmployeeVCT: credential.VCTEmployeeID, LicenceVCT: credential.VCTDrivingLicence}); err != nil {
		return fmt.Errorf("certs init: %w", err)
	}
	d.say("PKI created in %s", pkiDir)
	d.detail("root CA (ECDSA P-256), employee-ID and driving-licence issuer certificates naming %s,", d.issuerURL)
	d.detail("status-list signer, airline and gate-reader keys, TLS certificates, a development wallet provider, trust.json")

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dbPath := filepath.Join(d.root, "issuer.db")
	modelsDir := ""
	if d.photos != nil {
		modelsDir = d.models
	}
	issuerHTTP, err := defaultIssuerHTTP()
	if err != nil {
		return err
	}
	// The licence requires a key attestation of the holder key by a trusted wallet provider.
	walletProviders, err := certs.LoadTrustList(filepath.Join(pkiDir, certs.FileTrust))
	if err != nil {
		return err
	}
	svc, closeStore, err := openIssuer(ctx, pkiDir, dbPath, d.issuerURL, modelsDir, filepath.Join(d.root, "portrait.key"), logger, func(c *issuer.Config) {
		c.KeyAttestation = issuer.KeyAttestationConfig{Trust: walletProviders,
			Required: map[string]keyattest.Policy{string(credential.DrivingLicence): {KeyStorage: []string{demoKeyStorage}}}}
	})
	if err != nil {
		return err
	}
	defer closeStore()
	if d.opToken, err = svc.NewOperatorToken(ctx, "demo-operator"); err != nil {
		return err
	}
	go func() { _ = httpserve.Serve(ctx, issuerL, issuerhttp.Handler(svc, issuerHTTP)) }()
	d.say("issuer listening on %s (SQLite %s)", d.issuerURL, dbPath)

	vopts := verifierOptions{
		trustFile: filepath.Join(pkiDir, "trust.json"), audience: d.verifyURL,
		// A relying party caches status lists for their ttl; the demo caps it at a second so
		// the revocation below is visible at once.
		statusMaxTTL: time.Second,
	}
	vopts.vpPKI, vopts.publicURL, vopts.vpStore = pkiDir, d.verifyURL, "memory"
	api, core, err := newVerifierAPI(vopts)
	if err != nil {
		return err
	}
	api.OpenRP = true // the demo's relying party is this process, on loopback
	closeVP, err := addOpenID4VP(ctx, api, core, vopts)
	if err != nil {
		return err
	}
	defer closeVP()
	if d.photos != nil {
		d.gateToken = rand.Text()
		closeGates, err := d.enableGates(ctx, api, core, pkiDir, vopts, logger)
		if err != nil {
			return err
		}
		defer closeGates()
	}
	go func() { _ = verifier.Serve(ctx, verifier.NewServer(api.Handler), verifierL) }()
	d.say("verifier (fasthttp) listening on %s", d.verifyURL)

	var holder struct {
		ID   string `json:"id"`
		Face bool   `json:"face_template"`
	}
	enrol, err := d.enrolment()
	if err != nil {
		return err
	}
	if err := d.operator("POST", "/v1/holders", enrol, http.StatusCreated, &holder); err != nil {
		return err
	}
	d.say("operator enrolled holder %s (Erika Mustermann) for an employee ID and a driving licence", holder.ID)
	if holder.Face {
		d.detail("portrait %s became a face template sealed to the gate readers' key; the photo is kept sealed only until the mdoc licence is issued", facephotos.Portrait)
	}

	storeKey := make([]byte, 32)
	if _, err := rand.Read(storeKey); err != nil {
		return err
	}
	verifierTrust, err := certs.LoadTrustList(filepath.Join(pkiDir, "trust.json"))
	if err != nil {
		return err
	}
	devPKI, err := certs.Load(pkiDir, nil)
	if err != nil {
		return err
	}
	w, err := walletsdk.New(walletsdk.Config{Dir: filepath.Join(d.root, "wallet"), StoreKey: storeKey, VerifierTrust: verifierTrust,
		PlatformKeys: &keyattest.SoftwareKeys{Provider: devPKI.WalletProvider, KeyStorage: []string{demoKeyStorage}}})
	if err != nil {
		return err
	}
	var licence walletsdk.Credential
	for _, ct := range []credential.Type{credential.EmployeeID, credential.DrivingLicence} {
		var offer issuerOffer
		if err := d.operator("POST", "/v1/offers", `{"holder_id":"`+holder.ID+`","credential_type":"`+string(ct)+`"}`, http.StatusCreated, &offer); err != nil {
			return err
		}
		creds, err := w.AcceptOffer(ctx, offer.URI, "")
		if err != nil {
			return fmt.Errorf("wallet accept %s: %w", ct, err)
		}
		c := creds[0]
		spec, _ := credential.LookupVCT(c.VCT)
		d.say("wallet accepted a %s through OpenID4VCI (pre-authorised code, proof of its device key)", spec.Name)
		d.detail("credential %s, vct %s, %d selectively disclosable claims, valid until %s",
			c.ID, c.VCT, len(c.Disclosable), c.ExpiresAt.Format(time.DateOnly))
		if ct == credential.DrivingLicence {
			licence = c
			d.detail("the issuer requires a key attestation for it: the development wallet provider (%s) attested the device key,", certs.CNWalletProvider)
			d.detail("key_storage %s (a software stand-in for the phone's secure hardware), in the proof's key_attestation header", demoKeyStorage)
		}
	}

	want := []string{"age_over_19", "photo_ref"}
	created, vpReq, err := d.deskTransaction(ctx, w, deskQuery(want))
	if err != nil {
		return err
	}
	d.say("rental desk asks for %s over OpenID4VP; the wallet resolves the link and shows what it will disclose", strings.Join(want, " and "))
	d.detail("transaction %s, link %s", created.ID, created.AuthorizationRequest)
	d.printPreview(vpReq)
	if _, err := w.RespondVP(ctx, vpReq, nil); err != nil {
		return fmt.Errorf("wallet respond: %w", err)
	}
	outcome, raw, err := d.deskOutcome(ctx, created.ID)
	if err != nil {
		return err
	}
	if outcome.Status != "verified" {
		return fmt.Errorf("verifier rejected a valid presentation: %s", raw)
	}
	d.detail("the holder consented; the wallet posted an encrypted vp_token (KB-JWT aud %s, the request's nonce)", vpReq.Verifier.ClientID)
	d.detail("ACCEPTED, the desk reads: %s", raw)

	var mdl walletsdk.Credential
	if d.photos != nil { // the mdoc licence carries the enrolment portrait
		if mdl, err = d.deskMDoc(ctx, w, holder.ID); err != nil {
			return err
		}
	} else {
		d.say("mdoc licence skipped (--boarding=false: no portrait, which an mDL must carry)")
	}

	if d.photos != nil {
		if err := d.board(ctx, w, licence.ID, pkiDir); err != nil {
			return err
		}
		if err := d.boardMdoc(ctx, w, mdl.ID, pkiDir); err != nil {
			return err
		}
	} else {
		d.say("boarding skipped (--boarding=false)")
	}

	var cl struct {
		Credentials []struct{ ID, VCT string } `json:"credentials"`
	}
	if err := d.operator("GET", "/v1/credentials?holder_id="+holder.ID, "", http.StatusOK, &cl); err != nil {
		return err
	}
	var licenceID string
	for _, c := range cl.Credentials {
		if c.VCT == credential.VCTDrivingLicence {
			licenceID = c.ID
		}
	}
	if err := d.operator("POST", "/v1/credentials/"+licenceID+"/revoke", "", http.StatusOK, nil); err != nil {
		return err
	}
	d.say("operator revokes the driving licence (issuer record %s; the wallet keeps it as %s); the next status list token carries it", licenceID, licence.ID)
	time.Sleep(1100 * time.Millisecond) // let the verifier's one-second status cache lapse

	_, err = w.RespondVP(ctx, vpReq, nil)
	d.say("the same response is sent again → %v", err)
	if walletsdk.CodeOf(err) != walletsdk.CodeVerifierRejected {
		return fmt.Errorf("replayed response was not refused")
	}
	created2, vpReq2, err := d.deskTransaction(ctx, w, deskQuery(want))
	if err != nil {
		return err
	}
	_, err = w.RespondVP(ctx, vpReq2, nil)
	outcome, raw, oerr := d.deskOutcome(ctx, created2.ID)
	if oerr != nil {
		return oerr
	}
	d.say("the wallet answers a fresh transaction with the same credential and claims → %v; the desk reads %s", err, raw)
	if outcome.Status != "failed" || !strings.Contains(outcome.Error, string(credential.CodeRevoked)) {
		return fmt.Errorf("presentation of a revoked credential was not rejected as revoked")
	}
	return nil
}

type issuerOffer struct {
	URI string `json:"offer_uri"`
}

func (d *demo) operator(method, path, body string, want int, out any) error {
	req, err := http.NewRequest(method, d.issuerURL+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+d.opToken)
	req.Header.Set("Content-Type", "application/json")
	return doJSON(req, want, out)
}

func doJSON(req *http.Request, want int, out any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, bytes.TrimSpace(raw))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}
