package statuslist

import (
	"encoding/json"
	"math"
	"mime"
	"strings"
	"time"

	"github.com/idgate/idgate/certs"
)

// TokenType is the JWS "typ" of a status list token (draft §5.1).
const TokenType = "statuslist+jwt"

// MediaType is the HTTP Content-Type / Accept of a status list token.
const MediaType = "application/statuslist+jwt"

// DefaultSkew is the clock skew Verify tolerates on iat and exp.
const DefaultSkew = time.Minute

// Token is a status list token's content.
type Token struct {
	Subject   string        // sub: the URI the token is served at (the credential's status_list.uri)
	IssuedAt  time.Time     // iat
	ExpiresAt time.Time     // exp; zero if absent
	TTL       time.Duration // ttl: how long a relying party may cache it; zero if absent
	List      *List
}

type claims struct {
	Sub        string          `json:"sub"`
	Iat        *float64        `json:"iat"`
	Exp        *float64        `json:"exp,omitempty"`
	TTL        *float64        `json:"ttl,omitempty"`
	StatusList *statusListJSON `json:"status_list"`
}

type statusListJSON struct {
	Bits           int    `json:"bits"`
	Lst            string `json:"lst"`
	AggregationURI string `json:"aggregation_uri,omitempty"`
}

// Sign issues a status list token: a compact JWS with alg ES256, typ statuslist+jwt and the
// signer's chain in x5c; claims sub, iat, exp (if set), ttl (if set) and status_list{bits,lst}.
func Sign(tok Token, s certs.Signer) (string, error) {
	if tok.List == nil || tok.Subject == "" || tok.IssuedAt.IsZero() {
		return "", newErr(ErrInvalidList, nil, "token needs Subject, IssuedAt and List")
	}
	if !tok.ExpiresAt.IsZero() && !tok.ExpiresAt.After(tok.IssuedAt) {
		return "", newErr(ErrInvalidList, nil, "ExpiresAt not after IssuedAt")
	}
	if tok.TTL < 0 {
		return "", newErr(ErrInvalidList, nil, "negative TTL")
	}
	lst, err := tok.List.Encode()
	if err != nil {
		return "", err
	}
	num := func(v int64) *float64 { f := float64(v); return &f }
	c := claims{Sub: tok.Subject, Iat: num(tok.IssuedAt.Unix()), StatusList: &statusListJSON{Bits: tok.List.Bits(), Lst: lst}}
	if !tok.ExpiresAt.IsZero() {
		c.Exp = num(tok.ExpiresAt.Unix())
	}
	if tok.TTL > 0 {
		c.TTL = num(int64(tok.TTL / time.Second))
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	return signES256(jwsHeader{Alg: algES256, Typ: TokenType, X5C: certs.EncodeX5C(s.Chain())}, payload, s)
}

// Verify checks a status list token at now with DefaultSkew: alg ES256 only, typ statuslist+jwt,
// no crit, x5c chain trusted for certs.PurposeStatusList at now, the signature, and the claims
// (sub, iat not in the future, exp not past, ttl positive, a decodable status_list of at most
// MaxEntries entries). Every failure is ErrInvalidList (wrapping any certs error).
func Verify(token []byte, trust *certs.TrustList, now time.Time) (*Token, error) {
	return verify(token, trust, now, DefaultSkew)
}

func verify(token []byte, trust *certs.TrustList, now time.Time, skew time.Duration) (*Token, error) {
	if trust == nil {
		return nil, newErr(ErrInvalidList, nil, "no trust list")
	}
	j, err := parseCompact(token)
	if err != nil {
		return nil, err
	}
	if j.header.Alg != algES256 {
		return nil, newErr(ErrInvalidList, nil, "alg %q not allowed (want ES256)", j.header.Alg)
	}
	if !isStatusListTyp(j.header.Typ) {
		return nil, newErr(ErrInvalidList, nil, "typ %q, want %s", j.header.Typ, TokenType)
	}
	if len(j.header.Crit) > 0 {
		return nil, newErr(ErrInvalidList, nil, "unsupported crit %q", j.header.Crit)
	}
	if len(j.header.X5C) == 0 {
		return nil, newErr(ErrInvalidList, nil, "no x5c header")
	}
	leaf, err := trust.VerifyX5C(certs.PurposeStatusList, certs.ScopeAny, j.header.X5C, now)
	if err != nil {
		return nil, newErr(ErrInvalidList, err, "signing chain")
	}
	if err := j.verifyES256(leaf.PublicKey); err != nil {
		return nil, err
	}
	var c claims
	if err := strictUnmarshal(j.payload, &c); err != nil {
		return nil, newErr(ErrInvalidList, err, "claims JSON")
	}
	if c.Sub == "" || c.Iat == nil || c.StatusList == nil {
		return nil, newErr(ErrInvalidList, nil, "missing sub, iat or status_list")
	}
	tok := &Token{Subject: c.Sub}
	if tok.IssuedAt, err = numericDate(c.Iat); err != nil {
		return nil, newErr(ErrInvalidList, err, "iat")
	}
	if tok.IssuedAt.After(now.Add(skew)) {
		return nil, newErr(ErrInvalidList, nil, "issued in the future (iat %s)", tok.IssuedAt.UTC().Format(time.RFC3339))
	}
	if c.Exp != nil {
		if tok.ExpiresAt, err = numericDate(c.Exp); err != nil {
			return nil, newErr(ErrInvalidList, err, "exp")
		}
		if !now.Add(-skew).Before(tok.ExpiresAt) {
			return nil, newErr(ErrInvalidList, nil, "expired at %s", tok.ExpiresAt.UTC().Format(time.RFC3339))
		}
	}
	if c.TTL != nil {
		// Bounded to ten years so the Duration cannot overflow.
		if ttl := *c.TTL; ttl != math.Trunc(ttl) || ttl <= 0 || ttl > 10*365*24*3600 {
			return nil, newErr(ErrInvalidList, nil, "ttl %v must be a positive integer of seconds", ttl)
		}
		tok.TTL = time.Duration(*c.TTL) * time.Second
	}
	if tok.List, err = Decode(c.StatusList.Bits, c.StatusList.Lst, MaxEntries); err != nil {
		return nil, newErr(ErrInvalidList, err, "status_list")
	}
	return tok, nil
}

// isStatusListTyp accepts "statuslist+jwt" and, per RFC 7515 §4.1.9, its full media type form,
// case-insensitively.
func isStatusListTyp(typ string) bool {
	t := strings.ToLower(typ)
	return t == TokenType || t == MediaType
}

// numericDate parses a JWT NumericDate (RFC 7519 §2: seconds, possibly fractional).
func numericDate(n *float64) (time.Time, error) {
	f := *n
	if math.IsNaN(f) || f < 0 || f > 1e11 {
		return time.Time{}, newErr(ErrInvalidList, nil, "bad NumericDate %v", f)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}

// mediaTypeIs reports whether a Content-Type header names the status list token media type.
func mediaTypeIs(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && strings.EqualFold(mt, MediaType)
}
