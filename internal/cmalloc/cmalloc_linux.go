//go:build linux && cgo

package cmalloc

// #include <malloc.h>
import "C"

// Retain makes the C heap serve blocks of up to 32 MiB from its arenas and keep up to
// keep bytes of freed memory at their top instead of returning it to the kernel. It reports
// whether the C library took both settings (glibc does; others may ignore them).
func Retain(keep int) bool {
	const mmapThreshold = 32 << 20 // glibc's largest
	if C.mallopt(C.M_MMAP_THRESHOLD, mmapThreshold) != 1 {
		return false
	}
	return C.mallopt(C.M_TRIM_THRESHOLD, C.int(keep)) == 1
}
