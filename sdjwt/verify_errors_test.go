package sdjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// rawJWS builds a compact JWS over arbitrary header/payload JSON, signed
// with key (or HMAC'd / left unsigned) — the attacker's toolbox.
func rawJWS(t *testing.T, header, payload any, sign func(input string) []byte) string {
	t.Helper()
	h, _ := json.Marshal(header)
	p, _ := json.Marshal(payload)
	in := b64.EncodeToString(h) + "." + b64.EncodeToString(p)
	return in + "." + b64.EncodeToString(sign(in))
}

func es256(k *ecdsa.PrivateKey) func(string) []byte {
	return func(in string) []byte {
		d := sha256.Sum256([]byte(in))
		r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
		if err != nil {
			panic(err)
		}
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out
	}
}

func disc(t *testing.T, parts ...any) (enc, digest string) {
	t.Helper()
	js, _ := json.Marshal(parts)
	enc = b64.EncodeToString(js)
	digest, _ = digestOf(SHA256, enc)
	return
}

// Every error code, one table row (or more) each.
func TestVerifyErrorCodes(t *testing.T) {
	iss, holder, other := newP256(t), newP256(t), newP256(t)
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	hdr := map[string]any{"alg": "ES256", "typ": "dc+sd-jwt"}
	dGiven, hGiven := disc(t, "salt1", "given_name", "Erika")
	dArr, hArr := disc(t, "salt2", "DE")
	dOther, _ := disc(t, "salt3", "family_name", "M")
	basePayload := func() map[string]any {
		return map[string]any{"iss": "x", "_sd": []any{hGiven}, "nat": []any{map[string]any{"...": hArr}},
			"_sd_alg": "sha-256", "cnf": holderJWK(holder)}
	}
	signed := func(p map[string]any) string { return rawJWS(t, hdr, p, es256(iss)) }
	good := signed(basePayload()) + "~" + dGiven + "~" + dArr + "~"
	now := time.Unix(1_800_000_000, 0)
	kbOpts := &KBOptions{Required: true, Audience: "aud", Nonce: "nonce", Now: now}
	kbFor := func(pres string, mut func(h, c map[string]any), k *ecdsa.PrivateKey) string {
		sdh, _ := digestOf(SHA256, pres)
		h := map[string]any{"alg": "ES256", "typ": "kb+jwt"}
		c := map[string]any{"iat": now.Unix(), "aud": "aud", "nonce": "nonce", "sd_hash": sdh}
		if mut != nil {
			mut(h, c)
		}
		return pres + rawJWS(t, h, c, es256(k))
	}
	with := func(mut func(p map[string]any)) string {
		p := basePayload()
		mut(p)
		return signed(p)
	}

	tests := []struct {
		name  string
		token string
		opts  VerifyOptions
		code  string
	}{
		{"no tilde", signed(basePayload()), VerifyOptions{}, CodeMalformed},
		{"empty disclosure", signed(basePayload()) + "~~", VerifyOptions{}, CodeMalformed},
		{"jws two parts", "a.b~", VerifyOptions{}, CodeMalformed},
		{"bad base64 header", "a*.b.c~", VerifyOptions{}, CodeMalformed},
		{"payload not object", rawJWS(t, hdr, []int{1}, es256(iss)) + "~", VerifyOptions{}, CodeMalformed},
		{"crit header", rawJWS(t, map[string]any{"alg": "ES256", "crit": []string{"x"}, "x": 1}, basePayload(), es256(iss)) + "~", VerifyOptions{}, CodeMalformed},
		{"too deep", with(func(p map[string]any) {
			var v any = "x"
			for range MaxDepth + 2 {
				v = []any{v}
			}
			p["deep"] = v
		}) + "~", VerifyOptions{}, CodeMalformed},
		{"alg ES384 not in list", good, VerifyOptions{AllowedAlgs: []jwa.SignatureAlgorithm{jwa.ES384}}, CodeAlgNotAllowed},
		{"payload swapped", func() string {
			a := strings.SplitN(good, ".", 3)
			b := strings.SplitN(with(func(p map[string]any) { p["iss"] = "evil" }), ".", 3)
			return a[0] + "." + b[1] + "." + a[2]
		}(), VerifyOptions{}, CodeSignatureInvalid},
		{"signed by other key", rawJWS(t, hdr, basePayload(), es256(other)) + "~", VerifyOptions{}, CodeSignatureInvalid},
		{"resolver error", good, VerifyOptions{IssuerKey: func(jws.Headers) (crypto.PublicKey, error) { return nil, errors.New("unknown kid") }}, CodeKeyUnresolved},
		{"wrong key type", good, VerifyOptions{IssuerKey: fixedKey(edPriv.Public())}, CodeKeyUnresolved},
		{"wrong curve", good, VerifyOptions{IssuerKey: fixedKey(mustP384(t).Public())}, CodeKeyUnresolved},
		{"sd_alg md5", with(func(p map[string]any) { p["_sd_alg"] = "md5" }) + "~", VerifyOptions{}, CodeSDAlgUnsupported},
		{"sd_alg number", with(func(p map[string]any) { p["_sd_alg"] = 1 }) + "~", VerifyOptions{}, CodeSDAlgUnsupported},
		{"disclosure one element", good + "WyJhIl0~", VerifyOptions{}, CodeDisclosureMalformed},
		{"disclosure _sd name", func() string { d, _ := disc(t, "s", "_sd", 1); return good + d + "~" }(), VerifyOptions{}, CodeDisclosureMalformed},
		{"array disclosure in _sd", with(func(p map[string]any) { p["_sd"] = []any{hArr}; delete(p, "nat") }) + "~" + dArr + "~", VerifyOptions{}, CodeDisclosureMalformed},
		{"object disclosure in array", with(func(p map[string]any) { p["nat"] = []any{map[string]any{"...": hGiven}}; delete(p, "_sd") }) + "~" + dGiven + "~", VerifyOptions{}, CodeDisclosureMalformed},
		{"unreferenced", good + dOther + "~", VerifyOptions{}, CodeDisclosureUnreferenced},
		{"duplicate disclosure", good + dGiven + "~", VerifyOptions{}, CodeDisclosureDuplicate},
		{"digest twice in _sd", with(func(p map[string]any) { p["_sd"] = []any{hGiven, hGiven} }) + "~", VerifyOptions{}, CodeDigestDuplicate},
		{"digest in _sd and array", with(func(p map[string]any) { p["nat"] = []any{map[string]any{"...": hGiven}} }) + "~", VerifyOptions{}, CodeDigestDuplicate},
		{"name already present", with(func(p map[string]any) { p["given_name"] = "Mallory" }) + "~" + dGiven + "~", VerifyOptions{}, CodeClaimConflict},
		{"_sd not array", with(func(p map[string]any) { p["_sd"] = "x" }) + "~", VerifyOptions{}, CodeClaimConflict},
		{"_sd entry not string", with(func(p map[string]any) { p["_sd"] = []any{1} }) + "~", VerifyOptions{}, CodeClaimConflict},
		{"... in object", with(func(p map[string]any) { p["o"] = map[string]any{"...": "x"} }) + "~", VerifyOptions{}, CodeClaimConflict},
		{"... with siblings", with(func(p map[string]any) { p["nat"] = []any{map[string]any{"...": hArr, "b": 1}} }) + "~", VerifyOptions{}, CodeClaimConflict},
		{"nested _sd_alg", with(func(p map[string]any) { p["o"] = map[string]any{"_sd_alg": "sha-256"} }) + "~", VerifyOptions{}, CodeClaimConflict},
		{"kb missing", good, VerifyOptions{KeyBinding: kbOpts}, CodeKBMissing},
		{"kb malformed", good + "a.b.c", VerifyOptions{KeyBinding: kbOpts}, CodeKBMalformed},
		{"kb missing claim", kbFor(good, func(h, c map[string]any) { delete(c, "sd_hash") }, holder), VerifyOptions{KeyBinding: kbOpts}, CodeKBMalformed},
		{"kb typ", kbFor(good, func(h, c map[string]any) { h["typ"] = "JWT" }, holder), VerifyOptions{KeyBinding: kbOpts}, CodeKBTyp},
		{"kb TYP in capitals", kbFor(good, func(h, c map[string]any) { delete(h, "typ"); h["TYP"] = "kb+jwt" }, holder), VerifyOptions{KeyBinding: kbOpts}, CodeKBTyp},
		{"kb typ number", kbFor(good, func(h, c map[string]any) { h["typ"] = 1 }, holder), VerifyOptions{KeyBinding: kbOpts}, CodeKBMalformed},
		{"kb alg number", kbFor(good, func(h, c map[string]any) { h["alg"] = 1 }, holder), VerifyOptions{KeyBinding: kbOpts}, CodeKBMalformed},
		{"kb crit null", kbFor(good, func(h, c map[string]any) { h["crit"] = nil }, holder), VerifyOptions{KeyBinding: kbOpts}, CodeKBMalformed},
		{"kb crit", kbFor(good, func(h, c map[string]any) { h["crit"] = []string{"x"}; h["x"] = 1 }, holder), VerifyOptions{KeyBinding: kbOpts}, CodeKBMalformed},
		{"kb alg none", kbFor(good, func(h, c map[string]any) { h["alg"] = "none" }, holder), VerifyOptions{KeyBinding: kbOpts}, CodeAlgNotAllowed},
		{"kb by other key", kbFor(good, nil, other), VerifyOptions{KeyBinding: kbOpts}, CodeKBSignatureInvalid},
		{"kb aud", kbFor(good, func(h, c map[string]any) { c["aud"] = "evil" }, holder), VerifyOptions{KeyBinding: kbOpts}, CodeKBAud},
		{"kb nonce", kbFor(good, func(h, c map[string]any) { c["nonce"] = "old" }, holder), VerifyOptions{KeyBinding: kbOpts}, CodeKBNonce},
		{"kb iat future", kbFor(good, func(h, c map[string]any) { c["iat"] = now.Unix() + 3600 }, holder), VerifyOptions{KeyBinding: kbOpts}, CodeKBIat},
		{"kb iat stale", kbFor(good, func(h, c map[string]any) { c["iat"] = now.Unix() - 3600 }, holder), VerifyOptions{KeyBinding: kbOpts}, CodeKBIat},
		{"kb sd_hash (disclosure dropped)", strings.Replace(kbFor(good, nil, holder), "~"+dArr+"~", "~", 1), VerifyOptions{KeyBinding: kbOpts}, CodeKBSDHash},
		{"kb sd_hash checked without KBOptions", kbFor(good, func(h, c map[string]any) { c["sd_hash"] = "x" }, holder), VerifyOptions{}, CodeKBSDHash},
		{"cnf missing", func() string {
			s := with(func(p map[string]any) { delete(p, "cnf") }) + "~"
			return kbFor(s, nil, holder)
		}(), VerifyOptions{KeyBinding: kbOpts}, CodeCnfMissing},
		{"cnf.jwk garbage", with(func(p map[string]any) { p["cnf"] = map[string]any{"jwk": map[string]any{"kty": "nope"}} }) + "~", VerifyOptions{}, CodeCnfMissing},
		{"kb options without nonce", good, VerifyOptions{KeyBinding: &KBOptions{Audience: "a"}}, CodeConfigInvalid},
	}
	for _, tc := range tests {
		// Every row runs through the jwx-Headers resolver (IssuerKey) and the
		// decoded-header one (ResolveKey): same code either way.
		for _, fast := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/fast=%v", tc.name, fast), func(t *testing.T) {
				opts := tc.opts
				if opts.IssuerKey == nil {
					opts.IssuerKey = fixedKey(iss.Public())
				}
				if fast {
					slow := opts.IssuerKey
					opts.IssuerKey = nil
					opts.ResolveKey = func(*Header) (crypto.PublicKey, error) { return slow(nil) }
				}
				v, err := Verify(tc.token, opts)
				if v != nil {
					t.Fatal("partial result returned with error")
				}
				wantCode(t, err, tc.code)
			})
		}
	}
	// and the untouched token verifies, with and without KB
	if _, err := Verify(good, VerifyOptions{IssuerKey: fixedKey(iss.Public())}); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(kbFor(good, nil, holder), VerifyOptions{IssuerKey: fixedKey(iss.Public()), KeyBinding: kbOpts}); err != nil {
		t.Fatal(err)
	}
}

