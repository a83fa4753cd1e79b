package walletsdk_test

import (
	"net/http/httptest"
	"testing"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/issuerhttp"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/memory"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// The holder checks a held credential against the real issuer's Token Status List while the
// issuer suspends, reinstates and revokes it; a status list signed under an untrusted root
// yields no status.
func TestCredentialStatusRealIssuer(t *testing.T) {
	ctx := t.Context()
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	ca := certstest.NewCA(t)
	store := memory.New()
	svc, err := issuer.New(issuer.Config{
		Store: store, PublicURL: url,
		Signers: map[credential.Type]certs.Signer{
			credential.EmployeeID: ca.Issue(t, "idgate Employee ID Issuer", certstest.WithURI(url)),
		},
		StatusSigner: ca.Issue(t, "idgate Status List Signer", certstest.WithURI(url)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = issuerhttp.Handler(svc, issuerhttp.Config{})
	srv.Start()
	t.Cleanup(srv.Close)
	holder, err := svc.Enrol(ctx, "test", []credential.Type{credential.EmployeeID}, map[string]any{
		"family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-05-17",
		"employee_number": "E-42", "organisation": "Ministry of Transport",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	offer, err := svc.CreateOffer(ctx, "test", holder.ID, credential.EmployeeID)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	w, err := walletsdk.New(walletsdk.Config{Dir: dir, StoreKey: make([]byte, 32),
		StatusTrust: certs.NewTrustList(ca.Anchor(certs.PurposeStatusList, "*"))})
	if err != nil {
		t.Fatal(err)
	}
	preview, err := w.PreviewOffer(ctx, offer.URI)
	if err != nil {
		t.Fatal(err)
	}
	if len(preview.IssuerDisplay) == 0 || preview.IssuerDisplay[0].Name == "" || len(preview.Credentials) != 1 ||
		preview.Credentials[0].VCT != credential.VCTEmployeeID || len(preview.Credentials[0].Display) == 0 ||
		preview.Credentials[0].Display[0].Name == "" || preview.TxCode != nil {
		t.Fatalf("offer preview %+v", preview)
	}
	creds, err := w.AcceptPreview(ctx, preview, "")
	if err != nil {
		t.Fatal(err)
	}
	held := creds[0].ID
	issued, err := store.ListCredentials(ctx, storage.CredentialFilter{HolderID: holder.ID})
	if err != nil || len(issued) != 1 {
		t.Fatalf("issuer credentials %v, %v", issued, err)
	}
	for _, step := range []struct{ action, want string }{
		{"", walletsdk.StatusValid},
		{"suspend", walletsdk.StatusSuspended},
		{"reinstate", walletsdk.StatusValid},
		{"revoke", walletsdk.StatusRevoked},
	} {
		if step.action != "" {
			if _, err := svc.SetStatus(ctx, "test", issued[0].ID, step.action); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := w.CredentialStatus(ctx, held); err != nil || got != step.want {
			t.Fatalf("after %q: status %q, %v; want %q", step.action, got, err, step.want)
		}
	}

	other := certstest.NewCA(t)
	untrusting, err := walletsdk.New(walletsdk.Config{Dir: dir, StoreKey: make([]byte, 32),
		StatusTrust: certs.NewTrustList(other.Anchor(certs.PurposeStatusList, "*"))})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := untrusting.CredentialStatus(ctx, held); walletsdk.CodeOf(err) != walletsdk.CodeInvalidCredential {
		t.Fatalf("untrusted status list: %q, %v", got, err)
	}
	noTrust, err := walletsdk.New(walletsdk.Config{Dir: dir, StoreKey: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noTrust.CredentialStatus(ctx, held); walletsdk.CodeOf(err) != walletsdk.CodeConfig {
		t.Fatalf("without status trust: %v", err)
	}
	if _, err := w.CredentialStatus(ctx, "0123abcd"); walletsdk.CodeOf(err) != walletsdk.CodeNotFound {
		t.Fatalf("unknown credential: %v", err)
	}
}
