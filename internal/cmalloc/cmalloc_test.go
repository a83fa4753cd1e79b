package cmalloc

import (
	"runtime"
	"testing"
)

// TestRetain: glibc takes both settings (the repository's platform is Debian).
func TestRetain(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("glibc only")
	}
	if !Retain(128 << 20) {
		t.Fatal("mallopt refused the settings")
	}
}
