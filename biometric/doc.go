// Package biometric holds face templates and everything done with them that needs no cgo:
// encoding, 1:1 verification, 1:N search, sealing for storage and transport, and the
// statistics used to calibrate a decision threshold.
//
// Data flow:
//
//   - biometric/face (cgo, dlib) turns a photo into a 128-float descriptor and wraps it with
//     NewTemplate, tagged with the ModelID of the network that produced it.
//   - The issuer seals the template for a gate reader's ECDH P-256 key with Seal (compact JWE,
//     ECDH-ES+A256KW / A256GCM) and puts the string in the credential's selectively disclosable
//     face_template claim. Galleries keep the same sealed form at rest. Open reverses it on the
//     reader side; its input is untrusted and bounded.
//   - At the gate, OperatingPoint.Verify compares the live capture with the disclosed template
//     (1:1), or Gallery.Search finds the nearest enrolled travellers (1:N): a SWAR scan over
//     7-bit quantised rows followed by an exact float32 re-rank of the best candidates.
//   - Calibrate turns labelled templates into genuine/impostor distance distributions and
//     FMR/FNMR per threshold; `idgate face calibrate` uses it to choose the OperatingPoint.
//
// Templates of different models are never compared (ErrModelMismatch). Every error is an *Error
// with a stable Code; raw vectors never appear in error messages.
package biometric
