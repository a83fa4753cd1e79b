package oid4vp_test

import (
	"fmt"

	"github.com/idgate/idgate/oid4vp"
)

// A wallet evaluates a verifier's DCQL query against what it holds and learns which claims it
// would disclose.
func ExampleQuery_Evaluate() {
	q, err := oid4vp.ParseQuery([]byte(`{"credentials":[{"id":"licence","format":"dc+sd-jwt",
		"meta":{"vct_values":["urn:idgate:mdl:1"]},
		"claims":[{"path":["family_name"]},{"path":["driving_privileges",null,"vehicle_category_code"],"values":["B"]}]}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	held := []oid4vp.Credential{{
		Format: oid4vp.FormatSDJWT, VCT: "urn:idgate:mdl:1", HolderBound: true,
		Claims: map[string]any{"family_name": "Doe", "driving_privileges": []any{map[string]any{"vehicle_category_code": "B"}}},
	}}
	ev, err := q.Evaluate(held)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range ev.Candidates["licence"][0].Selection.Paths() {
		fmt.Println(p)
	}
	// Output:
	// ["family_name"]
	// ["driving_privileges",null,"vehicle_category_code"]
}
