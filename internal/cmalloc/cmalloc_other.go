//go:build !linux || !cgo

package cmalloc

// Retain does nothing here and reports false.
func Retain(keep int) bool { return false }
