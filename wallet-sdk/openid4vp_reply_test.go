package walletsdk

import (
	"errors"
	"testing"
)

func TestParseResponseURIReply(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   int
		body     string
		code     string
		redirect string
		errCode  string
	}{
		{"empty 200", 200, "", "", "", ""},
		{"empty object", 200, "{}", "", "", ""},
		{"same-device redirect", 200, `{"redirect_uri":"https://rp.example/cb#response_code=abc"}`, "", "https://rp.example/cb#response_code=abc", ""},
		{"redirect not http(s)", 200, `{"redirect_uri":"javascript:alert(1)"}`, CodeTransport, "", ""},
		{"200 not JSON", 200, "<html>", CodeTransport, "", ""},
		{"OAuth error", 400, `{"error":"invalid_request","error_description":"state_mismatch"}`, CodeVerifierRejected, "", "invalid_request"},
		{"idgate error", 409, `{"code":"nonce_replayed","message":"already used"}`, CodeVerifierRejected, "", "nonce_replayed"},
		{"error without body", 500, "", CodeVerifierRejected, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := parseResponseURIReply(tc.status, []byte(tc.body))
			if CodeOf(err) != tc.code {
				t.Fatalf("code %q, want %q (%v)", CodeOf(err), tc.code, err)
			}
			if err == nil && res.RedirectURI != tc.redirect {
				t.Fatalf("redirect %q", res.RedirectURI)
			}
			var pe *ProtocolError
			if tc.code == CodeVerifierRejected && (!errors.As(err, &pe) || pe.Status != tc.status || pe.ErrorCode != tc.errCode) {
				t.Fatalf("protocol error %+v", pe)
			}
		})
	}
}

// The response endpoint's answer is untrusted: any bytes give a result or a typed error.
func FuzzParseResponseURIReply(f *testing.F) {
	f.Add(200, []byte(`{"redirect_uri":"https://rp.example/cb#response_code=abc"}`))
	f.Add(400, []byte(`{"error":"invalid_request","error_description":"x"}`))
	f.Add(409, []byte(`{"code":"nonce_replayed","message":"already used"}`))
	f.Add(200, []byte(``))
	f.Fuzz(func(t *testing.T, status int, b []byte) {
		res, err := parseResponseURIReply(status, b)
		if err != nil {
			if c := CodeOf(err); c != CodeVerifierRejected && c != CodeTransport {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if status != 200 || (res.RedirectURI != "" && allowedURL(res.RedirectURI, true) != nil) {
			t.Fatalf("accepted %d %+v", status, res)
		}
	})
}
