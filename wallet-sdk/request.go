package walletsdk

import (
	"encoding/json"
	"time"
)

const (
	maxRequestJSON   = 64 << 10
	maxRequestClaims = 128
)

// PresentationRequest is what a relying party asks for: the audience and nonce the KB-JWT must
// carry, optionally the credential type, and the claims to disclose (top-level names such as
// "given_name", or sdjwt paths such as "address/locality").
type PresentationRequest struct {
	ID        string    `json:"id,omitempty"`
	Audience  string    `json:"audience"`
	Nonce     string    `json:"nonce"`
	VCT       string    `json:"vct,omitempty"`
	Claims    []string  `json:"claims"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// ParsePresentationRequest decodes the verifier's answer to POST /v1/presentation-requests:
// {"id","nonce","audience","expires_at","vct","claims":[...]}.
func ParsePresentationRequest(data []byte) (PresentationRequest, error) {
	var r PresentationRequest
	if len(data) > maxRequestJSON {
		return r, newErr(CodeInvalidRequest, "presentation request too large", nil)
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return PresentationRequest{}, newErr(CodeInvalidRequest, "presentation request is not the expected JSON", err)
	}
	if err := r.validate(); err != nil {
		return PresentationRequest{}, err
	}
	return r, nil
}

func (r *PresentationRequest) validate() error {
	switch {
	case r.Audience == "" || len(r.Audience) > 1024:
		return newErr(CodeInvalidRequest, "audience missing or too long", nil)
	case r.Nonce == "" || len(r.Nonce) > 1024:
		return newErr(CodeInvalidRequest, "nonce missing or too long", nil)
	case len(r.VCT) > 1024:
		return newErr(CodeInvalidRequest, "vct too long", nil)
	case len(r.Claims) > maxRequestClaims:
		return newErr(CodeInvalidRequest, "too many claims requested", nil)
	}
	for _, c := range r.Claims {
		if c == "" || len(c) > 256 {
			return newErr(CodeInvalidRequest, "empty or overlong claim name", nil)
		}
	}
	return nil
}
