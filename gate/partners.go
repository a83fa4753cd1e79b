package gate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/idgate/idgate/boardingpass"
)

// Pass partners (code-share and interline through check-in): Config.PassPartners maps an
// operating carrier to the airlines whose boarding-pass signature is accepted for its
// flights. The pass's own "airline designator of boarding pass issuer" (Resolution 792 unique
// conditional item 21) selects which one; see Service.passSigner.

// MaxPartnersLen bounds the operator's --pass-partners string.
const MaxPartnersLen = 4096

// ParsePartners parses the operator form "YY=XX+ZZ,AB=CD": comma-separated entries, each an
// operating carrier, '=', and '+'-separated partner airlines. Designators are 2-3 characters
// of A-Z and 0-9 with at least one letter (an all-digit token is an airline's numeric code,
// not its designator). Nothing is normalised: lower case, spaces, empty entries, a carrier
// listed twice, a partner repeated or naming its own carrier are errors (errors.Is
// ErrInvalid), so a typo fails at start rather than silently trusting the wrong airline.
// The empty string means no partners (nil map).
func ParsePartners(s string) (map[string][]string, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) > MaxPartnersLen {
		return nil, partnersErr("longer than %d bytes", MaxPartnersLen)
	}
	out := map[string][]string{}
	for i, entry := range strings.Split(s, ",") {
		carrier, list, ok := strings.Cut(entry, "=")
		if !ok {
			return nil, partnersErr("entry %d: want CARRIER=PARTNER[+PARTNER...]", i+1)
		}
		partners := strings.Split(list, "+")
		if err := checkPartners(carrier, partners); err != nil {
			return nil, partnersErr("entry %d: %s", i+1, err.Msg)
		}
		if _, dup := out[carrier]; dup {
			return nil, partnersErr("entry %d: carrier %s listed twice", i+1, carrier)
		}
		out[carrier] = partners
	}
	return out, nil
}

// passSigner names the one airline whose key must verify bcbp for a flight operated by
// carrier: the pass's declared issuer when PassPartners lists it for carrier, else carrier
// itself (today's rule, and the only one when carrier has no partners: no extra parse then).
//
// The issuer item is read before the signature is checked. That is safe because it lies in
// the signed part: a forged issuer only selects a key that will not verify. It also means a
// pass declaring a listed partner as issuer must be signed by that partner: if the operating
// carrier signed it instead, it is denied (pass_signature_invalid), since the pass then
// misstates who issued it, and the gate never tries a second key. An issuer that is not a
// listed partner (absent, the carrier itself, or any other airline) leaves carrier's key as
// the only one tried, so a pass signed by an unlisted airline fails.
func (s *Service) passSigner(bcbp, carrier string) string {
	partners := s.cfg.PassPartners[carrier]
	if len(partners) == 0 {
		return carrier
	}
	p, err := boardingpass.Parse(bcbp)
	if err != nil || p.Unique == nil {
		return carrier // VerifyFor reports the parse error with its code
	}
	if slices.Contains(partners, p.Unique.Issuer) {
		return p.Unique.Issuer
	}
	return carrier
}

// FormatPartners is the inverse of ParsePartners, in sorted carrier order (for logs).
func FormatPartners(m map[string][]string) string {
	var b strings.Builder
	for _, c := range slices.Sorted(maps.Keys(m)) {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(c + "=" + strings.Join(m[c], "+"))
	}
	return b.String()
}

// clonePartners validates a Config's PassPartners (the same rules as ParsePartners) and
// copies it, so a caller mutating its map later cannot change what the Service trusts.
func clonePartners(m map[string][]string) (map[string][]string, error) {
	if len(m) == 0 {
		return nil, nil
	}
	out := make(map[string][]string, len(m))
	for c, ps := range m {
		if err := checkPartners(c, ps); err != nil {
			return nil, partnersErr("%s", err.Msg)
		}
		out[c] = slices.Clone(ps)
	}
	return out, nil
}

// checkPartners validates one carrier's entry.
func checkPartners(carrier string, partners []string) *Error {
	if !validDesignator(carrier) {
		return &Error{Msg: fmt.Sprintf("carrier %q is not a 2-3 character airline designator", clip(carrier))}
	}
	if len(partners) == 0 {
		return &Error{Msg: fmt.Sprintf("carrier %s has no partners", carrier)}
	}
	for j, p := range partners {
		switch {
		case !validDesignator(p):
			return &Error{Msg: fmt.Sprintf("partner %q of %s is not a 2-3 character airline designator", clip(p), carrier)}
		case p == carrier:
			return &Error{Msg: fmt.Sprintf("carrier %s lists itself as a partner", carrier)}
		case slices.Contains(partners[:j], p):
			return &Error{Msg: fmt.Sprintf("partner %s of %s listed twice", p, carrier)}
		}
	}
	return nil
}

// validDesignator accepts an IATA (2) or ICAO (3) airline designator: upper-case letters and
// digits, at least one letter.
func validDesignator(s string) bool {
	if len(s) < 2 || len(s) > 3 || !isAlnumUpper(s) {
		return false
	}
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' })
}

// clip bounds operator text echoed in an error message.
func clip(s string) string {
	if len(s) > 16 {
		return s[:16] + "..."
	}
	return s
}

func partnersErr(format string, args ...any) *Error {
	return &Error{Code: CodeInvalidRequest, Msg: "pass partners: " + fmt.Sprintf(format, args...)}
}
