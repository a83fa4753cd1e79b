package loadtest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strconv"
	"time"

	"github.com/idgate/idgate/sdjwt"
)

// A soak builds each request while the arrivals run, on the cores the server uses, so the
// part it builds per request is kept to what a nonce forces: one gate nonce and one KB-JWT
// signature. Holders (credential, device key, sealed face) and boarding passes are made
// before the arrivals start.

// soakHolder is a passenger with the parts of its /verify body that do not depend on the
// nonce or the pass, already JSON-encoded.
type soakHolder struct {
	p      *passenger
	d      *big.Int // the device key's private scalar
	head   []byte   // {"presentation":"<issuer JWT>~<disclosures>~
	sdHash string   // base64url SHA-256 of the selected SD-JWT (the credential uses sha-256)
	live   []byte   // ,"live_template":"..."}
}

func newSoakHolder(p *passenger) (*soakHolder, error) {
	sel, err := json.Marshal(p.selected)
	if err != nil {
		return nil, errf(CodeGenerate, err, "presentation")
	}
	live, err := json.Marshal(p.live)
	if err != nil {
		return nil, errf(CodeGenerate, err, "live template")
	}
	d, err := scalarOf(p.key)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256([]byte(p.selected))
	return &soakHolder{
		p:      p,
		d:      d,
		head:   append([]byte(`{"presentation":`), sel[:len(sel)-1]...), // the string left open for the KB-JWT
		sdHash: base64.RawURLEncoding.EncodeToString(h[:]),
		live:   append(append([]byte(`,"live_template":`), live...), '}'),
	}, nil
}

// kbHeader is the KB-JWT's protected header, base64url-encoded.
var kbHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","typ":"` + sdjwt.KBType + `"}`))

// keyBinding signs the KB-JWT (RFC 9901 §4.3) for nonce n at iat with presignature ps: the
// claims sdjwt.AddKeyBinding writes, over the precomputed sd_hash, without parsing the
// presentation again for every request.
func (h *soakHolder) keyBinding(n nonce, iat time.Time, ps presignature) (string, error) {
	aud, err := json.Marshal(n.Audience)
	if err != nil {
		return "", errf(CodeGenerate, err, "aud")
	}
	nc, err := json.Marshal(n.Nonce)
	if err != nil {
		return "", errf(CodeGenerate, err, "nonce")
	}
	claims := make([]byte, 0, 160+len(aud)+len(nc))
	claims = append(claims, `{"aud":`...)
	claims = append(claims, aud...)
	claims = append(claims, `,"iat":`...)
	claims = strconv.AppendInt(claims, iat.Unix(), 10)
	claims = append(claims, `,"nonce":`...)
	claims = append(claims, nc...)
	claims = append(claims, `,"sd_hash":"`...)
	claims = append(claims, h.sdHash...)
	claims = append(claims, `"}`...)
	input := kbHeader + "." + base64.RawURLEncoding.EncodeToString(claims)
	digest := sha256.Sum256([]byte(input))
	sig, ok := ps.sign(h.d, digest[:])
	if !ok { // s = 0: sign the ordinary way
		r, s, err := ecdsa.Sign(rand.Reader, h.p.key, digest[:])
		if err != nil {
			return "", errf(CodeGenerate, err, "key binding")
		}
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig[:]), nil
}

// body is the /verify body: the holder's presentation with kb appended, the pass (its JSON
// member, from soakPass) and the holder's live template.
func (h *soakHolder) body(kb string, pass []byte) []byte {
	b := make([]byte, 0, len(h.head)+len(kb)+len(pass)+len(h.live)+1)
	b = append(b, h.head...)
	b = append(b, kb...)
	b = append(b, '"')
	b = append(b, pass...)
	return append(b, h.live...)
}

// soakPass is the JSON member ,"bcbp":"..." of traveller i's boarding pass, made for holder h.
func soakPass(w *world, h *soakHolder, i int) ([]byte, error) {
	bcbp, err := w.pass(i, h.p.family, h.p.given)
	if err != nil {
		return nil, err
	}
	enc, err := json.Marshal(bcbp)
	if err != nil {
		return nil, errf(CodeGenerate, err, "boarding pass")
	}
	return append([]byte(`,"bcbp":`), enc...), nil
}
