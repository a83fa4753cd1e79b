package conformance

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

func testAccessTokens(t *testing.T, s storage.Storage) {
	mustHolder(t, s, "holder-1")
	mustOffer(t, s, "holder-1", "offer-1")
	tok := storage.AccessToken{
		TokenHash: hash(t), OfferID: "offer-1", CNonce: "c-nonce-1",
		CNonceExpiresAt: t0.Add(5 * time.Minute), ExpiresAt: t0.Add(time.Hour),
	}
	must(t, s.CreateAccessToken(ctx(t), tok))
	got, err := s.GetAccessToken(ctx(t), tok.TokenHash)
	must(t, err)
	if !bytes.Equal(got.TokenHash, tok.TokenHash) || got.OfferID != tok.OfferID || got.CNonce != tok.CNonce {
		t.Fatalf("got %+v", got)
	}
	eqTime(t, "CNonceExpiresAt", got.CNonceExpiresAt, tok.CNonceExpiresAt)
	eqTime(t, "ExpiresAt", got.ExpiresAt, tok.ExpiresAt)
	eqTimePtr(t, "UsedAt", got.UsedAt, nil)

	wantErr(t, s.CreateAccessToken(ctx(t), tok), storage.ErrAlreadyExists)
	orphan := tok
	orphan.TokenHash, orphan.OfferID = hash(t), "offer-404"
	wantErr(t, s.CreateAccessToken(ctx(t), orphan), storage.ErrNotFound)
	_, err = s.GetAccessToken(ctx(t), hash(t))
	wantErr(t, err, storage.ErrNotFound)
	wantErr(t, s.UpdateAccessToken(ctx(t), hash(t), func(*storage.AccessToken) error { return nil }), storage.ErrNotFound)

	// Abort writes nothing.
	boom := errors.New("boom")
	used := t0.Add(2 * time.Minute)
	err = s.UpdateAccessToken(ctx(t), tok.TokenHash, func(a *storage.AccessToken) error {
		a.UsedAt, a.CNonce = &used, "changed"
		return boom
	})
	wantErr(t, err, boom)
	got, err = s.GetAccessToken(ctx(t), tok.TokenHash)
	must(t, err)
	if got.UsedAt != nil || got.CNonce != "c-nonce-1" {
		t.Fatalf("aborted update written: %+v", got)
	}

	// Immutable fields.
	for name, mutate := range map[string]func(*storage.AccessToken){
		"TokenHash": func(a *storage.AccessToken) { a.TokenHash[0] ^= 1 },
		"OfferID":   func(a *storage.AccessToken) { a.OfferID = "offer-2" },
	} {
		err := s.UpdateAccessToken(ctx(t), tok.TokenHash, func(a *storage.AccessToken) error {
			mutate(a)
			a.UsedAt = &used
			return nil
		})
		if !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("%s: err = %v, want ErrConflict", name, err)
		}
	}

	// Rotate the c_nonce and spend the token.
	next := t0.Add(10 * time.Minute)
	must(t, s.UpdateAccessToken(ctx(t), tok.TokenHash, func(a *storage.AccessToken) error {
		if a.UsedAt != nil {
			return errors.New("already used")
		}
		a.UsedAt, a.CNonce, a.CNonceExpiresAt = &used, "c-nonce-2", next
		return nil
	}))
	got, err = s.GetAccessToken(ctx(t), tok.TokenHash)
	must(t, err)
	eqTimePtr(t, "UsedAt", got.UsedAt, &used)
	eqTime(t, "CNonceExpiresAt", got.CNonceExpiresAt, next)
	if got.CNonce != "c-nonce-2" {
		t.Fatalf("CNonce = %q", got.CNonce)
	}
}

func testOperatorTokens(t *testing.T, s storage.Storage) {
	op := storage.OperatorToken{Hash: hash(t), Name: "ops-admin", CreatedAt: t0}
	must(t, s.CreateOperatorToken(ctx(t), op))
	got, err := s.GetOperatorToken(ctx(t), op.Hash)
	must(t, err)
	if !bytes.Equal(got.Hash, op.Hash) || got.Name != op.Name {
		t.Fatalf("got %+v", got)
	}
	eqTime(t, "CreatedAt", got.CreatedAt, t0)
	wantErr(t, s.CreateOperatorToken(ctx(t), op), storage.ErrAlreadyExists)
	_, err = s.GetOperatorToken(ctx(t), hash(t))
	wantErr(t, err, storage.ErrNotFound)
}
