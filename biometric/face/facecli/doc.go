// Package facecli implements `idgate face template|compare|calibrate`: the command-line face
// tools over package face (extraction) and package biometric (distance, operating point,
// calibration). cmd/idgate registers Run; keeping the logic here makes it testable.
//
// Flow: arguments -> models loaded once (a face.Extractor sized to the work) -> per image a
// template or a typed error line -> exit 0 (all ok), 1 (some input failed), 2 (usage).
// Templates are printed as biometric's base64url encoding; raw images are never echoed.
package facecli
