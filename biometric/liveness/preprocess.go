package liveness

import (
	"image"
	"image/color"
	"math"
)

// cropBox is the original's CropImage._get_new_box: the face box scaled by scale (clamped so
// the crop fits the image) around its centre, shifted back inside the image, then truncated.
// The result is inclusive: columns l..r, rows t..b. x, y, bw, bh and the image size W×H are
// relative to the image's origin.
func cropBox(x, y, bw, bh, W, H int, scale float64) (l, t, r, b int) {
	fw, fh := float64(bw), float64(bh)
	s := min(scale, float64(H-1)/fh, float64(W-1)/fw)
	nw, nh := fw*s, fh*s
	cx, cy := float64(x)+fw/2, float64(y)+fh/2
	lf, rf := cx-nw/2, cx+nw/2
	tf, bf := cy-nh/2, cy+nh/2
	if lf < 0 {
		rf -= lf
		lf = 0
	}
	if tf < 0 {
		bf -= tf
		tf = 0
	}
	if rf > float64(W-1) {
		lf -= rf - float64(W-1)
		rf = float64(W - 1)
	}
	if bf > float64(H-1) {
		tf -= bf - float64(H-1)
		bf = float64(H - 1)
	}
	return int(lf), int(tf), int(rf), int(bf)
}

// resizeCoef holds OpenCV INTER_LINEAR's fixed-point taps for one axis: source index and the
// two 11-bit weights. second is false where OpenCV drops the right/lower tap (last column).
type resizeCoef struct {
	src    int
	a0, a1 int32
}

// linearCoefs reproduces cv::resize's coefficient table for dst outputs from src inputs.
// Columns clamp the source index and zero the fraction at both edges; rows keep the fraction
// and only clamp the rows they read (clampRows).
func linearCoefs(dst, src int, clampFrac bool, out []resizeCoef) []resizeCoef {
	sc := 1 / (float64(dst) / float64(src))
	out = out[:0]
	for d := 0; d < dst; d++ {
		f := float32((float64(d)+0.5)*sc - 0.5)
		s := int(math.Floor(float64(f)))
		f -= float32(s)
		if clampFrac {
			if s < 0 {
				s, f = 0, 0
			}
			if s >= src-1 {
				s, f = src-1, 0
			}
		}
		a0 := int32(math.RoundToEven(float64((1 - f) * 2048)))
		a1 := int32(math.RoundToEven(float64(f * 2048)))
		out = append(out, resizeCoef{src: s, a0: a0, a1: a1})
	}
	return out
}

// pixels reads the B, G, R bytes of an image at (x, y) relative to its origin: YCbCr and
// RGBA images directly, others through color.RGBAModel, which gives the same bytes as
// draw.Draw into an RGBA.
type pixels struct {
	ycc  *image.YCbCr
	rgba *image.RGBA
	img  image.Image
	o    image.Point
}

func newPixels(img image.Image) pixels {
	p := pixels{img: img, o: img.Bounds().Min}
	switch m := img.(type) {
	case *image.YCbCr:
		p.ycc = m
	case *image.RGBA:
		p.rgba = m
	}
	return p
}

func (p *pixels) at(x, y int) (b, g, r uint8) {
	x, y = x+p.o.X, y+p.o.Y
	switch {
	case p.ycc != nil:
		rr, gg, bb, _ := p.ycc.YCbCrAt(x, y).RGBA()
		return uint8(bb >> 8), uint8(gg >> 8), uint8(rr >> 8)
	case p.rgba != nil:
		px := p.rgba.Pix[p.rgba.PixOffset(x, y):]
		return px[2], px[1], px[0]
	}
	c := color.RGBAModel.Convert(p.img.At(x, y)).(color.RGBA)
	return c.B, c.G, c.R
}

// cropResize resizes the crop l..r × t..b (inclusive, relative to img's origin) to 80×80 with
// OpenCV's fixed-point INTER_LINEAR (bit-exact with cv2 4.6 for 8-bit, 3-channel images) and
// writes it as a float32 CHW tensor in B,G,R order with values 0..255 — what the weights were
// trained on. Only the at most 160×160 source pixels the resize reads are fetched, whatever
// the crop's size. crop, when not nil, receives the 80×80×3 bytes (HWC) for tests.
func cropResize(img image.Image, l, t, r, b int, tensor []float32, crop []uint8) {
	pw, ph := r-l+1, b-t+1
	px := newPixels(img)
	var xs, ys [inputSize]resizeCoef
	xc := linearCoefs(inputSize, pw, true, xs[:0])
	yc := linearCoefs(inputSize, ph, false, ys[:0])
	// Horizontal pass over one source row: two taps per output column (one at the right edge).
	rowAt := func(sy int, dst *[inputSize * 3]int32) {
		y := t + min(max(sy, 0), ph-1)
		for dx, c := range xc {
			b0, g0, r0 := px.at(l+c.src, y)
			v := [3]int32{int32(b0) * c.a0, int32(g0) * c.a0, int32(r0) * c.a0}
			if c.src+1 < pw {
				b1, g1, r1 := px.at(l+c.src+1, y)
				v[0] += int32(b1) * c.a1
				v[1] += int32(g1) * c.a1
				v[2] += int32(r1) * c.a1
			}
			dst[dx*3], dst[dx*3+1], dst[dx*3+2] = v[0], v[1], v[2]
		}
	}
	var hbuf [2][inputSize * 3]int32
	cached := [2]int{-1 << 30, -1 << 30} // source rows held in hbuf
	plane := inputSize * inputSize
	for dy, c := range yc {
		r0, r1 := min(max(c.src, 0), ph-1), min(max(c.src+1, 0), ph-1)
		switch {
		case cached == [2]int{r0, r1}:
		case cached[1] == r0: // moving down one row: reuse the lower row as the upper
			hbuf[0] = hbuf[1]
			rowAt(r1, &hbuf[1])
		default:
			rowAt(r0, &hbuf[0])
			rowAt(r1, &hbuf[1])
		}
		cached = [2]int{r0, r1}
		for dx := 0; dx < inputSize; dx++ {
			for ch := 0; ch < 3; ch++ {
				h0, h1 := hbuf[0][dx*3+ch], hbuf[1][dx*3+ch]
				v := ((c.a0*(h0>>4))>>16 + (c.a1*(h1>>4))>>16 + 2) >> 2
				v = min(max(v, 0), 255)
				tensor[ch*plane+dy*inputSize+dx] = float32(v)
				if crop != nil {
					crop[(dy*inputSize+dx)*3+ch] = uint8(v)
				}
			}
		}
	}
}