func mustP384(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The classic JWT attacks must die at the allow-list, before the key
// resolver is ever consulted.
func TestAlgorithmAttacks(t *testing.T) {
	iss := newP256(t)
	payload := map[string]any{"iss": "x", "given_name": "Mallory"}
	pubDER, _ := iss.PublicKey.Bytes() // the attacker's HMAC secret
	pubJWK, _ := json.Marshal(holderJWK(iss)["jwk"])
	tests := []struct {
		name  string
		token string
	}{
		{"alg none, empty signature", rawJWS(t, map[string]any{"alg": "none"}, payload, func(string) []byte { return nil }) + "~"},
		{"alg None", rawJWS(t, map[string]any{"alg": "None"}, payload, func(string) []byte { return nil }) + "~"},
		{"HS256 with public key bytes", rawJWS(t, map[string]any{"alg": "HS256"}, payload, hs256(pubDER)) + "~"},
		{"HS256 with public JWK", rawJWS(t, map[string]any{"alg": "HS256"}, payload, hs256(pubJWK)) + "~"},
		{"RS256", rawJWS(t, map[string]any{"alg": "RS256"}, payload, func(string) []byte { return []byte{1} }) + "~"},
		{"alg missing", rawJWS(t, map[string]any{"typ": "JWT"}, payload, es256(iss)) + "~"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			_, err := Verify(tc.token, VerifyOptions{
				AllowedAlgs: []jwa.SignatureAlgorithm{jwa.ES256, jwa.HS256, jwa.NoSignature}, // listing them changes nothing
				IssuerKey: func(jws.Headers) (crypto.PublicKey, error) {
					called = true
					return iss.Public(), nil
				}})
			_, errFast := Verify(tc.token, VerifyOptions{
				AllowedAlgs: []jwa.SignatureAlgorithm{jwa.ES256, jwa.HS256, jwa.NoSignature},
				ResolveKey: func(*Header) (crypto.PublicKey, error) {
					called = true
					return iss.Public(), nil
				}})
			if called {
				t.Fatal("key resolver called before alg check")
			}
			for _, err := range []error{err, errFast} {
				if c := ErrorCode(err); c != CodeAlgNotAllowed && !(tc.name == "alg None" && c == CodeMalformed) {
					t.Fatalf("got %v", err)
				}
			}
		})
	}
}

func hs256(secret []byte) func(string) []byte {
	return func(in string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(in))
		return m.Sum(nil)
	}
}
