package gate

import (
	"context"
	"crypto/sha256"
	"encoding/base64"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
)

// MdocVerifier verifies an ISO/IEC 18013-5 DeviceResponse (*mdoc.Verifier over a trust list
// with the IACA roots of the mDL doctype does).
type MdocVerifier interface {
	Verify(deviceResponse []byte, opts mdoc.VerifyOptions) (*mdoc.Verified, error)
}

// CodeMdocNotAccepted is the credential_code of an mdoc ID sent to a gate configured without an
// MdocVerifier (Config.Mdoc).
const CodeMdocNotAccepted = "mdoc_not_accepted"

// mdocElements are the elements an mdoc ID must disclose at a gate or check-in, the mDL's
// counterpart of claimsAtGate.
var mdocElements = []struct{ ns, id, claim string }{
	{mdoc.NamespaceMDL, "family_name", "family_name"},
	{mdoc.NamespaceMDL, "given_name", "given_name"},
	{mdoc.NamespaceIDGate, mdoc.ElementFaceTemplate, credential.FaceTemplateClaim},
}

// MdocRequest names the elements a wallet discloses for a gate or check-in (mdoc.Present's
// request).
func MdocRequest() mdoc.Request {
	req := mdoc.Request{}
	for _, e := range mdocElements {
		req[e.ns] = append(req[e.ns], e.id)
	}
	return req
}

// MdocSessionTranscript is the SessionTranscript an mdoc ID is device-signed over at a gate or
// check-in: OpenID4VP 1.0 Appendix B's handover (oid4vp.SessionTranscript) with client_id and
// response_uri both the audience the nonce endpoint returned (Audience+"/gates/"+id for a
// gate, the flight's check-in audience for enrolment), the nonce, and a null key thumbprint.
//
// The audience names this verifier and this gate (or this flight's check-in), the nonce this
// one attempt, so a DeviceResponse made for another gate, verifier, flight or nonce fails the
// device signature. The wallet computes it from the nonce response alone ({nonce, audience});
// the endpoint URL is not used because a verifier behind a proxy does not know the URL the
// terminal called, and the audience already names the endpoint's gate. The thumbprint is null
// because the response is not encrypted to a verifier key: the terminal sends it over TLS.
func MdocSessionTranscript(audience, nonce string) ([]byte, error) {
	return oid4vp.SessionTranscript(audience, nonce, nil, audience)
}

// verifyMdoc consumes nonce for aud, then verifies the mdoc ID (base64url DeviceResponse): the
// mDL document alone (nothing beside it the gate would drop unread), the IACA chain for the mDL
// doctype, validity, element digests, the device signature over MdocSessionTranscript(aud,
// nonce), the required elements and the status list entry.
func (s *Service) verifyMdoc(ctx context.Context, d *Decision, aud, b64, nonce string) (*passengerID, spentNonce, bool) {
	if s.cfg.Mdoc == nil { // before the nonce: nothing this gate could accept was sent
		credentialFailed(d, CodeMdocNotAccepted)
		return nil, spentNonce{}, false
	}
	spent, ok := s.takeNonce(ctx, aud, nonce)
	// The device signature covers the nonce; hashing the whole response names this very
	// request for a resend after a store failure.
	spent.pres = sha256.Sum256([]byte("mdoc\x00" + b64))
	if !ok {
		d.Checks.Credential = CheckFail
		d.deny(ReasonNonceInvalid)
		return nil, spent, false
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(b64)
	if err != nil || !isBase64URL(b64) { // Verify may be called without DecodeVerifyRequest
		credentialFailed(d, credential.CodeMalformed)
		return nil, spent, false
	}
	st, err := MdocSessionTranscript(aud, nonce)
	if err != nil {
		d.Checks.Credential = CheckFail
		d.deny(ReasonInternal)
		return nil, spent, false
	}
	v, err := s.cfg.Mdoc.Verify(raw, mdoc.VerifyOptions{DocType: mdoc.DocTypeMDL, SessionTranscript: st, OnlyDocument: true})
	if err != nil {
		credentialFailed(d, mdocCode(err))
		return nil, spent, false
	}
	id := &passengerID{claims: make(map[string]any, len(mdocElements)), expires: v.ValidUntil}
	for _, e := range mdocElements {
		val, ok := v.Value(e.ns, e.id)
		if !ok {
			credentialFailed(d, credential.CodeNotDisclosed)
			return nil, spent, false
		}
		id.claims[e.claim] = val
	}
	id.sealed, _ = id.claims[credential.FaceTemplateClaim].(string)
	// Status last: the only check that may need I/O (the checker's cache makes it a lookup).
	if err := mdoc.CheckStatus(ctx, s.cfg.Status, v); err != nil {
		credentialFailed(d, mdocCode(err))
		return nil, spent, false
	}
	ref := v.MSO.Status.StatusList // CheckStatus passed: present, index within int32
	id.status = credential.StatusRef{Index: int(ref.Idx), URI: ref.URI}
	d.Checks.Credential = CheckPass
	return id, spent, true
}

// mdocCode is the credential code of an mdoc failure: mdoc's codes carry the same strings as
// credential's and sdjwt's where they mean the same, so credentialReason maps both forms alike.
func mdocCode(err error) credential.Code {
	if c := mdoc.CodeOf(err); c != "" {
		return credential.Code(c)
	}
	return credential.CodeInternal
}
