package face

import (
	"image"
	"image/draw"
)

// upright returns img turned so that it displays as the camera's EXIF orientation says:
// the pixels dlib, liveness and the quality checks see are the picture a person sees. o == 1
// returns img itself; other values return a new *image.RGBA (width and height swap for 5-8).
func upright(img image.Image, o Orientation) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	src := toRGBA(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	// For destination pixel (x, y), the source column c and row r. The EXIF value names where
	// the stored row 0 and column 0 lie in the upright picture (TIFF 6.0, tag 274).
	var at func(x, y int) (c, r int)
	switch o {
	case 2: // row 0 top, column 0 right
		at = func(x, y int) (int, int) { return w - 1 - x, y }
	case 3: // row 0 bottom, column 0 right
		at = func(x, y int) (int, int) { return w - 1 - x, h - 1 - y }
	case 4: // row 0 bottom, column 0 left
		at = func(x, y int) (int, int) { return x, h - 1 - y }
	case 5: // row 0 left, column 0 top
		at = func(x, y int) (int, int) { return y, x }
	case 6: // row 0 right, column 0 top
		at = func(x, y int) (int, int) { return y, h - 1 - x }
	case 7: // row 0 right, column 0 bottom
		at = func(x, y int) (int, int) { return w - 1 - y, h - 1 - x }
	case 8: // row 0 left, column 0 bottom
		at = func(x, y int) (int, int) { return w - 1 - y, x }
	}
	for y := 0; y < dh; y++ {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+4*dw]
		for x := 0; x < dw; x++ {
			c, r := at(x, y)
			i := r*src.Stride + 4*c
			copy(row[4*x:4*x+4], src.Pix[i:i+4])
		}
	}
	return dst
}

// toRGBA returns img as an opaque *image.RGBA at origin (0, 0): alpha is flattened on white.
func toRGBA(img image.Image) *image.RGBA {
	r := img.Bounds()
	if m, ok := img.(*image.RGBA); ok && r.Min == (image.Point{}) && m.Opaque() {
		return m
	}
	rgba := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	if o, ok := img.(interface{ Opaque() bool }); !ok || !o.Opaque() {
		draw.Draw(rgba, rgba.Bounds(), image.White, image.Point{}, draw.Src)
	}
	draw.Draw(rgba, rgba.Bounds(), img, r.Min, draw.Over)
	return rgba
}
