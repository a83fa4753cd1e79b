package walletsdk

import (
	"context"
	"encoding/base64"

	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
)

// presentMdocVP builds the vp_token entry of a held mdoc for an mso_mdoc query: a
// DeviceResponse (mdoc.Present) with exactly the selected elements, device-signed over the
// OpenID4VP handover's SessionTranscript (OpenID4VP 1.0 B.2.6.1) for this request, base64url.
func (w *Wallet) presentMdocVP(ctx context.Context, req *VPRequest, rec *storedCredential, sel *oid4vp.Selection) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", newErr(CodeConfig, "presentation cancelled", err)
	}
	want := mdoc.Request{}
	for _, p := range sel.Paths() {
		if len(p) != 2 || !p[0].IsKey() || !p[1].IsKey() {
			return "", newErr(CodeVPRequest, "an mso_mdoc claim path is [namespace, element]", nil)
		}
		want[p[0].Key] = append(want[p[0].Key], p[1].Key)
	}
	if len(want) == 0 {
		return "", newErr(CodeVPRequest, "the mso_mdoc query names no elements to disclose", nil)
	}
	st, err := vpSessionTranscript(req.ar)
	if err != nil {
		return "", err
	}
	signer, err := w.keys.Signer(rec.KeyID)
	if err != nil {
		return "", err
	}
	resp, err := mdoc.Present(rec.IssuerSigned, want, st, signer)
	if err != nil {
		switch mdoc.CodeOf(err) {
		case mdoc.CodeNotDisclosed:
			return "", newErr(CodeClaimNotAvailable, "the mdoc holds no element the query selects", nil)
		case mdoc.CodeSignFailed:
			return "", newErr(CodeKeyStore, "sign the device authentication", err)
		}
		return "", newErr(CodeStoreTampered, "stored mdoc", err)
	}
	return base64.RawURLEncoding.EncodeToString(resp), nil
}

// vpSessionTranscript is the SessionTranscript the verifier computes too: client_id with its
// prefix, nonce, the thumbprint of the key the response is encrypted to (direct_post.jwt) or
// null, and response_uri.
func vpSessionTranscript(ar *oid4vp.AuthorizationRequest) ([]byte, error) {
	var thumbprint []byte
	if ar.ResponseMode == oid4vp.ModeDirectPostJWT {
		if ar.EncryptTo == nil {
			return nil, newErr(CodeVPRequest, "direct_post.jwt without an encryption key", nil)
		}
		tp, err := ar.EncryptTo.Thumbprint()
		if err != nil {
			return nil, newErr(CodeVPRequest, "encryption key", err)
		}
		thumbprint = tp
	}
	st, err := oid4vp.SessionTranscript(ar.ClientID, ar.Nonce, thumbprint, ar.ResponseURI)
	if err != nil {
		return nil, newErr(CodeVPRequest, "SessionTranscript", err)
	}
	return st, nil
}
