package mdoc

import "testing"

// OnlyDocument refuses what a response carries beside the document asked for; without it the
// extras are ignored, as in a proximity response holding several documents.
func TestOnlyDocument(t *testing.T) {
	f := newFixture(t)
	st := transcript(t, "n1")
	good := f.present(t, f.issue(t), st)
	reshape := func(fn func(r *DeviceResponse)) []byte {
		var r DeviceResponse
		if err := decode(good, &r, "DeviceResponse"); err != nil {
			t.Fatal(err)
		}
		fn(&r)
		out, err := encMode.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		resp      []byte
		withFlag  Code // "" verifies
		otherwise Code
	}{
		{"the document alone", good, "", ""},
		{"a second document of another doctype", reshape(func(r *DeviceResponse) {
			d := r.Documents[0]
			d.DocType = "org.iso.23220.photoid.1"
			r.Documents = append(r.Documents, d)
		}), CodeMalformed, ""},
		{"documentErrors beside the document", reshape(func(r *DeviceResponse) {
			r.DocumentErrors = []map[string]int{{"org.iso.23220.photoid.1": 0}}
		}), CodeMalformed, ""},
		{"two documents of the doctype", reshape(func(r *DeviceResponse) { r.Documents = append(r.Documents, r.Documents[0]) }),
			CodeMalformed, CodeMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, only := range []bool{true, false} {
				want := tc.otherwise
				if only {
					want = tc.withFlag
				}
				_, err := f.verifier().Verify(tc.resp, VerifyOptions{DocType: DocTypeMDL, SessionTranscript: st, OnlyDocument: only})
				if got := CodeOf(err); got != want {
					t.Fatalf("OnlyDocument %v: %v, want code %q", only, err, want)
				}
			}
		})
	}
}
