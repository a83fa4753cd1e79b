package loadtest

import "github.com/idgate/idgate/biometric"

// LiveJPEG is the face pair of live JPEG mode: two photos of one person, the template of one
// in every credential and the other sent as every live capture, so each decision is an allow
// that went through the verifier's whole camera path (decode, detect, landmarks, liveness,
// descriptor, match) besides the credential and pass checks.
type LiveJPEG struct {
	// Enrolled is the template the credentials carry; its model must be the verifier's (the
	// same models directory), else every decision is face_model_mismatch.
	Enrolled biometric.Template
	JPEG     []byte // the live capture: a JPEG of at most gate.MaxJPEGBytes
}
