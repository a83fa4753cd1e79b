package storage

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	h32 := make([]byte, 32)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	offer := Offer{ID: "o", HolderID: "h", CredentialType: CredentialTypeMDL, PreAuthCodeHash: h32, ExpiresAt: now}
	tests := []struct {
		name string
		v    interface{ Validate() error }
		ok   bool
	}{
		{"holder ok", Holder{ID: "h", Attributes: map[string]any{"a": []any{1}}}, true},
		{"holder empty id", Holder{}, false},
		{"holder NUL", Holder{ID: "a\x00"}, false},
		{"holder bad UTF-8", Holder{ID: "\xc3"}, false},
		{"holder long id", Holder{ID: strings.Repeat("x", MaxKeyLen+1)}, false},
		{"holder max id", Holder{ID: strings.Repeat("x", MaxKeyLen)}, true},
		{"holder year 1500", Holder{ID: "h", CreatedAt: time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)}, false},
		{"offer ok", offer, true},
		{"offer 31-byte hash", func() Offer { o := offer; o.PreAuthCodeHash = h32[:31]; return o }(), false},
		{"offer tx hash ok", func() Offer { o := offer; o.TxCodeHash = h32; return o }(), true},
		{"offer empty tx hash", func() Offer { o := offer; o.TxCodeHash = []byte{}; return o }(), false},
		{"offer type", func() Offer { o := offer; o.CredentialType = "x"; return o }(), false},
		{"offer no holder", func() Offer { o := offer; o.HolderID = ""; return o }(), false},
		{"token ok", AccessToken{TokenHash: h32, OfferID: "o", ExpiresAt: now}, true},
		{"token no expiry", AccessToken{TokenHash: h32, OfferID: "o"}, false},
		{"list ok", StatusList{ID: "l", URI: "https://x", Bits: 8, Size: MaxStatusListSize}, true},
		{"list bits 0", StatusList{ID: "l", URI: "https://x", Bits: 0, Size: 1}, false},
		{"list bits 16", StatusList{ID: "l", URI: "https://x", Bits: 16, Size: 1}, false},
		{"list negative size", StatusList{ID: "l", URI: "https://x", Bits: 1, Size: -1}, false},
		{"credential ok", Credential{ID: "c", HolderID: "h", VCT: "v", StatusListID: "l"}, true},
		{"credential no list", Credential{ID: "c", HolderID: "h", VCT: "v"}, false},
		{"operator ok", OperatorToken{Hash: h32, Name: "n"}, true},
		{"operator nil hash", OperatorToken{Name: "n"}, false},
		{"audit ok", AuditEvent{Action: "a", Details: map[string]string{"k": "v"}}, true},
		{"audit empty key", AuditEvent{Action: "a", Details: map[string]string{"": "v"}}, false},
		{"audit huge", AuditEvent{Action: "a", Details: map[string]string{"k": strings.Repeat("v", MaxJSONBytes)}}, false},
		{"filter ok", CredentialFilter{HolderID: "h"}, true},
	}
	for _, tc := range tests {
		err := tc.v.Validate()
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.ok && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tc.name, err)
		}
	}
}

func TestStatusFits(t *testing.T) {
	tests := []struct {
		status uint8
		bits   int
		want   bool
	}{
		{0, 1, true}, {1, 1, true}, {2, 1, false},
		{3, 2, true}, {4, 2, false},
		{15, 4, true}, {16, 4, false},
		{255, 8, true},
	}
	for _, tc := range tests {
		if got := StatusFits(tc.status, tc.bits); got != tc.want {
			t.Errorf("StatusFits(%d, %d) = %v", tc.status, tc.bits, got)
		}
	}
}

func TestClampLimit(t *testing.T) {
	for in, want := range map[int]int{-5: DefaultLimit, 0: DefaultLimit, 1: 1, MaxLimit: MaxLimit, MaxLimit + 1: MaxLimit} {
		if got := ClampLimit(in); got != want {
			t.Errorf("ClampLimit(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestErrorsWrap(t *testing.T) {
	if !errors.Is(ErrStatusListFull, ErrConflict) || !errors.Is(ErrImmutableField, ErrConflict) {
		t.Fatal("ErrStatusListFull and ErrImmutableField must wrap ErrConflict")
	}
}

// FuzzHolderValidate: holder IDs arrive from HTTP requests; Validate must classify any bytes
// without panicking, and accept only what every backend can store.
func FuzzHolderValidate(f *testing.F) {
	for _, s := range []string{"holder-1", "", "a\x00b", "\xff", "Zürich", strings.Repeat("x", MaxKeyLen+1)} {
		f.Add(s, "value")
	}
	f.Fuzz(func(t *testing.T, id, attr string) {
		err := Holder{ID: id, Attributes: map[string]any{attr: attr}}.Validate()
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil && (id == "" || len(id) > MaxKeyLen || strings.ContainsRune(id, 0)) {
			t.Fatalf("accepted id %q", id)
		}
	})
}
