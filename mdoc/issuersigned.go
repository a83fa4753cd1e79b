package mdoc

import (
	"crypto/ecdsa"
	"crypto/x509"
	"time"
)

// Held is an IssuerSigned as a holder keeps it, checked by CheckIssuerSigned.
type Held struct {
	DocType   string
	MSO       *MSO
	DeviceKey *ecdsa.PublicKey    // the MSO's deviceKey
	Chain     []*x509.Certificate // issuerAuth's x5chain, Document Signer first
	// Elements are every item the IssuerSigned holds, each matching its MSO digest.
	Elements   []Element
	Signed     time.Time
	ValidFrom  time.Time
	ValidUntil time.Time
}

// CheckIssuerSigned decodes an IssuerSigned (what Issue returns and an OpenID4VCI credential
// response carries) and checks what a holder can check without a trust list: issuerAuth's
// ES256 signature under the x5chain's first certificate, each certificate of x5chain signed by
// the next, a consistent validityInfo, and every item's SHA-256 over its bytes as received
// against the MSO's valueDigests (no digestID or element twice). Whether the chain ends at a
// trusted IACA, and whether the document is valid now, are the caller's to decide
// (Verifier.Verify does both for a presentation).
func CheckIssuerSigned(issuerSigned []byte) (*Held, error) {
	var is IssuerSigned
	if err := decode(issuerSigned, &is, "IssuerSigned"); err != nil {
		return nil, err
	}
	if len(is.NameSpaces) == 0 {
		return nil, newErr(CodeMalformed, nil, "IssuerSigned holds no namespaces")
	}
	s, mso, err := parseIssuerAuth(is.IssuerAuth)
	if err != nil {
		return nil, err
	}
	chain, err := x5chain(s.Unprotected)
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(chain); i++ {
		if err := chain[i].CheckSignatureFrom(chain[i+1]); err != nil {
			return nil, newErr(CodeUntrustedIssuer, err, "x5chain[%d] is not signed by x5chain[%d]", i, i+1)
		}
	}
	dsKey, ok := chain[0].PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return nil, newErr(CodeUntrustedIssuer, nil, "DS key is %T, want ECDSA", chain[0].PublicKey)
	}
	if err := verifySign1(s, s.Payload, dsKey, nil, CodeSignatureInvalid, "issuerAuth"); err != nil {
		return nil, err
	}
	vi := mso.ValidityInfo
	if vi.Signed.Time().After(vi.ValidUntil.Time()) || !vi.ValidFrom.Time().Before(vi.ValidUntil.Time()) {
		return nil, newErr(CodeMalformed, nil, "inconsistent validityInfo")
	}
	elems, err := checkItems(is.NameSpaces, mso)
	if err != nil {
		return nil, err
	}
	devKey, err := parseCOSEKey(mso.DeviceKeyInfo.DeviceKey)
	if err != nil {
		return nil, err
	}
	return &Held{
		DocType: mso.DocType, MSO: mso, DeviceKey: devKey, Chain: chain, Elements: elems,
		Signed: vi.Signed.Time(), ValidFrom: vi.ValidFrom.Time(), ValidUntil: vi.ValidUntil.Time(),
	}, nil
}
