package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

func testOffers(t *testing.T, s storage.Storage) {
	mustHolder(t, s, "holder-1")
	o := newOffer("holder-1", "offer-1", t)
	o.CredentialType = storage.CredentialTypeMDL
	o.TxCodeHash = hash(t)
	must(t, s.CreateOffer(ctx(t), o))

	for name, get := range map[string]func() (storage.Offer, error){
		"GetOffer":           func() (storage.Offer, error) { return s.GetOffer(ctx(t), "offer-1") },
		"GetOfferByCodeHash": func() (storage.Offer, error) { return s.GetOfferByCodeHash(ctx(t), o.PreAuthCodeHash) },
	} {
		got, err := get()
		must(t, err)
		if got.ID != o.ID || got.HolderID != o.HolderID || got.CredentialType != o.CredentialType ||
			!bytes.Equal(got.PreAuthCodeHash, o.PreAuthCodeHash) || !bytes.Equal(got.TxCodeHash, o.TxCodeHash) {
			t.Fatalf("%s: got %+v", name, got)
		}
		eqTime(t, name+" CreatedAt", got.CreatedAt, o.CreatedAt)
		eqTime(t, name+" ExpiresAt", got.ExpiresAt, o.ExpiresAt)
		eqTimePtr(t, name+" RedeemedAt", got.RedeemedAt, nil)
	}

	// No tx code round-trips as nil.
	o2 := mustOffer(t, s, "holder-1", "offer-2")
	got2, err := s.GetOffer(ctx(t), o2.ID)
	must(t, err)
	if got2.TxCodeHash != nil {
		t.Fatalf("TxCodeHash = %x, want nil", got2.TxCodeHash)
	}

	dupID := newOffer("holder-1", "offer-1", t)
	wantErr(t, s.CreateOffer(ctx(t), dupID), storage.ErrAlreadyExists)
	dupCode := newOffer("holder-1", "offer-3", t)
	dupCode.PreAuthCodeHash = o.PreAuthCodeHash
	wantErr(t, s.CreateOffer(ctx(t), dupCode), storage.ErrAlreadyExists)
	wantErr(t, s.CreateOffer(ctx(t), newOffer("nobody", "offer-4", t)), storage.ErrNotFound)

	_, err = s.GetOffer(ctx(t), "offer-404")
	wantErr(t, err, storage.ErrNotFound)
	_, err = s.GetOfferByCodeHash(ctx(t), hash(t))
	wantErr(t, err, storage.ErrNotFound)
	wantErr(t, s.UpdateOffer(ctx(t), "offer-404", func(*storage.Offer) error { return nil }), storage.ErrNotFound)
}

var errRedeemed = errors.New("already redeemed")

func redeem(at time.Time) func(*storage.Offer) error {
	return func(o *storage.Offer) error {
		if o.RedeemedAt != nil {
			return errRedeemed
		}
		o.RedeemedAt = &at
		return nil
	}
}

func testUpdateOffer(t *testing.T, s storage.Storage) {
	mustHolder(t, s, "holder-1")
	o := mustOffer(t, s, "holder-1", "offer-1")
	mustOffer(t, s, "holder-1", "offer-2")
	at := t0.Add(time.Minute)

	// An aborting updater writes nothing, even what it changed before failing.
	boom := errors.New("boom")
	err := s.UpdateOffer(ctx(t), "offer-1", func(o *storage.Offer) error {
		o.RedeemedAt = &at
		o.ExpiresAt = at
		return boom
	})
	if err != boom && !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the updater's error", err)
	}
	cur, err := s.GetOffer(ctx(t), "offer-1")
	must(t, err)
	eqTimePtr(t, "RedeemedAt after abort", cur.RedeemedAt, nil)
	eqTime(t, "ExpiresAt after abort", cur.ExpiresAt, o.ExpiresAt)

	// Key fields are immutable: changing them fails with ErrConflict and writes nothing.
	for name, mutate := range map[string]func(*storage.Offer){
		"ID":                       func(o *storage.Offer) { o.ID = "offer-2" },
		"HolderID":                 func(o *storage.Offer) { o.HolderID = "other" },
		"PreAuthCodeHash":          func(o *storage.Offer) { o.PreAuthCodeHash = hash(t) },
		"PreAuthCodeHash in place": func(o *storage.Offer) { o.PreAuthCodeHash[0] ^= 1 },
	} {
		err := s.UpdateOffer(ctx(t), "offer-1", func(o *storage.Offer) error {
			mutate(o)
			o.RedeemedAt = &at
			return nil
		})
		wantErr(t, err, storage.ErrConflict)
		cur, err := s.GetOffer(ctx(t), "offer-1")
		must(t, err)
		if cur.RedeemedAt != nil || !bytes.Equal(cur.PreAuthCodeHash, o.PreAuthCodeHash) {
			t.Fatalf("%s: rejected update was written: %+v", name, cur)
		}
	}

	// An update that leaves the record invalid is rejected.
	wantErr(t, s.UpdateOffer(ctx(t), "offer-1", func(o *storage.Offer) error {
		o.CredentialType = "passport"
		return nil
	}), storage.ErrInvalid)

	must(t, s.UpdateOffer(ctx(t), "offer-1", redeem(at)))
	cur, err = s.GetOffer(ctx(t), "offer-1")
	must(t, err)
	eqTimePtr(t, "RedeemedAt", cur.RedeemedAt, &at)
	wantErr(t, s.UpdateOffer(ctx(t), "offer-1", redeem(at)), errRedeemed)

	// The other offer is untouched.
	other, err := s.GetOffer(ctx(t), "offer-2")
	must(t, err)
	eqTimePtr(t, "other RedeemedAt", other.RedeemedAt, nil)
}

// testConcurrentRedeem: 16 goroutines redeem the same single-use code; exactly one wins.
func testConcurrentRedeem(t *testing.T, s storage.Storage) {
	mustHolder(t, s, "holder-1")
	const n = 16
	for round := range 3 {
		id := fmt.Sprintf("offer-%d", round)
		mustOffer(t, s, "holder-1", id)
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = s.UpdateOffer(ctx(t), id, redeem(t0.Add(time.Duration(i+1)*time.Second)))
			}()
		}
		close(start)
		wg.Wait()
		winners := 0
		for _, err := range errs {
			switch {
			case err == nil:
				winners++
			case errors.Is(err, errRedeemed):
			default:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d redeemers succeeded, want exactly 1", round, winners)
		}
	}
}
