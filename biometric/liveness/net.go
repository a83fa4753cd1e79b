package liveness

import (
	"fmt"
	"math"
)

const (
	inputSize = 80
	bnEps     = 1e-5
)

// conv is a convolution with its batch norm folded in (w' = w·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε))
// and an optional per-channel PReLU. Depthwise convs have one k×k filter per channel.
type conv struct {
	cout, cin, k, stride, pad int
	depthwise                 bool
	w, b                      []float32 // w: [cout][cin][k][k] (depthwise: [cout][k][k])
	prelu                     []float32 // nil: no activation
}

// se is a squeeze-and-excitation module: avg pool → 1x1 c→c/4, BN, ReLU → 1x1 c/4→c, BN, sigmoid.
type se struct {
	c, r   int
	w1, b1 []float32 // [r][c]
	w2, b2 []float32 // [c][r]
}

// block is DW(cin,e,cout,stride): 1x1 expand, 3x3 depthwise, 1x1 project (no activation),
// optionally SE, optionally a residual add.
type block struct {
	expand, dw, project *conv
	se                  *se
	residual            bool
}

// network is one MiniFASNet (V2 or V1SE) ready for inference.
type network struct {
	conv1, conv2dw *conv
	blocks         []*block
	sep, dw6       *conv     // conv_6_sep (CB 1x1 128→512), conv_6_dw (LB depthwise 5x5, valid)
	linW, linB     []float32 // linear 512→128 with BatchNorm1d folded
	probW          []float32 // prob 128→3, no bias
	emb, classes   int
	maxAct         int // largest activation in floats, for the workspace
}

// stateDict hands out tensors by name and remembers which were used.
type stateDict struct {
	t    map[string]*tensor
	used map[string]bool
}

func (s *stateDict) get(name string, shape ...int) ([]float32, error) {
	t, ok := s.t[name]
	if !ok {
		return nil, formatErr("tensor %q missing", name)
	}
	if len(t.shape) != len(shape) {
		return nil, formatErr("tensor %q has shape %v, want %v", name, t.shape, shape)
	}
	for i := range shape {
		if shape[i] >= 0 && t.shape[i] != shape[i] {
			return nil, formatErr("tensor %q has shape %v, want %v", name, t.shape, shape)
		}
	}
	for _, v := range t.data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, formatErr("tensor %q holds a non-finite value", name)
		}
	}
	s.used[name] = true
	return t.data, nil
}

// dim reads dimension i of a tensor's shape (for channel counts the architecture leaves open).
func (s *stateDict) dim(name string, i int) (int, error) {
	t, ok := s.t[name]
	if !ok || len(t.shape) <= i {
		return 0, formatErr("tensor %q missing", name)
	}
	return t.shape[i], nil
}

// bn reads a batch norm and returns its scale γ/√(σ²+ε) and shift β − μ·scale, in float64.
func (s *stateDict) bn(p string, c int) (scale, shift []float64, err error) {
	var g, b, m, v []float32
	for _, x := range []struct {
		dst  *[]float32
		name string
	}{{&g, "weight"}, {&b, "bias"}, {&m, "running_mean"}, {&v, "running_var"}} {
		if *x.dst, err = s.get(p+"."+x.name, c); err != nil {
			return nil, nil, err
		}
	}
	scale, shift = make([]float64, c), make([]float64, c)
	for i := 0; i < c; i++ {
		if v[i] < 0 {
			return nil, nil, formatErr("%s.running_var negative", p)
		}
		scale[i] = float64(g[i]) / math.Sqrt(float64(v[i])+bnEps)
		shift[i] = float64(b[i]) - float64(m[i])*scale[i]
	}
	return scale, shift, nil
}

