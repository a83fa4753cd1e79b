package sqlstore

import (
	"strconv"
	"strings"
)

// ErrClass is how a backend classifies a driver error.
type ErrClass int

const (
	ErrOther      ErrClass = iota
	ErrUnique              // unique or primary key violation
	ErrForeignKey          // foreign key violation
	ErrRetry               // serialization failure, deadlock, busy: worth retrying
)

// Dialect captures what differs between the SQL backends.
type Dialect struct {
	Name string
	// NumberedParams rewrites ? placeholders to $1, $2, ... (PostgreSQL).
	NumberedParams bool
	// BytesType is the column type of hashes ("BLOB", "BYTEA").
	BytesType string
	// ForUpdate is appended to the SELECT of an updater (" FOR UPDATE", or "" where the
	// transaction already holds the write lock).
	ForUpdate string
	// MigrationLock runs first in the migration transaction ("" when BEGIN already
	// serialises writers).
	MigrationLock string
	// AuditLock runs before computing the next audit Seq so appenders commit in Seq order.
	AuditLock string
	// SerializeWrites makes the store run one write transaction at a time in-process
	// (SQLite has one writer; queueing in Go avoids busy-waiting in the driver).
	SerializeWrites bool
	// Classify maps a driver error to an ErrClass.
	Classify func(error) ErrClass
}

// rebind rewrites ? placeholders for dialects with numbered parameters. Queries in this
// package contain no ? inside string literals.
func (d *Dialect) rebind(q string) string {
	if !d.NumberedParams {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
