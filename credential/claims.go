package credential

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
)

// Bounds on subject claims. Whatever SubjectClaims accepts within them, Issue signs and a
// verifier processes: values nest far below sdjwt.MaxDepth, the disclosures stay far below
// sdjwt.MaxDisclosures and the token far below sdjwt.MaxTokenBytes.
const (
	MaxStringBytes       = 256       // one text claim or member
	MaxFaceTemplateBytes = 16 << 10  // the sealed template (a compact JWE)
	MaxPrivileges        = 32        // driving_privileges entries (each one a disclosure)
	MaxPrivilegeCodes    = 16        // codes of one privilege
	MaxSubjectBytes      = 128 << 10 // the subject claims as JSON
	MaxClaimDepth        = 4         // driving_privileges[i].codes[j].code
)

// reservedNames are SD-JWT's own names (RFC 9901): the digest arrays _sd, the array-element
// digest key "...", the hash algorithm _sd_alg and the KB-JWT's _sd_hash. SD-JWT syntax inside a
// claim value would be misread by every verifier, so no value may use them as member names at
// any depth.
var reservedNames = map[string]bool{"_sd": true, "...": true, "_sd_alg": true, "_sd_hash": true}

// kind is the JSON shape a subject claim must have.
type kind int

const (
	kindText       kind = iota // a string of at most MaxStringBytes
	kindDate                   // ISO 8601 full-date
	kindCountry                // ISO 3166-1 alpha-2
	kindSex                    // ISO/IEC 5218 code
	kindUint                   // a non-negative integer (height in cm, weight in kg)
	kindPrivileges             // ISO/IEC 18013-5 driving_privileges
	kindFace                   // sealed face template
)

// claimKinds lists every claim whose shape is not kindText.
var claimKinds = map[string]kind{
	"birth_date": kindDate, "issue_date": kindDate, "expiry_date": kindDate, "portrait_capture_date": kindDate,
	"issuing_country": kindCountry, "resident_country": kindCountry, "nationality": kindCountry,
	"sex": kindSex, "height": kindUint, "weight": kindUint,
	"driving_privileges": kindPrivileges, FaceTemplateClaim: kindFace,
}

// checkSubject checks every subject claim of out (names already known to the spec) against its
// shape and the bounds above, naming the offending field in the error.
func checkSubject(out map[string]any) error {
	for k, v := range out {
		if err := checkTree(k, v, 0); err != nil {
			return err
		}
		if err := checkClaim(k, v); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return newError(CodeInvalidRequest, "attributes are not JSON-encodable")
	}
	if len(raw) > MaxSubjectBytes {
		return newError(CodeInvalidRequest, "attributes: %d bytes of claims, at most %d", len(raw), MaxSubjectBytes)
	}
	return nil
}

// checkTree refuses what no claim shape allows, before the shape is checked: SD-JWT's reserved
// names at any depth, nesting beyond MaxClaimDepth, JSON values encoding/json does not produce.
func checkTree(path string, v any, depth int) error {
	if depth > MaxClaimDepth {
		return newError(CodeInvalidRequest, "%s: nested deeper than %d", path, MaxClaimDepth)
	}
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if reservedNames[k] {
				return newError(CodeInvalidRequest, "%s: %q is a reserved SD-JWT name", path, k)
			}
			if err := checkTree(member(path, k), c, depth+1); err != nil {
				return err
			}
		}
	case []any:
		for i, c := range x {
			if err := checkTree(path+"["+strconv.Itoa(i)+"]", c, depth+1); err != nil {
				return err
			}
		}
	case string, bool, nil:
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return newError(CodeInvalidRequest, "%s: not a JSON number", path)
		}
	default:
		return newError(CodeInvalidRequest, "%s: unsupported value type %T", path, v)
	}
	return nil
}

// member names a member of the value at path for an error message: path.name for plain names,
// else the name quoted and cut to 64 characters (names are operator input).
func member(path, name string) string {
	if plainName.MatchString(name) {
		return path + "." + name
	}
	return fmt.Sprintf("%s[%.64q]", path, name)
}

