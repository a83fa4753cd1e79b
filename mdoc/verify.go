package mdoc

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/es256"
)

// Trust validates a Document Signer chain for a docType at a time; *certs.TrustList is one
// (PurposeMdoc: IACA roots per docType, the leaf of the DS profile).
type Trust interface {
	Verify(p certs.Purpose, scope string, chain []*x509.Certificate, at time.Time) (*x509.Certificate, error)
}

// fastKeys is the optional precomputed-key lookup of *certs.TrustList.
type fastKeys interface {
	ES256Key(pub crypto.PublicKey) *es256.Key
}

// derTrust is the optional DER entry of *certs.TrustList: a chain verified before is not parsed
// again.
type derTrust interface {
	VerifyDER(p certs.Purpose, scope string, ders [][]byte, at time.Time) (*x509.Certificate, error)
}

// Verifier checks DeviceResponses. It is safe for concurrent use.
type Verifier struct {
	Trust Trust
	Now   func() time.Time // default time.Now
}

// VerifyOptions is what this verifier expects of one response.
type VerifyOptions struct {
	DocType string // the docType asked for
	// SessionTranscript is the untagged CBOR SessionTranscript this verifier computed itself
	// (e.g. oid4vp.SessionTranscript), never one taken from the response.
	SessionTranscript []byte
	// ReaderKey is the reader's ephemeral key, needed only to check a deviceMac; without it a
	// deviceMac is refused.
	ReaderKey *ecdh.PrivateKey
	// OnlyDocument refuses a response holding anything beside the document of DocType: another
	// document or documentErrors. An OpenID4VP vp_token entry answers one credential query,
	// so its DeviceResponse carries that one document and nothing a verifier would drop unread.
	OnlyDocument bool
}

// Verified is a document that passed every check.
type Verified struct {
	DocType    string
	Elements   []Element
	MSO        *MSO
	DeviceKey  *ecdsa.PublicKey
	Signer     *x509.Certificate // the Document Signer certificate
	DeviceMAC  bool              // device authentication was a deviceMac, not a signature
	ValidUntil time.Time
}

// Value returns the value of ns/id and whether it was disclosed.
func (v *Verified) Value(ns, id string) (any, bool) {
	for _, e := range v.Elements {
		if e.Namespace == ns && e.Identifier == id {
			return e.Value, true
		}
	}
	return nil, false
}

