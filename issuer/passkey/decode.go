package passkey

import (
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/idgate/idgate/internal/jsonscan"
)

// MaxFinishBytes bounds a finish body: a ceremony response with an RSA-4096 key, a packed
// attestation chain and JSON/base64 overhead stays well under it.
const MaxFinishBytes = 64 << 10

// finishRequest is the body of both finish endpoints: the sealed ceremony session from begin and
// the PublicKeyCredential as JSON (WebAuthn L3 §5.1 toJSON form).
type finishRequest struct {
	Session    string          `json:"session"`
	Credential json.RawMessage `json:"credential"`
}

func decodeFinish(body []byte) (finishRequest, error) {
	var req finishRequest
	if len(body) > MaxFinishBytes {
		return req, fail(CodeInvalidRequest, fmt.Sprintf("body over %d bytes", MaxFinishBytes), nil)
	}
	if err := jsonscan.Decode(body, &req, jsonscan.Options{}); err != nil {
		return req, fail(CodeInvalidRequest, "malformed JSON body: "+err.Error(), err)
	}
	if req.Session == "" || len(req.Session) > MaxSessionTokenBytes || len(req.Credential) == 0 {
		return req, fail(CodeInvalidRequest, "session and credential are required", nil)
	}
	return req, nil
}

// ParseRegistration decodes a registration finish body and parses its attestation
// (CBOR attestationObject, authenticator data, clientDataJSON); no verification yet.
func ParseRegistration(body []byte) (session string, parsed *protocol.ParsedCredentialCreationData, err error) {
	req, err := decodeFinish(body)
	if err != nil {
		return "", nil, err
	}
	parsed, err = protocol.ParseCredentialCreationResponseBytes(req.Credential)
	if err != nil {
		return "", nil, fail(CodeInvalidRequest, "malformed registration response", err)
	}
	return req.Session, parsed, nil
}

// ParseLogin decodes a login finish body and parses its assertion; no verification yet.
func ParseLogin(body []byte) (session string, parsed *protocol.ParsedCredentialAssertionData, err error) {
	req, err := decodeFinish(body)
	if err != nil {
		return "", nil, err
	}
	parsed, err = protocol.ParseCredentialRequestResponseBytes(req.Credential)
	if err != nil {
		return "", nil, fail(CodeInvalidRequest, "malformed login response", err)
	}
	return req.Session, parsed, nil
}
