package record

import (
	"database/sql"
	"time"
)

// Nanos encodes t as nanoseconds since the epoch; the zero time becomes NULL. Callers
// validate the range first (storage.*.Validate).
func Nanos(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

// NanosPtr encodes an optional instant.
func NanosPtr(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return Nanos(*t)
}

// Time decodes Nanos: NULL is the zero time, anything else a UTC instant.
func Time(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// TimePtr decodes NanosPtr.
func TimePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := Time(n)
	return &t
}

// Norm gives t exactly as a SQL backend would return it.
func Norm(t time.Time) time.Time { return Time(Nanos(t)) }

// NormPtr is Norm for optional instants (a fresh pointer, never aliasing the caller's).
func NormPtr(t *time.Time) *time.Time { return TimePtr(NanosPtr(t)) }
