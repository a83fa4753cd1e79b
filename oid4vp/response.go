package oid4vp

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"
)

// Response modes idgate speaks (§8.2, §8.3.1).
const (
	ModeDirectPost    = "direct_post"
	ModeDirectPostJWT = "direct_post.jwt"
)

// Bounds on a response: a vp_token holds a few presentations of a few KiB each.
const (
	MaxResponseBytes    = 1 << 20
	maxPresentations    = 32
	maxPresentationSize = 256 << 10
)

// VPToken maps credential query ids to their presentations (§8.1).
type VPToken map[string][]string

// ParseVPToken decodes a vp_token JSON object strictly: valid query ids, each an array of one
// or more non-empty strings (SD-JWT presentations, base64url mdoc DeviceResponses).
func ParseVPToken(b []byte) (VPToken, error) {
	if len(b) > MaxResponseBytes {
		return nil, rerr("vp_token larger than %d bytes", MaxResponseBytes)
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, rerr("vp_token must be a JSON object")
	}
	var vt VPToken
	if err := json.Unmarshal(b, &vt); err != nil {
		return nil, wrapf(InvalidRequest, ReasonMalformedResponse, err, "vp_token")
	}
	if err := checkVPToken(vt); err != nil {
		return nil, err
	}
	return vt, nil
}

// Response is a decoded Authorization Response: a vp_token, or a wallet's error.
type Response struct {
	VPToken          VPToken `json:"vp_token,omitempty"`
	State            string  `json:"state,omitempty"`
	Error            string  `json:"error,omitempty"`
	ErrorDescription string  `json:"error_description,omitempty"`
}

// WalletError returns the wallet's error as an *Error (reason wallet_error), or nil.
func (r *Response) WalletError() error {
	if r.Error == "" {
		return nil
	}
	code := ErrorCode(r.Error)
	if !knownCodes[code] {
		code = AccessDenied
	}
	return errorf(code, ReasonWalletError, "the wallet answered %s", code)
}

// Form encodes the response for direct_post (§8.2).
func (r *Response) Form() (url.Values, error) {
	f := url.Values{}
	if r.Error != "" {
		f.Set("error", r.Error)
		if r.ErrorDescription != "" {
			f.Set("error_description", r.ErrorDescription)
		}
	} else {
		b, err := json.Marshal(r.VPToken)
		if err != nil {
			return nil, err
		}
		f.Set("vp_token", string(b))
	}
	if r.State != "" {
		f.Set("state", r.State)
	}
	return f, nil
}

// EncryptedForm encrypts the response to the verifier's key for direct_post.jwt (§8.3.1):
// ECDH-ES with the JWK's alg and kid, enc one of SupportedEncs.
func (r *Response) EncryptedForm(to JWK, enc string) (url.Values, error) {
	if to.Alg != "" && to.Alg != AlgECDHES {
		return nil, errorf(InvalidRequest, ReasonMalformedRequest, "encryption key alg %q is not ECDH-ES", to.Alg)
	}
	if !slices.Contains(SupportedEncs, enc) {
		return nil, errorf(InvalidRequest, ReasonMalformedRequest, "enc %q is not supported", enc)
	}
	pub, err := to.PublicKey()
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	hdr := jwe.NewHeaders()
	if to.KID != "" {
		if err := hdr.Set(jwe.KeyIDKey, to.KID); err != nil {
			return nil, err
		}
	}
	out, err := jwe.Encrypt(payload,
		jwe.WithKey(jwa.ECDH_ES, pub),
		jwe.WithContentEncryption(jwa.ContentEncryptionAlgorithm(enc)),
		jwe.WithProtectedHeaders(hdr),
		jwe.WithCompact())
	if err != nil {
		return nil, wrapf(InvalidRequest, "", err, "encrypt response")
	}
	return url.Values{"response": {string(out)}}, nil
}

// DecodeOptions say what a verifier's transaction expects of its response.
type DecodeOptions struct {
	Mode string         // ModeDirectPost or ModeDirectPostJWT
	Key  *DecryptionKey // required for ModeDirectPostJWT
	Encs []string       // accepted enc values; default SupportedEncs
}

