package es256

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"math/big"

	"filippo.io/nistec"
)

// windows is the number of signed base-256 digits of a scalar below the group order: 32 bytes
// plus the carry that signed recoding can push out of the top byte.
const windows = 33

// half is the largest digit magnitude: digits are in [-128, 127] (plus 128 from a carry), and
// the table holds d·Q for d = 1..128.
const half = 128

// order is the order n of the P-256 group.
var order = elliptic.P256().Params().N

// Key is a P-256 public key with its precomputed multiples. Safe for concurrent use.
type Key struct {
	pub ecdsa.PublicKey
	// table[i][d-1] = d·256^i·Q.
	table *[windows][half]nistec.P256Point
}

// ErrKey is returned for a key that is not a valid P-256 point.
var ErrKey = errors.New("es256: not a P-256 public key")

// Precompute builds the table for pub. It costs a few milliseconds and ~400 KB: use it for
// keys that verify many signatures, never for keys an untrusted party chose.
func Precompute(pub *ecdsa.PublicKey) (*Key, error) {
	if pub == nil || pub.Curve != elliptic.P256() {
		return nil, ErrKey
	}
	enc, err := pub.Bytes()
	if err != nil {
		return nil, ErrKey
	}
	base, err := nistec.NewP256Point().SetBytes(enc) // checks the point is on the curve
	if err != nil || base.IsInfinity() == 1 {
		return nil, ErrKey
	}
	k := &Key{pub: *pub, table: new([windows][half]nistec.P256Point)}
	for i := range windows {
		row := &k.table[i]
		row[0].Set(base)
		for d := 1; d < half; d++ {
			row[d].Add(&row[d-1], base)
		}
		for range 8 { // base = 256·base
			base.Double(base)
		}
	}
	return k, nil
}

// Public returns the key's public half.
func (k *Key) Public() *ecdsa.PublicKey { return &k.pub }

// VerifyES256 reports whether sig, the fixed-width r||s of a JWS ES256 signature (64 bytes),
// is valid for digest under k. digest longer than 32 bytes is truncated as crypto/ecdsa does.
func (k *Key) VerifyES256(digest, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	return k.verify(digest, r, s)
}

// verify is ECDSA verification (SEC 1 v2 §4.1.4) with u2·Q from the table.
func (k *Key) verify(digest []byte, r, s *big.Int) bool {
	if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(order) >= 0 || s.Cmp(order) >= 0 {
		return false
	}
	if len(digest) > 32 {
		digest = digest[:32] // P-256's order has 256 bits: the leftmost 256 bits of the hash
	}
	e := new(big.Int).SetBytes(digest)
	w := new(big.Int).ModInverse(s, order)
	if w == nil {
		return false
	}
	u1 := e.Mul(e, w)
	u1.Mod(u1, order)
	u2 := w.Mul(r, w)
	u2.Mod(u2, order)

	var u1b, u2b [32]byte
	u1.FillBytes(u1b[:])
	u2.FillBytes(u2b[:])
	p, err := nistec.NewP256Point().ScalarBaseMult(u1b[:])
	if err != nil {
		return false
	}
	p.Add(p, k.mul(&u2b))
	x, err := p.BytesX() // fails for the point at infinity
	if err != nil {
		return false
	}
	v := new(big.Int).SetBytes(x)
	return v.Mod(v, order).Cmp(r) == 0
}

// mul returns u·Q for the big-endian scalar u (< n) from the table: u is recoded into signed
// base-256 digits d_i ∈ [-128, 128], and u·Q = Σ d_i·256^i·Q is one table entry (negated when
// d_i < 0) per nonzero digit. nistec's Add handles the point at infinity and equal points, so
// no digit pattern is a special case.
func (k *Key) mul(u *[32]byte) *nistec.P256Point {
	acc := nistec.NewP256Point() // infinity
	var neg nistec.P256Point
	carry := 0
	for i := range windows {
		d := carry
		if i < 32 {
			d += int(u[31-i])
		}
		carry = 0
		if d > half {
			d -= 256
			carry = 1
		}
		switch {
		case d > 0:
			acc.Add(acc, &k.table[i][d-1])
		case d < 0:
			acc.Add(acc, neg.Negate(&k.table[i][-d-1]))
		}
	}
	return acc
}
