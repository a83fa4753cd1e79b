package main

import (
	"io"

	"github.com/idgate/idgate/facemodel"
)

func init() {
	register("models", "build the dlib models: models build --out DIR --tfjs DIR [--placeholder-detector]", runModels)
}

// runModels converts face-api's TF.js ResNet into dlib's format (scripts/models.sh runs the
// same code through facemodel/cmd/dlibconvert, which needs no cgo build).
func runModels(args []string, stdout, stderr io.Writer) int {
	return facemodel.RunBuildCLI(args, stdout, stderr)
}
