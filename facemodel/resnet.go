package facemodel

import (
	"fmt"
	"io"
)

// ResNetFile is the file name go-face loads the descriptor network from.
const ResNetFile = "dlib_face_recognition_resnet_model_v1.dat"

// net is one node of a dlib network as it is serialized: write emits the node and everything
// under it (dlib writes the subnetwork before a layer's own details).
type net interface{ write(c *encoder) }

// layer is an add_layer: details plus the trailer dlib writes after them. disabled is the
// get_output_and_gradient_input_disabled flag, set when an in-place layer (relu, affine,
// add_prev's relu) sits directly on top.
type layer struct {
	sub      net // nil: this layer sits on the input layer
	input    func(c *encoder)
	details  func(c *encoder)
	disabled bool
}

func (l *layer) write(c *encoder) {
	if l.sub == nil {
		c.int(3)
		l.input(c)
	} else {
		c.int(2)
		l.sub.write(c)
	}
	l.details(c)
	c.bool(true) // this_layer_setup_called: '0' would make dlib re-randomise the weights
	c.bool(true) // gradient_input_is_stale
	c.bool(l.disabled)
	c.emptyTensor() // x_grad
	c.emptyTensor() // cached_output
	c.emptyTensor() // params_grad / grad_final
	if l.sub == nil {
		c.int(1) // sample expansion factor
	}
}

// passthrough is a tagN or skipN layer: version 1 and the network under it.
type passthrough struct{ sub net }

func (p passthrough) write(c *encoder) {
	c.int(1)
	p.sub.write(c)
}

// loss is add_loss_layer: version 1, the loss details, then the network.
type loss struct {
	details func(c *encoder)
	sub     net
}

func (l loss) write(c *encoder) {
	c.int(1)
	l.details(c)
	l.sub.write(c)
}

// conv is a convolution in dlib layout: filters OIHW then biases.
type conv struct {
	out, in, k, stride int
	filters, biases    []float32
}

func (cv conv) details(c *encoder) {
	pad := 0
	if cv.stride == 1 {
		pad = cv.k / 2
	}
	c.str("con_5")
	params := append(append(make([]float32, 0, len(cv.filters)+len(cv.biases)), cv.filters...), cv.biases...)
	c.tensor(len(params), 1, 1, 1, params)
	for _, v := range []int{cv.out, cv.k, cv.k, cv.stride, cv.stride, pad, pad} {
		c.int(int64(v))
	}
	c.alias(cv.out, cv.in, cv.k, cv.k)
	c.alias(1, cv.out, 1, 1)
	c.f64(1) // learning_rate_multiplier
	c.f64(1) // weight_decay_multiplier
	c.f64(1) // bias_learning_rate_multiplier
	c.f64(0) // bias_weight_decay_multiplier
	c.bool(true)
}

func affineDetails(gamma, beta []float32) func(c *encoder) {
	return func(c *encoder) {
		c.str("affine_2")
		k := len(gamma)
		params := append(append(make([]float32, 0, 2*k), gamma...), beta...)
		c.tensor(2*k, 1, 1, 1, params)
		c.alias(1, k, 1, 1)
		c.alias(1, k, 1, 1)
		c.int(0) // CONV_MODE: one gamma per channel
		c.bool(false)
	}
}

func reluDetails(c *encoder)    { c.str("relu_") }
func addPrevDetails(c *encoder) { c.str("add_prev_") }

func poolDetails(name string, nr, nc, s int) func(c *encoder) {
	return func(c *encoder) {
		c.str(name)
		for _, v := range []int{nr, nc, s, s, 0, 0} {
			c.int(int64(v))
		}
	}
}

// resnetBuilder maps TF.js tensors to dlib layers, collecting the first lookup error.
type resnetBuilder struct {
	ws     *Weights
	err    error
	params int
}

func (b *resnetBuilder) get(name string, shape ...int) []float32 {
	if b.err != nil {
		return nil
	}
	t, ok := b.ws.Get(name)
	if !ok {
		b.err = errf(CodeMissing, name)
		return nil
	}
	if fmt.Sprint(t.Shape) != fmt.Sprint(shape) {
		b.err = errf(CodeShapeMismatch, fmt.Sprintf("%s is %v, want %v", name, t.Shape, shape))
		return nil
	}
	b.params += len(t.Data)
	return t.Data
}

// hwioToOIHW turns TF.js conv filters [kh][kw][in][out] into dlib's [out][in][kh][kw].
func hwioToOIHW(src []float32, kh, kw, in, out int) []float32 {
	dst := make([]float32, len(src))
	for y := 0; y < kh; y++ {
		for x := 0; x < kw; x++ {
			for i := 0; i < in; i++ {
				for o := 0; o < out; o++ {
					dst[((o*in+i)*kh+y)*kw+x] = src[((y*kw+x)*in+i)*out+o]
				}
			}
		}
	}
	return dst
}

