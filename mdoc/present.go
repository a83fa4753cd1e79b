package mdoc

import (
	"crypto"
	"slices"

	"github.com/fxamacker/cbor/v2"
)

// Request names the elements a reader asks for: namespace -> element identifiers.
type Request map[string][]string

// Present builds the holder's DeviceResponse for one stored mdoc (the IssuerSigned bytes Issue
// returned): only the requested elements' items, copied byte for byte, no device-signed
// elements, and deviceSignature (COSE_Sign1 ES256, detached) by deviceKey over
// DeviceAuthentication for sessionTranscript (the untagged CBOR SessionTranscript, e.g.
// oid4vp.SessionTranscript). An element the mdoc does not hold is CodeNotDisclosed.
func Present(issuerSigned []byte, req Request, sessionTranscript []byte, deviceKey crypto.Signer) ([]byte, error) {
	if deviceKey == nil || len(req) == 0 {
		return nil, newErr(CodeConfigInvalid, nil, "a request and a device key are required")
	}
	if err := checkTranscript(sessionTranscript); err != nil {
		return nil, err
	}
	var is IssuerSigned
	if err := decode(issuerSigned, &is, "IssuerSigned"); err != nil {
		return nil, err
	}
	_, mso, err := parseIssuerAuth(is.IssuerAuth)
	if err != nil {
		return nil, err
	}
	out := IssuerSigned{NameSpaces: map[string][]cbor.RawMessage{}, IssuerAuth: is.IssuerAuth}
	for ns, ids := range req {
		for _, id := range ids {
			raw, err := findItem(is.NameSpaces[ns], id)
			if err != nil {
				return nil, err
			}
			if raw == nil {
				return nil, newErr(CodeNotDisclosed, nil, "the mdoc holds no %s/%s", ns, id)
			}
			if !slices.ContainsFunc(out.NameSpaces[ns], func(r cbor.RawMessage) bool { return &r[0] == &raw[0] }) {
				out.NameSpaces[ns] = append(out.NameSpaces[ns], raw)
			}
		}
	}
	dab, err := deviceAuthBytes(sessionTranscript, mso.DocType, emptyDeviceNameSpaces)
	if err != nil {
		return nil, err
	}
	sig, err := signSign1(deviceKey, nil, dab, nil)
	if err != nil {
		return nil, err
	}
	return encMode.Marshal(DeviceResponse{
		Version: version, Status: 0,
		Documents: []Document{{
			DocType:      mso.DocType,
			IssuerSigned: out,
			DeviceSigned: DeviceSigned{NameSpaces: emptyDeviceNameSpaces, DeviceAuth: DeviceAuth{DeviceSignature: sig}},
		}},
	})
}

// findItem returns the item of items whose elementIdentifier is id, or nil.
func findItem(items []cbor.RawMessage, id string) (cbor.RawMessage, error) {
	for _, raw := range items {
		item, err := parseItem(raw)
		if err != nil {
			return nil, err
		}
		if item.ElementIdentifier == id {
			return raw, nil
		}
	}
	return nil, nil
}
