package oid4vp

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
)

// Credential formats (OpenID4VP Appendix B).
const (
	FormatSDJWT = "dc+sd-jwt"
	FormatMDoc  = "mso_mdoc"
)

// specFormats are formats OpenID4VP defines that idgate does not present or verify.
var specFormats = map[string]bool{"jwt_vc_json": true, "ldp_vc": true}

// Bounds on a DCQL query: real queries name a handful of credentials and claims.
const (
	MaxQueryBytes     = 64 << 10
	maxCredentials    = 64
	maxClaims         = 128
	maxPathLen        = 16
	maxValues         = 64
	maxSets           = 32
	maxOptions        = 32
	maxIDLen          = 128
	maxAuthorities    = 16
	maxMetaValues     = 32
	maxStringValueLen = 1024
)

// idPattern is the syntax of Credential Query, claim and Credential Set ids (§6.1, §6.3).
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func validID(s string) bool { return len(s) <= maxIDLen && idPattern.MatchString(s) }

// Query is a DCQL query (§6).
type Query struct {
	Credentials    []CredentialQuery `json:"credentials"`
	CredentialSets []CredentialSet   `json:"credential_sets,omitempty"`
}

// CredentialQuery asks for one credential (§6.1).
type CredentialQuery struct {
	ID                                string             `json:"id"`
	Format                            string             `json:"format"`
	Multiple                          bool               `json:"multiple,omitempty"`
	Meta                              Meta               `json:"meta"`
	TrustedAuthorities                []TrustedAuthority `json:"trusted_authorities,omitempty"`
	RequireCryptographicHolderBinding *bool              `json:"require_cryptographic_holder_binding,omitempty"`
	Claims                            []ClaimQuery       `json:"claims,omitempty"`
	ClaimSets                         [][]string         `json:"claim_sets,omitempty"`
}

// HolderBindingRequired is require_cryptographic_holder_binding with its default, true.
func (c *CredentialQuery) HolderBindingRequired() bool {
	return c.RequireCryptographicHolderBinding == nil || *c.RequireCryptographicHolderBinding
}

// Meta holds the format-specific constraints (B.2.3 mdoc, B.3.5 SD-JWT VC).
type Meta struct {
	VCTValues    []string `json:"vct_values,omitempty"`
	DoctypeValue string   `json:"doctype_value,omitempty"`
}

