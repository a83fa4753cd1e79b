// hog.cc's entry points (C++ only): dlib's frontal HOG detector run over its image pyramid with
// the levels spread over two threads, and one pyramid step with its rows split over two.
#ifndef IDGATE_DLIB_HOG_H
#define IDGATE_DLIB_HOG_H
#include <vector>
#include <dlib/image_processing/frontal_face_detector.h>

// hog_detect returns what det(img) returns as rect_detections (boxes and confidences, in the
// same order) when img is the picture itself (skip 0). When img is level skip of the pyramid
// of a picture whose rectangle is picture, it searches the levels the full search searches
// from skip on, maps boxes back to the picture as the full search does, and prunes overlapping
// ones among those (the full search also prunes against finer levels' boxes); none when the
// pyramid has no level skip. Levels of img before first are built but not searched (for
// tests). With threads > 1 the levels are built on the calling thread while another one
// extracts features and applies the filters; the result is the same bit for bit, since every
// level is computed by the same code and the detections are merged in dlib's order.
std::vector<dlib::rect_detection> hog_detect(const dlib::frontal_face_detector& det,
	const dlib::array2d<dlib::rgb_pixel>& img, const dlib::rectangle& picture, unsigned skip, unsigned first,
	int threads);

// hog_levels is how many pyramid levels det searches on a picture of this rectangle.
unsigned long hog_levels(const dlib::frontal_face_detector& det, const dlib::rectangle& picture);

// pyramid_down_rgb is pyramid_down<6>()(in, out), the next level of the HOG detector's image
// pyramid, with out's rows split over threads threads (at most 2), bit for bit the same.
void pyramid_down_rgb(const dlib::array2d<dlib::rgb_pixel>& in, dlib::array2d<dlib::rgb_pixel>& out, int threads);

#endif
