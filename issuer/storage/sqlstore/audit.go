package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/internal/record"
)

func (s *Store) AppendAudit(ctx context.Context, e storage.AuditEvent) (int64, error) {
	if err := checkAudit([]storage.AuditEvent{e}); err != nil {
		return 0, err
	}
	var seq int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		seq, err = s.appendAudit(ctx, tx, []storage.AuditEvent{e})
		return err
	})
	if err != nil {
		return 0, err
	}
	return seq, nil
}

// checkAudit validates a write's audit events before its transaction starts.
func checkAudit(events []storage.AuditEvent) error {
	if err := storage.ValidateAudit(events); err != nil {
		return err
	}
	for _, e := range events {
		if _, err := record.EncodeDetails(e.Details); err != nil {
			return err
		}
	}
	return nil
}

// appendAudit appends checked events inside the transaction of the change they record and
// returns the last Seq. It runs last in a transaction: the table lock is then the last lock
// taken, so writers never wait for each other in a cycle.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, events []storage.AuditEvent) (int64, error) {
	if len(events) == 0 {
		return 0, nil
	}
	// Seq = MAX+1 under a table lock: appenders commit in Seq order without gaps, so a
	// reader tailing by Seq cannot skip an event that commits late (a sequence could).
	if s.d.AuditLock != "" {
		if _, err := tx.ExecContext(ctx, s.d.AuditLock); err != nil {
			return 0, s.driverErr(err)
		}
	}
	var seq int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_events`).Scan(&seq); err != nil {
		return 0, s.driverErr(err)
	}
	for _, e := range events {
		details, err := record.EncodeDetails(e.Details)
		if err != nil {
			return 0, err
		}
		seq++
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO audit_events (seq, event_time, actor, action, subject, details) VALUES (?, ?, ?, ?, ?, ?)`),
			seq, record.Nanos(e.Time), e.Actor, e.Action, e.Subject, string(details))
		if err != nil {
			return 0, s.driverErr(err)
		}
	}
	return seq, nil
}

func (s *Store) ListAudit(ctx context.Context, afterSeq int64, limit int) ([]storage.AuditEvent, error) {
	if err := s.open(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT seq, event_time, actor, action, subject, details FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`),
		afterSeq, storage.ClampLimit(limit))
	out, err := collect(rows, err, func(r scanner) (storage.AuditEvent, error) {
		var (
			e       storage.AuditEvent
			at      sql.NullInt64
			details string
		)
		if err := r.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Subject, &details); err != nil {
			return storage.AuditEvent{}, err
		}
		d, err := record.DecodeDetails([]byte(details))
		if err != nil {
			return storage.AuditEvent{}, fmt.Errorf("audit event %d: %w", e.Seq, err)
		}
		e.Time, e.Details = record.Time(at), d
		return e, nil
	})
	if err != nil {
		return nil, s.driverErr(err)
	}
	return out, nil
}
