package passkey

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
)

// Seeds: a W3C WebAuthn L3 style registration and assertion response (shapes from the
// spec's PublicKeyCredential JSON serialisation) plus hostile variants.
func fuzzSeeds(f *testing.F, kind string) {
	b64 := base64.RawURLEncoding.EncodeToString
	cd := b64([]byte(`{"type":"webauthn.` + kind + `","challenge":"AAAA","origin":"http://localhost:8081","crossOrigin":false}`))
	authData := b64(append(make([]byte, 32), 0x05, 0, 0, 0, 1))
	// CBOR {"fmt":"none","attStmt":{},"authData":h''} (RFC 8949 encoding written by hand).
	att := b64([]byte{0xa3, 0x63, 'f', 'm', 't', 0x64, 'n', 'o', 'n', 'e', 0x67, 'a', 't', 't', 'S', 't', 'm', 't', 0xa0, 0x68, 'a', 'u', 't', 'h', 'D', 'a', 't', 'a', 0x40})
	resp := map[string]any{"clientDataJSON": cd, "attestationObject": att, "authenticatorData": authData, "signature": b64([]byte{0x30, 0}), "userHandle": b64([]byte("h1"))}
	cred, _ := json.Marshal(map[string]any{"id": "AQID", "rawId": "AQID", "type": "public-key", "response": resp, "clientExtensionResults": map[string]any{}})
	body, _ := json.Marshal(map[string]any{"session": "s", "credential": json.RawMessage(cred)})
	for _, s := range []string{
		string(body), `{}`, `{"session":"s"}`, `{"session":"s","credential":null}`, `{"session":"s","credential":{}}`,
		`{"session":"s","credential":{"id":"AQID","rawId":"AQID","type":"public-key","response":{}}}`,
		`{"session":"s","credential":[]}`, `{"session":"s","credential":{"response":{"attestationObject":"` + b64([]byte{0xbf, 0xbf, 0xbf}) + `"}}}`,
		`[]`, `null`, `{"session":"s","credential":{}} trailing`, `{"session":1}`,
	} {
		f.Add([]byte(s))
	}
}

func FuzzFinishRegistration(f *testing.F) {
	fuzzSeeds(f, "create")
	f.Fuzz(func(t *testing.T, body []byte) {
		_, parsed, err := ParseRegistration(body)
		checkParse(t, parsed != nil, err)
	})
}

func FuzzFinishLogin(f *testing.F) {
	fuzzSeeds(f, "get")
	f.Fuzz(func(t *testing.T, body []byte) {
		_, parsed, err := ParseLogin(body)
		checkParse(t, parsed != nil, err)
	})
}

// checkParse: either a parsed response or a typed invalid_request error, never both.
func checkParse(t *testing.T, parsed bool, err error) {
	if err == nil {
		if !parsed {
			t.Fatal("nil result without error")
		}
		return
	}
	var pe *Error
	if parsed || !errors.As(err, &pe) || pe.Code != CodeInvalidRequest || !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("untyped or inconsistent error: %v", err)
	}
}
