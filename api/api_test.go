package api_test

import (
	"encoding/json"
	"testing"

	"github.com/idgate/idgate/api"
	"github.com/idgate/idgate/api/apitest"
)

// TestDocuments loads each document as served, validates it as OpenAPI 3.1 and checks every
// example against its schema.
func TestDocuments(t *testing.T) {
	for _, name := range []string{api.Issuer, api.Verifier, api.Airline} {
		t.Run(name, func(t *testing.T) {
			doc := apitest.Load(t, name)
			apitest.CheckExamples(t, doc)
			for _, o := range apitest.Ops(doc) {
				if o.OperationID == "" {
					t.Errorf("%s: no operationId", o)
				}
			}
		})
	}
}

func TestJSONIsTheYAML(t *testing.T) {
	raw, err := api.JSON(api.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Paths["/v1/gates/{gate}/verify"] == nil {
		t.Fatalf("converted document: openapi %q, %d paths", doc.OpenAPI, len(doc.Paths))
	}
	if _, err := api.JSON("nonexistent"); err == nil {
		t.Fatal("unknown document: no error")
	}
}
