package mdoc

import (
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// Claims returns the disclosed elements as namespace -> element identifier -> JSONValue, the
// claim tree DCQL paths [namespace, element] select in and relying parties read.
func (v *Verified) Claims() map[string]any {
	out := map[string]any{}
	for _, e := range v.Elements {
		ns, ok := out[e.Namespace].(map[string]any)
		if !ok {
			ns = map[string]any{}
			out[e.Namespace] = ns
		}
		ns[e.Identifier] = JSONValue(e.Value)
	}
	return out
}

// JSONValue turns a decoded element value into JSON types: byte strings (the portrait) become
// standard base64 (RFC 4648 §4) text, full-date its "YYYY-MM-DD" text, tdate RFC 3339 text in
// UTC, maps map[string]any (non-text keys written in decimal or as text), other tags their
// content, and non-finite floats their name, so every value marshals.
func JSONValue(v any) any {
	switch x := v.(type) {
	case nil, bool, string, int64, uint64, int, *big.Int:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
		return x
	case float32:
		return JSONValue(float64(x))
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case cbor.ByteString:
		return base64.StdEncoding.EncodeToString([]byte(x))
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case cbor.Tag:
		return JSONValue(x.Content)
	case big.Int:
		return x.String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = JSONValue(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[jsonKey(k)] = JSONValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = JSONValue(e)
		}
		return out
	case cbor.SimpleValue:
		return uint64(x)
	}
	return fmt.Sprint(v)
}

func jsonKey(k any) string {
	switch x := k.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case cbor.ByteString:
		return base64.StdEncoding.EncodeToString([]byte(x))
	}
	return fmt.Sprint(k)
}
