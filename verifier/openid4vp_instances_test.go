package verifier

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/internal/pgtest"
	"github.com/idgate/idgate/oid4vp"
	"github.com/idgate/idgate/verifier/vpstore"
	vppostgres "github.com/idgate/idgate/verifier/vpstore/postgres"
	vpsqlite "github.com/idgate/idgate/verifier/vpstore/sqlite"
)

// Two verifier instances on one database (SQLite, and PostgreSQL under
// scripts/with-postgres.sh): a transaction created on one is fetched, answered
// and read on the other, and a response replayed to the first is refused. The client_id is
// x509_hash, as HAIP requires; the transaction is same-device, so its response_code (answered
// by one instance) is what the other requires to read the outcome.
func TestOpenID4VPAcrossInstances(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vp.db")
		testAcrossInstances(t, func() vpstore.Store {
			store, err := vpsqlite.Open(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			return store
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.FreshDSN(t, "vp_instances")
		testAcrossInstances(t, func() vpstore.Store {
			store, err := vppostgres.Open(context.Background(), dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			return store
		})
	})
}

func testAcrossInstances(t *testing.T, open func() vpstore.Store) {
	env := credentialtest.New(t)
	signer := env.CA.Issue(t, "rental desk", certstest.WithDNS("rp.example"), certstest.WithProfile(certs.ProfileRequestSigner))
	instance := func() *VP {
		store := open()
		t.Cleanup(func() { store.Close() })
		vp, err := NewVP(VPConfig{Credentials: env.Verifier(t), Store: store, Signer: signer, BaseURL: "https://rp.example", ClientIDPrefix: oid4vp.PrefixX509Hash})
		if err != nil {
			t.Fatal(err)
		}
		return vp
	}
	a, b := instance(), instance()
	if a.ClientID() != oid4vp.X509HashClientID(signer.Chain()[0]) {
		t.Fatalf("client_id %s", a.ClientID())
	}
	ctx := context.Background()
	q, _ := QueryFromClaims("", []string{"family_name"})
	c, err := a.CreateWithID(ctx, "tx-1", "desk-1", q, CreateOptions{RedirectURI: "https://rp.example/return"})
	if err != nil {
		t.Fatal(err)
	}
	jwt, err := b.RequestObject(ctx, c.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	ar, err := oid4vp.ValidateRequestObject(jwt, oid4vp.ValidateOptions{Trust: env.CA.TrustList(certs.PurposeVerifier, certs.ScopeAny), ClientID: a.ClientID()})
	if err != nil {
		t.Fatal(err)
	}
	h := env.Issue(t, credentialtest.IssueOpts{})
	form, err := (&oid4vp.Response{VPToken: oid4vp.VPToken{"credential": {h.Present(t, []string{"family_name"}, ar.ClientID, ar.Nonce, time.Now())}},
		State: ar.State}).EncryptedForm(*ar.EncryptTo, ar.Enc)
	if err != nil {
		t.Fatal(err)
	}
	redirect, err := b.Respond(ctx, c.ID, form)
	code, ok := strings.CutPrefix(redirect, "https://rp.example/return#response_code=")
	if err != nil || !ok {
		t.Fatalf("respond: %q %v", redirect, err)
	}
	if _, err := a.Respond(ctx, c.ID, form); !errors.Is(err, ErrRequestUsed) {
		t.Fatalf("replay on the other instance: %v", err)
	}
	if _, err := a.Outcome(ctx, c.ID, ""); !errors.Is(err, ErrResponseCode) {
		t.Fatalf("read without the response_code: %v", err)
	}
	o, err := a.Outcome(ctx, c.ID, code)
	if err != nil || o.Status != "verified" || o.Credentials["credential"][0].Claims["family_name"] == nil {
		t.Fatalf("outcome on the creating instance: %+v %v", o, err)
	}
	if _, err := b.Outcome(ctx, c.ID, code); !errors.Is(err, ErrResultRead) {
		t.Fatalf("second read on the other instance: %v", err)
	}
}
