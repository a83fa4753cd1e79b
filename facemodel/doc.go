// Package facemodel builds the dlib model files that go-face loads, in pure Go (no cgo).
//
// Data flow: the TF.js weights that the npm package @vladmandic/face-api ships
// (face_recognition_model-weights_manifest.json + face_recognition_model.bin) are parsed by
// ReadTFJS (bounded, fail-closed), dequantised (q*scale+min), transposed from HWIO to dlib's
// OIHW and written by WriteResNet in dlib's own serialization of
// dlib_face_recognition_resnet_model_v1.dat (the loss_metric ResNet that dlib's
// face-recognition example defines). WritePlaceholderDetector writes a structurally valid,
// all-zero mmod_human_face_detector.dat so that go-face's NewRecognizer can start when the
// operator has no real CNN detector; IsPlaceholderDetector tells such a file from a real one
// (marker file beside it, or the placeholder's exact bytes), so callers can refuse CNN
// detection instead of silently finding no face.
//
// Build ties it together for `idgate models build` and scripts/models.sh, writing every file
// atomically (temp file + rename).
package facemodel
