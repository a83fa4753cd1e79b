package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/internal/record"
)

const tokenCols = `token_hash, offer_id, c_nonce, c_nonce_expires_at, expires_at, used_at, credential_id`

func scanToken(r scanner) (storage.AccessToken, error) {
	var (
		t                     storage.AccessToken
		nonceExp, exp, usedAt sql.NullInt64
		credID                sql.NullString
	)
	if err := r.Scan(&t.TokenHash, &t.OfferID, &t.CNonce, &nonceExp, &exp, &usedAt, &credID); err != nil {
		return storage.AccessToken{}, err
	}
	t.CredentialID = credID.String
	t.CNonceExpiresAt, t.ExpiresAt, t.UsedAt = record.Time(nonceExp), record.Time(exp), record.TimePtr(usedAt)
	return t, nil
}

func (s *Store) CreateAccessToken(ctx context.Context, t storage.AccessToken, audit ...storage.AuditEvent) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.writeAudited(ctx, audit, func(tx *sql.Tx) error { return s.insertToken(ctx, tx, t) })
}

func (s *Store) insertToken(ctx context.Context, tx *sql.Tx, t storage.AccessToken) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO access_tokens (`+tokenCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		t.TokenHash, t.OfferID, t.CNonce, record.Nanos(t.CNonceExpiresAt), record.Nanos(t.ExpiresAt), record.NanosPtr(t.UsedAt), nullString(t.CredentialID))
	if err != nil {
		return s.insertErr(err, "access token", fmt.Sprintf("offer %q", t.OfferID))
	}
	return nil
}

func (s *Store) GetAccessToken(ctx context.Context, hash []byte) (storage.AccessToken, error) {
	if err := s.open(); err != nil {
		return storage.AccessToken{}, err
	}
	t, err := scanToken(s.db.QueryRowContext(ctx, s.q(`SELECT `+tokenCols+` FROM access_tokens WHERE token_hash = ?`), hash))
	if err != nil {
		return storage.AccessToken{}, s.readErr(err, "access token")
	}
	return t, nil
}

func (s *Store) UpdateAccessToken(ctx context.Context, hash []byte, fn func(*storage.AccessToken) error, audit ...storage.AuditEvent) error {
	return s.writeAudited(ctx, audit, func(tx *sql.Tx) error { return s.updateToken(ctx, tx, hash, fn) })
}

func (s *Store) updateToken(ctx context.Context, tx *sql.Tx, hash []byte, fn func(*storage.AccessToken) error) error {
	cur, err := scanToken(tx.QueryRowContext(ctx, s.q(`SELECT `+tokenCols+` FROM access_tokens WHERE token_hash = ?`+s.d.ForUpdate), hash))
	if err != nil {
		return s.readErr(err, "access token")
	}
	next, err := record.Update(cur, record.AccessToken, record.AccessTokenKeysEqual, fn)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`UPDATE access_tokens SET c_nonce = ?, c_nonce_expires_at = ?, expires_at = ?, used_at = ?, credential_id = ? WHERE token_hash = ?`),
		next.CNonce, record.Nanos(next.CNonceExpiresAt), record.Nanos(next.ExpiresAt), record.NanosPtr(next.UsedAt), nullString(next.CredentialID), hash)
	return s.driverErr(err)
}

const operatorCols = `hash, name, created_at`

func (s *Store) CreateOperatorToken(ctx context.Context, t storage.OperatorToken) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO operator_tokens (`+operatorCols+`) VALUES (?, ?, ?)`),
			t.Hash, t.Name, record.Nanos(t.CreatedAt))
		if err != nil {
			return s.insertErr(err, "operator token", "")
		}
		return nil
	})
}

func (s *Store) GetOperatorToken(ctx context.Context, hash []byte) (storage.OperatorToken, error) {
	if err := s.open(); err != nil {
		return storage.OperatorToken{}, err
	}
	var (
		t  storage.OperatorToken
		at sql.NullInt64
	)
	err := s.db.QueryRowContext(ctx, s.q(`SELECT `+operatorCols+` FROM operator_tokens WHERE hash = ?`), hash).Scan(&t.Hash, &t.Name, &at)
	if err != nil {
		return storage.OperatorToken{}, s.readErr(err, "operator token")
	}
	t.CreatedAt = record.Time(at)
	return t, nil
}
