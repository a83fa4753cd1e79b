package loadtest

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"math/big"
)

// presignature is the message-independent half of one ECDSA P-256 signature (FIPS 186-5
// §6.4.1): r = x(k·G) mod n and k⁻¹ mod n for a fresh random k. The soak makes one per request
// before its arrivals start, so the KB-JWT it signs while they run costs a few big-number
// multiplications instead of a scalar multiplication that would compete with the server for
// the cores. Each is used once.
type presignature struct {
	r, kinv [32]byte
}

var p256N = elliptic.P256().Params().N

// newPresignature draws k with crypto/ecdh's key generation (uniform in [1, n-1]) and takes
// its public point as k·G.
func newPresignature() (presignature, error) {
	for {
		k, err := ecdh.P256().GenerateKey(rand.Reader)
		if err != nil {
			return presignature{}, errf(CodeGenerate, err, "ECDSA nonce")
		}
		pt := k.PublicKey().Bytes() // 0x04 || X || Y
		r := new(big.Int).Mod(new(big.Int).SetBytes(pt[1:33]), p256N)
		if r.Sign() == 0 {
			continue
		}
		kinv := new(big.Int).ModInverse(new(big.Int).SetBytes(k.Bytes()), p256N)
		var p presignature
		r.FillBytes(p.r[:])
		kinv.FillBytes(p.kinv[:])
		return p, nil
	}
}

// sign completes the signature of a SHA-256 digest with private scalar d: s = k⁻¹(e + r·d)
// mod n, returned as the JWS R||S. ok is false in the negligible case s = 0.
func (p presignature) sign(d *big.Int, digest []byte) (sig [64]byte, ok bool) {
	r := new(big.Int).SetBytes(p.r[:])
	s := new(big.Int).Mul(r, d)
	s.Add(s, new(big.Int).SetBytes(digest)) // a 256-bit digest needs no truncation for P-256
	s.Mul(s, new(big.Int).SetBytes(p.kinv[:]))
	s.Mod(s, p256N)
	if s.Sign() == 0 {
		return sig, false
	}
	copy(sig[:32], p.r[:])
	s.FillBytes(sig[32:])
	return sig, true
}

// scalarOf is the private scalar of key, for presignature.sign.
func scalarOf(key *ecdsa.PrivateKey) (*big.Int, error) {
	b, err := key.Bytes()
	if err != nil {
		return nil, errf(CodeGenerate, err, "device key")
	}
	return new(big.Int).SetBytes(b), nil
}
