package loadtest

import (
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/idgate/idgate/gate"
	"github.com/idgate/idgate/mdoc"
)

// mdocIssuerSigned issues traveller i's mDL as an mdoc under the PKI's Document Signer: the
// mandatory elements of ISO/IEC 18013-5 Table 5 with the names the pass carries, the sealed
// face template in org.idgate.mdl.1, and status list entry i.
func (w *world) mdocIssuerSigned(i int, family, given, sealed string, device *ecdsa.PublicKey) ([]byte, error) {
	signed := w.now().Add(-time.Minute)
	is, err := mdoc.Issue(mdoc.IssueInput{
		DocType: mdoc.DocTypeMDL,
		NameSpaces: map[string]map[string]any{
			mdoc.NamespaceMDL: {
				"family_name": family, "given_name": given, "birth_date": mdoc.FullDate("1984-03-14"),
				"issue_date": mdoc.FullDate("2026-01-01"), "expiry_date": mdoc.FullDate("2036-01-01"),
				"issuing_country": "UT", "issuing_authority": "Utopia DMV", "document_number": fmt.Sprintf("D%08d", i),
				"portrait": []byte{0xff, 0xd8, 0xff, 0xd9}, "un_distinguishing_sign": "UTO",
				"driving_privileges": []any{map[string]any{"vehicle_category_code": "B"}},
			},
			mdoc.NamespaceIDGate: {mdoc.ElementFaceTemplate: sealed},
		},
		DeviceKey: device, Signed: signed, ValidFrom: signed, ValidUntil: signed.Add(24 * time.Hour),
		Status: &mdoc.StatusListRef{Idx: uint64(i), URI: w.statusURI},
	}, w.mdocDS)
	if err != nil {
		return nil, errf(CodeGenerate, err, "issue mdoc")
	}
	return is, nil
}

// presentMdoc is the passenger's DeviceResponse for nonce n (base64url), disclosing the gate's
// elements, device-signed over gate.MdocSessionTranscript.
func (p *passenger) presentMdoc(n nonce) (string, error) {
	st, err := gate.MdocSessionTranscript(n.Audience, n.Nonce)
	if err != nil {
		return "", errf(CodeGenerate, err, "session transcript")
	}
	resp, err := mdoc.Present(p.issuerSigned, gate.MdocRequest(), st, p.key)
	if err != nil {
		return "", errf(CodeGenerate, err, "present mdoc")
	}
	return base64.RawURLEncoding.EncodeToString(resp), nil
}

// mdocVerifyBody is the /verify body with the mdoc as the ID.
func mdocVerifyBody(deviceResponse, nonce, bcbp, live string, jpeg []byte) ([]byte, error) {
	return json.Marshal(struct {
		Mdoc  string `json:"mdoc"`
		Nonce string `json:"nonce"`
		BCBP  string `json:"bcbp"`
		Live  string `json:"live_template,omitempty"`
		JPEG  []byte `json:"live_jpeg,omitempty"`
	}{deviceResponse, nonce, bcbp, live, jpeg})
}

// mdocSigningInputs are the signing-input lengths of an mdoc gate verification: issuerAuth
// (its Sig_structure is about the COSE_Sign1's size, the MSO dominating), DeviceAuthentication
// (about the transcript, docType and empty device namespaces) and the pass.
func mdocSigningInputs(deviceResponse []byte, bcbp string, transcriptLen int) SigningInputs {
	in := SigningInputs{KBJWT: transcriptLen + len(mdoc.DocTypeMDL) + 32}
	var r mdoc.DeviceResponse
	if cbor.Unmarshal(deviceResponse, &r) == nil && len(r.Documents) == 1 {
		in.IssuerJWT = len(r.Documents[0].IssuerSigned.IssuerAuth)
	}
	for i := 0; i < len(bcbp); i++ {
		if bcbp[i] == '^' {
			in.BCBP = i
			break
		}
	}
	return in
}

// bindMdoc is passenger p's /verify body with the mdoc device-signed over nonce n's
// transcript; with wantInputs also its signing-input lengths.
func bindMdoc(p *passenger, n nonce, wantInputs bool) ([]byte, SigningInputs, error) {
	var in SigningInputs
	dr, err := p.presentMdoc(n)
	if err != nil {
		return nil, in, err
	}
	if wantInputs {
		raw, _ := base64.RawURLEncoding.DecodeString(dr)
		st, _ := gate.MdocSessionTranscript(n.Audience, n.Nonce)
		in = mdocSigningInputs(raw, p.bcbp, len(st))
	}
	body, err := mdocVerifyBody(dr, n.Nonce, p.bcbp, p.live, p.jpeg)
	return body, in, err
}
