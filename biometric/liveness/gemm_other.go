//go:build !amd64 || purego

package liveness

const useFMA = false

// kernel2x4 adds a0·b0 + … + a3·b3 (row-wise) to c0 and the a1· row to c1.
func kernel2x4(c0, c1, b0, b1, b2, b3 []float32, a00, a01, a02, a03, a10, a11, a12, a13 float32) {
	kernel2x4Generic(c0, c1, b0, b1, b2, b3, a00, a01, a02, a03, a10, a11, a12, a13)
}

func setFMA(bool) func() { return func() {} }

// preluRow applies y = x if x ≥ 0 else a·x to row.
func preluRow(row []float32, a float32) { preluGeneric(row, a) }