// Verify decodes a DeviceResponse and fully verifies its document of opts.DocType: issuerAuth's
// ES256 signature under the DS certificate in x5chain; the DS chain to an IACA trusted for the
// docType at the MSO's signed time; MSO and Document docType; the validity window at Now; every
// presented item's SHA-256 over its #6.24 bytes as received against valueDigests; and the device
// signature (or MAC) under the MSO's device key over DeviceAuthentication with the expected
// transcript. Failures are *Error with a Code.
func (v *Verifier) Verify(deviceResponse []byte, opts VerifyOptions) (*Verified, error) {
	if v.Trust == nil || opts.DocType == "" {
		return nil, newErr(CodeConfigInvalid, nil, "a trust list and the expected docType are required")
	}
	if err := checkTranscript(opts.SessionTranscript); err != nil {
		return nil, err
	}
	var resp DeviceResponse
	if err := decode(deviceResponse, &resp, "DeviceResponse"); err != nil {
		return nil, err
	}
	if resp.Version != version {
		return nil, newErr(CodeMalformed, nil, "DeviceResponse version %q, want %q", resp.Version, version)
	}
	if resp.Status != 0 {
		return nil, newErr(CodeDocumentNotPresent, nil, "DeviceResponse status %d", resp.Status)
	}
	if opts.OnlyDocument && (len(resp.Documents) > 1 || len(resp.DocumentErrors) > 0) {
		return nil, newErr(CodeMalformed, nil, "the DeviceResponse holds %d documents and %d documentErrors, want the %s document alone",
			len(resp.Documents), len(resp.DocumentErrors), opts.DocType)
	}
	var doc *Document
	for i := range resp.Documents {
		if resp.Documents[i].DocType == opts.DocType {
			if doc != nil {
				return nil, newErr(CodeMalformed, nil, "two documents of %s", opts.DocType)
			}
			doc = &resp.Documents[i]
		}
	}
	if doc == nil {
		return nil, newErr(CodeDocumentNotPresent, nil, "no document of %s", opts.DocType)
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	return v.verifyDocument(doc, opts, now())
}

func (v *Verifier) verifyDocument(doc *Document, opts VerifyOptions, now time.Time) (*Verified, error) {
	s, mso, err := parseIssuerAuth(doc.IssuerSigned.IssuerAuth)
	if err != nil {
		return nil, err
	}
	ders, err := x5chainDER(s.Unprotected)
	if err != nil {
		return nil, err
	}
	if mso.DocType != doc.DocType {
		return nil, newErr(CodeDocTypeMismatch, nil, "MSO docType %q, Document docType %q", mso.DocType, doc.DocType)
	}
	signed := mso.ValidityInfo.Signed.Time()
	leaf, err := v.verifyChain(mso.DocType, ders, signed)
	if err != nil {
		switch {
		case CodeOf(err) != "":
			return nil, err
		case errors.Is(err, certs.ErrNotValidAtTime):
			return nil, newErr(CodeIssuerCertTime, err, "DS chain at the MSO's signed time %s", signed.UTC().Format(time.RFC3339))
		case errors.Is(err, certs.ErrMalformed):
			return nil, newErr(CodeMalformed, err, "x5chain")
		}
		return nil, newErr(CodeUntrustedIssuer, err, "DS chain for %s", mso.DocType)
	}
	dsKey, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return nil, newErr(CodeUntrustedIssuer, nil, "DS key is %T, want ECDSA", leaf.PublicKey)
	}
	// The chain is checked first, at the (not yet authenticated) signed time, so that a trust
	// list's precomputed key for the DS serves the signature check; either failure rejects.
	var fast *es256.Key
	if fk, ok := v.Trust.(fastKeys); ok {
		fast = fk.ES256Key(dsKey)
	}
	if err := verifySign1(s, s.Payload, dsKey, fast, CodeSignatureInvalid, "issuerAuth"); err != nil {
		return nil, err
	}
	vi := mso.ValidityInfo
	switch {
	case now.Before(vi.ValidFrom.Time()):
		return nil, newErr(CodeNotYetValid, nil, "valid from %s", vi.ValidFrom.Time().UTC().Format(time.RFC3339))
	case now.After(vi.ValidUntil.Time()):
		return nil, newErr(CodeExpired, nil, "valid until %s", vi.ValidUntil.Time().UTC().Format(time.RFC3339))
	case vi.Signed.Time().After(vi.ValidUntil.Time()) || vi.ValidFrom.Time().After(vi.ValidUntil.Time()):
		return nil, newErr(CodeMalformed, nil, "inconsistent validityInfo")
	}
	elems, err := checkItems(doc.IssuerSigned.NameSpaces, mso)
	if err != nil {
		return nil, err
	}
	devKey, err := parseCOSEKey(mso.DeviceKeyInfo.DeviceKey)
	if err != nil {
		return nil, err
	}
	isMAC, err := checkDeviceAuth(&doc.DeviceSigned, mso.DocType, devKey, opts)
	if err != nil {
		return nil, err
	}
	return &Verified{DocType: mso.DocType, Elements: elems, MSO: mso, DeviceKey: devKey, Signer: leaf, DeviceMAC: isMAC, ValidUntil: vi.ValidUntil.Time()}, nil
}

// verifyChain checks x5chain to an IACA trusted for docType at time at and returns the DS
// certificate; a trust list with a DER entry skips parsing a chain it verified before.
func (v *Verifier) verifyChain(docType string, ders [][]byte, at time.Time) (*x509.Certificate, error) {
	if dt, ok := v.Trust.(derTrust); ok {
		return dt.VerifyDER(certs.PurposeMdoc, docType, ders, at)
	}
	chain, err := parseChain(ders)
	if err != nil {
		return nil, err
	}
	return v.Trust.Verify(certs.PurposeMdoc, docType, chain, at)
}

// parseIssuerAuth decodes issuerAuth and the MSO in its payload (#6.24 inside the payload bstr),
// without verifying anything.
func parseIssuerAuth(raw []byte) (*sign1, *MSO, error) {
	var s sign1
	if err := decode(raw, &s, "issuerAuth"); err != nil {
		return nil, nil, err
	}
	if s.Payload == nil {
		return nil, nil, newErr(CodeMalformed, nil, "issuerAuth has no payload")
	}
	msoBytes, err := unwrap24(s.Payload, "MSO")
	if err != nil {
		return nil, nil, err
	}
	var mso MSO
	if err := decode(msoBytes, &mso, "MSO"); err != nil {
		return nil, nil, err
	}
	if mso.Version != version || mso.DocType == "" || len(mso.ValueDigests) == 0 || mso.DeviceKeyInfo.DeviceKey == nil {
		return nil, nil, newErr(CodeMalformed, nil, "MSO version %q, docType %q, or missing digests or device key", mso.Version, mso.DocType)
	}
	if mso.DigestAlgorithm != digestAlgorithm {
		return nil, nil, newErr(CodeDigestAlg, nil, "MSO digestAlgorithm %q, want %s", mso.DigestAlgorithm, digestAlgorithm)
	}
	return &s, &mso, nil
}

