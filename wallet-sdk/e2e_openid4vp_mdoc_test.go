package walletsdk_test

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/statuslist"
	"github.com/idgate/idgate/verifier"
	"github.com/idgate/idgate/verifier/vpstore"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
)

// mdocDesk is the rental desk's real verifier serving OpenID4VP on 127.0.0.1, trusting the
// issuer double's IACA for the mDL and reading the mdoc's status in a real status list.
type mdocDesk struct {
	env *credentialtest.Env
	url string
}

func newMDocDesk(t *testing.T, env *credentialtest.Env, iaca *certs.TrustList, mode string) *mdocDesk {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	d := &mdocDesk{env: env, url: "http://localhost:" + port}
	rp, err := verifier.NewRP(verifier.RPConfig{Credentials: env.Verifier(t), Requests: verifier.NewMemoryRequests(16), Audience: d.url})
	if err != nil {
		t.Fatal(err)
	}
	vp, err := verifier.NewVP(verifier.VPConfig{
		Credentials: env.Verifier(t), MDoc: &verifier.MDocConfig{Trust: iaca, Status: env.Checker()},
		Store: vpstore.NewMemory(nil), BaseURL: d.url, ResponseMode: mode,
		Signer: env.CA.Issue(t, "rental desk", certstest.WithDNS("localhost"), certstest.WithProfile(certs.ProfileRequestSigner)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := verifier.NewServer((&verifier.API{RP: rp, VP: vp, OpenRP: true}).Handler)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Shutdown() })
	return d
}

func (d *mdocDesk) create(t *testing.T, dcql string) verifier.Created {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"dcql_query": json.RawMessage(dcql)})
	resp, err := http.Post(d.url+"/v1/presentation-requests", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var c verifier.Created
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &c) != nil {
		t.Fatalf("create: %d %s", resp.StatusCode, raw)
	}
	return c
}