// TrustedAuthority restricts the issuers a credential may come from (§6.1.1).
type TrustedAuthority struct {
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

// ClaimQuery asks for one claim (§6.3). Values hold strings, int64 and bools.
type ClaimQuery struct {
	ID             string    `json:"id,omitempty"`
	Path           ClaimPath `json:"path"`
	Values         []any     `json:"values,omitempty"`
	IntentToRetain *bool     `json:"intent_to_retain,omitempty"`
}

// CredentialSet says which combinations of credentials satisfy the query (§6.2).
type CredentialSet struct {
	Options  [][]string `json:"options"`
	Required *bool      `json:"required,omitempty"`
}

// IsRequired is required with its default, true.
func (s *CredentialSet) IsRequired() bool { return s.Required == nil || *s.Required }

// Credential returns the credential query with id, or nil.
func (q *Query) Credential(id string) *CredentialQuery {
	for i := range q.Credentials {
		if q.Credentials[i].ID == id {
			return &q.Credentials[i]
		}
	}
	return nil
}

// RequiresState reports whether a request carrying q must carry state (§5.3): some query
// waives holder binding, so the nonce alone does not tie the response to the request.
func (q *Query) RequiresState() bool {
	for i := range q.Credentials {
		if !q.Credentials[i].HolderBindingRequired() {
			return true
		}
	}
	return false
}

// MarshalJSON writes the query in its canonical form (unknown properties dropped).
func (q *Query) MarshalJSON() ([]byte, error) {
	type plain Query
	return json.Marshal((*plain)(q))
}

// UnmarshalJSON parses with ParseQuery's validation, so a Query embedded in a Request Object
// is checked like one received alone.
func (q *Query) UnmarshalJSON(b []byte) error {
	p, err := ParseQuery(b)
	if err != nil {
		return err
	}
	*q = *p
	return nil
}

// ParseQuery decodes and validates a DCQL query. Unknown properties are ignored (§6); every
// known one is checked for type, presence and consistency, and any violation is an *Error
// with code invalid_request (vp_formats_not_supported for a format idgate does not handle).
func ParseQuery(b []byte) (*Query, error) {
	if len(b) > MaxQueryBytes {
		return nil, qerr("query larger than %d bytes", MaxQueryBytes)
	}
	top, err := object(b, "dcql_query")
	if err != nil {
		return nil, err
	}
	q := &Query{}
	rawCreds, ok := top["credentials"]
	if !ok {
		return nil, qerr("credentials is required")
	}
	creds, err := array(rawCreds, "credentials", maxCredentials)
	if err != nil {
		return nil, err
	}
	if len(creds) == 0 {
		return nil, qerr("credentials is empty")
	}
	ids := map[string]bool{}
	for i, rc := range creds {
		cq, err := parseCredentialQuery(rc, i)
		if err != nil {
			return nil, err
		}
		if ids[cq.ID] {
			return nil, qerr("credentials[%d]: duplicate id", i)
		}
		ids[cq.ID] = true
		q.Credentials = append(q.Credentials, *cq)
	}
	if raw, ok := top["credential_sets"]; ok {
		sets, err := array(raw, "credential_sets", maxSets)
		if err != nil {
			return nil, err
		}
		if len(sets) == 0 {
			return nil, qerr("credential_sets is empty")
		}
		for i, rs := range sets {
			cs, err := parseCredentialSet(rs, i, ids)
			if err != nil {
				return nil, err
			}
			q.CredentialSets = append(q.CredentialSets, *cs)
		}
	}
	return q, nil
}

func parseCredentialQuery(b json.RawMessage, i int) (*CredentialQuery, error) {
	where := func(f string) string { return "credentials[" + strconv.Itoa(i) + "]." + f }
	m, err := object(b, where(""))
	if err != nil {
		return nil, err
	}
	cq := &CredentialQuery{}
	if cq.ID, err = reqString(m, "id", where("id")); err != nil {
		return nil, err
	}
	if !validID(cq.ID) {
		return nil, qerr("%s has characters outside [A-Za-z0-9_-]", where("id"))
	}
	if cq.Format, err = reqString(m, "format", where("format")); err != nil {
		return nil, err
	}
	switch {
	case cq.Format == FormatSDJWT || cq.Format == FormatMDoc:
	case specFormats[cq.Format]:
		return nil, errorf(VPFormatsNotSupported, ReasonMalformedQuery, "%s %q is not supported", where("format"), cq.Format)
	default:
		return nil, qerr("%s is not a known credential format", where("format"))
	}
	if raw, ok := m["multiple"]; ok {
		if cq.Multiple, err = boolean(raw, where("multiple")); err != nil {
			return nil, err
		}
	}
	if raw, ok := m["require_cryptographic_holder_binding"]; ok {
		v, err := boolean(raw, where("require_cryptographic_holder_binding"))
		if err != nil {
			return nil, err
		}
		cq.RequireCryptographicHolderBinding = &v
	}
	rawMeta, ok := m["meta"]
	if !ok {
		return nil, qerr("%s is required", where("meta"))
	}
	if cq.Meta, err = parseMeta(rawMeta, cq.Format, where("meta")); err != nil {
		return nil, err
	}
	if raw, ok := m["trusted_authorities"]; ok {
		if cq.TrustedAuthorities, err = parseAuthorities(raw, where("trusted_authorities")); err != nil {
			return nil, err
		}
	}
	claimIDs := map[string]bool{}
	if raw, ok := m["claims"]; ok {
		items, err := array(raw, where("claims"), maxClaims)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return nil, qerr("%s is empty", where("claims"))
		}
		for j, rc := range items {
			c, err := parseClaim(rc, cq.Format, where("claims["+strconv.Itoa(j)+"]"))
			if err != nil {
				return nil, err
			}
			if c.ID != "" {
				if claimIDs[c.ID] {
					return nil, qerr("%s: duplicate claim id", where("claims["+strconv.Itoa(j)+"]"))
				}
				claimIDs[c.ID] = true
			}
			cq.Claims = append(cq.Claims, *c)
		}
	}
	if raw, ok := m["claim_sets"]; ok {
		if len(cq.Claims) == 0 {
			return nil, qerr("%s needs claims", where("claim_sets"))
		}
		for _, c := range cq.Claims {
			if c.ID == "" {
				return nil, qerr("%s: every claim needs an id when claim_sets is present", where("claims"))
			}
		}
		sets, err := array(raw, where("claim_sets"), maxOptions)
		if err != nil {
			return nil, err
		}
		if len(sets) == 0 {
			return nil, qerr("%s is empty", where("claim_sets"))
		}
		for j, rs := range sets {
			ids, err := idList(rs, where("claim_sets["+strconv.Itoa(j)+"]"), claimIDs)
			if err != nil {
				return nil, err
			}
			cq.ClaimSets = append(cq.ClaimSets, ids)
		}
	}
	return cq, nil
}

