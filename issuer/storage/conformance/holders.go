package conformance

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

func testHolders(t *testing.T, s storage.Storage) {
	in := storage.Holder{
		ID: "holder-1",
		Attributes: map[string]any{
			"given_name": "Ada", "employee_no": 4711, "big": json.Number("12345678901234567890"),
			"address": map[string]any{"city": "Zürich", "lines": []any{"a", nil, true}},
		},
		CreatedAt: t0,
	}
	must(t, s.CreateHolder(ctx(t), in))
	got, err := s.GetHolder(ctx(t), "holder-1")
	must(t, err)
	want := map[string]any{
		"given_name": "Ada", "employee_no": json.Number("4711"), "big": json.Number("12345678901234567890"),
		"address": map[string]any{"city": "Zürich", "lines": []any{"a", nil, true}},
	}
	if got.ID != in.ID || !reflect.DeepEqual(got.Attributes, want) {
		t.Fatalf("got %#v", got)
	}
	eqTime(t, "CreatedAt", got.CreatedAt, t0)

	// The store keeps its own copy: mutating what it returned changes nothing stored.
	got.Attributes["given_name"] = "Eve"
	again, err := s.GetHolder(ctx(t), "holder-1")
	must(t, err)
	if again.Attributes["given_name"] != "Ada" {
		t.Fatal("returned attributes alias stored data")
	}

	wantErr(t, s.CreateHolder(ctx(t), storage.Holder{ID: "holder-1", CreatedAt: t0}), storage.ErrAlreadyExists)
	_, err = s.GetHolder(ctx(t), "nobody")
	wantErr(t, err, storage.ErrNotFound)

	// nil attributes and a zero time round-trip as {} and zero.
	must(t, s.CreateHolder(ctx(t), storage.Holder{ID: "holder-2"}))
	h2, err := s.GetHolder(ctx(t), "holder-2")
	must(t, err)
	if len(h2.Attributes) != 0 || !h2.CreatedAt.IsZero() {
		t.Fatalf("got %#v", h2)
	}
}

func testHolderPagination(t *testing.T, s storage.Storage) {
	for i := range 25 {
		id := fmt.Sprintf("h-%03d", (i*7)%25) // inserted out of order
		must(t, s.CreateHolder(ctx(t), storage.Holder{ID: id, CreatedAt: t0.Add(time.Duration(i))}))
	}
	var seen []string
	after := ""
	for {
		page, err := s.ListHolders(ctx(t), 10, after)
		must(t, err)
		if len(page) == 0 {
			break
		}
		if len(page) > 10 {
			t.Fatalf("page of %d > limit", len(page))
		}
		for _, h := range page {
			seen = append(seen, h.ID)
		}
		after = page[len(page)-1].ID
	}
	want := make([]string, 25)
	for i := range want {
		want[i] = fmt.Sprintf("h-%03d", i)
	}
	eqStrings(t, "paged IDs", seen, want)

	def, err := s.ListHolders(ctx(t), 0, "")
	must(t, err)
	if len(def) != 25 {
		t.Fatalf("limit 0 (default %d) returned %d", storage.DefaultLimit, len(def))
	}
}
