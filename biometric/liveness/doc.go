// Package liveness is passive liveness (presentation-attack detection) on one photograph: it
// tells a live face from a printed photo or a screen held to the camera, without asking the
// traveller to move. It re-implements in Go the inference of Silent-Face-Anti-Spoofing's two
// released networks (Apache-2.0, weights/NOTICE), MiniFASNetV2 and MiniFASNetV1SE.
//
// Data flow for Checker.Check: an upright decoded image and the face detector's box ->
// per network, a crop of the box scaled 2.7× (V2) or 4.0× (V1SE) around its centre (clamped
// into the image, aspect kept) -> 80×80 with OpenCV's fixed-point bilinear resize, bit for bit
// -> float32 B,G,R planes, values 0..255 -> network -> softmax. Score is the mean of the two
// live-class probabilities; Live is Score ≥ Threshold (DefaultThreshold 0.915).
//
// The weights ship inside the binary (go:embed of the unmodified .pth files) and are read by
// a strict reader of torch's legacy serialization that accepts only what a saved float32
// state dict contains (four globals, no code execution) and checks every tensor's shape
// against the architecture. Batch norms are folded into the preceding convolutions. 1x1
// convolutions (~92% of the work) are a GEMM whose inner loop is AVX2+FMA assembly on amd64
// (a portable Go loop elsewhere and under the purego tag). A Checker is safe for concurrent
// use and allocates nothing per call after warm-up.
//
// The model covers print and screen replays like those it was trained on. It does not cover
// 3D masks, high-quality replays, or a synthetic image injected into the camera feed; its
// scores depend on the face box (see docs/performance.md). Raw images are never logged.
package liveness