func parseMeta(b json.RawMessage, format, where string) (Meta, error) {
	m, err := object(b, where)
	if err != nil {
		return Meta{}, err
	}
	var meta Meta
	switch format {
	case FormatSDJWT:
		raw, ok := m["vct_values"]
		if !ok {
			return meta, qerr("%s.vct_values is required for %s", where, format)
		}
		if meta.VCTValues, err = stringList(raw, where+".vct_values", maxMetaValues); err != nil {
			return meta, err
		}
	case FormatMDoc:
		if meta.DoctypeValue, err = reqString(m, "doctype_value", where+".doctype_value"); err != nil {
			return meta, err
		}
	}
	return meta, nil
}

func parseAuthorities(b json.RawMessage, where string) ([]TrustedAuthority, error) {
	items, err := array(b, where, maxAuthorities)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, qerr("%s is empty", where)
	}
	out := make([]TrustedAuthority, 0, len(items))
	for i, ri := range items {
		w := where + "[" + strconv.Itoa(i) + "]"
		m, err := object(ri, w)
		if err != nil {
			return nil, err
		}
		var ta TrustedAuthority
		if ta.Type, err = reqString(m, "type", w+".type"); err != nil {
			return nil, err
		}
		raw, ok := m["values"]
		if !ok {
			return nil, qerr("%s.values is required", w)
		}
		if ta.Values, err = stringList(raw, w+".values", maxMetaValues); err != nil {
			return nil, err
		}
		out = append(out, ta)
	}
	return out, nil
}

func parseClaim(b json.RawMessage, format, where string) (*ClaimQuery, error) {
	m, err := object(b, where)
	if err != nil {
		return nil, err
	}
	c := &ClaimQuery{}
	if raw, ok := m["id"]; ok {
		if c.ID, err = str(raw, where+".id"); err != nil {
			return nil, err
		}
		if !validID(c.ID) {
			return nil, qerr("%s.id has characters outside [A-Za-z0-9_-]", where)
		}
	}
	raw, ok := m["path"]
	if !ok {
		return nil, qerr("%s.path is required", where)
	}
	if c.Path, err = parsePath(raw, where+".path"); err != nil {
		return nil, err
	}
	if format == FormatMDoc && !c.Path.isMDoc() {
		return nil, qerr("%s.path must be [namespace, element identifier] for mso_mdoc", where)
	}
	if raw, ok := m["values"]; ok {
		if c.Values, err = parseValues(raw, where+".values"); err != nil {
			return nil, err
		}
	}
	if raw, ok := m["intent_to_retain"]; ok {
		if format != FormatMDoc {
			return nil, qerr("%s.intent_to_retain is defined for mso_mdoc only", where)
		}
		v, err := boolean(raw, where+".intent_to_retain")
		if err != nil {
			return nil, err
		}
		c.IntentToRetain = &v
	}
	return c, nil
}

