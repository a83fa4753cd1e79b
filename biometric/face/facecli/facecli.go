package facecli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"os"
	"runtime"

	"github.com/idgate/idgate/biometric"
	"github.com/idgate/idgate/biometric/face"
)

// Usage is the one-line synopsis cmd/idgate shows.
const Usage = "face template|compare|calibrate|liveness (face --help)"

// DefaultModelsDir is used when neither --models nor IDGATE_MODELS is given.
const DefaultModelsDir = "var/models"

// maxImageFile bounds how much of an input file is read (face.DefaultMaxBytes then applies).
const maxImageFile = face.DefaultMaxBytes + 1

// Run executes `face SUBCOMMAND ...` and returns the exit code.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usageText)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "template":
		return runTemplate(args[1:], stdout, stderr)
	case "compare":
		return runCompare(args[1:], stdout, stderr)
	case "calibrate":
		return runCalibrate(args[1:], stdout, stderr)
	case "liveness":
		return runLiveness(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "face: unknown subcommand %q\n%s", args[0], usageText)
	return 2
}

const usageText = `usage:
  idgate face template  [--json] [--enrol] [--models DIR] IMAGE...
  idgate face compare   [--json] [--models DIR] A B      (A, B: image files or encoded templates)
  idgate face calibrate [--models DIR] DIR               (sub-folder per person, or person = file name without digits)
  idgate face liveness  [--json] [--threshold T] [--models DIR] IMAGE...   (live face or presentation attack)
--models defaults to $IDGATE_MODELS, else var/models.
`

// common holds the flags every subcommand has.
type common struct {
	models string
	json   bool
}

func newFlags(name string, stderr io.Writer, c *common) *flag.FlagSet {
	fs := flag.NewFlagSet("face "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := os.Getenv("IDGATE_MODELS")
	if def == "" {
		def = DefaultModelsDir
	}
	fs.StringVar(&c.models, "models", def, "dlib models directory [IDGATE_MODELS]")
	fs.BoolVar(&c.json, "json", false, "one JSON object per line")
	return fs
}

// newExtractor sizes the worker pool to the work: each worker loads ~120 MB of models.
func newExtractor(dir string, jobs int) (*face.Extractor, error) {
	return face.New(face.Config{ModelsDir: dir, Workers: max(1, min(jobs, runtime.NumCPU()))})
}

func readImage(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxImageFile))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// errBadOperand: a compare argument that is neither a readable image file nor a template.
var errBadOperand = errors.New("neither a readable image file nor an encoded template")

// exitCode is 2 when what the command was given is unusable (a models folder without models,
// a file that is not a JPEG or PNG, an operand that is neither image nor template) and 1 for a
// failure on valid input (no face found, the engine failed).
func exitCode(err error) int {
	for _, bad := range []error{face.ErrModels, face.ErrUndecodable, face.ErrTooLarge, face.ErrCNNUnavailable, errBadOperand} {
		if errors.Is(err, bad) {
			return 2
		}
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return 2
	}
	return 1
}

// errorCode gives the stable code of an error from face or biometric.
func errorCode(err error) string {
	if c := face.Code(err); c != "" {
		return c
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return "io"
	}
	return "invalid"
}

type boxJSON [4]int

func box(r image.Rectangle) boxJSON { return boxJSON{r.Min.X, r.Min.Y, r.Max.X, r.Max.Y} }

func writeJSON(w io.Writer, v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(w, "%s\n", b)
}

// extractAll runs Template over paths with the pool's parallelism, keeping input order.
func extractAll(e *face.Extractor, paths []string, policy face.Policy) ([]face.Result, []error) {
	res := make([]face.Result, len(paths))
	errs := make([]error, len(paths))
	sem := make(chan struct{}, runtime.NumCPU())
	done := make(chan struct{})
	for i, p := range paths {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; done <- struct{}{} }()
			b, err := readImage(p)
			if err == nil {
				res[i], err = e.Template(b, policy)
			}
			errs[i] = err
		}()
	}
	for range paths {
		<-done
	}
	return res, errs
}

