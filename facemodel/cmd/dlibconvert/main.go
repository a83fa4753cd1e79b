// Command dlibconvert is the pure-Go model builder scripts/models.sh runs (so building the
// models does not need the cgo build of the idgate binary). Same flags as `idgate models build`.
package main

import (
	"os"

	"github.com/idgate/idgate/facemodel"
)

func main() {
	os.Exit(facemodel.RunBuildCLI(os.Args[1:], os.Stdout, os.Stderr))
}
