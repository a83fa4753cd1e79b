package walletsdk

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"testing"
)

// rejectingKeys is a platform that hands out a fixed public key and never signs.
type rejectingKeys struct {
	pub     []byte
	deleted []string
}

func (r *rejectingKeys) GenerateP256(string) ([]byte, error) { return r.pub, nil }
func (r *rejectingKeys) Sign(string, []byte) ([]byte, error) { return make([]byte, 64), nil }
func (r *rejectingKeys) Delete(alias string) error {
	r.deleted = append(r.deleted, alias)
	return nil
}

func testStore(t *testing.T) *Store {
	key := make([]byte, 32)
	rand.Read(key)
	s, err := OpenStore(t.TempDir(), key, "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPlatformKeyStoreRefuses(t *testing.T) {
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	spki384, _ := x509.MarshalPKIXPublicKey(&p384.PublicKey)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	point, _ := p256.PublicKey.Bytes()
	offCurve := append([]byte{}, point...)
	offCurve[64] ^= 1

	for name, pub := range map[string][]byte{
		"empty": nil, "P-384 SPKI": spki384, "point off the curve": offCurve,
		"compressed point": append([]byte{2}, point[1:33]...), "garbage": []byte("0123456789"),
	} {
		t.Run(name, func(t *testing.T) {
			keys := &rejectingKeys{pub: pub}
			ks := NewPlatformKeyStore(keys, testStore(t))
			if _, err := ks.Generate(); CodeOf(err) != CodeKeyStore {
				t.Fatalf("Generate: %v, want %s", err, CodeKeyStore)
			}
			if len(keys.deleted) != 1 {
				t.Fatalf("the refused platform key was not deleted: %v", keys.deleted)
			}
		})
	}

	keys := &rejectingKeys{pub: point}
	ks := NewPlatformKeyStore(keys, testStore(t))
	id, err := ks.Generate()
	if err != nil {
		t.Fatal(err)
	}
	s, err := ks.Signer(id)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("m"))
	if _, err := s.Sign(rand.Reader, digest[:], crypto.SHA256); CodeOf(err) != CodeKeyStore {
		t.Fatalf("zero signature accepted: %v", err)
	}
	if _, err := s.Sign(rand.Reader, digest[:20], crypto.SHA1); CodeOf(err) != CodeKeyStore {
		t.Fatalf("SHA-1 digest accepted: %v", err)
	}
	if _, err := ks.Signer("missing"); CodeOf(err) != CodeNotFound {
		t.Fatalf("missing key: %v", err)
	}
}

func FuzzParsePlatformPublicKey(f *testing.F) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	point, _ := k.PublicKey.Bytes()
	spki, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	f.Add(point)
	f.Add(spki)
	f.Add([]byte{4})
	f.Fuzz(func(t *testing.T, b []byte) {
		pub, err := parsePlatformPublicKey(b)
		if err != nil {
			return
		}
		point, err := pub.Bytes()
		if err != nil || pub.Curve != elliptic.P256() {
			t.Fatal("accepted a key that is not a P-256 point")
		}
		if _, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point); err != nil {
			t.Fatal("accepted a key that is not a P-256 point")
		}
	})
}