func runTemplate(args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlags("template", stderr, &c)
	enrol := fs.Bool("enrol", false, "enrolment policy: exactly one face (default: gate, largest face)")
	if err := fs.Parse(args); err != nil {
		return helpOr2(err)
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "face template: at least one IMAGE required")
		return 2
	}
	policy := face.Gate
	if *enrol {
		policy = face.Enrol
	}
	e, err := newExtractor(c.models, fs.NArg())
	if err != nil {
		fmt.Fprintf(stderr, "face template: %v\n", err)
		return exitCode(err)
	}
	defer e.Close()
	res, errs := extractAll(e, fs.Args(), policy)
	code := 0
	for i, path := range fs.Args() {
		var enc string
		err := errs[i]
		if err == nil {
			enc, err = res[i].Template.EncodeString()
		}
		if err != nil {
			code = 1
			if c.json {
				writeJSON(stdout, map[string]string{"image": path, "error": err.Error(), "code": errorCode(err)})
			} else {
				fmt.Fprintf(stderr, "%s: error [%s]: %v\n", path, errorCode(err), err)
			}
			continue
		}
		if c.json {
			writeJSON(stdout, struct {
				Image    string  `json:"image"`
				Template string  `json:"template"`
				Box      boxJSON `json:"box"`
			}{path, enc, box(res[i].Box)})
		} else {
			fmt.Fprintf(stdout, "%s\t%s\tbox=%d,%d,%d,%d\n", path, enc, res[i].Box.Min.X, res[i].Box.Min.Y, res[i].Box.Max.X, res[i].Box.Max.Y)
		}
	}
	return code
}

// operand is one side of compare: an image file if it exists, else an encoded template.
func operands(models string, args []string) ([2]biometric.Template, error) {
	var out [2]biometric.Template
	var imgs []int
	for i, a := range args {
		if st, err := os.Stat(a); err == nil && st.Mode().IsRegular() {
			imgs = append(imgs, i)
			continue
		}
		t, err := biometric.ParseTemplateString(a)
		if err != nil {
			return out, fmt.Errorf("argument %d (%q) is %w: %w", i+1, abbrev(a), errBadOperand, err)
		}
		out[i] = t
	}
	if len(imgs) == 0 {
		return out, nil
	}
	e, err := newExtractor(models, len(imgs))
	if err != nil {
		return out, err
	}
	defer e.Close()
	paths := make([]string, len(imgs))
	for k, i := range imgs {
		paths[k] = args[i]
	}
	res, errs := extractAll(e, paths, face.Gate)
	for k, i := range imgs {
		if errs[k] != nil {
			return out, fmt.Errorf("%s: %w", args[i], errs[k])
		}
		out[i] = res[k].Template
	}
	return out, nil
}

func runCompare(args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlags("compare", stderr, &c)
	if err := fs.Parse(args); err != nil {
		return helpOr2(err)
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(stderr, "face compare: exactly two arguments (images or templates) required")
		return 2
	}
	ts, err := operands(c.models, fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "face compare: error [%s]: %v\n", errorCode(err), err)
		return exitCode(err)
	}
	op := biometric.DefaultOperatingPoint()
	d, err := op.Verify(ts[0], ts[1])
	if err != nil {
		fmt.Fprintf(stderr, "face compare: error [%s]: %v\n", errorCode(err), err)
		return 1
	}
	decision := "no-match"
	if d.Match {
		decision = "match"
	}
	if c.json {
		writeJSON(stdout, map[string]any{"a": fs.Arg(0), "b": fs.Arg(1), "distance": d.Distance, "threshold": d.Threshold, "source": op.Source, "decision": decision, "match": d.Match})
	} else {
		fmt.Fprintf(stdout, "distance %.4f  threshold %.2f (%s)  %s\n", d.Distance, d.Threshold, op.Source, decision)
	}
	return 0
}

// helpOr2 maps a flag parse error to the exit code: 0 for --help, 2 for a usage error.
func helpOr2(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// abbrev shortens an operand for an error message (an encoded template is long).
func abbrev(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
