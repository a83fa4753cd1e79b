//go:build amd64 && !purego

package liveness

import "golang.org/x/sys/cpu"

// useFMA selects the AVX2+FMA inner loop (x/sys/cpu reports AVX2 only when the OS saves its
// state). A variable so tests can compare it with the portable loop.
var useFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernel2x4FMA is kernel2x4 over n (a multiple of 8) columns; a holds the 8 weights
// a00 a01 a02 a03 a10 a11 a12 a13. See gemm_amd64.s.
//
//go:noescape
func kernel2x4FMA(c0, c1, b0, b1, b2, b3 *float32, n int, a *[8]float32)

// kernel2x4 adds a0·b0 + … + a3·b3 (row-wise) to c0 and the a1· row to c1.
func kernel2x4(c0, c1, b0, b1, b2, b3 []float32, a00, a01, a02, a03, a10, a11, a12, a13 float32) {
	n := len(c0)
	c1, b0, b1, b2, b3 = c1[:n], b0[:n], b1[:n], b2[:n], b3[:n] // the assembly trusts these lengths
	n8 := 0
	if useFMA {
		n8 = n &^ 7
		if n8 > 0 {
			a := [8]float32{a00, a01, a02, a03, a10, a11, a12, a13}
			kernel2x4FMA(&c0[0], &c1[0], &b0[0], &b1[0], &b2[0], &b3[0], n8, &a)
		}
	}
	kernel2x4Generic(c0[n8:], c1[n8:], b0[n8:], b1[n8:], b2[n8:], b3[n8:], a00, a01, a02, a03, a10, a11, a12, a13)
}

// setFMA switches the FMA loop on or off for a test and returns the undo.
func setFMA(on bool) func() {
	old := useFMA
	useFMA = on && cpu.X86.HasAVX2 && cpu.X86.HasFMA
	return func() { useFMA = old }
}

//go:noescape
func preluAVX2(x *float32, n int, a float32)

// preluRow applies y = x if x ≥ 0 else a·x to row.
func preluRow(row []float32, a float32) {
	n8 := 0
	if useFMA {
		if n8 = len(row) &^ 7; n8 > 0 {
			preluAVX2(&row[0], n8, a)
		}
	}
	preluGeneric(row[n8:], a)
}
