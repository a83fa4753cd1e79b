package walletsdk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer"
	"github.com/idgate/idgate/issuer/issuerhttp"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/memory"
	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// losingTransport delivers each request to the issuer but loses the answer of the first
// request to each path in lose: the issuer acted, the wallet sees a transport error.
type losingTransport struct {
	mu   sync.Mutex
	lose map[string]bool
}

func (l *losingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	drop := l.lose[req.URL.Path]
	delete(l.lose, req.URL.Path)
	l.mu.Unlock()
	if drop {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("connection reset by peer (test: answer lost)")
	}
	return resp, nil
}

// TestLostAnswersAreRetried: the token answer and the credential answer are each lost once
// after the issuer acted; the wallet's repeats get the same token and the same credential,
// and the issuer holds exactly one credential, delivered.
func TestLostAnswersAreRetried(t *testing.T) {
	ctx := t.Context()
	srv := httptest.NewUnstartedServer(nil)
	url := "http://" + srv.Listener.Addr().String()
	ca := certstest.NewCA(t)
	store := memory.New()
	svc, err := issuer.New(issuer.Config{
		Store: store, PublicURL: url,
		Signers:      map[credential.Type]certs.Signer{credential.EmployeeID: ca.Issue(t, "idgate Employee ID Issuer", certstest.WithURI(url))},
		StatusSigner: ca.Issue(t, "idgate Status List Signer", certstest.WithURI(url)),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = issuerhttp.Handler(svc, issuerhttp.Config{})
	srv.Start()
	t.Cleanup(srv.Close)
	h, err := svc.Enrol(ctx, "test", []credential.Type{credential.EmployeeID}, map[string]any{
		"family_name": "Mustermann", "given_name": "Erika", "birth_date": "1990-05-17",
		"employee_number": "E-42", "organisation": "Ministry of Transport",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	offer, err := svc.CreateOffer(ctx, "test", h.ID, credential.EmployeeID)
	if err != nil {
		t.Fatal(err)
	}
	lossy := &losingTransport{lose: map[string]bool{"/token": true, "/credential": true}}
	w, err := walletsdk.New(walletsdk.Config{
		Dir: t.TempDir(), StoreKey: make([]byte, 32),
		HTTP: &http.Client{Transport: lossy, Timeout: 10 * time.Second}, RetryDelay: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := w.AcceptOffer(ctx, offer.URI, "")
	if err != nil {
		t.Fatalf("accept with lost answers: %v", err)
	}
	if len(lossy.lose) != 0 {
		t.Fatalf("answers not lost: %v", lossy.lose)
	}
	stored, err := store.ListCredentials(context.Background(), storage.CredentialFilter{HolderID: h.ID})
	if err != nil || len(stored) != 1 {
		t.Fatalf("issuer holds %d credentials (%v), want 1", len(stored), err)
	}
	if stored[0].PendingUntil != nil || stored[0].Status != storage.StatusValid {
		t.Fatalf("stored credential %+v: want delivered and valid", stored[0])
	}
	if creds[0].VCT != credential.VCTEmployeeID {
		t.Fatalf("credential %+v", creds[0])
	}
	b, _ := json.Marshal(creds[0].Claims)
	if !bytes.Contains(b, []byte("E-42")) {
		t.Fatalf("claims %s", b)
	}
}
