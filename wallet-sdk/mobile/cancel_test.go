package mobile

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// Cancel ends a call waiting on an issuer that never answers, with code "cancelled"; a call
// made afterwards runs normally.
func TestCancel(t *testing.T) {
	arrived := make(chan struct{}, 4)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	defer hang.Close()
	w, err := OpenWallet(t.TempDir(), bytes.Repeat([]byte{5}, 32), nil)
	if err != nil {
		t.Fatal(err)
	}
	offer := "openid-credential-offer://?credential_offer_uri=" + url.QueryEscape(hang.URL+"/offer")
	// The second round proves a call after Cancel reaches the network again.
	for round := range 2 {
		done := make(chan error, 1)
		go func() {
			_, err := w.AcceptOffer(offer, "")
			done <- err
		}()
		select {
		case <-arrived:
		case err := <-done:
			t.Fatalf("round %d: the call ended before reaching the issuer: %v", round, err)
		case <-time.After(time.Minute):
			t.Fatalf("round %d: the call never reached the issuer", round)
		}
		w.Cancel()
		select {
		case err := <-done:
			if got := ErrorCode(err); got != "cancelled" {
				t.Fatalf("round %d: code %q (%v), want cancelled", round, got, err)
			}
		case <-time.After(time.Minute):
			t.Fatalf("round %d: Cancel did not end the call", round)
		}
	}
}
