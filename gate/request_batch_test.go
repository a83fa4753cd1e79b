package gate

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// batchSeeds are valid and invalid enrol-batch bodies built from the single-request seeds.
func batchSeeds() []string {
	const item = `{"presentation":"eyJ.eyJ.sig~","bcbp":"M1DESMARAIS/LUC       EABC123 YULFRAAC 0834 326J001A0025 100"}`
	const dep = `{"presentation":"x","bcbp":"y","departure":"2026-11-27T10:00:00Z"}`
	seeds := []string{
		`{"items":[` + item + `]}`,
		" {\r\n\t\"items\" : [ " + item + " ,\n" + dep + " ] } \n",
		`{"items":[{"presentation":"a}\"}]","bcbp":"\u007d"}]}`,
		`{"items":[]}`, `{"items":[` + item + `],}`, `{"items":[` + item + `,]}`, `{"items":[` + item + `]}}`,
		`{"items":[` + item + `],"items":[` + item + `]}`, `{"Items":[` + item + `]}`, `{"items":null}`,
		`{"items":[{"presentation":"x","bcbp":{"a":"b"}}]}`, `{"items":[["x"]]}`, `{"items":[{"presentation":"x"}]}`,
		`{"items":[{"presentation":"x","bcbp":"y"`, `[]`, ``,
	}
	for _, s := range requestSeeds() {
		seeds = append(seeds, `{"items":[`+s+`]}`)
	}
	return seeds
}

func TestDecodeEnrolBatch(t *testing.T) {
	many := func(n int) string {
		return `{"items":[` + strings.Repeat(`{"presentation":"p","bcbp":"b"},`, n-1) + `{"presentation":"p","bcbp":"b"}]}`
	}
	for _, c := range []struct {
		name  string
		body  string
		items int // 0: malformed
	}{
		{"one", `{"items":[{"presentation":"p","bcbp":"b"}]}`, 1},
		{"whitespace and departure", " {\n\"items\" :\t[ {\"presentation\":\"p\",\"bcbp\":\"b\",\"departure\":\"2026-11-27T10:00:00Z\"} , {\"bcbp\":\"b\",\"presentation\":\"p\"}\r] } ", 2},
		{"braces inside strings", `{"items":[{"presentation":"}{][\"}","bcbp":"b\\"}]}`, 1},
		{"max items", many(MaxEnrolBatch), MaxEnrolBatch},
		{"too many items", many(MaxEnrolBatch + 1), 0},
		{"empty items", `{"items":[]}`, 0},
		{"missing items", `{}`, 0},
		{"items not array", `{"items":{"presentation":"p","bcbp":"b"}}`, 0},
		{"null item", `{"items":[null]}`, 0},
		{"nested object in item", `{"items":[{"presentation":"p","bcbp":"b","x":{}}]}`, 0},
		{"item missing bcbp", `{"items":[{"presentation":"p"}]}`, 0},
		{"item duplicate member", `{"items":[{"presentation":"p","presentation":"p","bcbp":"b"}]}`, 0},
		{"item unknown member", `{"items":[{"presentation":"p","bcbp":"b","live_template":"A"}]}`, 0},
		{"item bad departure", `{"items":[{"presentation":"p","bcbp":"b","departure":"tomorrow"}]}`, 0},
		{"second member", `{"items":[{"presentation":"p","bcbp":"b"}],"x":"y"}`, 0},
		{"trailing comma", `{"items":[{"presentation":"p","bcbp":"b"},]}`, 0},
		{"trailing data", `{"items":[{"presentation":"p","bcbp":"b"}]} x`, 0},
		{"case variant", `{"ITEMS":[{"presentation":"p","bcbp":"b"}]}`, 0},
		{"escaped name", `{"\u0069tems":[{"presentation":"p","bcbp":"b"}]}`, 0},
		{"unterminated", `{"items":[{"presentation":"p","bcbp":"b"}`, 0},
		{"too large", `{"items":[{"presentation":"` + strings.Repeat("a", MaxBodyBytes) + `","bcbp":"b"}]}`, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := DecodeEnrolBatch([]byte(c.body))
			if c.items == 0 {
				if !errors.Is(err, ErrMalformed) || r != nil {
					t.Fatalf("accepted: %v, %v", r, err)
				}
				if len(err.Error()) > 200 {
					t.Fatalf("error message too long (quotes the body?): %d bytes", len(err.Error()))
				}
				return
			}
			if err != nil || len(r.Items) != c.items {
				t.Fatalf("got %v, %v; want %d items", r, err, c.items)
			}
			for _, it := range r.Items {
				if it.Presentation == "" || it.BCBP == "" {
					t.Fatalf("item %+v", it)
				}
			}
		})
	}
}

// FuzzDecodeEnrolBatch: never panics; what it accepts is bounded, and encoding/json (unknown
// fields disallowed) accepts it too and decodes the identical request.
func FuzzDecodeEnrolBatch(f *testing.F) {
	for _, s := range batchSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeEnrolBatch(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not malformed_request", err)
			}
			return
		}
		if len(r.Items) == 0 || len(r.Items) > MaxEnrolBatch {
			t.Fatalf("%d items accepted", len(r.Items))
		}
		for _, it := range r.Items {
			if it == nil || (it.Presentation == "") == (it.Mdoc == "") || len(it.Presentation) > MaxPresentationLen || it.BCBP == "" ||
				(it.Mdoc != "") != (it.Nonce != "") || len(it.Mdoc) > MaxMdocLen || !isBase64URL(it.Mdoc) {
				t.Fatalf("accepted out-of-bounds item %+v", it)
			}
		}
		var want EnrolBatchRequest
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&want); err != nil || dec.More() {
			t.Fatalf("accepted %q, encoding/json rejects: %v", body, err)
		}
		if !reflect.DeepEqual(r, &want) {
			t.Fatalf("%q decodes to %+v, encoding/json %+v", body, r, want)
		}
	})
}
