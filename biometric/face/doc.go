// Package face turns a photograph into a face template with dlib. It and its internal/dlib
// binding are idgate's only cgo packages.
//
// Data flow for Extractor.Template: untrusted bytes -> size check -> format sniff (JPEG/PNG
// only) -> DecodeConfig dimension check against MaxPixels (stops decompression bombs before
// any pixel is allocated) -> one pure-Go decode (grayscale, CMYK, progressive, PNG all end as
// YCbCr or RGBA; with Config.FastDecode, JPEGs are decoded by libjpeg-turbo instead) -> EXIF
// orientation applied (all eight values, from a bounds-checked read of the JPEG APP1 or PNG
// eXIf TIFF header), so every later step sees the picture upright -> dlib's pixels: go-face's
// (the picture re-encoded as a quality-95 JPEG and decoded once by libjpeg), or with
// FastDecode the decode itself. For the usual camera JPEG (YCbCr, no turning needed) the
// decode and dlib's pixels come from libjpeg.Reference instead: the same bits at ~0.36 of
// the CPU -> detection (dlib HOG from the coarse end of its image pyramid,
// boxes identical to its full search; the whole pyramid under Enrol; CNN; or with
// Config.DetectSize on a scaled copy) -> policy (Enrol: exactly one face; Gate: largest face)
// -> minimum face size -> landmarks and ResNet descriptor of the chosen face only, at full
// resolution, on the region around it -> capture quality (Result.Quality; with
// Config.CheckQuality the Gate policy refuses an unusable capture with a *QualityError) ->
// biometric.Template tagged with the ResNet file's hash. dlib only ever sees pixels this
// package decoded: a crash in cgo would take the verifier down.
//
// The binding (internal/dlib) uses dlib's published networks and go-face's chip parameters;
// the tests hold its templates to go-face's (github.com/Kagami/go-face, the reference) on
// every photo. Result carries the upright Image, the Box, Landmarks and all Faces, so that
// liveness and quality reuse the one decode.
//
// An Extractor keeps a pool of Workers engines (each loads all models, ~120 MB) and hands each
// call one of them. Raw images and descriptors are never logged.
package face
