package verifier

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/statuslist"
)

// mdocAuthority is an mDL issuing authority for tests: an IACA and a Document Signer shaped
// as ISO/IEC 18013-5 Annex B says, generated in process.
type mdocAuthority struct {
	authority certs.MdocAuthority
	iaca      *x509.Certificate
	iacaKey   *ecdsa.PrivateKey
	ds        certs.Signer
}

func newP256(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newMDocAuthority(t testing.TB, country string) *mdocAuthority {
	t.Helper()
	// Certificates from three days ago, so an mdoc signed in the past chains at its signed time.
	a := certs.MdocAuthority{Country: country, Organization: "idgate test " + country, IssuerURL: "https://issuer.idgate.test", Now: time.Now().Add(-72 * time.Hour)}
	iacaKey, dsKey := newP256(t), newP256(t)
	iaca, err := certs.NewIACA(a, iacaKey)
	if err != nil {
		t.Fatal(err)
	}
	dsCert, err := certs.NewDocumentSigner(a, iaca, iacaKey, &dsKey.PublicKey, "idgate test DS "+country)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := certs.NewSigner(dsKey, []*x509.Certificate{dsCert})
	if err != nil {
		t.Fatal(err)
	}
	return &mdocAuthority{authority: a, iaca: iaca, iacaKey: iacaKey, ds: ds}
}

// trustList trusts the authority's IACA for the mDL.
func (a *mdocAuthority) trustList() *certs.TrustList {
	return certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: mdoc.DocTypeMDL, Roots: []*x509.Certificate{a.iaca}})
}

// mdocHolder is a wallet holding one mDL mdoc bound to its device key.
type mdocHolder struct {
	device       *ecdsa.PrivateKey
	issuerSigned []byte
	statusIdx    int
}

var testPortrait = []byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0xff, 0xd9}

// issue signs an mDL for a new holder with a fresh entry in env's status list; edit adjusts
// the input.
func (a *mdocAuthority) issue(t testing.TB, env *credentialtest.Env, edit func(*mdoc.IssueInput)) *mdocHolder {
	t.Helper()
	h := &mdocHolder{device: newP256(t)}
	slot := env.Slot()
	h.statusIdx = slot.Index
	// A minute back: the verifier's clock in these tests stands still from the world's start.
	now := time.Now().Add(-time.Minute).Truncate(time.Second)
	in := mdoc.IssueInput{
		DocType: mdoc.DocTypeMDL,
		NameSpaces: map[string]map[string]any{mdoc.NamespaceMDL: {
			"family_name": "Mustermann", "given_name": "Erika", "birth_date": mdoc.FullDate("1990-05-17"),
			"issue_date": mdoc.FullDate("2026-01-01"), "expiry_date": mdoc.FullDate("2036-01-01"), "issuing_country": "UT",
			"issuing_authority": "Utopia DMV", "document_number": "D1234567", "portrait": testPortrait,
			"driving_privileges": []any{map[string]any{"vehicle_category_code": "B"}}, "un_distinguishing_sign": "UTO",
			"age_over_18": true, "age_over_19": true, "age_in_years": uint64(36),
		}},
		DeviceKey: &h.device.PublicKey,
		Signed:    now, ValidFrom: now, ValidUntil: now.Add(365 * 24 * time.Hour),
		Status: &mdoc.StatusListRef{Idx: uint64(slot.Index), URI: slot.URI},
	}
	if edit != nil {
		edit(&in)
	}
	var err error
	if h.issuerSigned, err = mdoc.Issue(in, a.ds); err != nil {
		t.Fatal(err)
	}
	return h
}

