package verifier

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/idgate/idgate/credential"
)

// RPConfig configures the relying-party verification API.
type RPConfig struct {
	Credentials *credential.Verifier
	Requests    RequestStore
	// Audience is this verifier's identifier; presentations must be bound to it.
	Audience   string
	RequestTTL time.Duration // default 5 min
	Now        func() time.Time
}

// RP creates presentation requests and verifies the answers.
type RP struct{ cfg RPConfig }

// NewRP validates cfg.
func NewRP(cfg RPConfig) (*RP, error) {
	if cfg.Credentials == nil || cfg.Requests == nil || cfg.Audience == "" {
		return nil, errors.New("verifier: RP needs a credential verifier, a request store and an audience")
	}
	if cfg.RequestTTL == 0 {
		cfg.RequestTTL = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &RP{cfg: cfg}, nil
}

// maxRequestedClaims bounds what one request may ask for.
const maxRequestedClaims = 64

// CreateRequest opens a presentation request for the given claims (and optionally one vct).
func (rp *RP) CreateRequest(vct string, claims []string) (PresentationRequest, error) {
	return rp.CreateRequestFor("", vct, claims)
}

// CreateRequestFor is CreateRequest on behalf of client (a ratelimit client key): the request
// store bounds each client's open requests.
func (rp *RP) CreateRequestFor(client, vct string, claims []string) (PresentationRequest, error) {
	if len(claims) == 0 || len(claims) > maxRequestedClaims {
		return PresentationRequest{}, &Error{Code: "invalid_request", Msg: "claims: between 1 and 64 claim names"}
	}
	for _, c := range claims {
		if c == "" || len(c) > 128 {
			return PresentationRequest{}, &Error{Code: "invalid_request", Msg: "claims: empty or oversized claim name"}
		}
	}
	if vct != "" {
		if _, ok := credential.LookupVCT(vct); !ok {
			return PresentationRequest{}, &Error{Code: "invalid_request", Msg: "unknown vct"}
		}
	}
	r := PresentationRequest{
		ID: random(16), Nonce: random(24), Audience: rp.cfg.Audience,
		ExpiresAt: rp.cfg.Now().Add(rp.cfg.RequestTTL).UTC().Truncate(time.Second),
		VCT:       vct, Claims: slices.Clone(claims),
	}
	if err := rp.cfg.Requests.Put(r, client); err != nil {
		return PresentationRequest{}, err
	}
	return r, nil
}

// Verified is the answer to a successful verification.
type Verified struct {
	RequestID string         `json:"request_id"`
	VCT       string         `json:"vct"`
	Issuer    string         `json:"issuer"`
	IssuedAt  time.Time      `json:"issued_at"`
	ExpiresAt time.Time      `json:"expires_at"`
	Status    string         `json:"status"`
	Claims    map[string]any `json:"claims"`
}

// Verify consumes request id (single use) and verifies the presentation against it.
func (rp *RP) Verify(ctx context.Context, id, presentation string) (*Verified, error) {
	req, err := rp.cfg.Requests.Take(id, rp.cfg.Now())
	if err != nil {
		return nil, err
	}
	res, err := rp.cfg.Credentials.Verify(ctx, presentation, credential.Expectation{
		Audience: req.Audience, Nonce: req.Nonce, Claims: req.Claims,
	})
	if err != nil {
		return nil, err
	}
	if req.VCT != "" && res.VCT != req.VCT {
		return nil, &Error{Code: string(credential.CodeVCTNotAccepted), Msg: "the request asked for another credential type"}
	}
	// Answer only what was asked: a wallet that over-discloses does not leak it onward.
	claims := make(map[string]any, len(req.Claims))
	for _, c := range req.Claims {
		claims[c] = res.Claims[c]
	}
	return &Verified{
		RequestID: id, VCT: res.VCT, Issuer: res.Issuer, IssuedAt: res.IssuedAt.UTC(),
		ExpiresAt: res.ExpiresAt.UTC(), Status: "valid", Claims: claims,
	}, nil
}
