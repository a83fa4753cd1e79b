package pgstore

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/idgate/idgate/gate"
)

var _ gate.NonceStore = (*Store)(nil)

// PutNonce records a gate or check-in nonce, so that any instance sharing the database can
// take it (gate.Config.SharedNonces).
// Every sweepEvery-th put also deletes the nonces expired by then, so the table holds about
// NonceTTL's worth of issued nonces between retention purges, not five minutes' or more.
func (s *Store) PutNonce(ctx context.Context, scope, nonce string, exp time.Time) error {
	if err := checkTimes(exp); err != nil {
		return &Error{Op: "PutNonce", Err: err}
	}
	if s.puts.Add(1)%sweepEvery == 0 {
		// Housekeeping only: a failed sweep must not fail the nonce (the next one, or
		// PurgeNonces, sweeps). exp - 24 h is long past any nonce's expiry, on this clock.
		_, _ = s.pool.Exec(ctx, `DELETE FROM gate_nonces WHERE expires < $1`, exp.Add(-24*time.Hour))
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO gate_nonces (scope, nonce, expires) VALUES ($1, $2, $3)`, scope, nonce, exp)
	return wrap("PutNonce", err)
}

// sweepEvery is how many PutNonce calls pass between sweeps of expired nonces.
const sweepEvery = 256

// TakeNonce deletes the nonce and reports whether it existed and had not expired at now: one
// DELETE … RETURNING, so of concurrent takes (from any instance) exactly one sees the row.
func (s *Store) TakeNonce(ctx context.Context, scope, nonce string, now time.Time) (time.Time, bool, error) {
	var exp time.Time
	err := s.pool.QueryRow(ctx, `DELETE FROM gate_nonces WHERE scope = $1 AND nonce = $2 RETURNING expires`,
		scope, nonce).Scan(&exp)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, wrap("TakeNonce", err)
	}
	return exp, now.Before(exp), nil
}

// PurgeNonces deletes the nonces that expired before now.
func (s *Store) PurgeNonces(ctx context.Context, now time.Time) error {
	if err := checkTimes(now); err != nil {
		return &Error{Op: "PurgeNonces", Err: err}
	}
	_, err := s.pool.Exec(ctx, `DELETE FROM gate_nonces WHERE expires < $1`, now)
	return wrap("PurgeNonces", err)
}
