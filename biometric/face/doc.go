// Package face turns a photograph into a face template with dlib (through go-face). It is the
// only cgo package in idgate.
//
// Data flow for Extractor.Template: untrusted bytes -> size check -> format sniff (JPEG/PNG
// only) -> DecodeConfig dimension check against MaxPixels (stops decompression bombs before
// any pixel is allocated) -> full pure-Go decode (grayscale, CMYK, progressive, PNG all end as
// RGBA) -> EXIF orientation applied (all eight values, from a bounds-checked read of the JPEG
// APP1 or PNG eXIf TIFF header), so every later step sees the picture upright -> re-encode as a clean baseline 3-component JPEG -> dlib HOG detection, landmarks,
// 150x150 chip, ResNet descriptor -> policy (Enrol: exactly one face; Gate: largest face) ->
// minimum face size -> biometric.Template tagged with the ResNet file's hash. dlib only ever
// sees JPEGs this package encoded itself: a crash in cgo would take the verifier down.
//
// go-face serializes descriptor computation per Recognizer, so an Extractor keeps a pool of
// Workers recognizers (each loads all models, ~120 MB each) and hands each call one of them.
// Raw images and descriptors are never logged.
package face
