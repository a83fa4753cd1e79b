package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/internal/record"
	"github.com/idgate/idgate/issuer/storage/internal/slot"
)

const credCols = `id, holder_id, offer_id, vct, status_list_id, status_index, status, holder_key_thumbprint, issued_at, expires_at, updated_at, pending_until`

func scanCred(r scanner) (storage.Credential, error) {
	var (
		c                storage.Credential
		offer            sql.NullString
		status           int
		issued, exp, upd sql.NullInt64
		pending          sql.NullInt64
	)
	if err := r.Scan(&c.ID, &c.HolderID, &offer, &c.VCT, &c.StatusListID, &c.StatusIndex, &status, &c.HolderKeyThumbprint, &issued, &exp, &upd, &pending); err != nil {
		return storage.Credential{}, err
	}
	if status < 0 || status > 255 || c.StatusIndex < 0 {
		return storage.Credential{}, corrupt("credential %q", c.ID)
	}
	c.OfferID, c.Status = offer.String, uint8(status)
	c.IssuedAt, c.ExpiresAt, c.UpdatedAt = record.Time(issued), record.Time(exp), record.Time(upd)
	c.PendingUntil = record.TimePtr(pending)
	return c, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// txLedger is slot.Ledger over the status_slots table inside the issuing transaction.
type txLedger struct {
	s      *Store
	tx     *sql.Tx
	listID string
}

func (l txLedger) Taken(ctx context.Context, cands []int) (map[int]bool, error) {
	args := make([]any, 0, len(cands)+1)
	args = append(args, l.listID)
	for _, c := range cands {
		args = append(args, c)
	}
	q := `SELECT status_index FROM status_slots WHERE status_list_id = ? AND status_index IN (?` + strings.Repeat(", ?", len(cands)-1) + `)`
	rows, err := l.tx.QueryContext(ctx, l.s.q(q), args...)
	idx, err := collect(rows, err, func(r scanner) (i int, err error) { return i, r.Scan(&i) })
	if err != nil {
		return nil, err
	}
	taken := make(map[int]bool, len(idx))
	for _, i := range idx {
		taken[i] = true
	}
	return taken, nil
}

func (l txLedger) UsedIn(ctx context.Context, lo, hi int) ([]int, error) {
	rows, err := l.tx.QueryContext(ctx, l.s.q(`SELECT status_index FROM status_slots WHERE status_list_id = ? AND status_index >= ? AND status_index < ? ORDER BY status_index`), l.listID, lo, hi)
	return collect(rows, err, func(r scanner) (i int, err error) { return i, r.Scan(&i) })
}

func (s *Store) IssueCredential(ctx context.Context, c storage.Credential, opt storage.IssueOptions) (storage.Credential, error) {
	if err := c.Validate(); err != nil {
		return storage.Credential{}, err
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		// Lock the list row: concurrent issuers into one list queue here (PostgreSQL), so the
		// counter and the ledger read below are stable.
		var bits, size, used int
		err := tx.QueryRowContext(ctx, s.q(`SELECT bits, size, used FROM status_lists WHERE id = ?`+s.d.ForUpdate), c.StatusListID).Scan(&bits, &size, &used)
		if err != nil {
			return s.readErr(err, fmt.Sprintf("status list %q", c.StatusListID))
		}
		if !storage.StatusFits(c.Status, bits) {
			return fmt.Errorf("%w: status %d does not fit %d bits", storage.ErrInvalid, c.Status, bits)
		}
		if used >= size {
			return fmt.Errorf("%w: %q", storage.ErrStatusListFull, c.StatusListID)
		}
		if opt.TokenHash != nil {
			if err := s.updateToken(ctx, tx, opt.TokenHash, opt.UseToken); err != nil {
				return err
			}
		}
		idx, err := slot.Pick(ctx, s.rnd, size, txLedger{s: s, tx: tx, listID: c.StatusListID})
		if err != nil {
			return fmt.Errorf("storage: pick status slot: %w", s.driverErr(err))
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE status_lists SET used = used + 1 WHERE id = ?`), c.StatusListID); err != nil {
			return s.driverErr(err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO status_slots (status_list_id, status_index) VALUES (?, ?)`), c.StatusListID, idx); err != nil {
			if s.d.Classify(err) == ErrUnique { // only if the list lock did not hold: retryable
				return fmt.Errorf("%w: status slot taken concurrently", storage.ErrConflict)
			}
			return s.driverErr(err)
		}
		c.StatusIndex = idx
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO credentials (`+credCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			c.ID, c.HolderID, nullString(c.OfferID), c.VCT, c.StatusListID, c.StatusIndex, int(c.Status), c.HolderKeyThumbprint,
			record.Nanos(c.IssuedAt), record.Nanos(c.ExpiresAt), record.Nanos(c.UpdatedAt), record.NanosPtr(c.PendingUntil))
		if err != nil {
			return s.insertErr(err, fmt.Sprintf("credential %q", c.ID), fmt.Sprintf("holder %q or offer %q", c.HolderID, c.OfferID))
		}
		if opt.Audit == nil {
			return nil
		}
		audit := []storage.AuditEvent{opt.Audit(record.Credential(c))}
		if err := checkAudit(audit); err != nil {
			return err
		}
		_, err = s.appendAudit(ctx, tx, audit)
		return err
	})
	if err != nil {
		return storage.Credential{}, err
	}
	return record.Credential(c), nil
}

func (s *Store) GetCredential(ctx context.Context, id string) (storage.Credential, error) {
	if err := s.open(); err != nil {
		return storage.Credential{}, err
	}
	c, err := scanCred(s.db.QueryRowContext(ctx, s.q(`SELECT `+credCols+` FROM credentials WHERE id = ?`), id))
	if err != nil {
		return storage.Credential{}, s.readErr(err, fmt.Sprintf("credential %q", id))
	}
	return c, nil
}

func (s *Store) UpdateCredential(ctx context.Context, id string, fn func(*storage.Credential) error, audit ...storage.AuditEvent) error {
	return s.writeAudited(ctx, audit, func(tx *sql.Tx) error {
		cur, err := scanCred(tx.QueryRowContext(ctx, s.q(`SELECT `+credCols+` FROM credentials WHERE id = ?`+s.d.ForUpdate), id))
		if err != nil {
			return s.readErr(err, fmt.Sprintf("credential %q", id))
		}
		next, err := record.Update(cur, record.Credential, record.CredentialKeysEqual, fn)
		if err != nil {
			return err
		}
		var bits int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT bits FROM status_lists WHERE id = ?`), cur.StatusListID).Scan(&bits); err != nil {
			return s.readErr(err, fmt.Sprintf("status list %q", cur.StatusListID))
		}
		if !storage.StatusFits(next.Status, bits) {
			return fmt.Errorf("%w: status %d does not fit %d bits", storage.ErrInvalid, next.Status, bits)
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE credentials SET vct = ?, status = ?, holder_key_thumbprint = ?, issued_at = ?, expires_at = ?, updated_at = ?, pending_until = ? WHERE id = ?`),
			next.VCT, int(next.Status), next.HolderKeyThumbprint, record.Nanos(next.IssuedAt), record.Nanos(next.ExpiresAt), record.Nanos(next.UpdatedAt), record.NanosPtr(next.PendingUntil), id)
		return s.driverErr(err)
	})
}

func (s *Store) ListCredentials(ctx context.Context, f storage.CredentialFilter) ([]storage.Credential, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	if err := s.open(); err != nil {
		return nil, err
	}
	q := `SELECT ` + credCols + ` FROM credentials WHERE id > ?`
	args := []any{f.AfterID}
	if f.HolderID != "" {
		q += ` AND holder_id = ?`
		args = append(args, f.HolderID)
	}
	if f.Status != nil {
		q += ` AND status = ?`
		args = append(args, int(*f.Status))
	}
	if !f.PendingBefore.IsZero() {
		q += ` AND pending_until IS NOT NULL AND pending_until < ?`
		args = append(args, record.Nanos(f.PendingBefore))
	}
	q += ` ORDER BY id LIMIT ?`
	args = append(args, storage.ClampLimit(f.Limit))
	rows, err := s.db.QueryContext(ctx, s.q(q), args...)
	out, err := collect(rows, err, scanCred)
	if err != nil {
		return nil, s.driverErr(err)
	}
	return out, nil
}
