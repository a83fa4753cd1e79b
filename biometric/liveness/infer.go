package liveness

import "math"

// workspace holds a forward pass's activations; one per concurrent inference (sync.Pool).
type workspace struct {
	a, b, c, d []float32
	pool       []float32
}

func newWorkspace(maxAct int) *workspace {
	return &workspace{a: make([]float32, maxAct), b: make([]float32, maxAct), c: make([]float32, maxAct),
		d: make([]float32, maxAct), pool: make([]float32, 1024)}
}

// forward runs the network on one 3×80×80 BGR tensor (CHW, 0..255) and returns the 3 logits.
func (n *network) forward(ws *workspace, in []float32, logits *[3]float32) {
	h := inputSize
	// conv1: 3x3 stride 2 via im2col into ws.d, GEMM into ws.a.
	oh := (h+2*n.conv1.pad-n.conv1.k)/n.conv1.stride + 1
	col := ws.d[:n.conv1.cin*9*oh*oh]
	im2col(in, n.conv1.cin, h, h, 3, n.conv1.stride, n.conv1.pad, oh, oh, col)
	x := ws.a[:n.conv1.cout*oh*oh]
	gemmBias(n.conv1.w, col, n.conv1.b, x, n.conv1.cout, n.conv1.cin*9, oh*oh)
	prelu(x, n.conv1.prelu, oh*oh)
	h = oh
	y := ws.b[:n.conv2dw.cout*h*h]
	depthwise(n.conv2dw, x, h, h, y)
	x, y = y, ws.a
	for _, b := range n.blocks {
		// expand (1x1) → ws.c, depthwise → ws.d, project → y, then SE and residual.
		hw := h * h
		e := ws.c[:b.expand.cout*hw]
		gemmBias(b.expand.w, x, b.expand.b, e, b.expand.cout, b.expand.cin, hw)
		prelu(e, b.expand.prelu, hw)
		oh := (h+2*b.dw.pad-b.dw.k)/b.dw.stride + 1
		d := ws.d[:b.dw.cout*oh*oh]
		depthwise(b.dw, e, h, h, d)
		out := y[:b.project.cout*oh*oh]
		gemmBias(b.project.w, d, b.project.b, out, b.project.cout, b.project.cin, oh*oh)
		if b.se != nil {
			b.se.apply(out, oh*oh, ws.pool)
		}
		if b.residual {
			for i, v := range x[:len(out)] {
				out[i] += v
			}
		}
		h = oh
		x, y = out, x[:cap(x)]
	}
	hw := h * h
	sep := y[:n.sep.cout*hw]
	gemmBias(n.sep.w, x, n.sep.b, sep, n.sep.cout, n.sep.cin, hw)
	prelu(sep, n.sep.prelu, hw)
	// conv_6_dw: a k×k depthwise filter over the whole k×k map (valid): one dot per channel.
	feat := ws.pool[:n.dw6.cout]
	kk := n.dw6.k * n.dw6.k
	for c := 0; c < n.dw6.cout; c++ {
		feat[c] = n.dw6.b[c] + dot(n.dw6.w[c*kk:(c+1)*kk], sep[c*hw:(c+1)*hw])
	}
	emb := ws.pool[512 : 512+n.emb]
	for o := 0; o < n.emb; o++ {
		emb[o] = n.linB[o] + dot(n.linW[o*512:(o+1)*512], feat)
	}
	for o := 0; o < 3; o++ {
		logits[o] = dot(n.probW[o*n.emb:(o+1)*n.emb], emb)
	}
}

// apply scales x (c×hw) channel-wise by the SE gate computed from x's channel means.
func (m *se) apply(x []float32, hw int, scratch []float32) {
	mean := scratch[:m.c]
	for c := 0; c < m.c; c++ {
		var s float32
		for _, v := range x[c*hw : (c+1)*hw] {
			s += v
		}
		mean[c] = s / float32(hw)
	}
	mid := scratch[m.c : m.c+m.r]
	for o := 0; o < m.r; o++ {
		mid[o] = max(0, m.b1[o]+dot(m.w1[o*m.c:(o+1)*m.c], mean))
	}
	for c := 0; c < m.c; c++ {
		g := m.b2[c] + dot(m.w2[c*m.r:(c+1)*m.r], mid)
		g = float32(1 / (1 + math.Exp(-float64(g))))
		row := x[c*hw : (c+1)*hw]
		for i := range row {
			row[i] *= g
		}
	}
}

