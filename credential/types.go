package credential

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"time"
)

// Type identifies one of the credential configurations the issuer offers (the OpenID4VCI
// credential_configuration_id).
type Type string

const (
	EmployeeID     Type = "employee-id"
	DrivingLicence Type = "mdl"
)

// VCT values (SD-JWT VC "vct") of the two credential types.
const (
	VCTEmployeeID     = "urn:idgate:vct:government-employee-id:1"
	VCTDrivingLicence = "urn:idgate:vct:mdl:1"
)

// FaceTemplateClaim holds the holder's face template sealed to the gate readers' key (a compact
// JWE, see package biometric). It is selectively disclosable in both types.
const FaceTemplateClaim = "face_template"

// AgeThresholds are the age_over_NN claims computed at issuance (ISO/IEC 18013-5 §7.2.5).
var ageThresholds = []int{16, 18, 19, 21, 25, 65}

// Spec describes one credential type: its vct, required and optional subject claims.
type Spec struct {
	Type     Type
	VCT      string
	Name     string
	Required []string
	Optional []string
}

var specs = map[Type]Spec{
	EmployeeID: {
		Type: EmployeeID, VCT: VCTEmployeeID, Name: "Government Employee ID",
		Required: []string{"family_name", "given_name", "birth_date", "employee_number", "organisation"},
		Optional: []string{"department", "position", "grade", "photo_ref", "issuing_country", FaceTemplateClaim},
	},
	DrivingLicence: {
		Type: DrivingLicence, VCT: VCTDrivingLicence, Name: "Mobile Driving Licence",
		Required: []string{"family_name", "given_name", "birth_date", "issuing_country",
			"issuing_authority", "document_number", "driving_privileges"},
		Optional: []string{"issue_date", "expiry_date", "un_distinguishing_sign", "sex", "height",
			"weight", "eye_colour", "hair_colour", "birth_place", "resident_address", "resident_city",
			"resident_postal_code", "resident_country", "nationality", "administrative_number",
			"issuing_jurisdiction", "portrait_capture_date", "photo_ref", FaceTemplateClaim},
	},
}

// Lookup returns the spec of a credential type.
func Lookup(t Type) (Spec, bool) { s, ok := specs[t]; return s, ok }

// LookupVCT returns the spec whose vct is v.
func LookupVCT(v string) (Spec, bool) {
	for _, s := range specs {
		if s.VCT == v {
			return s, true
		}
	}
	return Spec{}, false
}

// Types lists the configured credential types in a stable order.
func Types() []Spec {
	out := make([]Spec, 0, len(specs))
	for _, s := range specs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out
}

var (
	dateRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	countryRE = regexp.MustCompile(`^[A-Z]{2}$`)
)

// SubjectClaims validates enrolment attributes for type t and returns the subject claims to
// sign: only known claims, required ones present, each of its shape within the bounds of
// claims.go (so whatever it accepts, Issue can sign), age_over_NN derived from birth_date at
// `at`. The issuer runs it at enrolment and again at issuance; errors name the field.
func SubjectClaims(t Type, attrs map[string]any, at time.Time) (map[string]any, error) {
	spec, ok := specs[t]
	if !ok {
		return nil, newError(CodeInvalidRequest, "unknown credential type %q", t)
	}
	out := make(map[string]any, len(attrs)+len(ageThresholds))
	for k, v := range attrs {
		if !slices.Contains(spec.Required, k) && !slices.Contains(spec.Optional, k) {
			return nil, newError(CodeInvalidRequest, "%s: unknown claim %.64q", t, k)
		}
		out[k] = normalize(v)
	}
	for _, k := range spec.Required {
		if v, ok := out[k]; !ok || v == nil || v == "" {
			return nil, newError(CodeInvalidRequest, "%s: missing required claim %q", t, k)
		}
	}
	if err := checkSubject(out); err != nil {
		return nil, err
	}
	birth, err := parseDate(out["birth_date"].(string))
	if err != nil {
		return nil, newError(CodeInvalidRequest, "birth_date: %v", err)
	}
	if t == DrivingLicence {
		age := ageAt(birth, at)
		for _, n := range ageThresholds {
			out[fmt.Sprintf("age_over_%d", n)] = age >= n
		}
		out["age_birth_year"] = birth.Year()
	}
	return out, nil
}

func parseDate(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }

func ageAt(birth, at time.Time) int {
	age := at.Year() - birth.Year()
	if at.Month() < birth.Month() || (at.Month() == birth.Month() && at.Day() < birth.Day()) {
		age--
	}
	return age
}

// Select returns the attributes that belong to credential type t (a holder enrolled for both
// types carries the union of their attributes).
func Select(t Type, attrs map[string]any) map[string]any {
	spec, ok := specs[t]
	if !ok {
		return nil
	}
	out := make(map[string]any)
	for k, v := range attrs {
		if slices.Contains(spec.Required, k) || slices.Contains(spec.Optional, k) {
			out[k] = v
		}
	}
	return out
}

// normalize turns the numbers a store or decoder may hand back (json.Number, Go ints) into
// float64, as encoding/json produces, so that validation and signing see one representation.
func normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}
