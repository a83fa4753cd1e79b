package record

import "github.com/idgate/idgate/issuer/storage"

// Update is the updater rule every backend applies: fn runs on a copy of cur (clone), and the
// copy is returned only if fn succeeded, left the immutable fields alone (keysEqual, else
// storage.ErrImmutableField) and the result is valid.
func Update[T interface{ Validate() error }](cur T, clone func(T) T, keysEqual func(a, b T) bool, fn func(*T) error) (T, error) {
	var zero T
	next := clone(cur)
	if err := fn(&next); err != nil {
		return zero, err
	}
	if !keysEqual(cur, next) {
		return zero, storage.ErrImmutableField
	}
	if err := next.Validate(); err != nil {
		return zero, err
	}
	return next, nil
}
