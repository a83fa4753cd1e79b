// Package jsonscantest derives, from a valid JSON request body, the bodies every API's strict
// decoder must refuse, so each service's tests run the same table over its endpoints.
package jsonscantest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// Case is one hostile body. Unknown marks the body whose only fault is an unknown member (an
// endpoint that must ignore unknown parameters accepts it).
type Case struct {
	Name    string
	Body    []byte
	Unknown bool
}

// Hostile returns, for a valid body that is a non-empty JSON object: its first member
// repeated with the same value, the first member's name in upper case, an unknown member
// added, and data after the object.
func Hostile(t testing.TB, valid string) []Case {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(valid))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("jsonscantest: %q is not an object", valid)
	}
	tok, err := dec.Token()
	name, ok := tok.(string)
	if err != nil || !ok {
		t.Fatalf("jsonscantest: %q has no first member", valid)
	}
	var first json.RawMessage
	if err := dec.Decode(&first); err != nil {
		t.Fatal(err)
	}
	open := strings.IndexByte(valid, '{') + 1
	key, _ := json.Marshal(name)
	rest := valid[open:]
	upper := bytes.ToUpper(key)
	if bytes.Equal(upper, key) {
		upper = bytes.ToLower(key)
	}
	return []Case{
		{Name: "duplicate " + name, Body: []byte(valid[:open] + string(key) + ":" + string(first) + "," + rest)},
		{Name: "wrong-case " + name, Body: []byte(valid[:open] + strings.Replace(rest, string(key), string(upper), 1))},
		{Name: "unknown member", Body: []byte(valid[:open] + `"zz_unknown":1,` + rest), Unknown: true},
		{Name: "trailing object", Body: []byte(valid + `{}`)},
		{Name: "trailing brace", Body: []byte(valid + `}`)},
	}
}
