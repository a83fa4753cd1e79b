package oid4vp

import (
	"crypto/sha256"

	"github.com/fxamacker/cbor/v2"
)

// HandoverInfo is the CBOR OpenID4VPHandoverInfo (B.2.6.1): [clientId, nonce, jwkThumbprint or
// null, responseUri]. clientID carries its prefix; thumbprint is the raw 32-byte RFC 7638
// thumbprint of the key the response is encrypted to, nil for an unencrypted response.
func HandoverInfo(clientID, nonce string, thumbprint []byte, responseURI string) ([]byte, error) {
	var tp any // nil encodes as CBOR null; a []byte as a byte string
	if thumbprint != nil {
		tp = thumbprint
	}
	return cbor.Marshal([]any{clientID, nonce, tp, responseURI})
}

// SessionTranscript is the mdoc SessionTranscript for OpenID4VP over redirects (B.2.6.1):
// [null, null, ["OpenID4VPHandover", SHA-256(HandoverInfo)]], untagged. Device authentication
// wraps it as tag 24 itself.
func SessionTranscript(clientID, nonce string, thumbprint []byte, responseURI string) ([]byte, error) {
	info, err := HandoverInfo(clientID, nonce, thumbprint, responseURI)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(info)
	return cbor.Marshal([]any{nil, nil, []any{"OpenID4VPHandover", h[:]}})
}
