package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/internal/record"
)

const offerCols = `id, holder_id, credential_type, pre_auth_code_hash, tx_code_hash, created_at, expires_at, redeemed_at, token_salt`

func scanOffer(r scanner) (storage.Offer, error) {
	var (
		o                storage.Offer
		created, expires sql.NullInt64
		redeemed         sql.NullInt64
	)
	if err := r.Scan(&o.ID, &o.HolderID, &o.CredentialType, &o.PreAuthCodeHash, &o.TxCodeHash, &created, &expires, &redeemed, &o.TokenSalt); err != nil {
		return storage.Offer{}, err
	}
	o.CreatedAt, o.ExpiresAt, o.RedeemedAt = record.Time(created), record.Time(expires), record.TimePtr(redeemed)
	return o, nil
}

func (s *Store) CreateOffer(ctx context.Context, o storage.Offer, audit ...storage.AuditEvent) error {
	if err := o.Validate(); err != nil {
		return err
	}
	return s.writeAudited(ctx, audit, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO offers (`+offerCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			o.ID, o.HolderID, o.CredentialType, o.PreAuthCodeHash, o.TxCodeHash,
			record.Nanos(o.CreatedAt), record.Nanos(o.ExpiresAt), record.NanosPtr(o.RedeemedAt), o.TokenSalt)
		if err != nil {
			return s.insertErr(err, fmt.Sprintf("offer %q or its pre-authorised code", o.ID), fmt.Sprintf("holder %q", o.HolderID))
		}
		return nil
	})
}

func (s *Store) GetOffer(ctx context.Context, id string) (storage.Offer, error) {
	if err := s.open(); err != nil {
		return storage.Offer{}, err
	}
	o, err := scanOffer(s.db.QueryRowContext(ctx, s.q(`SELECT `+offerCols+` FROM offers WHERE id = ?`), id))
	if err != nil {
		return storage.Offer{}, s.readErr(err, fmt.Sprintf("offer %q", id))
	}
	return o, nil
}

func (s *Store) GetOfferByCodeHash(ctx context.Context, codeHash []byte) (storage.Offer, error) {
	if err := s.open(); err != nil {
		return storage.Offer{}, err
	}
	o, err := scanOffer(s.db.QueryRowContext(ctx, s.q(`SELECT `+offerCols+` FROM offers WHERE pre_auth_code_hash = ?`), codeHash))
	if err != nil {
		return storage.Offer{}, s.readErr(err, "offer for this pre-authorised code")
	}
	return o, nil
}

func (s *Store) UpdateOffer(ctx context.Context, id string, fn func(*storage.Offer) error, audit ...storage.AuditEvent) error {
	return s.writeAudited(ctx, audit, func(tx *sql.Tx) error { return s.updateOffer(ctx, tx, id, fn) })
}

func (s *Store) RedeemOffer(ctx context.Context, id string, fn func(*storage.Offer) error, t storage.AccessToken, audit ...storage.AuditEvent) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if t.OfferID != id {
		return fmt.Errorf("%w: access token names offer %q, not %q", storage.ErrInvalid, t.OfferID, id)
	}
	return s.writeAudited(ctx, audit, func(tx *sql.Tx) error {
		if err := s.updateOffer(ctx, tx, id, fn); err != nil {
			return err
		}
		return s.insertToken(ctx, tx, t)
	})
}

func (s *Store) updateOffer(ctx context.Context, tx *sql.Tx, id string, fn func(*storage.Offer) error) error {
	cur, err := scanOffer(tx.QueryRowContext(ctx, s.q(`SELECT `+offerCols+` FROM offers WHERE id = ?`+s.d.ForUpdate), id))
	if err != nil {
		return s.readErr(err, fmt.Sprintf("offer %q", id))
	}
	next, err := record.Update(cur, record.Offer, record.OfferKeysEqual, fn)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`UPDATE offers SET credential_type = ?, tx_code_hash = ?, created_at = ?, expires_at = ?, redeemed_at = ?, token_salt = ? WHERE id = ?`),
		next.CredentialType, next.TxCodeHash, record.Nanos(next.CreatedAt), record.Nanos(next.ExpiresAt), record.NanosPtr(next.RedeemedAt), next.TokenSalt, id)
	return s.driverErr(err)
}
