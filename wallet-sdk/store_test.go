package walletsdk

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/idgate/idgate/wallet-sdk/internal/oid4vcitest"
)

func TestStoreRoundTripAndKeys(t *testing.T) {
	dir := t.TempDir()
	key := testKey()
	s, err := OpenStore(dir, key, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put("things", "a", []byte("secret-claim-value")); err != nil {
		t.Fatal(err)
	}
	// Reopen with the same key: the header's key check passes and the record reads back.
	s2, err := OpenStore(dir, key, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s2.Get("things", "a")
	if err != nil || string(got) != "secret-claim-value" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if dirContains(t, dir, []byte("secret-claim-value")) {
		t.Fatal("plaintext on disk")
	}
	for _, tt := range []struct {
		name       string
		key        []byte
		passphrase string
		code       string
	}{
		{"wrong store key", testKey(), "", CodeWrongKey},
		{"passphrase on a key store", nil, "hunter2", CodeWrongKey},
		{"short key", make([]byte, 16), "", CodeConfig},
		{"both", key, "hunter2", CodeConfig},
		{"neither", nil, "", CodeConfig},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := OpenStore(dir, tt.key, tt.passphrase); CodeOf(err) != tt.code {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
		})
	}
	for _, bad := range []string{"../x", "", "a/b", "a.sealed"} {
		if err := s.Put("things", bad, nil); err == nil {
			t.Fatalf("accepted record id %q", bad)
		}
	}
	if ids, _ := s.List("things"); len(ids) != 1 || ids[0] != "a" {
		t.Fatalf("List = %v", ids)
	}
}

func TestStorePassphrase(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenStore(dir, nil, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put("things", "a", []byte("x")); err != nil {
		t.Fatal(err)
	}
	hdr, _ := os.ReadFile(filepath.Join(dir, headerFile))
	h, err := parseHeader(hdr)
	if err != nil || h.kdf != kdfPBKDF2 || h.iterations < 600_000 || bytes.Equal(h.salt, make([]byte, saltLen)) {
		t.Fatalf("header %+v, %v", h, err)
	}
	if _, err := OpenStore(dir, nil, "Correct horse battery staple"); CodeOf(err) != CodeWrongKey {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if _, err := OpenStore(dir, testKey(), ""); CodeOf(err) != CodeWrongKey {
		t.Fatalf("store key on a passphrase store: %v", err)
	}
	s2, err := OpenStore(dir, nil, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Get("things", "a"); err != nil || string(got) != "x" {
		t.Fatalf("Get = %q, %v", got, err)
	}
}

func TestStoreTamper(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, dir string)
		open   bool   // the failure shows at OpenStore rather than Get
		code   string // expected
	}{
		{"flipped ciphertext byte", func(t *testing.T, dir string) { flip(t, filepath.Join(dir, "things", "a.sealed"), 30) }, false, CodeStoreTampered},
		{"flipped nonce byte", func(t *testing.T, dir string) { flip(t, filepath.Join(dir, "things", "a.sealed"), 9) }, false, CodeStoreTampered},
		{"truncated record", func(t *testing.T, dir string) { os.Truncate(filepath.Join(dir, "things", "a.sealed"), 20) }, false, CodeStoreTampered},
		{"swapped records", func(t *testing.T, dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, "things", "b.sealed"))
			os.WriteFile(filepath.Join(dir, "things", "a.sealed"), b, 0o600)
		}, false, CodeStoreTampered},
		{"header deleted", func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, kindCredentials), 0o700)
			os.Remove(filepath.Join(dir, headerFile))
		}, true, CodeStoreTampered},
		{"header magic", func(t *testing.T, dir string) { flip(t, filepath.Join(dir, headerFile), 0) }, true, CodeStoreTampered},
		{"header salt", func(t *testing.T, dir string) { flip(t, filepath.Join(dir, headerFile), 20) }, true, CodeWrongKey},
		{"header kdf", func(t *testing.T, dir string) { flip(t, filepath.Join(dir, headerFile), 8) }, true, CodeStoreTampered},
		{"header tag", func(t *testing.T, dir string) { flip(t, filepath.Join(dir, headerFile), headerLen-1) }, true, CodeWrongKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, key := t.TempDir(), testKey()
			s, err := OpenStore(dir, key, "")
			if err != nil {
				t.Fatal(err)
			}
			s.Put("things", "a", []byte("alpha"))
			s.Put("things", "b", []byte("bravo"))
			tt.mutate(t, dir)
			s, err = OpenStore(dir, key, "")
			if !tt.open {
				if err != nil {
					t.Fatal(err)
				}
				_, err = s.Get("things", "a")
			}
			if CodeOf(err) != tt.code {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
		})
	}
}

func flip(t *testing.T, path string, at int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[at] ^= 0x01
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestTamperedCredentialFileIsReported(t *testing.T) {
	iss := oid4vcitest.New(t)
	dir, key := t.TempDir(), testKey()
	w, _ := New(Config{Dir: dir, StoreKey: key})
	creds, err := w.AcceptOffer(t.Context(), iss.OfferURI(), iss.TxCode)
	if err != nil {
		t.Fatal(err)
	}
	flip(t, filepath.Join(dir, kindCredentials, creds[0].ID+recordSuffix), 40)
	if _, err := w.Credentials(); CodeOf(err) != CodeStoreTampered {
		t.Fatalf("Credentials: %v", err)
	}
	req := PresentationRequest{Audience: "https://rp.example", Nonce: "n", Claims: []string{"given_name"}}
	if _, err := w.Present(t.Context(), creds[0].ID, req); CodeOf(err) != CodeStoreTampered {
		t.Fatalf("Present: %v", err)
	}
}

func TestWrongPassphraseWallet(t *testing.T) {
	dir := t.TempDir()
	if _, err := New(Config{Dir: dir, Passphrase: "open sesame"}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Dir: dir, Passphrase: "open sesame!"}); CodeOf(err) != CodeWrongKey {
		t.Fatalf("got %v", err)
	}
}

// FuzzOpenStore feeds arbitrary bytes to the record opener and header parser: never a panic,
// only typed errors, and nothing but genuine sealed records opens.
func FuzzOpenStore(f *testing.F) {
	key := bytes.Repeat([]byte{7}, 32)
	aead, err := newAEAD(key)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealRecord(aead, "credentials", "abc", []byte(`{"id":"abc"}`)))
	f.Add([]byte(recordMagic))
	dir := f.TempDir()
	if _, err := OpenStore(dir, key, ""); err != nil {
		f.Fatal(err)
	}
	hdr, _ := os.ReadFile(filepath.Join(dir, headerFile))
	f.Add(hdr)
	f.Fuzz(func(t *testing.T, b []byte) {
		pt, err := openRecord(aead, "credentials", "abc", b)
		if err == nil && !bytes.Equal(pt, []byte(`{"id":"abc"}`)) {
			t.Fatalf("forged record opened: %q", pt)
		}
		if err != nil && CodeOf(err) != CodeStoreTampered {
			t.Fatalf("untyped error %v", err)
		}
		if _, err := parseHeader(b); err != nil && CodeOf(err) != CodeStoreTampered {
			t.Fatalf("untyped header error %v", err)
		}
	})
}
