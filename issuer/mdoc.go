package issuer

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/mdoc"
)

// MdocMDL is the OpenID4VCI configuration of the mDL as an ISO/IEC 18013-5 mdoc (format
// mso_mdoc): the driving licence's enrolment attributes, signed by Config.DocumentSigner.
const MdocMDL credential.Type = storage.CredentialTypeMDLMdoc

// FormatMdoc is the OpenID4VCI format identifier of an mdoc.
const FormatMdoc = "mso_mdoc"

// MaxMdocPortraitBytes bounds the portrait an mdoc carries, so the IssuerSigned and a
// DeviceResponse disclosing it stay well within mdoc.MaxResponseBytes.
const MaxMdocPortraitBytes = 512 << 10

// coseES256 is the COSE algorithm identifier of ES256 (RFC 9053), the
// credential_signing_alg_values_supported of an mso_mdoc configuration (OpenID4VCI 1.0 A.2.2).
const coseES256 = -7

// mdocText, mdocFullDates and mdocUints are the driving licence attributes that become
// org.iso.18013.5.1 elements of the same name (ISO/IEC 18013-5 Table 5), by CBOR type.
// photo_ref is no mDL element; face_template goes into mdoc.NamespaceIDGate.
var (
	mdocText = []string{"family_name", "given_name", "issuing_country", "issuing_authority", "document_number",
		"un_distinguishing_sign", "administrative_number", "eye_colour", "hair_colour", "birth_place",
		"resident_address", "resident_city", "resident_postal_code", "resident_country", "nationality",
		"issuing_jurisdiction"}
	mdocFullDates = []string{"birth_date", "issue_date", "expiry_date"}
	mdocUints     = []string{"sex", "height", "weight"}
	// mdocRequired are Table 5's mandatory elements the SD-JWT licence leaves optional.
	mdocRequired = []string{"issue_date", "expiry_date", "un_distinguishing_sign"}
	eyeColours   = []string{"black", "blue", "brown", "dichromatic", "grey", "green", "hazel", "maroon", "pink", "unknown"}
	hairColours  = []string{"bald", "black", "blond", "brown", "grey", "red", "auburn", "sandy", "white", "unknown"}
)

// mdocAttribute reports whether enrolment attribute k becomes an element of the mdoc.
func mdocAttribute(k string) bool {
	return slices.Contains(mdocText, k) || slices.Contains(mdocFullDates, k) || slices.Contains(mdocUints, k) ||
		k == "driving_privileges" || k == "portrait_capture_date" || k == credential.FaceTemplateClaim
}

// offered reports whether configuration t is issued here.
func (s *Service) offered(t credential.Type) bool {
	if t == MdocMDL {
		return s.cfg.DocumentSigner != nil
	}
	_, ok := s.cfg.Signers[t]
	return ok
}

// mdocClaims validates the holder's attributes as the mdoc licence's: the driving licence's
// rules (credential.SubjectClaims) plus what Table 5 and the Document Signer demand. Errors
// name the field. It returns the licence's claims at `at`.
func (s *Service) mdocClaims(attrs map[string]any, at time.Time) (map[string]any, error) {
	sel := map[string]any{}
	for k, v := range credential.Select(credential.DrivingLicence, attrs) {
		if mdocAttribute(k) {
			sel[k] = v
		}
	}
	claims, err := credential.SubjectClaims(credential.DrivingLicence, sel, at)
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) (map[string]any, error) {
		return nil, errf(CodeInvalidRequest, format, args...)
	}
	for _, k := range mdocRequired {
		if v, _ := claims[k].(string); v == "" {
			return bad("%s: required for %s", k, MdocMDL)
		}
	}
	// ISO/IEC 18013-5 Annex B: issuing_country is the Document Signer certificate's C.
	if c := s.cfg.DocumentSigner.Chain()[0].Subject.Country[0]; claims["issuing_country"] != c {
		return bad("issuing_country: must be %s, the country of this issuer's Document Signer certificate", c)
	}
	if v, ok := claims["eye_colour"].(string); ok && !slices.Contains(eyeColours, v) {
		return bad("eye_colour: want one of %s", strings.Join(eyeColours, ", "))
	}
	if v, ok := claims["hair_colour"].(string); ok && !slices.Contains(hairColours, v) {
		return bad("hair_colour: want one of %s", strings.Join(hairColours, ", "))
	}
	if v, ok := claims["issuing_jurisdiction"].(string); ok && !strings.HasPrefix(v, fmt.Sprint(claims["issuing_country"])+"-") {
		return bad("issuing_jurisdiction: want an ISO 3166-2 code of issuing_country (%s-...)", claims["issuing_country"])
	}
	return claims, nil
}

