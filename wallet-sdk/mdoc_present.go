package walletsdk

import (
	"context"
	"encoding/base64"

	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
)

// MdocPresentationRequest is what a reader outside an OpenID4VP transaction asks of a held
// mdoc: the elements to disclose and the values of the OpenID4VP 1.0 Appendix B handover the
// reader computes the SessionTranscript from. An airport gate or check-in gives its nonce
// route's audience as both ClientID and ResponseURI, and that nonce (gate.MdocSessionTranscript).
type MdocPresentationRequest struct {
	ClientID    string
	Nonce       string
	ResponseURI string
	// Elements maps namespace -> element identifiers; each must be held, or the request
	// fails CodeClaimNotAvailable (nothing is silently dropped).
	Elements map[string][]string
}

// PresentMdoc discloses exactly req.Elements of the held mdoc credentialID in a DeviceResponse
// device-signed with its device key over oid4vp.SessionTranscript(ClientID, Nonce, null
// thumbprint, ResponseURI), and returns it base64url without padding.
func (w *Wallet) PresentMdoc(ctx context.Context, credentialID string, req MdocPresentationRequest) (string, error) {
	if req.ClientID == "" || req.Nonce == "" || req.ResponseURI == "" || len(req.Elements) == 0 {
		return "", newErr(CodeInvalidRequest, "an mdoc presentation needs client_id, nonce, response_uri and elements", nil)
	}
	if err := ctx.Err(); err != nil {
		return "", newErr(CodeConfig, "presentation cancelled", err)
	}
	rec, err := w.loadCredential(credentialID)
	if err != nil {
		return "", err
	}
	if !rec.isMdoc() {
		return "", newErr(CodeVCTMismatch, "credential is not an mso_mdoc; Present makes SD-JWT VC presentations", nil)
	}
	st, err := oid4vp.SessionTranscript(req.ClientID, req.Nonce, nil, req.ResponseURI)
	if err != nil {
		return "", newErr(CodeInvalidRequest, "SessionTranscript", err)
	}
	signer, err := w.keys.Signer(rec.KeyID)
	if err != nil {
		return "", err
	}
	resp, err := mdoc.Present(rec.IssuerSigned, mdoc.Request(req.Elements), st, signer)
	if err != nil {
		switch mdoc.CodeOf(err) {
		case mdoc.CodeNotDisclosed:
			return "", newErr(CodeClaimNotAvailable, "the mdoc does not hold every requested element", nil)
		case mdoc.CodeSignFailed:
			return "", newErr(CodeKeyStore, "sign the device authentication", err)
		}
		return "", newErr(CodeStoreTampered, "stored mdoc", err)
	}
	return base64.RawURLEncoding.EncodeToString(resp), nil
}