// convAffine returns affine<con<...>> for TF.js prefix P (P/conv/{filters,bias},
// P/scale/{weights,biases}); reluAbove says whether a relu sits on the affine.
func (b *resnetBuilder) convAffine(sub net, input func(*encoder), prefix string, in, out, k, stride int, reluAbove bool) net {
	f := b.get(prefix+"/conv/filters", k, k, in, out)
	bias := b.get(prefix+"/conv/bias", out)
	gamma := b.get(prefix+"/scale/weights", out)
	beta := b.get(prefix+"/scale/biases", out)
	if b.err != nil {
		return nil
	}
	cv := conv{out: out, in: in, k: k, stride: stride, filters: hwioToOIHW(f, k, k, in, out), biases: bias}
	con := &layer{sub: sub, input: input, details: cv.details, disabled: true}
	return &layer{sub: con, details: affineDetails(gamma, beta), disabled: reluAbove}
}

// block is dlib's block<N,affine,stride,SUB>: affine<con<N,3,3,1,1,relu<affine<con<N,3,3,s,s,SUB>>>>>.
func (b *resnetBuilder) block(sub net, prefix string, in, out, stride int) net {
	n := b.convAffine(sub, nil, prefix+"/conv1", in, out, 3, stride, true)
	if b.err != nil {
		return nil
	}
	n = &layer{sub: n, details: reluDetails}
	return b.convAffine(n, nil, prefix+"/conv2", out, out, 3, 1, false)
}

// ares is relu<add_prev1<block<N,affine,1,tag1<SUB>>>>.
func (b *resnetBuilder) ares(sub net, prefix string, n int) net {
	blk := b.block(passthrough{sub}, prefix, n, n, 1)
	if b.err != nil {
		return nil
	}
	add := &layer{sub: blk, details: addPrevDetails, disabled: true}
	return &layer{sub: add, details: reluDetails}
}

// aresDown is relu<add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,affine,2,tag1<SUB>>>>>>>.
// add_prev zero-pads the pooled skip path to N channels, as the TF.js port does explicitly.
func (b *resnetBuilder) aresDown(sub net, prefix string, in, n int) net {
	blk := b.block(passthrough{sub}, prefix, in, n, 2)
	if b.err != nil {
		return nil
	}
	skip := passthrough{passthrough{blk}} // skip1<tag2<...>>
	pool := &layer{sub: skip, details: poolDetails("avg_pool_2", 2, 2, 2)}
	add := &layer{sub: pool, details: addPrevDetails, disabled: true}
	return &layer{sub: add, details: reluDetails}
}

// buildResNet assembles dlib's anet_type (dlib's dnn_face_recognition_ex) from face-api weights.
func buildResNet(ws *Weights) (net, int, error) {
	b := &resnetBuilder{ws: ws}
	input := func(c *encoder) {
		c.str("input_rgb_image_sized")
		c.f32(122.782)
		c.f32(117.001)
		c.f32(104.298)
		c.int(150)
		c.int(150)
	}
	n := b.convAffine(nil, input, "conv32_down", 3, 32, 7, 2, true)
	if b.err != nil {
		return nil, 0, b.err
	}
	n = &layer{sub: n, details: reluDetails}
	n = &layer{sub: n, details: poolDetails("max_pool_2", 3, 3, 2)}
	type stage struct {
		prefix  string
		in, out int
		down    bool
	}
	stages := []stage{
		{"conv32_1", 32, 32, false}, {"conv32_2", 32, 32, false}, {"conv32_3", 32, 32, false},
		{"conv64_down", 32, 64, true}, {"conv64_1", 64, 64, false}, {"conv64_2", 64, 64, false}, {"conv64_3", 64, 64, false},
		{"conv128_down", 64, 128, true}, {"conv128_1", 128, 128, false}, {"conv128_2", 128, 128, false},
		{"conv256_down", 128, 256, true}, {"conv256_1", 256, 256, false}, {"conv256_2", 256, 256, false},
		{"conv256_down_out", 256, 256, true},
	}
	for _, s := range stages {
		if s.down {
			n = b.aresDown(n, s.prefix, s.in, s.out)
		} else {
			n = b.ares(n, s.prefix, s.out)
		}
		if b.err != nil {
			return nil, 0, b.err
		}
	}
	n = &layer{sub: n, details: poolDetails("avg_pool_2", 0, 0, 1)} // avg_pool_everything
	fc := b.get("fc", 256, 128)
	if b.err != nil {
		return nil, 0, b.err
	}
	n = &layer{sub: n, details: func(c *encoder) {
		c.str("fc_3")
		c.int(128)
		c.int(256)
		c.tensor(256, 128, 1, 1, fc) // dlib computes in x W, the TF.js layout as is
		c.alias(256, 128, 1, 1)
		c.alias(0, 0, 0, 0)
		c.int(1) // FC_NO_BIAS
		c.f64(1)
		c.f64(1)
		c.f64(1)
		c.f64(0)
		c.bool(true)
	}}
	return loss{details: func(c *encoder) {
		c.str("loss_metric_2")
		c.f32(0.04)
		c.f32(0.6)
	}, sub: n}, b.params, nil
}

// WriteResNet writes dlib_face_recognition_resnet_model_v1.dat for the face-api weights. It
// checks every tensor before writing a byte and returns the parameter count written.
func WriteResNet(w io.Writer, ws *Weights) (params int, err error) {
	n, params, err := buildResNet(ws)
	if err != nil {
		return 0, err
	}
	c := newEncoder(w)
	n.write(c)
	return params, c.flush()
}
