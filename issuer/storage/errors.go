package storage

import (
	"errors"
	"fmt"
)

// Sentinel errors. Backends wrap them with %w and a short context (never secret values).
var (
	// ErrNotFound: the record, or a record it references, does not exist.
	ErrNotFound = errors.New("storage: not found")
	// ErrAlreadyExists: a record with the same primary key or unique value exists.
	ErrAlreadyExists = errors.New("storage: already exists")
	// ErrConflict: the change conflicts with stored state (a full status list, an updater
	// that changed an immutable field, a serialization failure worth retrying).
	ErrConflict = errors.New("storage: conflict")
	// ErrInvalid: the argument itself is malformed (empty key, oversized field, bad enum).
	ErrInvalid = errors.New("storage: invalid argument")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("storage: closed")
)

// ErrStatusListFull is returned by IssueCredential when every slot of the list has been used.
// It wraps ErrConflict; the caller creates a new list and retries.
var ErrStatusListFull = fmt.Errorf("%w: status list full", ErrConflict)

// ErrImmutableField is returned by an Update* method whose function changed a key field.
// It wraps ErrConflict; nothing is written.
var ErrImmutableField = fmt.Errorf("%w: updater changed an immutable field", ErrConflict)
