package jsonscan

import (
	"encoding/json"
	"testing"
)

// FuzzFlatObject is differential: whatever FlatObject accepts without duplicate names,
// encoding/json accepts as a map of strings with the same members and values.
func FuzzFlatObject(f *testing.F) {
	for _, s := range []string{
		`{}`, ` {"a":"b","c":"d"} `, `{"k":"\"\\\/\b\f\n\r\t"}`, `{"k":"\uD834\uDD1E"}`, `{"k":"\u005C"}`,
		`{"k":"\uD834"}`, `{"k":"€ 𝄞"}`, "{\"k\":\"\xff\"}", `{"k":"0123456789abcdef\"x"}`,
		`{"k":null}`, `{}}`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got := map[string]string{}
		dup := false
		err := FlatObject(body, func(name, _, val []byte) error {
			if _, ok := got[string(name)]; ok {
				dup = true
			}
			got[string(name)] = string(val)
			return nil
		})
		if err != nil || dup {
			return
		}
		var want map[string]any
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("accepted %q, encoding/json rejects: %v", body, err)
		}
		if len(want) != len(got) {
			t.Fatalf("%q: %d members, encoding/json %d", body, len(got), len(want))
		}
		for k, v := range want {
			if s, ok := v.(string); !ok || got[k] != s {
				t.Fatalf("%q: member %q = %q, encoding/json %#v", body, k, got[k], v)
			}
		}
	})
}
