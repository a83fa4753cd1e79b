package walletsdk

import (
	"encoding/json"
	"net/url"
	"strings"
)

// OpenID4VCI 1.0 §4.1 credential offer, pre-authorised code flow only.
const (
	preAuthGrantType = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
	offerScheme      = "openid-credential-offer"
	maxOfferURILen   = 16 << 10
	maxOfferJSON     = 64 << 10
	maxConfigIDs     = 16
)

// CredentialOffer is the decoded credential_offer JSON.
type CredentialOffer struct {
	CredentialIssuer           string   `json:"credential_issuer"`
	CredentialConfigurationIDs []string `json:"credential_configuration_ids"`
	Grants                     struct {
		PreAuthorizedCode *PreAuthorizedGrant `json:"urn:ietf:params:oauth:grant-type:pre-authorized_code"`
	} `json:"grants"`
}

// PreAuthorizedGrant is the offer's pre-authorised code grant.
type PreAuthorizedGrant struct {
	PreAuthorizedCode   string  `json:"pre-authorized_code"`
	TxCode              *TxCode `json:"tx_code,omitempty"`
	AuthorizationServer string  `json:"authorization_server,omitempty"`
}

// TxCode says the issuer sent the holder a transaction code out of band.
type TxCode struct {
	InputMode   string `json:"input_mode,omitempty"` // "numeric" (default) or "text"
	Length      int    `json:"length,omitempty"`
	Description string `json:"description,omitempty"`
}

// OfferRef is a parsed offer URI: either the offer itself or the URL to fetch it from.
type OfferRef struct {
	Offer *CredentialOffer // set for credential_offer=
	URI   string           // set for credential_offer_uri=
}

// ParseOfferURI parses "openid-credential-offer://?credential_offer=..." or
// "...?credential_offer_uri=..." (an https universal link with the same query is accepted too).
func ParseOfferURI(s string) (*OfferRef, error) {
	if len(s) > maxOfferURILen {
		return nil, newErr(CodeInvalidOffer, "offer URI too long", nil)
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, newErr(CodeInvalidOffer, "offer URI does not parse", err)
	}
	if u.Scheme != offerScheme && u.Scheme != "https" {
		return nil, newErr(CodeInvalidOffer, "offer URI scheme must be "+offerScheme+" or https", nil)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, newErr(CodeInvalidOffer, "offer URI query does not parse", err)
	}
	offers, refs := q["credential_offer"], q["credential_offer_uri"]
	switch {
	case len(offers) == 1 && len(refs) == 0:
		o, err := ParseOffer([]byte(offers[0]))
		if err != nil {
			return nil, err
		}
		return &OfferRef{Offer: o}, nil
	case len(refs) == 1 && len(offers) == 0:
		if _, err := parseHTTPURL(refs[0]); err != nil {
			return nil, newErr(CodeInvalidOffer, "credential_offer_uri", err)
		}
		return &OfferRef{URI: refs[0]}, nil
	default:
		return nil, newErr(CodeInvalidOffer, "want exactly one credential_offer or credential_offer_uri parameter", nil)
	}
}

// ParseOffer decodes and checks credential_offer JSON. It requires the pre-authorised code
// grant: the only flow this SDK runs.
func ParseOffer(data []byte) (*CredentialOffer, error) {
	if len(data) > maxOfferJSON {
		return nil, newErr(CodeInvalidOffer, "offer JSON too large", nil)
	}
	var o CredentialOffer
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, newErr(CodeInvalidOffer, "offer JSON", err)
	}
	if err := checkIssuerID(o.CredentialIssuer); err != nil {
		return nil, newErr(CodeInvalidOffer, "credential_issuer", err)
	}
	if n := len(o.CredentialConfigurationIDs); n == 0 || n > maxConfigIDs {
		return nil, newErr(CodeInvalidOffer, "credential_configuration_ids must hold 1 to 16 ids", nil)
	}
	seen := map[string]bool{}
	for _, id := range o.CredentialConfigurationIDs {
		if id == "" || len(id) > 256 || seen[id] {
			return nil, newErr(CodeInvalidOffer, "credential_configuration_ids: empty, overlong or repeated id", nil)
		}
		seen[id] = true
	}
	g := o.Grants.PreAuthorizedCode
	if g == nil {
		return nil, newErr(CodeUnsupportedOffer, "offer has no pre-authorized_code grant", nil)
	}
	if g.PreAuthorizedCode == "" {
		return nil, newErr(CodeInvalidOffer, "pre-authorized_code is empty", nil)
	}
	if g.TxCode != nil {
		if g.TxCode.InputMode != "" && g.TxCode.InputMode != "numeric" && g.TxCode.InputMode != "text" {
			return nil, newErr(CodeInvalidOffer, "tx_code.input_mode must be numeric or text", nil)
		}
		if g.TxCode.Length < 0 {
			return nil, newErr(CodeInvalidOffer, "tx_code.length is negative", nil)
		}
	}
	if g.AuthorizationServer != "" {
		if err := checkIssuerID(g.AuthorizationServer); err != nil {
			return nil, newErr(CodeInvalidOffer, "authorization_server", err)
		}
	}
	return &o, nil
}
