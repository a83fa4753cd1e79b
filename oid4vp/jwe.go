package oid4vp

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"slices"
	"strings"

	"filippo.io/nistec"

	"github.com/idgate/idgate/internal/b64url"
)

// Compact JWE decryption for exactly what a direct_post.jwt response may be (§8.3, HAIP):
// alg ECDH-ES (direct key agreement, RFC 7518 §4.6) on P-256 with the sender's ephemeral key in
// epk, enc A128GCM or A256GCM, the content key from the Concat KDF over Z, enc, apu and apv,
// and the protected header's base64url form as the AAD. Anything else is refused before any
// key work.

// Bounds on the parts of a response JWE.
const (
	maxJWEHeader = 4 << 10
	gcmIVSize    = 12
	gcmTagSize   = 16
)

var b64 = base64.RawURLEncoding.Strict()

// jweHeader is the protected header of a response JWE, read strictly.
type jweHeader struct {
	Alg, Enc string
	KID      *string
	EPK      []byte // 0x04 || x || y, on P-256
	APU, APV []byte
}

// parseJWEHeader decodes the header JSON: member names are matched exactly (a duplicate takes
// the last value, RFC 7515 §4); zip and crit, a private d in epk, and an epk that is not a
// P-256 point are refused. Members the response format has no use for are ignored. The usual
// header (string members, epk an object of strings) is scanned in one pass; anything else
// goes through encoding/json, with the same outcome (FuzzJWEHeader checks it).
func parseJWEHeader(b []byte) (*jweHeader, error) {
	raw, ok := fastJWEHeader(b)
	if !ok {
		var err error
		if raw, err = slowJWEHeader(b); err != nil {
			return nil, err
		}
	}
	return raw.header()
}

// rawJWEHeader holds the members decryption reads, as the strings they are.
type rawJWEHeader struct {
	alg, enc, kid, apu, apv string
	seen                    uint16    // hdr* bits
	epk                     [4]string // kty, crv, x, y
	epkSeen                 uint8     // bit i: epk[i] present; 1<<4: d present
}

const (
	hdrAlg = 1 << iota
	hdrEnc
	hdrKID
	hdrAPU
	hdrAPV
	hdrEPK
	hdrZipCrit
)

var epkNames = [4]string{"kty", "crv", "x", "y"}

// member returns where a top-level member's string goes and its bit, or nil for a member
// that is ignored.
func (r *rawJWEHeader) member(name string) (*string, uint16) {
	switch name {
	case "alg":
		return &r.alg, hdrAlg
	case "enc":
		return &r.enc, hdrEnc
	case "kid":
		return &r.kid, hdrKID
	case "apu":
		return &r.apu, hdrAPU
	case "apv":
		return &r.apv, hdrAPV
	}
	return nil, 0
}

func slowJWEHeader(b []byte) (*rawJWEHeader, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, wrapf(InvalidRequest, ReasonMalformedResponse, err, "JWE header is not a JSON object")
	}
	r := &rawJWEHeader{}
	for k, v := range m {
		switch k {
		case "zip", "crit":
			r.seen |= hdrZipCrit
		case "epk":
			r.seen |= hdrEPK
			var em map[string]json.RawMessage
			if err := json.Unmarshal(v, &em); err != nil || em == nil {
				return nil, rerr("JWE epk is not a JSON object")
			}
			if _, ok := em["d"]; ok {
				r.epkSeen |= 1 << 4
			}
			for i, name := range epkNames {
				if ev, ok := em[name]; ok {
					if err := jsonString(ev, &r.epk[i]); err != nil {
						return nil, err
					}
					r.epkSeen |= 1 << i
				}
			}
		default:
			if dst, bit := r.member(k); dst != nil {
				if err := jsonString(v, dst); err != nil {
					return nil, err
				}
				r.seen |= bit
			}
		}
	}
	return r, nil
}

// fastJWEHeader scans a header whose members are all strings except epk, an object of
// strings; without escapes; no name repeated. ok false sends the header to slowJWEHeader.
func fastJWEHeader(b []byte) (*rawJWEHeader, bool) {
	r := &rawJWEHeader{}
	d := payloadScanner{b: b}
	if !d.byte('{') || d.byte('}') {
		return nil, false
	}
	var names []string
	for {
		name, ok := d.str()
		if !ok || !d.byte(':') || slices.Contains(names, name) {
			return nil, false
		}
		names = append(names, name)
		if name == "epk" {
			r.seen |= hdrEPK
			if !r.fastEPK(&d) {
				return nil, false
			}
		} else {
			v, ok := d.str()
			if !ok {
				return nil, false
			}
			if name == "zip" || name == "crit" {
				r.seen |= hdrZipCrit
			} else if dst, bit := r.member(name); dst != nil {
				*dst, r.seen = v, r.seen|bit
			}
		}
		if d.byte(',') {
			continue
		}
		if d.byte('}') && d.end() {
			return r, true
		}
		return nil, false
	}
}

