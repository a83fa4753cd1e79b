package liveness

// gemmBias computes C = W·B + bias (bias broadcast along each row of C): W is m×k, B is k×n,
// C is m×n, all row-major. 1x1 convolutions are ~92% of MiniFASNet's work and all land here
// with n = H·W of the feature map. The kernel updates two rows of C from four rows of B per
// pass: 8 multiply-adds for 4 loads of B and 2 loads and stores of C, with every weight in
// a register.
func gemmBias(w, b, bias, c []float32, m, k, n int) {
	i := 0
	for ; i+2 <= m; i += 2 {
		c0, c1 := c[i*n:(i+1)*n], c[(i+1)*n:(i+2)*n]
		w0, w1 := w[i*k:(i+1)*k], w[(i+1)*k:(i+2)*k]
		fill(c0, bias[i])
		fill(c1, bias[i+1])
		p := 0
		for ; p+4 <= k; p += 4 {
			b0 := b[p*n : p*n+n]
			b1 := b[(p+1)*n : (p+1)*n+n]
			b2 := b[(p+2)*n : (p+2)*n+n]
			b3 := b[(p+3)*n : (p+3)*n+n]
			kernel2x4(c0, c1, b0, b1, b2, b3, w0[p], w0[p+1], w0[p+2], w0[p+3], w1[p], w1[p+1], w1[p+2], w1[p+3])
		}
		for ; p < k; p++ {
			b0 := b[p*n : p*n+n]
			a0, a1 := w0[p], w1[p]
			c1 := c1[:len(c0)]
			b0 = b0[:len(c0)]
			for j, v := range b0 {
				c0[j] += a0 * v
				c1[j] += a1 * v
			}
		}
	}
	for ; i < m; i++ {
		c0 := c[i*n : (i+1)*n]
		fill(c0, bias[i])
		for p := 0; p < k; p++ {
			a := w[i*k+p]
			b0 := b[p*n : p*n+n]
			b0 = b0[:len(c0)]
			for j, v := range b0 {
				c0[j] += a * v
			}
		}
	}
}

func kernel2x4Generic(c0, c1, b0, b1, b2, b3 []float32, a00, a01, a02, a03, a10, a11, a12, a13 float32) {
	n := len(c0)
	c1, b0, b1, b2, b3 = c1[:n], b0[:n], b1[:n], b2[:n], b3[:n]
	for j := 0; j < n; j++ {
		x0, x1, x2, x3 := b0[j], b1[j], b2[j], b3[j]
		c0[j] += a00*x0 + a01*x1 + a02*x2 + a03*x3
		c1[j] += a10*x0 + a11*x1 + a12*x2 + a13*x3
	}
}

func fill(s []float32, v float32) {
	for i := range s {
		s[i] = v
	}
}
