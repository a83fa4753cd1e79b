package walletsdk

import (
	"bytes"
	"testing"

	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
)

func BenchmarkSealOpenRecord(b *testing.B) {
	aead, _ := newAEAD(bytes.Repeat([]byte{1}, 32))
	pt := bytes.Repeat([]byte("x"), 4<<10) // a typical credential record
	b.SetBytes(int64(len(pt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := openRecord(aead, kindCredentials, "abc", sealRecord(aead, kindCredentials, "abc", pt)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenStorePassphrase(b *testing.B) {
	dir := b.TempDir()
	if _, err := OpenStore(dir, nil, "pass"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := OpenStore(dir, nil, "pass"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAcceptOffer(b *testing.B) {
	iss := oid4vcitest.New(b)
	w := newTestWallet(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.AcceptOffer(b.Context(), iss.OfferURI(), iss.TxCode); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPresent(b *testing.B) {
	iss := oid4vcitest.New(b)
	w := newTestWallet(b)
	creds, err := w.AcceptOffer(b.Context(), iss.OfferURI(), iss.TxCode)
	if err != nil {
		b.Fatal(err)
	}
	req := PresentationRequest{Audience: "https://rp.example", Nonce: "n", Claims: []string{"given_name", "/address/locality"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Present(b.Context(), creds[0].ID, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCredentials(b *testing.B) {
	iss := oid4vcitest.New(b)
	w := newTestWallet(b)
	for range 10 {
		if _, err := w.AcceptOffer(b.Context(), iss.OfferURI(), iss.TxCode); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if list, err := w.Credentials(); err != nil || len(list) != 10 {
			b.Fatal(len(list), err)
		}
	}
}