// checkMdocPortrait refuses a portrait the mdoc cannot carry: Table 5 wants JPEG (or JPEG
// 2000, which idgate's face enrolment does not read).
func checkMdocPortrait(portrait []byte) error {
	switch {
	case len(portrait) == 0:
		return errf(CodeInvalidRequest, "portrait: required for %s", MdocMDL)
	case len(portrait) > MaxMdocPortraitBytes:
		return errf(CodeInvalidRequest, "portrait: %d bytes, at most %d for %s", len(portrait), MaxMdocPortraitBytes, MdocMDL)
	case len(portrait) < 4 || portrait[0] != 0xff || portrait[1] != 0xd8 || portrait[2] != 0xff:
		return errf(CodeInvalidRequest, "portrait: %s needs a JPEG", MdocMDL)
	}
	return nil
}

// mdocNameSpaces maps the licence's claims and portrait onto mdoc elements with their CBOR
// types: tstr, full-date, uint, bstr (portrait), tdate (portrait_capture_date), the
// driving_privileges array of maps, age_over_NN, age_in_years and age_birth_year at `at`,
// and the sealed face template in idgate's namespace.
func mdocNameSpaces(claims map[string]any, portrait []byte, at time.Time) (map[string]map[string]any, error) {
	mdl := map[string]any{"portrait": portrait}
	for k, v := range claims {
		var err error
		switch {
		case slices.Contains(mdocText, k):
			mdl[k], err = textOf(k, v)
		case slices.Contains(mdocFullDates, k):
			mdl[k], err = fullDateOf(k, v)
		case slices.Contains(mdocUints, k), k == "age_birth_year":
			mdl[k], err = uintOf(k, v)
		case k == "portrait_capture_date":
			var d mdoc.FullDate
			if d, err = fullDateOf(k, v); err == nil {
				t, _ := time.Parse(time.DateOnly, string(d))
				mdl[k] = mdoc.TDate(t)
			}
		case k == "driving_privileges":
			mdl[k], err = mdocPrivileges(v)
		case strings.HasPrefix(k, "age_over_"):
			b, ok := v.(bool)
			if !ok {
				err = errf(CodeInvalidRequest, "%s: want a boolean", k)
			}
			mdl[k] = b
		}
		if err != nil {
			return nil, err
		}
	}
	bd, err := fullDateOf("birth_date", claims["birth_date"])
	if err != nil {
		return nil, err
	}
	birth, _ := time.Parse(time.DateOnly, string(bd))
	age := at.Year() - birth.Year()
	if at.Month() < birth.Month() || (at.Month() == birth.Month() && at.Day() < birth.Day()) {
		age--
	}
	if age < 0 {
		return nil, errf(CodeInvalidRequest, "birth_date: after the issuance date")
	}
	mdl["age_in_years"] = uint64(age)
	ns := map[string]map[string]any{mdoc.NamespaceMDL: mdl}
	if ft, ok := claims[credential.FaceTemplateClaim].(string); ok {
		ns[mdoc.NamespaceIDGate] = map[string]any{mdoc.ElementFaceTemplate: ft}
	}
	return ns, nil
}

func textOf(k string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", errf(CodeInvalidRequest, "%s: want a string", k)
	}
	return s, nil
}

func fullDateOf(k string, v any) (mdoc.FullDate, error) {
	s, ok := v.(string)
	if _, err := time.Parse(time.DateOnly, s); !ok || err != nil {
		return "", errf(CodeInvalidRequest, "%s: want a YYYY-MM-DD calendar date", k)
	}
	return mdoc.FullDate(s), nil
}

func uintOf(k string, v any) (uint64, error) {
	switch n := v.(type) {
	case float64:
		if n >= 0 && n == float64(uint64(n)) {
			return uint64(n), nil
		}
	case int:
		if n >= 0 {
			return uint64(n), nil
		}
	}
	return 0, errf(CodeInvalidRequest, "%s: want a non-negative integer", k)
}

// mdocPrivileges converts checked driving_privileges (credential's checkPrivileges) to
// Table 5's array of maps, dates as full-date.
func mdocPrivileges(v any) ([]any, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, errf(CodeInvalidRequest, "driving_privileges: want an array")
	}
	out := make([]any, len(list))
	for i, p := range list {
		m, ok := p.(map[string]any)
		if !ok {
			return nil, errf(CodeInvalidRequest, "driving_privileges[%d]: want an object", i)
		}
		dp := map[string]any{}
		for k, val := range m {
			path := fmt.Sprintf("driving_privileges[%d].%s", i, k)
			var err error
			switch k {
			case "vehicle_category_code":
				dp[k], err = textOf(path, val)
			case "issue_date", "expiry_date":
				dp[k], err = fullDateOf(path, val)
			case "codes":
				dp[k], err = mdocCodes(path, val)
			default:
				err = errf(CodeInvalidRequest, "%s: not a driving privilege field", path)
			}
			if err != nil {
				return nil, err
			}
		}
		out[i] = dp
	}
	return out, nil
}

