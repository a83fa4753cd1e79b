package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
)

// BenchmarkDecode compares Decode with what the APIs used before it (encoding/json Decoder with
// DisallowUnknownFields and Trailing) on a relying-party verify body (a 3 KB presentation) and
// an enrolment body (attributes with driving privileges).
func BenchmarkDecode(b *testing.B) {
	type verify struct {
		Presentation string `json:"presentation"`
	}
	type enrol struct {
		CredentialTypes []string       `json:"credential_types"`
		Attributes      map[string]any `json:"attributes"`
	}
	bodies := []struct {
		name string
		body string
		new  func() any
	}{
		{"verify", `{"presentation":"` + strings.Repeat("eyJhbGciOiJFUzI1NiJ9", 150) + `~"}`, func() any { return new(verify) }},
		{"enrol", `{"credential_types":["mdl"],"attributes":{"family_name":"Mustermann","given_name":"Erika","birth_date":"1990-05-17",` +
			`"issuing_country":"DE","issuing_authority":"KBA","document_number":"D1234567","driving_privileges":[` +
			`{"vehicle_category_code":"B","issue_date":"2010-01-01","expiry_date":"2030-01-01"},` +
			`{"vehicle_category_code":"A2","issue_date":"2015-04-02","expiry_date":"2036-02-28","codes":[{"code":"78"}]}]}}`, func() any { return new(enrol) }},
	}
	for _, bc := range bodies {
		body := []byte(bc.body)
		b.Run(bc.name+"/strict", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := Decode(body, bc.new(), Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(bc.name+"/encoding-json", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				dec := json.NewDecoder(strings.NewReader(bc.body))
				dec.DisallowUnknownFields()
				if err := dec.Decode(bc.new()); err != nil || Trailing(dec) != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
