package conformance

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

// Run runs the whole suite; newStore must return a fresh, empty store and arrange its Close
// (t.Cleanup).
func Run(t *testing.T, newStore func(t *testing.T) storage.Storage) {
	tests := []struct {
		name string
		run  func(t *testing.T, s storage.Storage)
	}{
		{"Holders", testHolders},
		{"HolderPagination", testHolderPagination},
		{"Portraits", testPortraits},
		{"Offers", testOffers},
		{"UpdateOffer", testUpdateOffer},
		{"ConcurrentRedeem", testConcurrentRedeem},
		{"AccessTokens", testAccessTokens},
		{"StatusLists", testStatusLists},
		{"IssueCredential", testIssueCredential},
		{"UpdateCredential", testUpdateCredential},
		{"ListCredentials", testListCredentials},
		{"ConcurrentIssueUntilFull", testConcurrentIssue},
		{"OperatorTokens", testOperatorTokens},
		{"Audit", testAudit},
		{"ConcurrentAudit", testConcurrentAudit},
		{"AuditedWrites", testAuditedWrites},
		{"InvalidInput", testInvalidInput},
		{"Close", testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

// t0 has sub-microsecond digits, so a backend that truncates to microseconds fails.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))

func ctx(t *testing.T) context.Context { return t.Context() }

// hash returns SHA-256 of a fresh random secret, as the issuer stores bearer secrets.
func hash(t *testing.T) []byte {
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(secret[:])
	return h[:]
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustHolder(t *testing.T, s storage.Storage, id string) storage.Holder {
	t.Helper()
	h := storage.Holder{ID: id, Attributes: map[string]any{"given_name": "Ada", "employee_no": 4711}, CreatedAt: t0}
	must(t, s.CreateHolder(ctx(t), h))
	return h
}

func newOffer(holderID, id string, t *testing.T) storage.Offer {
	return storage.Offer{
		ID: id, HolderID: holderID, CredentialType: storage.CredentialTypeEmployeeID,
		PreAuthCodeHash: hash(t), CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute),
	}
}

func mustOffer(t *testing.T, s storage.Storage, holderID, id string) storage.Offer {
	t.Helper()
	o := newOffer(holderID, id, t)
	must(t, s.CreateOffer(ctx(t), o))
	return o
}

func mustList(t *testing.T, s storage.Storage, id string, bits, size int) storage.StatusList {
	t.Helper()
	l := storage.StatusList{ID: id, URI: "https://issuer.example/status/" + id, Bits: bits, Size: size, CreatedAt: t0}
	must(t, s.CreateStatusList(ctx(t), l))
	return l
}

func newCred(id, holderID, offerID, listID string) storage.Credential {
	return storage.Credential{
		ID: id, HolderID: holderID, OfferID: offerID, VCT: "https://idgate.example/vct/employee-id",
		StatusListID: listID, StatusIndex: -1, HolderKeyThumbprint: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
		IssuedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0), UpdatedAt: t0,
	}
}

// eqTime compares instants (backends return UTC without a monotonic reading).
func eqTime(t *testing.T, field string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s = %v, want %v", field, got, want)
	}
	if !got.IsZero() && got.Location() != time.UTC {
		t.Fatalf("%s location %v, want UTC", field, got.Location())
	}
}

func eqTimePtr(t *testing.T, field string, got, want *time.Time) {
	t.Helper()
	if (got == nil) != (want == nil) {
		t.Fatalf("%s = %v, want %v", field, got, want)
	}
	if got != nil {
		eqTime(t, field, *got, *want)
	}
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, v := range items {
		out[i] = id(v)
	}
	return out
}

func eqStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) || len(got) != len(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}
