package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

// testInvalidInput: every backend rejects the same malformed input with ErrInvalid before
// writing anything.
func testInvalidInput(t *testing.T, s storage.Storage) {
	mustHolder(t, s, "holder-1")
	mustOffer(t, s, "holder-1", "offer-1")
	mustList(t, s, "list-1", 1, 8)
	deep := map[string]any{}
	for cur, i := deep, 0; i < storage.MaxJSONDepth+1; i++ {
		next := map[string]any{}
		cur["x"] = next
		cur = next
	}
	offer := func(mut func(*storage.Offer)) error {
		o := newOffer("holder-1", "offer-x", t)
		mut(&o)
		return s.CreateOffer(ctx(t), o)
	}
	tests := []struct {
		name string
		call func() error
	}{
		{"holder empty id", func() error { return s.CreateHolder(ctx(t), storage.Holder{}) }},
		{"holder NUL in id", func() error { return s.CreateHolder(ctx(t), storage.Holder{ID: "a\x00b"}) }},
		{"holder invalid UTF-8", func() error { return s.CreateHolder(ctx(t), storage.Holder{ID: "\xff"}) }},
		{"holder id too long", func() error {
			return s.CreateHolder(ctx(t), storage.Holder{ID: strings.Repeat("a", storage.MaxKeyLen+1)})
		}},
		{"holder attributes too deep", func() error { return s.CreateHolder(ctx(t), storage.Holder{ID: "h", Attributes: deep}) }},
		{"holder attributes too big", func() error {
			return s.CreateHolder(ctx(t), storage.Holder{ID: "h", Attributes: map[string]any{"x": strings.Repeat("a", storage.MaxJSONBytes)}})
		}},
		{"holder attributes not JSON", func() error {
			return s.CreateHolder(ctx(t), storage.Holder{ID: "h", Attributes: map[string]any{"x": make(chan int)}})
		}},
		{"holder time out of range", func() error {
			return s.CreateHolder(ctx(t), storage.Holder{ID: "h", CreatedAt: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)})
		}},
		{"offer short code hash", func() error { return offer(func(o *storage.Offer) { o.PreAuthCodeHash = []byte("short") }) }},
		{"offer short tx code hash", func() error { return offer(func(o *storage.Offer) { o.TxCodeHash = []byte{1} }) }},
		{"offer unknown type", func() error { return offer(func(o *storage.Offer) { o.CredentialType = "passport" }) }},
		{"offer no expiry", func() error { return offer(func(o *storage.Offer) { o.ExpiresAt = time.Time{} }) }},
		{"token no hash", func() error {
			return s.CreateAccessToken(ctx(t), storage.AccessToken{OfferID: "offer-1", ExpiresAt: t0})
		}},
		{"list bits 3", func() error {
			return s.CreateStatusList(ctx(t), storage.StatusList{ID: "l", URI: "https://x/l", Bits: 3, Size: 8})
		}},
		{"list size 0", func() error {
			return s.CreateStatusList(ctx(t), storage.StatusList{ID: "l", URI: "https://x/l", Bits: 1, Size: 0})
		}},
		{"list too big", func() error {
			return s.CreateStatusList(ctx(t), storage.StatusList{ID: "l", URI: "https://x/l", Bits: 1, Size: storage.MaxStatusListSize + 1})
		}},
		{"list no URI", func() error { return s.CreateStatusList(ctx(t), storage.StatusList{ID: "l", Bits: 1, Size: 8}) }},
		{"credential no vct", func() error {
			c := newCred("c", "holder-1", "", "list-1")
			c.VCT = ""
			_, err := s.IssueCredential(ctx(t), c, storage.IssueOptions{})
			return err
		}},
		{"operator no name", func() error { return s.CreateOperatorToken(ctx(t), storage.OperatorToken{Hash: hash(t)}) }},
		{"audit no action", func() error { _, err := s.AppendAudit(ctx(t), storage.AuditEvent{Time: t0}); return err }},
		{"audit details too big", func() error {
			_, err := s.AppendAudit(ctx(t), storage.AuditEvent{Action: "a", Details: map[string]string{"k": strings.Repeat("<", storage.MaxJSONBytes/2)}})
			return err
		}},
		{"filter NUL", func() error {
			_, err := s.ListCredentials(ctx(t), storage.CredentialFilter{HolderID: "\x00"})
			return err
		}},
	}
	for _, tc := range tests {
		if err := tc.call(); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tc.name, err)
		}
	}
	// Nothing from the above was stored.
	hs, err := s.ListHolders(ctx(t), 0, "")
	must(t, err)
	ls, err := s.ListStatusLists(ctx(t))
	must(t, err)
	ev, err := s.ListAudit(ctx(t), 0, 0)
	must(t, err)
	if len(hs) != 1 || len(ls) != 1 || len(ev) != 0 {
		t.Fatalf("invalid input was stored: %d holders, %d lists, %d events", len(hs), len(ls), len(ev))
	}

	// A cancelled context fails instead of writing.
	cctx, cancel := context.WithCancel(ctx(t))
	cancel()
	if err := s.CreateHolder(cctx, storage.Holder{ID: "late"}); err == nil {
		t.Fatal("write with cancelled context succeeded")
	}
	if _, err := s.GetHolder(ctx(t), "late"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("cancelled write stored: %v", err)
	}
}

func testClose(t *testing.T, s storage.Storage) {
	mustHolder(t, s, "holder-1")
	must(t, s.Close())
	if _, err := s.GetHolder(ctx(t), "holder-1"); err == nil {
		t.Fatal("read after Close succeeded")
	}
	if err := s.CreateHolder(ctx(t), storage.Holder{ID: "holder-2"}); err == nil {
		t.Fatal("write after Close succeeded")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
