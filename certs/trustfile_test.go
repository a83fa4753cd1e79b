package certs_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
)

func TestParseTrustList(t *testing.T) {
	ca := certstest.NewCA(t)
	rootPEM := string(certs.EncodeCertsPEM(ca.Chain()))
	leaf := ca.Issue(t, "idgate Airline IG")
	fsys := fstest.MapFS{
		"root.crt":       {Data: []byte(rootPEM)},
		"airline-IG.crt": {Data: certs.EncodeCertsPEM(leaf.Chain())},
	}
	inline := strings.ReplaceAll(rootPEM, "\n", `\n`)
	tests := []struct {
		name    string
		json    string
		wantErr bool
	}{
		{"paths", `{"anchors":[{"purpose":"boarding-pass","scope":"IG","roots":["root.crt"],"names":["idgate Airline IG"],"certs":["airline-IG.crt"]}]}`, false},
		{"inline PEM", `{"anchors":[{"purpose":"status-list","scope":"*","roots":["` + inline + `"]}]}`, false},
		{"unknown purpose", `{"anchors":[{"purpose":"login","scope":"*","roots":["root.crt"]}]}`, true},
		{"unknown field", `{"anchors":[{"purpose":"credential","scope":"*","roots":["root.crt"],"trustAll":true}]}`, true},
		{"no roots", `{"anchors":[{"purpose":"credential","scope":"*","roots":[]}]}`, true},
		{"leaf as root", `{"anchors":[{"purpose":"credential","scope":"*","roots":["airline-IG.crt"]}]}`, true},
		{"empty scope", `{"anchors":[{"purpose":"credential","roots":["root.crt"]}]}`, true},
		{"escape dir", `{"anchors":[{"purpose":"credential","scope":"*","roots":["../root.crt"]}]}`, true},
		{"absolute path", `{"anchors":[{"purpose":"credential","scope":"*","roots":["/etc/ssl/cert.pem"]}]}`, true},
		{"missing file", `{"anchors":[{"purpose":"credential","scope":"*","roots":["nope.crt"]}]}`, true},
		{"no anchors", `{"anchors":[]}`, true},
		{"trailing", `{"anchors":[{"purpose":"credential","scope":"*","roots":["root.crt"]}]} {}`, true},
		{"not JSON", `purpose=credential`, true},
		{"duplicate names", `{"anchors":[{"purpose":"boarding-pass","scope":"IG","roots":["root.crt"],"names":["x"],"names":["idgate Airline IG"]}]}`, true},
		{"wrong-case member", `{"anchors":[{"purpose":"boarding-pass","SCOPE":"IG","roots":["root.crt"]}]}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl, err := certs.ParseTrustList([]byte(tc.json), fsys)
			if tc.wantErr {
				if !errors.Is(err, certs.ErrMalformed) {
					t.Fatalf("err = %v, want ErrMalformed", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tl.Anchors()) != 1 {
				t.Fatalf("%d anchors", len(tl.Anchors()))
			}
		})
	}
	tl, err := certs.ParseTrustList([]byte(tests[0].json), fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := tl.Certificates(certs.PurposeBoardingPass, "IG", time.Now()); len(got) != 1 {
		t.Fatalf("pinned certs from file: %d", len(got))
	}
}

func FuzzLoadTrustList(f *testing.F) {
	ca := certstest.NewCA(f)
	fsys := fstest.MapFS{"root.crt": {Data: certs.EncodeCertsPEM(ca.Chain())}}
	f.Add([]byte(`{"anchors":[{"purpose":"credential","scope":"*","roots":["root.crt"],"names":["idgate Employee ID Issuer"]}]}`))
	f.Add([]byte(`{"anchors":[{"purpose":"boarding-pass","scope":"IG","roots":["root.crt"],"certs":["root.crt"]}]}`))
	f.Add([]byte(`{"anchors":[{"purpose":"status-list","scope":"*","roots":["-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n"]}]}`))
	f.Add([]byte(`{"anchors":[{"purpose":"credential","scope":"*","roots":["../x"]}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tl, err := certs.ParseTrustList(data, fsys)
		if err != nil {
			if !errors.Is(err, certs.ErrMalformed) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, a := range tl.Anchors() {
			if len(a.Roots) == 0 || a.Scope == "" {
				t.Fatalf("accepted anchor without roots or scope: %+v", a)
			}
		}
	})
}
