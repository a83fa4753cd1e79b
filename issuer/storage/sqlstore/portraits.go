package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/internal/record"
)

const portraitCols = `holder_id, sealed, expires_at, credential_id`

func scanPortrait(r scanner) (storage.Portrait, error) {
	var (
		p    storage.Portrait
		exp  sql.NullInt64
		cred sql.NullString
	)
	if err := r.Scan(&p.HolderID, &p.Sealed, &exp, &cred); err != nil {
		return storage.Portrait{}, err
	}
	p.ExpiresAt, p.CredentialID = record.Time(exp), cred.String
	return p, nil
}

func (s *Store) insertPortrait(ctx context.Context, tx *sql.Tx, p storage.Portrait) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO holder_portraits (`+portraitCols+`) VALUES (?, ?, ?, ?)`),
		p.HolderID, p.Sealed, record.Nanos(p.ExpiresAt), nullString(p.CredentialID))
	if err != nil {
		return s.insertErr(err, fmt.Sprintf("portrait of holder %q", p.HolderID), fmt.Sprintf("holder %q", p.HolderID))
	}
	return nil
}

func (s *Store) selectPortrait(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, holderID, suffix string) (storage.Portrait, error) {
	p, err := scanPortrait(q.QueryRowContext(ctx, s.q(`SELECT `+portraitCols+` FROM holder_portraits WHERE holder_id = ?`+suffix), holderID))
	if err != nil {
		return storage.Portrait{}, s.readErr(err, fmt.Sprintf("portrait of holder %q", holderID))
	}
	return p, nil
}

func (s *Store) GetPortrait(ctx context.Context, holderID string) (storage.Portrait, error) {
	if err := s.open(); err != nil {
		return storage.Portrait{}, err
	}
	return s.selectPortrait(ctx, s.db, holderID, "")
}

func (s *Store) UpdatePortrait(ctx context.Context, holderID string, fn func(*storage.Portrait) error, audit ...storage.AuditEvent) error {
	return s.writeAudited(ctx, audit, func(tx *sql.Tx) error {
		cur, err := s.selectPortrait(ctx, tx, holderID, s.d.ForUpdate)
		if err != nil {
			return err
		}
		next, err := record.Update(cur, record.Portrait, record.PortraitKeysEqual, fn)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE holder_portraits SET sealed = ?, expires_at = ?, credential_id = ? WHERE holder_id = ?`),
			next.Sealed, record.Nanos(next.ExpiresAt), nullString(next.CredentialID), holderID)
		return s.driverErr(err)
	})
}

func (s *Store) DeletePortrait(ctx context.Context, holderID string, fn func(storage.Portrait) error, audit ...storage.AuditEvent) error {
	return s.writeAudited(ctx, audit, func(tx *sql.Tx) error {
		cur, err := s.selectPortrait(ctx, tx, holderID, s.d.ForUpdate)
		if err != nil {
			return err
		}
		if fn != nil {
			if err := fn(cur); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM holder_portraits WHERE holder_id = ?`), holderID)
		return s.driverErr(err)
	})
}

func (s *Store) ExpiredPortraits(ctx context.Context, t time.Time, limit int) ([]string, error) {
	if err := s.open(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT holder_id FROM holder_portraits WHERE expires_at < ? ORDER BY holder_id LIMIT ?`),
		t.UnixNano(), storage.ClampLimit(limit))
	out, err := collect(rows, err, func(r scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	if err != nil {
		return nil, s.driverErr(err)
	}
	return out, nil
}