// convBN builds CB (prelu) or LB (no prelu) at prefix p.
func (s *stateDict) convBN(p string, cout, cin, k, stride, pad int, depthwise, prelu bool) (*conv, error) {
	wcin := cin
	if depthwise {
		wcin = 1
	}
	w, err := s.get(p+".conv.weight", cout, wcin, k, k)
	if err != nil {
		return nil, err
	}
	scale, shift, err := s.bn(p+".bn", cout)
	if err != nil {
		return nil, err
	}
	c := &conv{cout: cout, cin: cin, k: k, stride: stride, pad: pad, depthwise: depthwise,
		w: make([]float32, len(w)), b: make([]float32, cout)}
	per := len(w) / cout
	for o := 0; o < cout; o++ {
		for j := 0; j < per; j++ {
			c.w[o*per+j] = float32(float64(w[o*per+j]) * scale[o])
		}
		c.b[o] = float32(shift[o])
	}
	if prelu {
		if c.prelu, err = s.get(p+".prelu.weight", cout); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// dwBlock builds DW(cin,e,cout) at prefix p; e is read from the weights.
func (s *stateDict) dwBlock(p string, cin, cout, stride int, residual bool) (*block, error) {
	e, err := s.dim(p+".conv.conv.weight", 0)
	if err != nil {
		return nil, err
	}
	if e < 1 || e > 1024 {
		return nil, formatErr("%s expansion %d out of range", p, e)
	}
	b := &block{residual: residual}
	if b.expand, err = s.convBN(p+".conv", e, cin, 1, 1, 0, false, true); err != nil {
		return nil, err
	}
	if b.dw, err = s.convBN(p+".conv_dw", e, e, 3, stride, 1, true, true); err != nil {
		return nil, err
	}
	if b.project, err = s.convBN(p+".project", cout, e, 1, 1, 0, false, false); err != nil {
		return nil, err
	}
	if _, ok := s.t[p+".se_module.fc1.weight"]; ok {
		if b.se, err = s.seModule(p+".se_module", cout); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (s *stateDict) seModule(p string, c int) (*se, error) {
	r := c / 4
	m := &se{c: c, r: r}
	fold := func(w []float32, name string, cout, cin int) ([]float32, []float32, error) {
		scale, shift, err := s.bn(p+"."+name, cout)
		if err != nil {
			return nil, nil, err
		}
		wf, bf := make([]float32, len(w)), make([]float32, cout)
		for o := 0; o < cout; o++ {
			for i := 0; i < cin; i++ {
				wf[o*cin+i] = float32(float64(w[o*cin+i]) * scale[o])
			}
			bf[o] = float32(shift[o])
		}
		return wf, bf, nil
	}
	w1, err := s.get(p+".fc1.weight", r, c, 1, 1)
	if err != nil {
		return nil, err
	}
	if m.w1, m.b1, err = fold(w1, "bn1", r, c); err != nil {
		return nil, err
	}
	w2, err := s.get(p+".fc2.weight", c, r, 1, 1)
	if err != nil {
		return nil, err
	}
	if m.w2, m.b2, err = fold(w2, "bn2", c, r); err != nil {
		return nil, err
	}
	return m, nil
}

// stages of MiniFASNetV2/V1SE: name, input channels, output channels, stride of the first
// (non-residual) block, residual block count. Only the expansions differ between the two
// and are read from the weights; SE modules are present where the weights have them.
var stages = []struct {
	trans, res      string
	cin, cout, nres int
}{
	{"conv_23", "conv_3", 32, 64, 4},
	{"conv_34", "conv_4", 64, 128, 6},
	{"conv_45", "conv_5", 128, 128, 2},
}

// buildNetwork assembles a network from a state dict, checking every shape and that no
// tensor is left over.
func buildNetwork(t map[string]*tensor) (*network, error) {
	s := &stateDict{t: t, used: make(map[string]bool)}
	n := &network{}
	var err error
	if n.conv1, err = s.convBN("conv1", 32, 3, 3, 2, 1, false, true); err != nil {
		return nil, err
	}
	if n.conv2dw, err = s.convBN("conv2_dw", 32, 32, 3, 1, 1, true, true); err != nil {
		return nil, err
	}
	for _, st := range stages {
		b, err := s.dwBlock(st.trans, st.cin, st.cout, 2, false)
		if err != nil {
			return nil, err
		}
		n.blocks = append(n.blocks, b)
		for i := 0; i < st.nres; i++ {
			b, err := s.dwBlock(fmt.Sprintf("%s.model.%d", st.res, i), st.cout, st.cout, 1, true)
			if err != nil {
				return nil, err
			}
			n.blocks = append(n.blocks, b)
		}
	}
	if n.sep, err = s.convBN("conv_6_sep", 512, 128, 1, 1, 0, false, true); err != nil {
		return nil, err
	}
	k := (inputSize + 15) / 16
	if n.dw6, err = s.convBN("conv_6_dw", 512, 512, k, 1, 0, true, false); err != nil {
		return nil, err
	}
	lin, err := s.get("linear.weight", -1, 512)
	if err != nil {
		return nil, err
	}
	n.emb = len(lin) / 512
	scale, shift, err := s.bn("bn", n.emb)
	if err != nil {
		return nil, err
	}
	n.linW, n.linB = make([]float32, len(lin)), make([]float32, n.emb)
	for o := 0; o < n.emb; o++ {
		for i := 0; i < 512; i++ {
			n.linW[o*512+i] = float32(float64(lin[o*512+i]) * scale[o])
		}
		n.linB[o] = float32(shift[o])
	}
	if n.probW, err = s.get("prob.weight", 3, n.emb); err != nil {
		return nil, err
	}
	n.classes = 3
	for name := range t {
		if !s.used[name] {
			return nil, formatErr("unexpected tensor %q", name)
		}
	}
	n.maxAct = n.activationBound()
	return n, nil
}

// activationBound is the largest activation (floats) any layer writes, at batch 1.
func (n *network) activationBound() int {
	m := 3 * inputSize * inputSize
	h := inputSize / 2
	m = max(m, 32*h*h)
	for _, b := range n.blocks {
		m = max(m, b.expand.cout*h*h)
		if b.dw.stride == 2 {
			h = (h + 1) / 2
		}
		m = max(m, b.project.cout*h*h)
	}
	m = max(m, 512*h*h)
	// conv1's im2col buffer: 27 rows of 40×40.
	return max(m, 3*9*(inputSize/2)*(inputSize/2))
}
