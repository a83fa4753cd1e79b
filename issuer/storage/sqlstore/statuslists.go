package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/internal/record"
)

const listCols = `id, uri, bits, size, created_at`

func scanList(r scanner) (storage.StatusList, error) {
	var (
		l  storage.StatusList
		at sql.NullInt64
	)
	if err := r.Scan(&l.ID, &l.URI, &l.Bits, &l.Size, &at); err != nil {
		return storage.StatusList{}, err
	}
	l.CreatedAt = record.Time(at)
	if l.Validate() != nil {
		return storage.StatusList{}, corrupt("status list %q", l.ID)
	}
	return l, nil
}

func (s *Store) CreateStatusList(ctx context.Context, l storage.StatusList, audit ...storage.AuditEvent) error {
	if err := l.Validate(); err != nil {
		return err
	}
	return s.writeAudited(ctx, audit, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO status_lists (`+listCols+`) VALUES (?, ?, ?, ?, ?)`),
			l.ID, l.URI, l.Bits, l.Size, record.Nanos(l.CreatedAt))
		if err != nil {
			return s.insertErr(err, fmt.Sprintf("status list %q", l.ID), "")
		}
		return nil
	})
}

func (s *Store) GetStatusList(ctx context.Context, id string) (storage.StatusList, error) {
	if err := s.open(); err != nil {
		return storage.StatusList{}, err
	}
	l, err := scanList(s.db.QueryRowContext(ctx, s.q(`SELECT `+listCols+` FROM status_lists WHERE id = ?`), id))
	if err != nil {
		return storage.StatusList{}, s.readErr(err, fmt.Sprintf("status list %q", id))
	}
	return l, nil
}

func (s *Store) ListStatusLists(ctx context.Context) ([]storage.StatusList, error) {
	if err := s.open(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+listCols+` FROM status_lists ORDER BY id`)
	out, err := collect(rows, err, scanList)
	if err != nil {
		return nil, s.driverErr(err)
	}
	return out, nil
}

func (s *Store) StatusEntries(ctx context.Context, listID string) ([]storage.StatusEntry, error) {
	if _, err := s.GetStatusList(ctx, listID); err != nil {
		return nil, err
	}
	// Lists are never deleted, so checking existence first and reading entries second is
	// safe; the single SELECT below sees each credential's slot and status whole.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT status_index, status FROM credentials WHERE status_list_id = ? ORDER BY status_index`), listID)
	out, err := collect(rows, err, func(r scanner) (storage.StatusEntry, error) {
		var idx, st int
		if err := r.Scan(&idx, &st); err != nil {
			return storage.StatusEntry{}, err
		}
		if idx < 0 || idx >= storage.MaxStatusListSize || st < 0 || st > 255 {
			return storage.StatusEntry{}, corrupt("status entry in list %q", listID)
		}
		return storage.StatusEntry{Index: idx, Status: uint8(st)}, nil
	})
	if err != nil {
		return nil, s.driverErr(err)
	}
	return out, nil
}