func (r *rawJWEHeader) fastEPK(d *payloadScanner) bool {
	if !d.byte('{') {
		return false
	}
	if d.byte('}') {
		return true
	}
	var names []string
	for {
		name, ok := d.str()
		if !ok || !d.byte(':') || slices.Contains(names, name) {
			return false
		}
		names = append(names, name)
		v, ok := d.str()
		if !ok {
			return false
		}
		if name == "d" {
			r.epkSeen |= 1 << 4
		}
		if i := slices.Index(epkNames[:], name); i >= 0 {
			r.epk[i], r.epkSeen = v, r.epkSeen|1<<i
		}
		if d.byte(',') {
			continue
		}
		return d.byte('}')
	}
}

// header applies the checks to the members read.
func (r *rawJWEHeader) header() (*jweHeader, error) {
	if r.seen&hdrZipCrit != 0 {
		return nil, rerr("JWE zip and crit are not accepted")
	}
	h := &jweHeader{Alg: r.alg, Enc: r.enc}
	if r.seen&hdrKID != 0 {
		h.KID = &r.kid
	}
	var err error
	if r.seen&hdrAPU != 0 {
		if h.APU, err = b64url.Decode(r.apu); err != nil {
			return nil, rerr("JWE apu is not base64url")
		}
	}
	if r.seen&hdrAPV != 0 {
		if h.APV, err = b64url.Decode(r.apv); err != nil {
			return nil, rerr("JWE apv is not base64url")
		}
	}
	if r.seen&hdrEPK != 0 {
		if h.EPK, err = r.point(); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// point checks the ephemeral public key: kty EC, crv P-256, 32-byte x and y on the curve, no
// d. Other members are ignored.
func (r *rawJWEHeader) point() ([]byte, error) {
	if r.epkSeen&(1<<4) != 0 {
		return nil, rerr("JWE epk carries a private key")
	}
	for i, name := range epkNames {
		if r.epkSeen&(1<<i) == 0 {
			return nil, rerr("JWE epk has no %s", name)
		}
	}
	if r.epk[0] != "EC" || r.epk[1] != "P-256" {
		return nil, errorf(InvalidRequest, ReasonDecryption, "JWE epk is not an EC P-256 key")
	}
	pt := make([]byte, 1, 65)
	pt[0] = 4
	var err error
	if pt, err = appendCoord(pt, r.epk[2]); err == nil {
		pt, err = appendCoord(pt, r.epk[3])
	}
	if err != nil {
		return nil, errorf(InvalidRequest, ReasonDecryption, "JWE epk coordinates are not 32-byte base64url")
	}
	if _, err := nistec.NewP256Point().SetBytes(pt); err != nil {
		return nil, errorf(InvalidRequest, ReasonDecryption, "JWE epk is not a point on P-256")
	}
	return pt, nil
}

func jsonString(v json.RawMessage, dst *string) error {
	if err := json.Unmarshal(v, dst); err != nil || len(v) == 0 || v[0] != '"' {
		return rerr("JWE header member is not a string")
	}
	return nil
}

func appendCoord(dst []byte, s string) ([]byte, error) {
	if b64.DecodedLen(len(s)) != 32 {
		return nil, rerr("coordinate length")
	}
	return b64.AppendDecode(dst, []byte(s))
}

// decryptJWE returns the plaintext of a compact JWE sent to key with an enc in encs.
func decryptJWE(compact string, key *DecryptionKey, encs []string) ([]byte, error) {
	if len(compact) > MaxResponseBytes {
		return nil, rerr("response larger than %d bytes", MaxResponseBytes)
	}
	var parts [5]string
	rest := compact
	for i := range 4 {
		var ok bool
		if parts[i], rest, ok = strings.Cut(rest, "."); !ok {
			return nil, rerr("response is not a compact JWE")
		}
	}
	parts[4] = rest
	if strings.Contains(rest, ".") || parts[1] != "" {
		return nil, rerr("response is not a compact JWE with direct key agreement")
	}
	for _, p := range parts { // one spelling per response: no skipped CR/LF, no stray bits
		if !b64url.Valid(p) {
			return nil, rerr("JWE part is not canonical base64url")
		}
	}
	if b64.DecodedLen(len(parts[0])) > maxJWEHeader {
		return nil, rerr("JWE header larger than %d bytes", maxJWEHeader)
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, wrapf(InvalidRequest, ReasonMalformedResponse, err, "JWE header")
	}
	h, err := parseJWEHeader(hb)
	if err != nil {
		return nil, err
	}
	var keyLen int
	switch {
	case h.Alg != AlgECDHES:
		return nil, rerr("JWE alg must be ECDH-ES")
	case !slices.Contains(encs, h.Enc):
		return nil, rerr("JWE enc is not one the verifier accepts")
	case h.Enc == EncA128GCM:
		keyLen = 16
	case h.Enc == EncA256GCM:
		keyLen = 32
	default:
		return nil, rerr("JWE enc is not one the verifier accepts")
	}
	if h.KID != nil && *h.KID != key.KID {
		return nil, errorf(InvalidRequest, ReasonDecryption, "JWE kid names another key")
	}
	if h.EPK == nil {
		return nil, errorf(InvalidRequest, ReasonDecryption, "JWE header has no epk")
	}
	if b64.DecodedLen(len(parts[2])) != gcmIVSize || b64.DecodedLen(len(parts[4])) != gcmTagSize {
		return nil, rerr("JWE iv or tag has the wrong length")
	}
	iv, err1 := b64.DecodeString(parts[2])
	// ciphertext || tag, the layout cipher.AEAD.Open takes.
	sealed := make([]byte, 0, b64.DecodedLen(len(parts[3]))+gcmTagSize)
	sealed, err2 := b64.AppendDecode(sealed, []byte(parts[3]))
	if err2 == nil {
		sealed, err2 = b64.AppendDecode(sealed, []byte(parts[4]))
	}
	if err1 != nil || err2 != nil {
		return nil, rerr("JWE iv, ciphertext or tag is not base64url")
	}
	if len(iv) != gcmIVSize || len(sealed) < gcmTagSize { // decoded sizes: cipher.AEAD.Open panics on another nonce size
		return nil, rerr("JWE iv or tag has the wrong length")
	}

	cek, err := key.agree(h, keyLen)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, wrapf(InvalidRequest, ReasonDecryption, err, "content key")
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, wrapf(InvalidRequest, ReasonDecryption, err, "content key")
	}
	// AAD is the ASCII of the base64url protected header as received (RFC 7516 §5.2 step 14).
	plain, err := gcm.Open(sealed[:0], iv, sealed, []byte(parts[0]))
	if err != nil {
		return nil, errorf(InvalidRequest, ReasonDecryption, "JWE does not decrypt with this transaction's key")
	}
	return plain, nil
}

// agree computes Z = x(d·epk) and derives the content key from it.
func (k *DecryptionKey) agree(h *jweHeader, keyLen int) ([]byte, error) {
	p, err := nistec.NewP256Point().SetBytes(h.EPK)
	if err == nil {
		_, err = p.ScalarMult(p, k.d[:])
	}
	var z []byte
	if err == nil {
		z, err = p.BytesX()
	}
	if err != nil {
		return nil, errorf(InvalidRequest, ReasonDecryption, "ECDH with the JWE epk failed")
	}
	return concatKDF(z, h.Enc, h.APU, h.APV, keyLen), nil
}

// concatKDF is RFC 7518 §4.6.2 (NIST SP 800-56A Concat KDF with SHA-256) for direct key
// agreement: AlgorithmID is enc, PartyUInfo apu, PartyVInfo apv, each length-prefixed,
// SuppPubInfo the key length in bits, SuppPrivInfo empty. keyLen is at most 32, so one
// round of the hash suffices.
func concatKDF(z []byte, enc string, apu, apv []byte, keyLen int) []byte {
	h := sha256.New()
	var n [4]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	h.Write([]byte{0, 0, 0, 1}) // round counter
	h.Write(z)
	put([]byte(enc))
	put(apu)
	put(apv)
	binary.BigEndian.PutUint32(n[:], uint32(keyLen*8))
	h.Write(n[:])
	return h.Sum(nil)[:keyLen]
}