// DecodeResponse decodes the form posted to a response_uri. Each parameter may appear once;
// a response in the other mode than the request's is refused (reason response_mode_mismatch).
// A wallet's error response decodes without error: see Response.WalletError.
func DecodeResponse(form url.Values, opts DecodeOptions) (*Response, error) {
	for k, v := range form {
		if len(v) != 1 {
			return nil, rerr("parameter %s appears %d times", safeName(k), len(v))
		}
	}
	_, encrypted := form["response"]
	switch opts.Mode {
	case ModeDirectPostJWT:
		if !encrypted {
			if form.Get("error") != "" && form.Get("vp_token") == "" {
				// §8.3.1: a wallet that cannot encrypt may still report an error in clear.
				return plainResponse(form)
			}
			return nil, errorf(InvalidRequest, ReasonModeMismatch, "direct_post.jwt expects a response parameter")
		}
		if opts.Key == nil {
			return nil, errorf(InvalidRequest, ReasonDecryption, "no decryption key")
		}
		return DecryptResponse(form.Get("response"), opts.Key, opts.Encs)
	case ModeDirectPost:
		if encrypted {
			return nil, errorf(InvalidRequest, ReasonModeMismatch, "direct_post expects vp_token, not response")
		}
		return plainResponse(form)
	}
	return nil, errorf(InvalidRequest, ReasonModeMismatch, "response mode %q is not supported", opts.Mode)
}

func plainResponse(form url.Values) (*Response, error) {
	r := &Response{State: form.Get("state"), Error: form.Get("error"), ErrorDescription: form.Get("error_description")}
	if r.Error != "" {
		if form.Get("vp_token") != "" {
			return nil, rerr("a response carries vp_token or error, not both")
		}
		return r, nil
	}
	vt := form.Get("vp_token")
	if vt == "" {
		return nil, rerr("vp_token is required")
	}
	var err error
	if r.VPToken, err = ParseVPToken([]byte(vt)); err != nil {
		return nil, err
	}
	return r, nil
}

// DecryptResponse decrypts a direct_post.jwt response (see decryptJWE: ECDH-ES on P-256, an
// enc of encs, no zip or crit, the key's kid when one is named) and decodes the payload like a
// direct_post form. encs defaults to SupportedEncs.
func DecryptResponse(compact string, key *DecryptionKey, encs []string) (*Response, error) {
	if len(encs) == 0 {
		encs = SupportedEncs
	}
	plain, err := decryptJWE(compact, key, encs)
	if err != nil {
		return nil, err
	}
	return decodeResponsePayload(plain)
}

// decodeResponsePayload decodes the decrypted JSON (fastPayload, else encoding/json): types
// are enforced by the target (vp_token an object of string arrays, the others strings), then
// checkVPToken applies ParseVPToken's rules to the decoded map.
func decodeResponsePayload(b []byte) (*Response, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, rerr("response payload must be a JSON object")
	}
	p, ok := fastPayload(b)
	if !ok {
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, wrapf(InvalidRequest, ReasonMalformedResponse, err, "response payload")
		}
	}
	r := &Response{}
	if p.State != nil {
		r.State = *p.State
	}
	if p.ErrorDescription != nil {
		r.ErrorDescription = *p.ErrorDescription
	}
	if p.Error != nil {
		r.Error = *p.Error
	}
	switch {
	case r.Error != "" && p.VPToken != nil:
		return nil, rerr("a response carries vp_token or error, not both")
	case r.Error != "":
		return r, nil
	case p.VPToken == nil:
		return nil, rerr("vp_token is required")
	}
	if err := checkVPToken(p.VPToken); err != nil {
		return nil, err
	}
	r.VPToken = p.VPToken
	return r, nil
}

// checkVPToken applies ParseVPToken's rules to a decoded vp_token.
func checkVPToken(vt VPToken) error {
	if len(vt) == 0 {
		return rerr("vp_token is empty")
	}
	total := 0
	for id, list := range vt {
		if !validID(id) {
			return rerr("vp_token key is not a credential query id")
		}
		if len(list) == 0 {
			return rerr("vp_token value is an empty array")
		}
		total += len(list)
		if total > maxPresentations {
			return rerr("vp_token holds more than %d presentations", maxPresentations)
		}
		for _, s := range list {
			if s == "" || len(s) > maxPresentationSize {
				return rerr("each presentation must be a non-empty string of at most %d bytes", maxPresentationSize)
			}
		}
	}
	return nil
}

func rerr(format string, args ...any) *Error {
	return errorf(InvalidRequest, ReasonMalformedResponse, format, args...)
}

// safeName bounds a wallet-chosen parameter name for a message.
func safeName(s string) string {
	if len(s) > 32 || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
		return "(unprintable)"
	}
	return s
}