func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// prelu applies y = x if x ≥ 0 else a[c]·x to x (channels of hw values).
func prelu(x, a []float32, hw int) {
	for c, s := range a {
		preluRow(x[c*hw:(c+1)*hw], s)
	}
}

func preluGeneric(row []float32, a float32) {
	for i, v := range row {
		if v < 0 {
			row[i] = v * a
		}
	}
}

// im2col lays out the k×k patches of in (c×h×w, zero padding) as rows c·k·k of oh·ow columns.
func im2col(in []float32, c, h, w, k, stride, pad, oh, ow int, col []float32) {
	r := 0
	for ch := 0; ch < c; ch++ {
		plane := in[ch*h*w : (ch+1)*h*w]
		for ky := 0; ky < k; ky++ {
			for kx := 0; kx < k; kx++ {
				dst := col[r*oh*ow : (r+1)*oh*ow]
				r++
				for oy := 0; oy < oh; oy++ {
					iy := oy*stride - pad + ky
					row := dst[oy*ow : (oy+1)*ow]
					if iy < 0 || iy >= h {
						clear(row)
						continue
					}
					src := plane[iy*w : (iy+1)*w]
					for ox := range row {
						ix := ox*stride - pad + kx
						if ix < 0 || ix >= w {
							row[ox] = 0
						} else {
							row[ox] = src[ix]
						}
					}
				}
			}
		}
	}
}

// depthwise applies c's per-channel k×k filter (zero padding) and its bias and PReLU.
func depthwise(c *conv, in []float32, h, w int, out []float32) {
	k, s, p := c.k, c.stride, c.pad
	oh, ow := (h+2*p-k)/s+1, (w+2*p-k)/s+1
	for ch := 0; ch < c.cout; ch++ {
		plane := in[ch*h*w : (ch+1)*h*w]
		f := c.w[ch*k*k : (ch+1)*k*k]
		dst := out[ch*oh*ow : (ch+1)*oh*ow]
		bias := c.b[ch]
		if k == 3 {
			depthwise3(plane, h, w, s, p, f, bias, dst, oh, ow)
		} else {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					acc := bias
					for ky := 0; ky < k; ky++ {
						iy := oy*s - p + ky
						if iy < 0 || iy >= h {
							continue
						}
						for kx := 0; kx < k; kx++ {
							ix := ox*s - p + kx
							if ix >= 0 && ix < w {
								acc += f[ky*k+kx] * plane[iy*w+ix]
							}
						}
					}
					dst[oy*ow+ox] = acc
				}
			}
		}
		if c.prelu != nil {
			preluRow(dst, c.prelu[ch])
		}
	}
}

// depthwise3 is the 3×3 case: interior pixels without bounds checks, borders with.
func depthwise3(plane []float32, h, w, s, p int, f []float32, bias float32, dst []float32, oh, ow int) {
	f0, f1, f2, f3, f4, f5, f6, f7, f8 := f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]
	for oy := 0; oy < oh; oy++ {
		iy := oy*s - p
		drow := dst[oy*ow : (oy+1)*ow]
		if iy < 0 || iy+2 >= h {
			for ox := range drow {
				acc := bias
				for ky := 0; ky < 3; ky++ {
					y := iy + ky
					if y < 0 || y >= h {
						continue
					}
					for kx := 0; kx < 3; kx++ {
						x := ox*s - p + kx
						if x >= 0 && x < w {
							acc += f[ky*3+kx] * plane[y*w+x]
						}
					}
				}
				drow[ox] = acc
			}
			continue
		}
		r0, r1, r2 := plane[iy*w:(iy+1)*w], plane[(iy+1)*w:(iy+2)*w], plane[(iy+2)*w:(iy+3)*w]
		for ox := range drow {
			x := ox*s - p
			if x < 0 || x+2 >= w {
				acc := bias
				for kx := 0; kx < 3; kx++ {
					xx := x + kx
					if xx >= 0 && xx < w {
						acc += f[kx]*r0[xx] + f[3+kx]*r1[xx] + f[6+kx]*r2[xx]
					}
				}
				drow[ox] = acc
				continue
			}
			a, b, c := r0[x:x+3:x+3], r1[x:x+3:x+3], r2[x:x+3:x+3]
			drow[ox] = bias + f0*a[0] + f1*a[1] + f2*a[2] + f3*b[0] + f4*b[1] + f5*b[2] + f6*c[0] + f7*c[1] + f8*c[2]
		}
	}
}
