package facecli

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/biometric/face"
)

// Thresholds reported by calibrate: 0.30..0.70 step 0.05, and the FMR target.
var calibrationThresholds = []float32{0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70}

const targetFMR = 1e-3

// labelledImage is one photo and its person label.
type labelledImage struct{ path, label string }

// scanLabelled lists DIR: a sub-folder per person, or the person is the file name without
// digits ("jimin3.jpg" -> "jimin"). Only .jpg/.jpeg/.png files are taken.
func scanLabelled(dir string) ([]labelledImage, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []labelledImage
	for _, en := range entries {
		p := filepath.Join(dir, en.Name())
		if en.IsDir() {
			sub, err := os.ReadDir(p)
			if err != nil {
				return nil, err
			}
			for _, s := range sub {
				if !s.IsDir() && isImage(s.Name()) {
					out = append(out, labelledImage{filepath.Join(p, s.Name()), en.Name()})
				}
			}
			continue
		}
		if isImage(en.Name()) {
			out = append(out, labelledImage{p, personFromName(en.Name())})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

func isImage(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png":
		return true
	}
	return false
}

func personFromName(name string) string {
	return strings.TrimRightFunc(strings.TrimSuffix(name, filepath.Ext(name)), unicode.IsDigit)
}

// histogram counts distances in 0.05-wide bins from 0 to 1.2 (the last bin takes the rest).
func histogram(d []float32) []int {
	h := make([]int, 24)
	for _, v := range d {
		h[min(int(v/0.05), len(h)-1)]++
	}
	return h
}

func runCalibrate(args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlags("calibrate", stderr, &c)
	if err := fs.Parse(args); err != nil {
		return helpOr2(err)
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "face calibrate: exactly one DIR required")
		return 2
	}
	imgs, err := scanLabelled(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "face calibrate: %v\n", err)
		return 2
	}
	if len(imgs) < 2 {
		fmt.Fprintf(stderr, "face calibrate: %d images in %s, need at least 2\n", len(imgs), fs.Arg(0))
		return 2
	}
	e, err := newExtractor(c.models, len(imgs))
	if err != nil {
		fmt.Fprintf(stderr, "face calibrate: %v\n", err)
		return exitCode(err)
	}
	defer e.Close()
	paths := make([]string, len(imgs))
	for i := range imgs {
		paths[i] = imgs[i].path
	}
	res, errs := extractAll(e, paths, face.Gate)
	var samples []biometric.Labeled
	people := map[string]bool{}
	for i, im := range imgs {
		if errs[i] != nil {
			fmt.Fprintf(stderr, "skipped %s: [%s] %v\n", im.path, errorCode(errs[i]), errs[i])
			continue
		}
		samples = append(samples, biometric.Labeled{Label: im.label, T: res[i].Template})
		people[im.label] = true
	}
	rep, err := biometric.Calibrate(samples, calibrationThresholds)
	if err != nil {
		fmt.Fprintf(stderr, "face calibrate: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "model %s: %d templates of %d people (%d images skipped)\n", e.ModelID(), len(samples), len(people), len(imgs)-len(samples))
	for _, s := range []struct {
		name string
		st   biometric.DistanceStats
	}{{"genuine", rep.Genuine}, {"impostor", rep.Impostor}} {
		fmt.Fprintf(stdout, "%-8s pairs %5d  min %.3f  median %.3f  max %.3f\n", s.name, s.st.Count, s.st.Min, s.st.Median, s.st.Max)
	}
	var gen, imp []float32
	for i := range samples {
		for j := i + 1; j < len(samples); j++ {
			d, err := biometric.Distance(samples[i].T, samples[j].T)
			if err != nil {
				fmt.Fprintf(stderr, "face calibrate: %v\n", err)
				return 1
			}
			if samples[i].Label == samples[j].Label {
				gen = append(gen, d)
			} else {
				imp = append(imp, d)
			}
		}
	}
	fmt.Fprintln(stdout, "distance histogram (bin start: genuine impostor)")
	hg, hi := histogram(gen), histogram(imp)
	for b := range hg {
		if hg[b] != 0 || hi[b] != 0 {
			fmt.Fprintf(stdout, "  %.2f: %4d %5d\n", float64(b)*0.05, hg[b], hi[b])
		}
	}
	fmt.Fprintln(stdout, "threshold      FMR      FNMR  (false matches / false non-matches)")
	for _, p := range rep.Points {
		fmt.Fprintf(stdout, "  %.2f    %7.4f   %7.4f  (%d / %d)\n", p.Threshold, p.FMR, p.FNMR, p.FalseMatches, p.FalseNonMatches)
	}
	thr, fmr, fnmr := rep.ThresholdForFMR(targetFMR)
	if math.IsNaN(float64(thr)) {
		fmt.Fprintln(stdout, "threshold for FMR 1e-3: undefined (no impostor pairs)")
	} else {
		fmt.Fprintf(stdout, "threshold for FMR <= 1e-3: %.4f (FMR %.4f, FNMR %.4f; %d impostor pairs resolve FMR to %.1e)\n",
			thr, fmr, fnmr, rep.Impostor.Count, 1/float64(max(1, rep.Impostor.Count)))
	}
	return 0
}
