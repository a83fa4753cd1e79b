package gate

import (
	"errors"
	"fmt"
)

// EnrolBatchRequest is the body of POST /v1/flights/{flight}/{date}/enrol-batch:
// {"items":[{"presentation"|"mdoc"+"nonce","bcbp"[,"departure"]}, ...]}, 1..MaxEnrolBatch items, each an
// EnrolRequest.
type EnrolBatchRequest struct {
	Items []*EnrolRequest `json:"items"`
}

// DecodeEnrolBatch strictly decodes and bounds an enrol-batch body, front to back, without
// an intermediate tree. The shell must be exactly one object with exactly one member,
// "items", whose value is an array of 1..MaxEnrolBatch objects; each object is delimited
// (flatObjectEnd) and then decoded and bounded exactly as DecodeEnrolRequest decodes a single
// enrolment (flat, strings only, no duplicates, no nulls, exact names). Any failure
// rejects the whole body (no item is decided, so no check-in nonce is consumed) with an
// *Error of Code malformed_request that names the item's index, never its contents.
func DecodeEnrolBatch(body []byte) (*EnrolBatchRequest, error) {
	if len(body) > MaxBodyBytes {
		return nil, errorf(ReasonMalformedRequest, "body larger than %d bytes", MaxBodyBytes)
	}
	bad := func(what string) (*EnrolBatchRequest, error) {
		return nil, errorf(ReasonMalformedRequest, "body is not {\"items\":[...]}: %s", what)
	}
	i := skipJSONSpace(body, 0)
	for _, tok := range []string{`{`, `"items"`, `:`, `[`} {
		if !hasAt(body, i, tok) {
			return bad("expected " + tok)
		}
		i = skipJSONSpace(body, i+len(tok))
	}
	if hasAt(body, i, "]") {
		return nil, errorf(ReasonMalformedRequest, "items: at least one")
	}
	r := &EnrolBatchRequest{}
	for {
		if len(r.Items) == MaxEnrolBatch {
			return nil, errorf(ReasonMalformedRequest, "items: at most %d", MaxEnrolBatch)
		}
		end, ok := flatObjectEnd(body, i)
		if !ok {
			return bad(fmt.Sprintf("items[%d] is not a flat object", len(r.Items)))
		}
		item, err := DecodeEnrolRequest(body[i:end])
		if err != nil {
			return nil, errorf(ReasonMalformedRequest, "items[%d]: %s", len(r.Items), errMsg(err))
		}
		r.Items = append(r.Items, item)
		i = skipJSONSpace(body, end)
		if hasAt(body, i, ",") {
			i = skipJSONSpace(body, i+1)
			continue
		}
		if hasAt(body, i, "]") {
			break
		}
		return bad("expected ',' or ']'")
	}
	i = skipJSONSpace(body, i+1)
	if !hasAt(body, i, "}") {
		return bad("expected }")
	}
	if skipJSONSpace(body, i+1) != len(body) {
		return bad("data after the object")
	}
	return r, nil
}

// flatObjectEnd returns the index just past the flat object that starts at body[i]: the first
// '}' outside a string. It only delimits the object (DecodeEnrolRequest then decodes it
// strictly); a nested object or array, or a missing end, is not a flat object.
func flatObjectEnd(body []byte, i int) (int, bool) {
	if !hasAt(body, i, "{") {
		return 0, false
	}
	inString := false
	for j := i + 1; j < len(body); j++ {
		c := body[j]
		switch {
		case inString && c == '\\':
			j++ // the escaped byte cannot end the string
		case c == '"':
			inString = !inString
		case inString:
		case c == '}':
			return j + 1, true
		case c == '{' || c == '[':
			return 0, false
		}
	}
	return 0, false
}

// skipJSONSpace skips RFC 8259 whitespace from i.
func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func hasAt(b []byte, i int, tok string) bool {
	return i <= len(b) && len(b)-i >= len(tok) && string(b[i:i+len(tok)]) == tok
}

// errMsg returns the message of a gate *Error (without its code), or "invalid".
func errMsg(err error) string {
	var ge *Error
	if errors.As(err, &ge) {
		return ge.Msg
	}
	return "invalid"
}