// parseItem decodes one IssuerSignedItemBytes (#6.24).
func parseItem(raw []byte) (*IssuerSignedItem, error) {
	inner, err := unwrap24(raw, "IssuerSignedItemBytes")
	if err != nil {
		return nil, err
	}
	var item IssuerSignedItem
	if err := decode(inner, &item, "IssuerSignedItem"); err != nil {
		return nil, err
	}
	if len(item.Random) < minRandomLen || item.ElementIdentifier == "" || item.ElementValue == nil {
		return nil, newErr(CodeMalformed, nil, "IssuerSignedItem %q: random of %d bytes (want >= %d), or missing identifier or value",
			item.ElementIdentifier, len(item.Random), minRandomLen)
	}
	return &item, nil
}

// checkItems checks every presented item against the MSO: SHA-256 over the item's bytes exactly
// as received (tag 24 and bstr header included) equals valueDigests[ns][digestID], and no
// digestID or element appears twice in a namespace.
func checkItems(nameSpaces map[string][]cbor.RawMessage, mso *MSO) ([]Element, error) {
	var out []Element
	for ns, items := range nameSpaces {
		digests := mso.ValueDigests[ns]
		seenID := map[uint64]bool{}
		seenElem := map[string]bool{}
		for _, raw := range items {
			item, err := parseItem(raw)
			if err != nil {
				return nil, err
			}
			if seenID[item.DigestID] || seenElem[item.ElementIdentifier] {
				return nil, newErr(CodeDuplicate, nil, "%s: digestID %d or element %q presented twice", ns, item.DigestID, item.ElementIdentifier)
			}
			seenID[item.DigestID], seenElem[item.ElementIdentifier] = true, true
			want, ok := digests[item.DigestID]
			got := sha256.Sum256(raw)
			if !ok || !bytes.Equal(want, got[:]) {
				return nil, newErr(CodeUnreferenced, nil, "%s/%s (digestID %d) does not match the MSO", ns, item.ElementIdentifier, item.DigestID)
			}
			var val any
			if err := decode(item.ElementValue, &val, "elementValue"); err != nil {
				return nil, err
			}
			out = append(out, Element{Namespace: ns, Identifier: item.ElementIdentifier, Value: val, Raw: item.ElementValue})
		}
	}
	return out, nil
}

// checkDeviceAuth verifies deviceSignature or deviceMac over DeviceAuthentication built from the
// expected transcript, the docType and DeviceNameSpacesBytes as received.
func checkDeviceAuth(ds *DeviceSigned, docType string, devKey *ecdsa.PublicKey, opts VerifyOptions) (mac bool, err error) {
	if ds.NameSpaces == nil {
		return false, newErr(CodeMalformed, nil, "deviceSigned has no nameSpaces")
	}
	inner, err := unwrap24(ds.NameSpaces, "DeviceNameSpacesBytes")
	if err != nil {
		return false, err
	}
	var devNS map[string]map[string]cbor.RawMessage
	if err := decode(inner, &devNS, "DeviceNameSpaces"); err != nil {
		return false, err
	}
	dab, err := deviceAuthBytes(opts.SessionTranscript, docType, ds.NameSpaces)
	if err != nil {
		return false, err
	}
	sig, macRaw := ds.DeviceAuth.DeviceSignature, ds.DeviceAuth.DeviceMac
	switch {
	case sig != nil && macRaw != nil:
		return false, newErr(CodeMalformed, nil, "deviceAuth has both a signature and a MAC")
	case sig != nil:
		var s sign1
		if err := decode(sig, &s, "deviceSignature"); err != nil {
			return false, err
		}
		if s.Payload != nil {
			return false, newErr(CodeMalformed, nil, "deviceSignature payload must be detached (null)")
		}
		return false, verifySign1(&s, dab, devKey, nil, CodeDeviceAuthInvalid, "deviceSignature")
	case macRaw != nil:
		if opts.ReaderKey == nil {
			return true, newErr(CodeDeviceAuthInvalid, nil, "deviceMac without a reader key")
		}
		var m mac0
		if err := decode(macRaw, &m, "deviceMac"); err != nil {
			return true, err
		}
		if m.Payload != nil {
			return true, newErr(CodeMalformed, nil, "deviceMac payload must be detached (null)")
		}
		key, err := macKey(opts.ReaderKey, devKey, opts.SessionTranscript)
		if err != nil {
			return true, err
		}
		return true, verifyMac0(&m, dab, key, "deviceMac")
	}
	return false, newErr(CodeDeviceAuthMissing, nil, "deviceAuth has neither deviceSignature nor deviceMac")
}
