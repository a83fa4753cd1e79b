package issuerhttp

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"github.com/idgate/idgate/issuer"
	"net/http"
	"strings"
	"testing"

	"github.com/idgate/idgate/certs"
	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage/memory"
)

// TestEnrolRefusesWhatIssuingCannotSign: enrolment answers 400 naming the field, and stores
// nothing, for attributes the credential endpoint could not sign; its valid twin enrols and
// issues.
func TestEnrolRefusesWhatIssuingCannotSign(t *testing.T) {
	f := newFixture(t, nil)
	deep := `"x"`
	for range 40 {
		deep = `{"a":` + deep + `}`
	}
	priv := func(extra string) string {
		return `[{"vehicle_category_code":"B"` + extra + `}]`
	}
	for _, tc := range []struct {
		name, attr, value, field string
	}{
		{"_sd in a privilege", "driving_privileges", priv(`,"_sd":["x"]`), "driving_privileges[0]"},
		{"... in a privilege code", "driving_privileges", priv(`,"codes":[{"code":"1","...":"x"}]`), "driving_privileges[0].codes[0]"},
		{"_sd_alg in a text claim", "department", `{"_sd_alg":"sha-256"}`, "department"},
		{"40 deep", "driving_privileges", priv(`,"codes":[{"code":` + deep + `}]`), "driving_privileges[0].codes[0].code"},
		{"40 deep at the top", "position", deep, "position"},
		{"number for a name", "family_name", `12`, "family_name"},
		{"null", "grade", `null`, "grade"},
		{"not a claim of either type", "shoe_size", `"42"`, "shoe_size"},
		{"long text", "organisation", `"` + strings.Repeat("o", 257) + `"`, "organisation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var attrs map[string]json.RawMessage
			if err := json.Unmarshal([]byte(mdlAttrs), &attrs); err != nil {
				t.Fatal(err)
			}
			attrs[tc.attr] = json.RawMessage(tc.value)
			st, body := f.operator("POST", "/v1/holders", `{"credential_types":["employee-id","mdl"],"attributes":`+toJSON(attrs)+`}`)
			msg, _ := body["message"].(string)
			if st != http.StatusBadRequest || body["code"] != issuer.CodeInvalidRequest || !strings.Contains(msg, tc.field) {
				t.Fatalf("got %d %v, want 400 invalid_request naming %s", st, body, tc.field)
			}
			if hs, err := f.store.ListHolders(context.Background(), 0, ""); err != nil || len(hs) != 0 {
				t.Fatalf("stored %d holders (%v)", len(hs), err)
			}
		})
	}
	// The valid twin: enrols, and both types issue.
	f.issueOne(t, "employee-id")
	f.issueOne(t, "mdl")
}

// TestNewRefusesSignersOfOtherProfiles: the issuer does not start with a credential or status
// list signing certificate of another role (verifiers would refuse everything it signs).
func TestNewRefusesSignersOfOtherProfiles(t *testing.T) {
	ca := certstest.NewCA(t)
	const url = "http://localhost:8081"
	good := func(p certs.Profile) certs.Signer {
		return ca.Issue(t, "s", certstest.WithURI(url), certstest.WithProfile(p))
	}
	tls := ca.Issue(t, "s", certstest.WithURI(url), certstest.WithExtKeyUsage(x509.ExtKeyUsageServerAuth))
	for _, tc := range []struct {
		name         string
		cred, status certs.Signer
		wantErr      bool
	}{
		{"profiles", good(certs.ProfileCredentialSigner), good(certs.ProfileStatusListSigner), false},
		{"TLS credential signer", tls, good(certs.ProfileStatusListSigner), true},
		{"status signer signs credentials", good(certs.ProfileStatusListSigner), good(certs.ProfileStatusListSigner), true},
		{"credential signer signs status lists", good(certs.ProfileCredentialSigner), good(certs.ProfileCredentialSigner), true},
	} {
		_, err := issuer.New(issuer.Config{Store: memory.New(), PublicURL: url,
			Signers: map[credential.Type]certs.Signer{credential.DrivingLicence: tc.cred}, StatusSigner: tc.status})
		if (err != nil) != tc.wantErr || (err != nil && !errors.Is(err, certs.ErrExtKeyUsage)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
