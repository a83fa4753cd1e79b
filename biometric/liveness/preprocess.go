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

// patch is the BGR pixels of the crop rectangle, read once from the image.
type patch struct {
	w, h int
	bgr  []uint8 // h rows of w pixels, B,G,R
}

// readPatch copies img's rectangle (inclusive l..r, t..b relative to its origin) as BGR.
// YCbCr and RGBA images are read directly; others through color.RGBAModel, which gives the
// same bytes as draw.Draw into an RGBA.
func readPatch(img image.Image, l, t, r, b int, buf []uint8) patch {
	o := img.Bounds().Min
	p := patch{w: r - l + 1, h: b - t + 1}
	need := p.w * p.h * 3
	if cap(buf) < need {
		buf = make([]uint8, need)
	}
	p.bgr = buf[:need]
	i := 0
	switch m := img.(type) {
	case *image.YCbCr:
		for y := t; y <= b; y++ {
			for x := l; x <= r; x++ {
				c := m.YCbCrAt(o.X+x, o.Y+y)
				rr, gg, bb, _ := c.RGBA()
				p.bgr[i], p.bgr[i+1], p.bgr[i+2] = uint8(bb>>8), uint8(gg>>8), uint8(rr>>8)
				i += 3
			}
		}
	case *image.RGBA:
		for y := t; y <= b; y++ {
			row := m.Pix[m.PixOffset(o.X+l, o.Y+y):]
			for x := 0; x < p.w; x++ {
				p.bgr[i], p.bgr[i+1], p.bgr[i+2] = row[4*x+2], row[4*x+1], row[4*x]
				i += 3
			}
		}
	default:
		for y := t; y <= b; y++ {
			for x := l; x <= r; x++ {
				c := color.RGBAModel.Convert(img.At(o.X+x, o.Y+y)).(color.RGBA)
				p.bgr[i], p.bgr[i+1], p.bgr[i+2] = c.B, c.G, c.R
				i += 3
			}
		}
	}
	return p
}

// resize80 resizes p to 80×80 with OpenCV's fixed-point INTER_LINEAR (bit-exact with
// cv2 4.6 for 8-bit, 3-channel images) and writes the result as a float32 CHW tensor in
// B,G,R order with values 0..255 — what the weights were trained on. crop, when not nil,
// receives the 80×80×3 bytes (HWC) for tests.
func resize80(p patch, tensor []float32, crop []uint8) {
	var xs, ys [inputSize]resizeCoef
	xc := linearCoefs(inputSize, p.w, true, xs[:0])
	yc := linearCoefs(inputSize, p.h, false, ys[:0])
	// Horizontal pass for the rows the vertical pass reads, cached per source row.
	var hbuf [2][inputSize * 3]int32
	rowAt := func(sy int, dst *[inputSize * 3]int32) {
		sy = min(max(sy, 0), p.h-1)
		row := p.bgr[sy*p.w*3 : (sy+1)*p.w*3]
		for dx, c := range xc {
			for ch := 0; ch < 3; ch++ {
				v := int32(row[c.src*3+ch]) * c.a0
				if c.src+1 < p.w {
					v += int32(row[(c.src+1)*3+ch]) * c.a1
				}
				dst[dx*3+ch] = v
			}
		}
	}
	plane := inputSize * inputSize
	for dy, c := range yc {
		rowAt(c.src, &hbuf[0])
		rowAt(c.src+1, &hbuf[1])
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
