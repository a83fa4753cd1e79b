package facecli

import (
	"fmt"
	"io"

	"github.com/idgate/idgate/biometric/face"
	"github.com/idgate/idgate/biometric/liveness"
)

// runLiveness is `face liveness`: per image, the largest face (the gate's policy) and the
// passive-liveness decision on its box.
func runLiveness(args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlags("liveness", stderr, &c)
	thr := fs.Float64("threshold", liveness.DefaultThreshold, "operating threshold on the mean live probability, in (0,1]")
	if err := fs.Parse(args); err != nil {
		return helpOr2(err)
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "face liveness: at least one IMAGE required")
		return 2
	}
	if !liveness.ValidThreshold(*thr) {
		fmt.Fprintf(stderr, "face liveness: --threshold %v is not in (0, 1]\n", *thr)
		return 2
	}
	chk, err := liveness.New(liveness.Config{Threshold: *thr})
	if err != nil {
		fmt.Fprintf(stderr, "face liveness: %v\n", err)
		return 1
	}
	e, err := newExtractor(c.models, fs.NArg())
	if err != nil {
		fmt.Fprintf(stderr, "face liveness: %v\n", err)
		return 1
	}
	defer e.Close()
	res, errs := extractAll(e, fs.Args(), face.Gate)
	code := 0
	for i, path := range fs.Args() {
		var r liveness.Result
		err := errs[i]
		if err == nil {
			r, err = chk.Check(res[i].Image, res[i].Box)
		}
		if err != nil {
			code = 1
			ec := errorCode(err)
			if lc := liveness.CodeOf(err); lc != "" {
				ec = lc
			}
			if c.json {
				writeJSON(stdout, map[string]string{"image": path, "error": err.Error(), "code": ec})
			} else {
				fmt.Fprintf(stderr, "%s: error [%s]: %v\n", path, ec, err)
			}
			continue
		}
		if c.json {
			writeJSON(stdout, struct {
				Image     string  `json:"image"`
				Live      bool    `json:"live"`
				Score     float64 `json:"score"`
				Box       boxJSON `json:"box"`
				Threshold float64 `json:"threshold"`
				Model     string  `json:"model"`
			}{path, r.Live, round4(r.Score), box(res[i].Box), chk.Threshold(), string(chk.ModelID())})
		} else {
			verdict := "spoof"
			if r.Live {
				verdict = "live"
			}
			b := res[i].Box
			fmt.Fprintf(stdout, "%s\t%s\tscore=%.4f\tbox=%d,%d,%d,%d\n", path, verdict, r.Score, b.Min.X, b.Min.Y, b.Max.X, b.Max.Y)
		}
	}
	return code
}

func round4(v float64) float64 { return float64(int64(v*10000+0.5)) / 10000 }
