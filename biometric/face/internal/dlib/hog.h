// hog.cc's entry points (C++ only): dlib's frontal HOG detector run over its image pyramid with
// the levels spread over two threads, and one pyramid step with its rows split over two.
#ifndef IDGATE_DLIB_HOG_H
#define IDGATE_DLIB_HOG_H
#include <vector>
#include <dlib/image_processing/frontal_face_detector.h>

// hog_detect returns what det(img) returns as rect_detections (boxes and confidences, in the
// same order) when img is the picture itself (skip 0), or what the full search of the picture
// finds on its pyramid levels from skip on when img is that level. With threads > 1 the
// levels are built on the calling thread while another one extracts features and applies the
// filters; the result is the same bit for bit, since every level is computed by the same code
// and the detections are merged in dlib's order.
std::vector<dlib::rect_detection> hog_detect(const dlib::frontal_face_detector& det,
	const dlib::array2d<dlib::rgb_pixel>& img, unsigned skip, int threads);

// pyramid_down_rgb is pyramid_down<6>()(in, out), the next level of the HOG detector's image
// pyramid, with out's rows split over threads threads (at most 2), bit for bit the same.
void pyramid_down_rgb(const dlib::array2d<dlib::rgb_pixel>& in, dlib::array2d<dlib::rgb_pixel>& out, int threads);

#endif
