// Package passkeytest is a software WebAuthn authenticator for tests: an ECDSA P-256 key that
// answers navigator.credentials.create/get options (as JSON) with real "none" attestation
// objects (CBOR) and real assertion signatures over authenticatorData||SHA-256(clientDataJSON),
// like a platform authenticator would. Knobs let a test break one property at a time.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Authenticator holds one resident credential after Create.
type Authenticator struct {
	// Origin is put in clientDataJSON (a browser puts the page's origin there).
	Origin string
	// NoUV clears the user-verified flag (UP only).
	NoUV bool
	// Counter is the signature counter; Get increments it before signing. Tests may set it
	// back to simulate a cloned authenticator.
	Counter uint32

	key        *ecdsa.PrivateKey
	credID     []byte
	userHandle []byte
	rpID       string
}

// New returns an authenticator for origin.
func New(origin string) *Authenticator { return &Authenticator{Origin: origin} }

// Clone returns an independent copy with the same key, credential and counter.
func (a *Authenticator) Clone() *Authenticator { c := *a; return &c }

// CredentialID is the resident credential's id.
func (a *Authenticator) CredentialID() []byte { return a.credID }

var b64 = base64.RawURLEncoding

const (
	flagUP = 0x01
	flagUV = 0x04
	flagAT = 0x40
)

type creationOptions struct {
	Challenge string `json:"challenge"`
	RP        struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
}

type requestOptions struct {
	Challenge string `json:"challenge"`
	RPID      string `json:"rpId"`
}

// Create answers creation options (the publicKey member, JSON) with a registration
// response (PublicKeyCredential JSON).
func (a *Authenticator) Create(options json.RawMessage) (json.RawMessage, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, err
	}
	if o.Challenge == "" || o.RP.ID == "" || o.User.ID == "" {
		return nil, errors.New("passkeytest: creation options lack challenge, rp.id or user.id")
	}
	uh, err := b64.DecodeString(o.User.ID)
	if err != nil {
		return nil, fmt.Errorf("passkeytest: user.id: %w", err)
	}
	if a.key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	a.credID = make([]byte, 32)
	if _, err := rand.Read(a.credID); err != nil {
		return nil, err
	}
	a.userHandle, a.rpID = uh, o.RP.ID

	pt, err := a.key.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		return nil, err
	}
	cose, err := cbor.Marshal(map[int]any{
		1: 2, 3: -7, -1: 1, // kty EC2, alg ES256, crv P-256
		-2: pt[1:33], -3: pt[33:65],
	})
	if err != nil {
		return nil, err
	}
	auth := a.authData(flagAT)
	auth = append(auth, make([]byte, 16)...) // AAGUID: zero, as for attestation "none"
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(a.credID)))
	auth = append(auth, a.credID...)
	auth = append(auth, cose...)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": auth})
	if err != nil {
		return nil, err
	}
	cd := a.clientData("webauthn.create", o.Challenge)
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.credID), "rawId": b64.EncodeToString(a.credID), "type": "public-key",
		"authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON": b64.EncodeToString(cd), "attestationObject": b64.EncodeToString(att),
			"transports": []string{"internal"},
		},
		"clientExtensionResults": map[string]any{},
	})
}

// Get answers request options (the publicKey member, JSON) with an assertion.
func (a *Authenticator) Get(options json.RawMessage) (json.RawMessage, error) {
	if a.key == nil {
		return nil, errors.New("passkeytest: no credential; call Create first")
	}
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, err
	}
	if o.Challenge == "" {
		return nil, errors.New("passkeytest: request options lack a challenge")
	}
	if o.RPID != "" && o.RPID != a.rpID {
		return nil, fmt.Errorf("passkeytest: rpId %q, credential is for %q", o.RPID, a.rpID)
	}
	a.Counter++
	auth := a.authData(0)
	cd := a.clientData("webauthn.get", o.Challenge)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, auth...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(a.credID), "rawId": b64.EncodeToString(a.credID), "type": "public-key",
		"authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(auth),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(a.userHandle),
		},
		"clientExtensionResults": map[string]any{},
	})
}

// authData is rpIdHash || flags || signCount (WebAuthn §6.1).
func (a *Authenticator) authData(extra byte) []byte {
	rp := sha256.Sum256([]byte(a.rpID))
	flags := byte(flagUP) | extra
	if !a.NoUV {
		flags |= flagUV
	}
	out := append(rp[:], flags)
	return binary.BigEndian.AppendUint32(out, a.Counter)
}

func (a *Authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}
