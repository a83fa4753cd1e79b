package verifier

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
)

// The DeviceResponse around a valid document is the wallet's to shape: each case keeps the
// document (issuer and device signatures intact) and changes the envelope.
func TestOpenID4VPMDocEnvelope(t *testing.T) {
	w := newVPWorld(t, oid4vp.ModeDirectPostJWT)
	holder := w.mdoc.issue(t, w.env, nil)
	elements := []string{"age_over_19", "portrait"}
	reshape := func(t *testing.T, pres string, edit func(*mdoc.DeviceResponse)) string {
		raw, err := base64.RawURLEncoding.DecodeString(pres)
		if err != nil {
			t.Fatal(err)
		}
		var dr mdoc.DeviceResponse
		if err := cbor.Unmarshal(raw, &dr); err != nil {
			t.Fatal(err)
		}
		edit(&dr)
		out, err := cbor.Marshal(dr)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(out)
	}
	tests := []struct {
		name    string
		edit    func(t *testing.T, pres string) string
		outcome string
	}{
		{"as presented", func(t *testing.T, pres string) string { return pres }, "verified"},
		{"re-encoded unchanged", func(t *testing.T, pres string) string {
			return reshape(t, pres, func(*mdoc.DeviceResponse) {})
		}, "verified"},
		{"status not OK", func(t *testing.T, pres string) string {
			return reshape(t, pres, func(dr *mdoc.DeviceResponse) { dr.Status = 10 })
		}, oid4vp.ReasonQueryNotSatisfied},
		{"a second document of another doctype", func(t *testing.T, pres string) string {
			return reshape(t, pres, func(dr *mdoc.DeviceResponse) {
				other := dr.Documents[0]
				other.DocType = "org.iso.23220.photoid.1"
				dr.Documents = append(dr.Documents, other)
			})
		}, "malformed"},
		{"documentErrors beside the document", func(t *testing.T, pres string) string {
			return reshape(t, pres, func(dr *mdoc.DeviceResponse) {
				dr.DocumentErrors = []map[string]int{{mdoc.DocTypeMDL: 0}}
			})
		}, "malformed"},
		{"deviceMac instead of deviceSignature", func(t *testing.T, pres string) string {
			return reshape(t, pres, func(dr *mdoc.DeviceResponse) {
				da := &dr.Documents[0].DeviceSigned.DeviceAuth
				da.DeviceMac, da.DeviceSignature = da.DeviceSignature, nil
			})
		}, "kb_signature_invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := w.create(t, mdlQuery)
			ar := w.resolve(t, c.AuthorizationRequest)
			pres := tc.edit(t, holder.present(t, walletTranscript(t, ar), elements...))
			st, raw := w.post(t, ar, answer{vpToken: oid4vp.VPToken{"mdl": {pres}}, state: ar.State, to: encKey(ar)})
			if (st == http.StatusOK) != (tc.outcome == "verified") {
				t.Fatalf("response_uri: %d %s", st, raw)
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

// An mdoc configuration without its trust list or status checker is refused at start: the
// status check of the first presentation would otherwise have nothing to ask.
func TestNewVPMDocConfig(t *testing.T) {
	w := newVPWorld(t, oid4vp.ModeDirectPostJWT)
	for _, tc := range []struct {
		name string
		mdoc *MDocConfig
		ok   bool
	}{
		{"complete", &MDocConfig{Trust: w.mdoc.trustList(), Status: w.env.Checker()}, true},
		{"no status checker", &MDocConfig{Trust: w.mdoc.trustList()}, false},
		{"no trust list", &MDocConfig{Status: w.env.Checker()}, false},
		{"no mdoc", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := w.vp.cfg
			cfg.MDoc = tc.mdoc
			if _, err := NewVP(cfg); (err == nil) != tc.ok {
				t.Fatalf("NewVP: %v", err)
			}
		})
	}
}
