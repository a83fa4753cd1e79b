package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/internal/record"
)

const holderCols = `id, attributes, created_at`

func scanHolder(r scanner) (storage.Holder, error) {
	var (
		h     storage.Holder
		attrs string
		at    sql.NullInt64
	)
	if err := r.Scan(&h.ID, &attrs, &at); err != nil {
		return storage.Holder{}, err
	}
	m, err := record.DecodeAttributes([]byte(attrs))
	if err != nil {
		return storage.Holder{}, fmt.Errorf("holder %q: %w", h.ID, err)
	}
	h.Attributes, h.CreatedAt = m, record.Time(at)
	return h, nil
}

func (s *Store) CreateHolder(ctx context.Context, h storage.Holder, audit ...storage.AuditEvent) error {
	if err := h.Validate(); err != nil {
		return err
	}
	attrs, err := record.EncodeAttributes(h.Attributes)
	if err != nil {
		return err
	}
	return s.writeAudited(ctx, audit, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO holders (`+holderCols+`) VALUES (?, ?, ?)`),
			h.ID, string(attrs), record.Nanos(h.CreatedAt))
		if err != nil {
			return s.insertErr(err, fmt.Sprintf("holder %q", h.ID), "")
		}
		if h.Portrait != nil {
			return s.insertPortrait(ctx, tx, *h.Portrait)
		}
		return nil
	})
}

func (s *Store) GetHolder(ctx context.Context, id string) (storage.Holder, error) {
	if err := s.open(); err != nil {
		return storage.Holder{}, err
	}
	h, err := scanHolder(s.db.QueryRowContext(ctx, s.q(`SELECT `+holderCols+` FROM holders WHERE id = ?`), id))
	if err != nil {
		return storage.Holder{}, s.readErr(err, fmt.Sprintf("holder %q", id))
	}
	return h, nil
}

func (s *Store) ListHolders(ctx context.Context, limit int, afterID string) ([]storage.Holder, error) {
	if err := s.open(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+holderCols+` FROM holders WHERE id > ? ORDER BY id LIMIT ?`),
		afterID, storage.ClampLimit(limit))
	out, err := collect(rows, err, scanHolder)
	if err != nil {
		return nil, s.driverErr(err)
	}
	return out, nil
}
