package facemodel

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// RunBuildCLI implements `models build --out DIR --tfjs DIR [--placeholder-detector]` for
// both `idgate models` and facemodel/cmd/dlibconvert; it returns the process exit code.
func RunBuildCLI(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("models build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o BuildOptions
	fs.StringVar(&o.OutDir, "out", "", "output models directory (required)")
	fs.StringVar(&o.TFJSDir, "tfjs", "", "directory with "+TFJSManifestFile+" and "+TFJSWeightsFile+" (required)")
	fs.BoolVar(&o.PlaceholderDetector, "placeholder-detector", false, "also write an all-zero "+DetectorFile+" and the "+PlaceholderMarker+" marker")
	if len(args) == 0 || args[0] != "build" {
		fmt.Fprintln(stderr, "usage: models build --out DIR --tfjs DIR [--placeholder-detector]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			return 0
		}
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if o.OutDir == "" || o.TFJSDir == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "models build: --out and --tfjs are required, no positional arguments")
		return 2
	}
	r, err := Build(o)
	if err != nil {
		fmt.Fprintf(stderr, "models build: %v\n", err)
		var pe *os.PathError
		if errors.Is(err, ErrInvalidModel) || (errors.As(err, &pe) && strings.HasPrefix(pe.Path, o.TFJSDir)) {
			return 2 // the --tfjs input is missing or not a usable model
		}
		return 1
	}
	fmt.Fprintf(stdout, "models: wrote %s (%d bytes, %d parameters)\n", r.ResNetPath, r.ResNetBytes, r.Params)
	if r.Detector != "" {
		fmt.Fprintf(stdout, "models: wrote placeholder CNN detector %s (CNN detection unavailable)\n", r.Detector)
	}
	return 0
}
