package facemodel

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// DetectorFile is the CNN face detector go-face loads; PlaceholderMarker is written beside a
// generated placeholder so that readers can tell it from an operator-supplied real detector.
const (
	DetectorFile      = "mmod_human_face_detector.dat"
	PlaceholderMarker = "cnn-detector.placeholder"
)

// WritePlaceholderDetector writes a structurally valid mmod_human_face_detector.dat (dlib's
// cnn_anet_type as go-face declares it) whose weights are all zero: it loads, but it can never
// detect a face. It exists only so go-face's NewRecognizer can start without the real file.
func WritePlaceholderDetector(w io.Writer) error {
	c := newEncoder(w)
	placeholderNet().write(c)
	return c.flush()
}

// zconv is an all-zero convolution layer description.
func zconv(out, in, k, stride int) conv {
	return conv{out: out, in: in, k: k, stride: stride, filters: make([]float32, out*in*k*k), biases: make([]float32, out)}
}

func zaffine(k int) func(*encoder) {
	g := make([]float32, k)
	for i := range g {
		g[i] = 1
	}
	return affineDetails(g, make([]float32, k))
}

// placeholderNet is loss_mmod<con<1,9,9,1,1,rcon5<rcon5<rcon5<downsampler<
// input_rgb_image_pyramid<pyramid_down<6>>>>>>>> with zero weights.
func placeholderNet() net {
	input := func(c *encoder) {
		c.str("input_rgb_image_pyramid2")
		c.f32(122.782)
		c.f32(117.001)
		c.f32(104.298)
		c.int(10) // pyramid_padding
		c.int(11) // pyramid_outer_padding
	}
	var n net
	in := 3
	// downsampler: three relu<affine<con5d<N>>> (5x5 stride 2), then rcon5 x3 (5x5 stride 1, 45).
	for i, s := range []struct{ out, stride int }{{16, 2}, {32, 2}, {32, 2}, {45, 1}, {45, 1}, {45, 1}} {
		cv := zconv(s.out, in, 5, s.stride)
		con := &layer{sub: n, details: cv.details, disabled: true}
		if i == 0 {
			con.sub, con.input = nil, input
		}
		aff := &layer{sub: con, details: zaffine(s.out), disabled: true}
		n = &layer{sub: aff, details: reluDetails}
		in = s.out
	}
	top := zconv(1, 45, 9, 1)
	n = &layer{sub: n, details: top.details}
	return loss{details: func(c *encoder) {
		c.str("loss_mmod_")
		c.int(4) // mmod_options version
		c.int(1) // one detector window
		c.int(2) // detector_window_details version
		c.int(80)
		c.int(80)
		c.str("")
		c.f64(1)   // loss_per_false_alarm
		c.f64(1)   // loss_per_missed_target
		c.f64(0.5) // truth_match_iou_threshold
		c.f64(0.5) // overlaps_nms: iou
		c.f64(1)   // overlaps_nms: percent covered
		c.f64(0.5) // overlaps_ignore: iou
		c.f64(0.95)
		c.byte(1)     // assume_image_pyramid = yes
		c.bool(false) // use_bounding_box_regression
		c.f64(100)    // bbr_lambda
	}, sub: n}
}

var placeholderSum = sync.OnceValue(func() [32]byte {
	var b bytes.Buffer
	_ = WritePlaceholderDetector(&b)
	return sha256.Sum256(b.Bytes())
})

// IsPlaceholderDetector reports whether dir holds a generated placeholder detector rather
// than a real one: the marker file is present, or the detector's bytes are the placeholder's.
// A missing detector counts as a placeholder (CNN detection is unavailable either way).
func IsPlaceholderDetector(dir string) (bool, error) {
	if _, err := os.Stat(filepath.Join(dir, PlaceholderMarker)); err == nil {
		return true, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	f, err := os.Open(filepath.Join(dir, DetectorFile))
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, err
	}
	sum := placeholderSum()
	return bytes.Equal(h.Sum(nil), sum[:]), nil
}
