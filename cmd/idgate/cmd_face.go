package main

import (
	"io"

	"github.com/idgate/idgate/biometric/face/facecli"
)

func init() {
	register("face", "face templates and liveness: face template|compare|calibrate|liveness [--models DIR]", runFace)
}

// runFace delegates to facecli, where the subcommands are implemented and tested.
func runFace(args []string, stdout, stderr io.Writer) int {
	return facecli.Run(args, stdout, stderr)
}
