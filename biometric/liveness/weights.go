package liveness

import _ "embed"

// The two released networks of Silent-Face-Anti-Spoofing (Apache-2.0, weights/LICENSE and
// weights/NOTICE), byte for byte as published. They are compiled into the binary: the model
// id then always names the weights that run, and no deployment can miss or swap a file.
var (
	//go:embed weights/2.7_80x80_MiniFASNetV2.pth
	weightsV2 []byte
	//go:embed weights/4_0_0_80x80_MiniFASNetV1SE.pth
	weightsV1SE []byte
)
