package mdoc

import (
	"github.com/fxamacker/cbor/v2"
)

// The mDL of ISO/IEC 18013-5 (7.2.1).
const (
	DocTypeMDL   = "org.iso.18013.5.1.mDL"
	NamespaceMDL = "org.iso.18013.5.1"
)

// idgate's domestic namespace of the mDL (ISO/IEC 18013-5 7.2.8 allows issuer-defined
// namespaces beside org.iso.18013.5.1). ElementFaceTemplate holds the holder's face template
// sealed to the gate readers' key: the same compact JWE string as the SD-JWT VC's
// face_template claim (package biometric), never the vector.
const (
	NamespaceIDGate     = "org.idgate.mdl.1"
	ElementFaceTemplate = "face_template"
)

// Versions and the one digest algorithm idgate issues and accepts.
const (
	version         = "1.0"
	digestAlgorithm = "SHA-256"
	minRandomLen    = 16
)

// DeviceResponse is the response a holder gives a reader (8.3.2.1.2.2).
type DeviceResponse struct {
	Version        string           `cbor:"version"`
	Documents      []Document       `cbor:"documents,omitempty"`
	DocumentErrors []map[string]int `cbor:"documentErrors,omitempty"`
	Status         uint64           `cbor:"status"`
}

// Document is one mdoc in a DeviceResponse.
type Document struct {
	DocType      string       `cbor:"docType"`
	IssuerSigned IssuerSigned `cbor:"issuerSigned"`
	DeviceSigned DeviceSigned `cbor:"deviceSigned"`
}

// IssuerSigned is what the issuer signed: the disclosed items per namespace, each kept as the
// #6.24 bytes received (their digests are over exactly those bytes), and issuerAuth.
type IssuerSigned struct {
	NameSpaces map[string][]cbor.RawMessage `cbor:"nameSpaces,omitempty"`
	IssuerAuth cbor.RawMessage              `cbor:"issuerAuth"`
}

// DeviceSigned is the holder's part: DeviceNameSpacesBytes (#6.24, as received) and the device
// authentication.
type DeviceSigned struct {
	NameSpaces cbor.RawMessage `cbor:"nameSpaces"`
	DeviceAuth DeviceAuth      `cbor:"deviceAuth"`
}

// DeviceAuth holds exactly one of deviceSignature (COSE_Sign1) and deviceMac (COSE_Mac0).
type DeviceAuth struct {
	DeviceSignature cbor.RawMessage `cbor:"deviceSignature,omitempty"`
	DeviceMac       cbor.RawMessage `cbor:"deviceMac,omitempty"`
}

// IssuerSignedItem is one data element with its salt (9.1.2.5).
type IssuerSignedItem struct {
	DigestID          uint64          `cbor:"digestID"`
	Random            []byte          `cbor:"random"`
	ElementIdentifier string          `cbor:"elementIdentifier"`
	ElementValue      cbor.RawMessage `cbor:"elementValue"`
}

// MSO is the Mobile Security Object (9.1.2.4), with the second edition's status reference.
type MSO struct {
	Version         string                       `cbor:"version"`
	DigestAlgorithm string                       `cbor:"digestAlgorithm"`
	ValueDigests    map[string]map[uint64][]byte `cbor:"valueDigests"`
	DeviceKeyInfo   DeviceKeyInfo                `cbor:"deviceKeyInfo"`
	DocType         string                       `cbor:"docType"`
	ValidityInfo    ValidityInfo                 `cbor:"validityInfo"`
	Status          *Status                      `cbor:"status,omitempty"`
}

// DeviceKeyInfo carries the holder's device key as a COSE_Key.
type DeviceKeyInfo struct {
	DeviceKey         cbor.RawMessage `cbor:"deviceKey"`
	KeyAuthorizations cbor.RawMessage `cbor:"keyAuthorizations,omitempty"`
	KeyInfo           cbor.RawMessage `cbor:"keyInfo,omitempty"`
}

// ValidityInfo is the MSO's validity: when it was signed and the window it is valid in.
type ValidityInfo struct {
	Signed         TDate  `cbor:"signed"`
	ValidFrom      TDate  `cbor:"validFrom"`
	ValidUntil     TDate  `cbor:"validUntil"`
	ExpectedUpdate *TDate `cbor:"expectedUpdate,omitempty"`
}

// Status points at the mdoc's entry in a Token Status List.
type Status struct {
	StatusList *StatusListRef `cbor:"status_list,omitempty"`
}

// StatusListRef is {"idx", "uri"} of a Token Status List entry.
type StatusListRef struct {
	Idx uint64 `cbor:"idx"`
	URI string `cbor:"uri"`
}

// Element is one verified, disclosed data element.
type Element struct {
	Namespace  string
	Identifier string
	// Value is the element value as decoded: strings, integers, booleans, []byte, arrays as
	// []any, maps as map[any]any, full-dates as cbor.Tag 1004 with a string, tdates as time.Time.
	Value any
	// Raw is the value's CBOR as the issuer signed it.
	Raw []byte
}
