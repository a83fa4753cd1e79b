// C interface of dlib.cc: idgate's own binding to dlib's face detector, shape predictor and
// ResNet descriptor, so that detection, landmarks and the descriptor can run on different
// images (a downscaled one for detection) and take raw RGB pixels.
#ifndef IDGATE_DLIB_H
#define IDGATE_DLIB_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct idgate_dlib idgate_dlib;

// idgate_dlib_new loads the models in dir (the CNN detector only when cnn != 0). On failure it
// returns NULL and sets *err to a malloc'ed message.
idgate_dlib* idgate_dlib_new(const char* dir, int cnn, char** err);
void idgate_dlib_free(idgate_dlib* d);

// idgate_dlib_detect finds faces in a w x h image of bpp-byte pixels (3: RGB, 4: RGBA with
// alpha ignored) whose rows are stride bytes apart, with the HOG (cnn == 0) or CNN detector, and
// writes up to max rectangles (left, top, right, bottom), sorted, to rects and their
// confidences to scores (unless NULL). It returns the number of faces found (which may exceed
// max) or -1 with *err set. With the HOG detector and skip > 0 it searches only the levels of
// its image pyramid from level skip on (face boxes of 72 px * 1.2^skip and more): each box it
// returns is one the full search's scan finds at that level, and boxes only finer levels find
// are missing. The HOG search runs on threads threads (at most 2; negative values are for
// tests: dlib's own one-thread detector when skip is 0, else the whole pyramid built and
// searched from level skip on).
int idgate_dlib_detect(idgate_dlib* d, const uint8_t* pix, int stride, int bpp, int w, int h, int cnn, int skip,
	int threads, long* rects, double* scores, int max, char** err);

// idgate_dlib_pyramid writes level levels of the HOG detector's image pyramid of a packed RGB
// image to out (w*h*3 bytes at most) and its size to *ow, *oh, built on threads threads (a
// negative value: with dlib's own pyramid_down). It returns 0, or -1 with *err set. For tests.
int idgate_dlib_pyramid(const uint8_t* rgb, int w, int h, int levels, int threads, uint8_t* out,
	int* ow, int* oh, char** err);

// idgate_dlib_describe_rgba places the landmarks of the face in rect (l, t, r, b) of an RGBA
// image (rows stride bytes apart; alpha ignored) and computes its 128-float descriptor from the
// 150x150 chip (padding 0.25), as dlib's face recognition example does, with the ResNet's
// convolutions on threads threads (1, dlib's code; 2, split over two threads with the same
// result; negative values are for tests, see conv_threads in conv2.h). It writes up to
// max_parts points (x, y) to parts and returns the number of landmarks, or -1 with *err set.
int idgate_dlib_describe_rgba(idgate_dlib* d, const uint8_t* pix, int stride, int w, int h,
	long l, long t, long r, long b, int threads, long* parts, int max_parts, float* descriptor, char** err);

#ifdef __cplusplus
}
#endif
#endif
