package face

import (
	"image"
	"image/color"

	"github.com/idgate/idgate/biometric/face/internal/dlib"
)

// rgb is a packed RGB image whose origin lies at Off in the upright picture.
type rgb struct {
	dlib.RGB
	Off image.Point
}

// toRGB converts an upright image (*image.YCbCr or *image.RGBA at origin (0, 0), as
// decodeUpright returns; any other image goes through toRGBA) into packed RGB for dlib.
func toRGB(img image.Image) rgb {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	out := rgb{RGB: dlib.RGB{Pix: make([]byte, 3*w*h), W: w, H: h}}
	switch m := img.(type) {
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			row := out.Pix[3*w*y : 3*w*(y+1)]
			yi := m.YOffset(r.Min.X, r.Min.Y+y)
			for x := 0; x < w; x++ {
				ci := m.COffset(r.Min.X+x, r.Min.Y+y)
				cr, cg, cb := color.YCbCrToRGB(m.Y[yi+x], m.Cb[ci], m.Cr[ci])
				row[3*x], row[3*x+1], row[3*x+2] = cr, cg, cb
			}
		}
	default:
		rgba := toRGBA(img)
		for y := 0; y < h; y++ {
			src := rgba.Pix[y*rgba.Stride : y*rgba.Stride+4*w]
			row := out.Pix[3*w*y : 3*w*(y+1)]
			for x := 0; x < w; x++ {
				row[3*x], row[3*x+1], row[3*x+2] = src[4*x], src[4*x+1], src[4*x+2]
			}
		}
	}
	return out
}

// downscale returns img shrunk so that its longer side is at most side px, by averaging the
// source pixels each destination pixel covers (no aliasing for the detector), and the scale
// factor (destination px per source px). An image already small enough is returned as is.
func (img rgb) downscale(side int) (rgb, float64) {
	long := max(img.W, img.H)
	if side <= 0 || long <= side {
		return img, 1
	}
	s := float64(side) / float64(long)
	w, h := max(1, int(float64(img.W)*s+0.5)), max(1, int(float64(img.H)*s+0.5))
	out := rgb{RGB: dlib.RGB{Pix: make([]byte, 3*w*h), W: w, H: h}}
	// Source column span of each destination column: [x0[i], x0[i+1]).
	x0 := make([]int, w+1)
	for i := range x0 {
		x0[i] = min(img.W, i*img.W/w)
	}
	sum := make([]uint32, 3*w)
	for y := 0; y < h; y++ {
		ya, yb := y*img.H/h, min(img.H, (y+1)*img.H/h)
		clear(sum)
		for sy := ya; sy < yb; sy++ {
			src := img.Pix[3*img.W*sy : 3*img.W*(sy+1)]
			for x := 0; x < w; x++ {
				for sx := x0[x]; sx < x0[x+1]; sx++ {
					sum[3*x] += uint32(src[3*sx])
					sum[3*x+1] += uint32(src[3*sx+1])
					sum[3*x+2] += uint32(src[3*sx+2])
				}
			}
		}
		row := out.Pix[3*w*y : 3*w*(y+1)]
		for x := 0; x < w; x++ {
			n := uint32((yb - ya) * (x0[x+1] - x0[x]))
			if n == 0 {
				continue
			}
			row[3*x] = byte((sum[3*x] + n/2) / n)
			row[3*x+1] = byte((sum[3*x+1] + n/2) / n)
			row[3*x+2] = byte((sum[3*x+2] + n/2) / n)
		}
	}
	return out, float64(w) / float64(img.W)
}
