package mdoc

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/sha256"

	"github.com/fxamacker/cbor/v2"
)

// emptyDeviceNameSpaces is DeviceNameSpacesBytes with no device-signed elements: #6.24(<<{}>>).
var emptyDeviceNameSpaces = []byte{0xd8, 0x18, 0x41, 0xa0}

// deviceAuthBytes is DeviceAuthenticationBytes (9.1.3.4): #6.24(<<["DeviceAuthentication",
// SessionTranscript, docType, DeviceNameSpacesBytes]>>) with the untagged transcript and the
// DeviceNameSpacesBytes exactly as given.
func deviceAuthBytes(sessionTranscript []byte, docType string, deviceNameSpaces []byte) ([]byte, error) {
	da, err := encMode.Marshal([]any{"DeviceAuthentication", cbor.RawMessage(sessionTranscript), docType, cbor.RawMessage(deviceNameSpaces)})
	if err != nil {
		return nil, newErr(CodeMalformed, err, "DeviceAuthentication")
	}
	return wrap24(da)
}

// checkTranscript checks that a SessionTranscript is one well-formed, untagged CBOR array.
func checkTranscript(st []byte) error {
	var arr []cbor.RawMessage
	if err := decode(st, &arr, "SessionTranscript"); err != nil {
		return newErr(CodeConfigInvalid, err, "SessionTranscript must be the untagged CBOR array")
	}
	return nil
}

// macKey derives EMacKey (9.1.3.5): HKDF-SHA-256 over the ECDH shared secret of the reader's
// ephemeral key and the device key, salted with SHA-256(SessionTranscriptBytes).
func macKey(reader *ecdh.PrivateKey, device *ecdsa.PublicKey, sessionTranscript []byte) ([]byte, error) {
	dev, err := device.ECDH()
	if err != nil {
		return nil, newErr(CodeDeviceKey, err, "device key")
	}
	z, err := reader.ECDH(dev)
	if err != nil {
		return nil, newErr(CodeDeviceAuthInvalid, err, "ECDH with the device key")
	}
	stb, err := wrap24(sessionTranscript)
	if err != nil {
		return nil, err
	}
	salt := sha256.Sum256(stb)
	return hkdf.Key(sha256.New, z, salt[:], "EMacKey", 32)
}