func mdocCodes(path string, v any) ([]any, error) {
	codes, ok := v.([]any)
	if !ok {
		return nil, errf(CodeInvalidRequest, "%s: want an array", path)
	}
	out := make([]any, len(codes))
	for j, c := range codes {
		cm, ok := c.(map[string]any)
		if !ok {
			return nil, errf(CodeInvalidRequest, "%s[%d]: want an object", path, j)
		}
		code := map[string]any{}
		for ck, cv := range cm {
			s, err := textOf(fmt.Sprintf("%s[%d].%s", path, j, ck), cv)
			if err != nil {
				return nil, err
			}
			code[ck] = s
		}
		out[j] = code
	}
	return out, nil
}

// checkMdocEnrolment is Enrol's check of a holder enrolled for MdocMDL: everything the mdoc
// needs is there and of its type, so issuing it later cannot fail on the holder's data.
func (s *Service) checkMdocEnrolment(attrs map[string]any, portrait []byte, now time.Time) error {
	if err := checkMdocPortrait(portrait); err != nil {
		return err
	}
	claims, err := s.mdocClaims(attrs, now)
	if err != nil {
		return err
	}
	_, err = mdocNameSpaces(claims, portrait, now)
	return err
}

// mdocDeviceKey is the P-256 key an mdoc binds to (its COSE_Key), from the proof's jwk.
func mdocDeviceKey(raw any) (*ecdsa.PublicKey, error) {
	pub, ok := raw.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, errf(CodeInvalidProof, "%s binds to a P-256 key: prove possession with ES256", MdocMDL)
	}
	return pub, nil
}

// signMdoc builds and signs the mdoc of a stored credential from the holder's attributes and
// sealed portrait: elements as of its IssuedAt, validity IssuedAt..ExpiresAt, its status list
// slot. It returns the base64url IssuerSigned (OpenID4VCI 1.0 Appendix A.2.4).
func (s *Service) signMdoc(ctx context.Context, holder storage.Holder, rec storage.Credential, list storage.StatusList, pub *ecdsa.PublicKey) (string, error) {
	ds := s.cfg.DocumentSigner
	if ds.Chain()[0].NotAfter.Before(rec.ExpiresAt) {
		return "", unavailable("the Document Signer certificate expires before the credential")
	}
	jpeg, err := s.holderPortrait(ctx, holder.ID, rec.ID, s.cfg.Now())
	if err != nil {
		return "", err
	}
	claims, err := s.mdocClaims(holder.Attributes, rec.IssuedAt)
	if err != nil {
		return "", err
	}
	ns, err := mdocNameSpaces(claims, jpeg, rec.IssuedAt)
	if err != nil {
		return "", err
	}
	is, err := mdoc.Issue(mdoc.IssueInput{
		DocType: mdoc.DocTypeMDL, NameSpaces: ns, DeviceKey: pub,
		Signed: rec.IssuedAt, ValidFrom: rec.IssuedAt, ValidUntil: rec.ExpiresAt,
		Status: &mdoc.StatusListRef{Idx: uint64(rec.StatusIndex), URI: list.URI},
	}, ds)
	if err != nil {
		return "", fmt.Errorf("issuer: sign mdoc: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(is), nil
}

// mdocConfiguration is the mso_mdoc entry of the credential issuer metadata (OpenID4VCI 1.0
// Appendix A.2.2). Its proofs are ES256 only: the proven key becomes the mdoc's P-256 device key.
func (s *Service) mdocConfiguration() map[string]any {
	proofTypes := s.proofTypesSupported(string(MdocMDL)) // ES256 only: proofAlgsFor
	return map[string]any{
		"format":  FormatMdoc,
		"doctype": mdoc.DocTypeMDL,
		"scope":   string(MdocMDL),
		"cryptographic_binding_methods_supported": []string{"cose_key"},
		"credential_signing_alg_values_supported": []int{coseES256},
		"proof_types_supported":                   proofTypes,
		"credential_metadata":                     map[string]any{"display": []map[string]any{{"name": "Mobile Driving Licence (ISO mdoc)", "locale": "en"}}},
	}
}