// walletTranscript is the SessionTranscript a wallet computes from the request it resolved.
func walletTranscript(t testing.TB, ar *oid4vp.AuthorizationRequest) []byte {
	t.Helper()
	var tp []byte
	if ar.EncryptTo != nil {
		var err error
		if tp, err = ar.EncryptTo.Thumbprint(); err != nil {
			t.Fatal(err)
		}
	}
	st, err := oid4vp.SessionTranscript(ar.ClientID, ar.Nonce, tp, ar.ResponseURI)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// present is the holder's base64url DeviceResponse disclosing elements of the mDL namespace
// over transcript.
func (h *mdocHolder) present(t testing.TB, transcript []byte, elements ...string) string {
	t.Helper()
	resp, err := mdoc.Present(h.issuerSigned, mdoc.Request{mdoc.NamespaceMDL: elements}, transcript, h.device)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(resp)
}

const mdlQuery = `{"dcql_query":{"credentials":[{"id":"mdl","format":"mso_mdoc","meta":{"doctype_value":"org.iso.18013.5.1.mDL"},
	"claims":[{"path":["org.iso.18013.5.1","age_over_19"],"values":[true],"intent_to_retain":false},{"path":["org.iso.18013.5.1","portrait"]}]}]}}`

func TestOpenID4VPMDocFlow(t *testing.T) {
	for _, mode := range []string{oid4vp.ModeDirectPostJWT, oid4vp.ModeDirectPost} {
		t.Run(mode, func(t *testing.T) {
			w := newVPWorld(t, mode)
			h := w.mdoc.issue(t, w.env, nil)
			c := w.create(t, mdlQuery)
			ar := w.resolve(t, c.AuthorizationRequest)
			if md := ar.ClientMetadata.VPFormatsSupported[oid4vp.FormatMDoc]; md == nil {
				t.Fatalf("vp_formats_supported %v has no mso_mdoc", ar.ClientMetadata.VPFormatsSupported)
			}
			pres := h.present(t, walletTranscript(t, ar), "age_over_19", "portrait")
			st, raw := w.post(t, ar, answer{vpToken: oid4vp.VPToken{"mdl": {pres}}, state: ar.State, to: encKey(ar)})
			if st != http.StatusOK {
				t.Fatalf("response_uri: %d %s", st, raw)
			}
			st, o := w.outcome(t, c.ID)
			if st != http.StatusOK || o.Status != "verified" {
				t.Fatalf("outcome: %d %+v", st, o)
			}
			got := o.Credentials["mdl"][0]
			ns, _ := got.Claims[mdoc.NamespaceMDL].(map[string]any)
			if got.Doctype != mdoc.DocTypeMDL || got.VCT != "" || got.Status != "valid" || !strings.Contains(got.Issuer, "idgate test DS UT") ||
				len(ns) != 2 || ns["age_over_19"] != true || ns["portrait"] != base64.StdEncoding.EncodeToString(testPortrait) {
				t.Fatalf("result %+v", got)
			}
		})
	}
}

// A query for an SD-JWT VC or the mdoc (credential_sets) is answered with the mdoc alone.
func TestOpenID4VPMDocCredentialSets(t *testing.T) {
	w := newVPWorld(t, oid4vp.ModeDirectPostJWT)
	h := w.mdoc.issue(t, w.env, nil)
	c := w.create(t, `{"dcql_query":{"credentials":[
		{"id":"licence","format":"dc+sd-jwt","meta":{"vct_values":["urn:idgate:vct:mdl:1"]},"claims":[{"path":["age_over_18"]}]},
		{"id":"mdl","format":"mso_mdoc","meta":{"doctype_value":"org.iso.18013.5.1.mDL"},
		 "claims":[{"id":"a19","path":["org.iso.18013.5.1","age_over_19"]},{"id":"a18","path":["org.iso.18013.5.1","age_over_18"]}],
		 "claim_sets":[["a19"],["a18"]]}],
		"credential_sets":[{"options":[["licence"],["mdl"]]}]}}`)
	ar := w.resolve(t, c.AuthorizationRequest)
	pres := h.present(t, walletTranscript(t, ar), "age_over_19")
	if st, raw := w.post(t, ar, answer{vpToken: oid4vp.VPToken{"mdl": {pres}}, state: ar.State, to: encKey(ar)}); st != http.StatusOK {
		t.Fatalf("response_uri: %d %s", st, raw)
	}
	if _, o := w.outcome(t, c.ID); o.Status != "verified" || o.Credentials["mdl"][0].Claims[mdoc.NamespaceMDL].(map[string]any)["age_over_19"] != true {
		t.Fatalf("outcome %+v", o)
	}
}

// Each attack is a well-formed response differing from a valid one in one property.
func TestOpenID4VPMDocAttacks(t *testing.T) {
	w := newVPWorld(t, oid4vp.ModeDirectPostJWT)
	holder := w.mdoc.issue(t, w.env, nil)
	stranger := newMDocAuthority(t, "ZZ") // an IACA the verifier does not trust
	transcriptFor := func(ar *oid4vp.AuthorizationRequest, edit func(clientID, nonce, responseURI *string, tp *[]byte)) []byte {
		tp, _ := ar.EncryptTo.Thumbprint()
		clientID, nonce, responseURI := ar.ClientID, ar.Nonce, ar.ResponseURI
		edit(&clientID, &nonce, &responseURI, &tp)
		st, err := oid4vp.SessionTranscript(clientID, nonce, tp, responseURI)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	elements := []string{"age_over_19", "portrait"}
	// retag replaces the first occurrence of old in a base64url DeviceResponse.
	retag := func(t *testing.T, pres string, old, new []byte) string {
		raw, err := base64.RawURLEncoding.DecodeString(pres)
		if err != nil || !bytes.Contains(raw, old) {
			t.Fatalf("no %x in the DeviceResponse", old)
		}
		return base64.RawURLEncoding.EncodeToString(bytes.Replace(raw, old, new, 1))
	}
	tests := []struct {
		name    string
		query   string
		edit    func(t *testing.T, ar *oid4vp.AuthorizationRequest) string // the vp_token entry
		status  int
		outcome string
	}{
		{"valid", mdlQuery, func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			return holder.present(t, walletTranscript(t, ar), elements...)
		}, 200, "verified"},
		{"transcript of another nonce", mdlQuery, func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			other := w.resolve(t, w.create(t, mdlQuery).AuthorizationRequest)
			return holder.present(t, transcriptFor(ar, func(_, n, _ *string, _ *[]byte) { *n = other.Nonce }), elements...)
		}, 422, "kb_signature_invalid"},
		{"transcript of another client", mdlQuery, func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			return holder.present(t, transcriptFor(ar, func(c, _, _ *string, _ *[]byte) { *c = "x509_san_dns:evil.example" }), elements...)
		}, 422, "kb_signature_invalid"},
		{"transcript with the client_id without its prefix", mdlQuery, func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			return holder.present(t, transcriptFor(ar, func(c, _, _ *string, _ *[]byte) { *c = "localhost" }), elements...)
		}, 422, "kb_signature_invalid"},
		{"transcript of another response_uri", mdlQuery, func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			return holder.present(t, transcriptFor(ar, func(_, _, r *string, _ *[]byte) { *r = "https://evil.example/response" }), elements...)
		}, 422, "kb_signature_invalid"},
		{"transcript without the encryption key", mdlQuery, func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			return holder.present(t, transcriptFor(ar, func(_, _, _ *string, tp *[]byte) { *tp = nil }), elements...)
		}, 422, "kb_signature_invalid"},
		{"element value changed", mdlQuery, func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			// elementValue true (0xf5) of age_over_19, the one boolean presented, becomes false.
			p := holder.present(t, walletTranscript(t, ar), elements...)
			return retag(t, p, []byte("elementValue\xf5"), []byte("elementValue\xf4"))
		}, 422, "disclosure_unreferenced"},
		{"document of another doctype", strings.Replace(mdlQuery, "org.iso.18013.5.1.mDL", "org.iso.23220.photoid.1", 1),
			func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
				return holder.present(t, walletTranscript(t, ar), elements...)
			}, 400, oid4vp.ReasonQueryNotSatisfied},
		{"document relabelled as the requested doctype", strings.Replace(mdlQuery, "org.iso.18013.5.1.mDL", "org.iso.18013.5.1.mDX", 1),
			func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
				p := holder.present(t, walletTranscript(t, ar), elements...)
				return retag(t, p, []byte("org.iso.18013.5.1.mDL"), []byte("org.iso.18013.5.1.mDX"))
			}, 422, "doctype_mismatch"},
		{"extra element", mdlQuery, func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			return holder.present(t, walletTranscript(t, ar), "age_over_19", "portrait", "family_name")
		}, 400, oid4vp.ReasonUnrequestedClaim},
		{"requested element missing", mdlQuery, func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			return holder.present(t, walletTranscript(t, ar), "age_over_19")
		}, 400, oid4vp.ReasonQueryNotSatisfied},
		{"value outside values", strings.Replace(mdlQuery, `"values":[true]`, `"values":[false]`, 1), func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			return holder.present(t, walletTranscript(t, ar), elements...)
		}, 400, oid4vp.ReasonQueryNotSatisfied},
		{"revoked", mdlQuery, func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			h := w.mdoc.issue(t, w.env, nil)
			w.env.SetStatus(t, h.statusIdx, statuslist.Invalid)
			return h.present(t, walletTranscript(t, ar), elements...)
		}, 422, "revoked"},
		{"suspended", mdlQuery, func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			h := w.mdoc.issue(t, w.env, nil)
			w.env.SetStatus(t, h.statusIdx, statuslist.Suspended)
			return h.present(t, walletTranscript(t, ar), elements...)
		}, 422, "suspended"},
		{"untrusted IACA", mdlQuery, func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			return stranger.issue(t, w.env, nil).present(t, walletTranscript(t, ar), elements...)
		}, 422, "untrusted_issuer"},
		{"expired", mdlQuery, func(t *testing.T, ar *oid4vp.AuthorizationRequest) string {
			h := w.mdoc.issue(t, w.env, func(in *mdoc.IssueInput) {
				in.Signed, in.ValidFrom, in.ValidUntil = in.Signed.Add(-48*time.Hour), in.ValidFrom.Add(-48*time.Hour), in.Signed.Add(-time.Hour)
			})
			return h.present(t, walletTranscript(t, ar), elements...)
		}, 422, "expired"},
		{"not base64url", mdlQuery, func(*testing.T, *oid4vp.AuthorizationRequest) string { return "not a DeviceResponse!" }, 422, "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := w.create(t, tc.query)
			ar := w.resolve(t, c.AuthorizationRequest)
			pres := tc.edit(t, ar)
			st, raw := w.post(t, ar, answer{vpToken: oid4vp.VPToken{"mdl": {pres}}, state: ar.State, to: encKey(ar)})
			if st != tc.status {
				t.Fatalf("response_uri: %d %s, want %d", st, raw, tc.status)
			}
			if st != http.StatusOK {
				checkWalletError(t, raw)
			}
			_, o := w.outcome(t, c.ID)
			got := o.Error
			if o.Status == "verified" {
				got = o.Status
			}
			if got != tc.outcome {
				t.Fatalf("outcome %+v, want %s", o, tc.outcome)
			}
		})
	}
}

// Without MDocConfig a verifier refuses mso_mdoc queries when the transaction is created.
func TestOpenID4VPMDocNotConfigured(t *testing.T) {
	w := newVPWorld(t, oid4vp.ModeDirectPostJWT)
	vp := *w.vp
	vp.cfg.MDoc = nil
	q, err := oid4vp.ParseQuery([]byte(mdlQuery[len(`{"dcql_query":`) : len(mdlQuery)-1]))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vp.Create(t.Context(), "rp", q); oid4vp.ReasonOf(err) != string(oid4vp.VPFormatsNotSupported) {
		t.Fatalf("err = %v", err)
	}
}
