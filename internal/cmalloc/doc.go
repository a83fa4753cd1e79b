// Package cmalloc tunes the C heap of a process whose cgo libraries allocate and free the same
// large buffers on every call: libjpeg's coefficient arrays and the face pipeline's planes are
// megabytes each for a 1 MP capture. glibc serves such blocks with mmap and hands them back to
// the kernel when freed, so every call pays the page faults of fresh, zeroed memory again (about
// 3 ms of a 1 MP decode on two threads: docs/performance.md). The gate calls Retain once at
// start-up.
package cmalloc