var plainName = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

func checkClaim(k string, v any) error {
	switch claimKinds[k] {
	case kindText:
		return checkText(k, v)
	case kindDate:
		return checkDate(k, v)
	case kindCountry:
		s, ok := v.(string)
		if !ok || !countryRE.MatchString(s) {
			return newError(CodeInvalidRequest, "%s: want an ISO 3166-1 alpha-2 code", k)
		}
	case kindSex:
		if f, ok := v.(float64); !ok || (f != 0 && f != 1 && f != 2 && f != 9) {
			return newError(CodeInvalidRequest, "sex: want an ISO/IEC 5218 code (0, 1, 2, 9)")
		}
	case kindUint:
		if f, ok := v.(float64); !ok || f < 0 || f > 999 || f != math.Trunc(f) {
			return newError(CodeInvalidRequest, "%s: want an integer from 0 to 999", k)
		}
	case kindFace:
		if s, ok := v.(string); !ok || s == "" || len(s) > MaxFaceTemplateBytes {
			return newError(CodeInvalidRequest, "%s: want a sealed template of at most %d bytes", k, MaxFaceTemplateBytes)
		}
	case kindPrivileges:
		return checkPrivileges(v)
	}
	return nil
}

func checkText(path string, v any) error {
	if s, ok := v.(string); !ok || len(s) > MaxStringBytes {
		return newError(CodeInvalidRequest, "%s: want a string of at most %d bytes", path, MaxStringBytes)
	}
	return nil
}

func checkDate(path string, v any) error {
	s, ok := v.(string)
	if !ok || !dateRE.MatchString(s) {
		return newError(CodeInvalidRequest, "%s: want YYYY-MM-DD", path)
	}
	if _, err := parseDate(s); err != nil {
		return newError(CodeInvalidRequest, "%s: not a calendar date", path)
	}
	return nil
}

// checkPrivileges checks ISO/IEC 18013-5 §7.2.4 driving_privileges: a non-empty array of
// {vehicle_category_code, issue_date?, expiry_date?, codes?: [{code, sign?, value?}]} and
// nothing else.
func checkPrivileges(v any) error {
	list, ok := v.([]any)
	if !ok || len(list) == 0 || len(list) > MaxPrivileges {
		return newError(CodeInvalidRequest, "driving_privileges: want an array of 1 to %d entries", MaxPrivileges)
	}
	for i, p := range list {
		path := fmt.Sprintf("driving_privileges[%d]", i)
		m, ok := p.(map[string]any)
		if !ok {
			return newError(CodeInvalidRequest, "%s: want an object", path)
		}
		if c, _ := m["vehicle_category_code"].(string); c == "" {
			return newError(CodeInvalidRequest, "%s: missing vehicle_category_code", path)
		}
		for mk, mv := range m {
			var err error
			switch mk {
			case "vehicle_category_code":
				err = checkText(member(path, mk), mv)
			case "issue_date", "expiry_date":
				err = checkDate(member(path, mk), mv)
			case "codes":
				err = checkCodes(path+".codes", mv)
			default:
				err = newError(CodeInvalidRequest, "%s: not a driving privilege field", member(path, mk))
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func checkCodes(path string, v any) error {
	list, ok := v.([]any)
	if !ok || len(list) > MaxPrivilegeCodes {
		return newError(CodeInvalidRequest, "%s: want an array of at most %d codes", path, MaxPrivilegeCodes)
	}
	for j, c := range list {
		cp := path + "[" + strconv.Itoa(j) + "]"
		m, ok := c.(map[string]any)
		if !ok {
			return newError(CodeInvalidRequest, "%s: want an object", cp)
		}
		if s, _ := m["code"].(string); s == "" {
			return newError(CodeInvalidRequest, "%s: missing code", cp)
		}
		for mk, mv := range m {
			switch mk {
			case "code", "sign", "value":
				if err := checkText(member(cp, mk), mv); err != nil {
					return err
				}
			default:
				return newError(CodeInvalidRequest, "%s: not a driving privilege code field", member(cp, mk))
			}
		}
	}
	return nil
}