func parseCredentialSet(b json.RawMessage, i int, ids map[string]bool) (*CredentialSet, error) {
	where := "credential_sets[" + strconv.Itoa(i) + "]"
	m, err := object(b, where)
	if err != nil {
		return nil, err
	}
	cs := &CredentialSet{}
	raw, ok := m["options"]
	if !ok {
		return nil, qerr("%s.options is required", where)
	}
	opts, err := array(raw, where+".options", maxOptions)
	if err != nil {
		return nil, err
	}
	if len(opts) == 0 {
		return nil, qerr("%s.options is empty", where)
	}
	for j, ro := range opts {
		list, err := idList(ro, where+".options["+strconv.Itoa(j)+"]", ids)
		if err != nil {
			return nil, err
		}
		cs.Options = append(cs.Options, list)
	}
	if raw, ok := m["required"]; ok {
		v, err := boolean(raw, where+".required")
		if err != nil {
			return nil, err
		}
		cs.Required = &v
	}
	return cs, nil
}

// idList is a non-empty array of ids, each defined in known.
func idList(b json.RawMessage, where string, known map[string]bool) ([]string, error) {
	list, err := stringList(b, where, maxCredentials)
	if err != nil {
		return nil, err
	}
	for _, id := range list {
		if !known[id] {
			return nil, qerr("%s names an undefined id", where)
		}
	}
	return list, nil
}

func parseValues(b json.RawMessage, where string) ([]any, error) {
	items, err := array(b, where, maxValues)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, qerr("%s is empty", where)
	}
	out := make([]any, 0, len(items))
	for i, ri := range items {
		v, err := scalar(ri)
		if err != nil {
			return nil, qerr("%s[%d] must be a string, integer or boolean", where, i)
		}
		out = append(out, v)
	}
	return out, nil
}

func qerr(format string, args ...any) *Error {
	return errorf(InvalidRequest, ReasonMalformedQuery, format, args...)
}

// JSON helpers: each takes one raw member and enforces its type; null is never a value.

func object(b json.RawMessage, where string) (map[string]json.RawMessage, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, qerr("%s must be an object", where)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, wrapf(InvalidRequest, ReasonMalformedQuery, err, "%s", where)
	}
	return m, nil
}

func array(b json.RawMessage, where string, max int) ([]json.RawMessage, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '[' {
		return nil, qerr("%s must be an array", where)
	}
	var a []json.RawMessage
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, wrapf(InvalidRequest, ReasonMalformedQuery, err, "%s", where)
	}
	if len(a) > max {
		return nil, qerr("%s has %d entries, max %d", where, len(a), max)
	}
	return a, nil
}

func str(b json.RawMessage, where string) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '"' {
		return "", qerr("%s must be a string", where)
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", wrapf(InvalidRequest, ReasonMalformedQuery, err, "%s", where)
	}
	if len(s) > maxStringValueLen {
		return "", qerr("%s longer than %d bytes", where, maxStringValueLen)
	}
	return s, nil
}

func reqString(m map[string]json.RawMessage, key, where string) (string, error) {
	raw, ok := m[key]
	if !ok {
		return "", qerr("%s is required", where)
	}
	s, err := str(raw, where)
	if err == nil && s == "" {
		return "", qerr("%s is empty", where)
	}
	return s, err
}

func boolean(b json.RawMessage, where string) (bool, error) {
	switch string(bytes.TrimSpace(b)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, qerr("%s must be a boolean", where)
}

func stringList(b json.RawMessage, where string, max int) ([]string, error) {
	items, err := array(b, where, max)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, qerr("%s is empty", where)
	}
	out := make([]string, 0, len(items))
	for i, ri := range items {
		s, err := str(ri, where+"["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		if s == "" {
			return nil, qerr("%s[%d] is empty", where, i)
		}
		out = append(out, s)
	}
	return out, nil
}

// scalar decodes a string, integer or boolean; integers become int64.
func scalar(b json.RawMessage) (any, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, qerr("empty value")
	}
	switch b[0] {
	case '"':
		return str(b, "value")
	case 't', 'f':
		return boolean(b, "value")
	}
	var n int64
	if b[0] != '-' && (b[0] < '0' || b[0] > '9') || bytes.ContainsAny(b, ".eE") {
		return nil, qerr("not an integer")
	}
	if err := json.Unmarshal(b, &n); err != nil {
		return nil, qerr("not an integer")
	}
	return n, nil
}
