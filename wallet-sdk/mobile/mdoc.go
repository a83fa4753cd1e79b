package mobile

import (
	"bytes"
	"encoding/json"
	"io"

	walletsdk "github.com/idgate/idgate/wallet-sdk"
)

// maxMdocRequestJSON bounds the reader's request an app hands to PresentMdoc.
const maxMdocRequestJSON = 64 << 10

// mdocRequestJSON is PresentMdoc's request: walletsdk.MdocPresentationRequest in JSON.
type mdocRequestJSON struct {
	ClientID    string              `json:"client_id"`
	Nonce       string              `json:"nonce"`
	ResponseURI string              `json:"response_uri"`
	Elements    map[string][]string `json:"elements"`
}

// PresentMdoc presents the held mdoc credentialID to a reader outside OpenID4VP, e.g. an
// airport gate: requestJSON is {"client_id","nonce","response_uri","elements":{namespace:
// [element identifiers]}} (a gate gives its audience as client_id and response_uri, and its
// nonce). It returns the DeviceResponse, device-signed over the OpenID4VP 1.0 Appendix B
// SessionTranscript of those values, base64url without padding, disclosing exactly the
// requested elements. A malformed or incomplete request is code "invalid_request", an
// element the mdoc does not hold "claim_not_available", an SD-JWT VC "vct_mismatch".
func (m *Wallet) PresentMdoc(credentialID, requestJSON string) (string, error) {
	req, err := parseMdocRequest(requestJSON)
	if err != nil {
		return "", err
	}
	ctx, cancel := m.call()
	defer cancel()
	resp, err := m.w.PresentMdoc(ctx, credentialID, req)
	return resp, cancelled(ctx, err)
}

// parseMdocRequest decodes the request strictly: an unknown member (e.g. a misspelt
// "responseUri") or trailing data is refused rather than read as an absent value.
func parseMdocRequest(s string) (walletsdk.MdocPresentationRequest, error) {
	bad := func(msg string, err error) (walletsdk.MdocPresentationRequest, error) {
		return walletsdk.MdocPresentationRequest{}, &walletsdk.Error{Code: walletsdk.CodeInvalidRequest, Msg: msg, Err: err}
	}
	if len(s) > maxMdocRequestJSON {
		return bad("mdoc presentation request too large", nil)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	var r mdocRequestJSON
	if err := dec.Decode(&r); err != nil {
		return bad("mdoc presentation request is not the expected JSON", err)
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		return bad("mdoc presentation request has data after the JSON object", nil)
	}
	return walletsdk.MdocPresentationRequest{ClientID: r.ClientID, Nonce: r.Nonce, ResponseURI: r.ResponseURI, Elements: r.Elements}, nil
}
