package oid4vp

import (
	"encoding/json"
	"reflect"
	"testing"
)

var payloadSeeds = []string{
	`{"vp_token":{"pid":["eyJ.a.b~d~kb"]},"state":"s"}`,
	`{"state":"s","vp_token":{"a":["x","y"],"b":["z"]}}`,
	` { "vp_token" : { "a" : [ ] } , "error_description" : "é" } `,
	`{"error":"access_denied","error_description":"no"}`,
	`{}`,
	`{"vp_token":{"a":["x"]},"vp_token":{"b":["y"]}}`,
	`{"VP_TOKEN":{"a":["x"]}}`,
	`{"vp_token":{"a":["x\u0041"]}}`,
	`{"state":null}`,
	`{"vp_token":{"a":["x"]},"extra":[1,{"k":true}]}`,
	"{\"state\":\"\xff\"}",
	`{"vp_token":{"a":["x"],"a":["y"]}}`,
}

// TestFastPayloadMatchesEncodingJSON: on every input fastPayload takes, encoding/json agrees.
func TestFastPayloadMatchesEncodingJSON(t *testing.T) {
	fast := 0
	for _, s := range payloadSeeds {
		if checkFastPayload(t, []byte(s)) {
			fast++
		}
	}
	if fast < 5 {
		t.Fatalf("the fast path took only %d of the usual payloads", fast)
	}
}

func checkFastPayload(t *testing.T, b []byte) bool {
	t.Helper()
	got, ok := fastPayload(b)
	if !ok {
		return false
	}
	var want responsePayload
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("%q: fast path accepted what encoding/json refuses: %v", b, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: fast path %+v, encoding/json %+v", b, got, want)
	}
	return true
}

func FuzzFastPayload(f *testing.F) {
	for _, s := range payloadSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkFastPayload(t, b) })
}