func (d *mdocDesk) outcome(t *testing.T, id string) verifier.Outcome {
	t.Helper()
	resp, err := http.Get(d.url + "/v1/presentation-requests/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var o verifier.Outcome
	if err := json.NewDecoder(resp.Body).Decode(&o); err != nil {
		t.Fatal(err)
	}
	return o
}

const ageQuery = `{"credentials":[{"id":"mdl","format":"mso_mdoc","meta":{"doctype_value":"org.iso.18013.5.1.mDL"},
	"claims":[{"path":["org.iso.18013.5.1","age_over_18"],"values":[true],"intent_to_retain":false},{"path":["org.iso.18013.5.1","family_name"]}]}]}`

// The wallet holds an mDL mdoc received over OpenID4VCI; the real verifier asks for two
// elements over OpenID4VP; the consent preview names the doctype and [namespace, element]
// paths; RespondVP discloses exactly those, device-signed over the request's transcript; the
// desk reads them. Both response modes, then the mdoc revoked.
func TestEndToEndOpenID4VPMDoc(t *testing.T) {
	env := credentialtest.New(t)
	iss := oid4vcitest.New(t)
	iss.Offered = []string{oid4vcitest.ConfigIDMdoc}
	slot := env.Slot()
	iss.MdocStatus = &mdoc.StatusListRef{Idx: uint64(slot.Index), URI: slot.URI}
	w, err := walletsdk.New(walletsdk.Config{Dir: t.TempDir(), StoreKey: make([]byte, 32),
		VerifierTrust: env.CA.TrustList(certs.PurposeVerifier, certs.ScopeAny)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := w.AcceptOffer(ctx, iss.OfferURI(), iss.TxCode); err != nil {
		t.Fatal(err)
	}
	iaca := certs.NewTrustList(certs.Anchor{Purpose: certs.PurposeMdoc, Scope: mdoc.DocTypeMDL, Roots: []*x509.Certificate{iss.MdocIACA()}})

	for _, mode := range []string{oid4vp.ModeDirectPostJWT, oid4vp.ModeDirectPost} {
		t.Run(mode, func(t *testing.T) {
			desk := newMDocDesk(t, env, iaca, mode)
			c := desk.create(t, ageQuery)
			req, err := w.ResolveVP(ctx, c.AuthorizationRequest)
			if err != nil {
				t.Fatal(err)
			}
			cand := req.Queries[0].Candidates[0]
			var paths []string
			for _, d := range cand.Disclosed {
				paths = append(paths, d.Path)
			}
			if cand.Format != walletsdk.FormatMdoc || cand.DocType != mdoc.DocTypeMDL || len(cand.AlwaysVisible) != 0 ||
				strings.Join(paths, " ") != `["org.iso.18013.5.1","age_over_18"] ["org.iso.18013.5.1","family_name"]` {
				t.Fatalf("preview %+v", cand)
			}
			if _, err := w.RespondVP(ctx, req, nil); err != nil {
				t.Fatal(err)
			}
			o := desk.outcome(t, c.ID)
			got := o.Credentials["mdl"]
			if o.Status != "verified" || len(got) != 1 || got[0].Doctype != mdoc.DocTypeMDL {
				t.Fatalf("outcome %+v", o)
			}
			ns, _ := got[0].Claims[mdoc.NamespaceMDL].(map[string]any)
			if len(got[0].Claims) != 1 || len(ns) != 2 || ns["age_over_18"] != true || ns["family_name"] != oid4vcitest.FamilyName {
				t.Fatalf("the desk read %v", got[0].Claims)
			}
		})
	}

	t.Run("revoked", func(t *testing.T) {
		desk := newMDocDesk(t, env, iaca, oid4vp.ModeDirectPostJWT)
		env.SetStatus(t, slot.Index, statuslist.Invalid)
		defer env.SetStatus(t, slot.Index, statuslist.Valid)
		c := desk.create(t, ageQuery)
		req, err := w.ResolveVP(ctx, c.AuthorizationRequest)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.RespondVP(ctx, req, nil)
		var pe *walletsdk.ProtocolError
		if walletsdk.CodeOf(err) != walletsdk.CodeVerifierRejected || !errors.As(err, &pe) || !strings.Contains(pe.Description, "revoked") {
			t.Fatalf("RespondVP: %v", err)
		}
		if o := desk.outcome(t, c.ID); o.Status != "failed" || o.Error != "revoked" {
			t.Fatalf("outcome %+v", o)
		}
	})

	t.Run("trusted_authorities", func(t *testing.T) {
		desk := newMDocDesk(t, env, iaca, oid4vp.ModeDirectPostJWT)
		aki := func(id []byte) string {
			return strings.Replace(ageQuery, `"meta":`, `"trusted_authorities":[{"type":"aki","values":["`+base64.RawURLEncoding.EncodeToString(id)+`"]}],"meta":`, 1)
		}
		c := desk.create(t, aki(iss.MdocIACA().SubjectKeyId))
		req, err := w.ResolveVP(ctx, c.AuthorizationRequest)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.RespondVP(ctx, req, nil); err != nil {
			t.Fatal(err)
		}
		if o := desk.outcome(t, c.ID); o.Status != "verified" {
			t.Fatalf("outcome %+v", o)
		}
		c = desk.create(t, aki([]byte("another authority's key id")))
		if _, err := w.ResolveVP(ctx, c.AuthorizationRequest); walletsdk.CodeOf(err) != walletsdk.CodeNoMatchingCredential {
			t.Fatalf("ResolveVP for another authority: %v", err)
		}
	})

	t.Run("element the mdoc does not hold", func(t *testing.T) {
		desk := newMDocDesk(t, env, iaca, oid4vp.ModeDirectPostJWT)
		c := desk.create(t, strings.Replace(ageQuery, "family_name", "resident_city", 1))
		if _, err := w.ResolveVP(ctx, c.AuthorizationRequest); walletsdk.CodeOf(err) != walletsdk.CodeNoMatchingCredential {
			t.Fatalf("ResolveVP: %v", err)
		}
	})
}
