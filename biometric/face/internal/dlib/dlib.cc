// idgate's binding to dlib. The network definitions are dlib's published ones (as in dlib's
// dnn_face_recognition_ex.cpp and dnn_mmod_face_detection_ex.cpp, and go-face's facerec.cc),
// and the chip parameters (150 px, padding 0.25) are go-face's, so templates are comparable with
// those go-face makes; the ResNet's convolutions are pcon layers (pcon.h), dlib's con that can
// run on two threads, with the same parameters and results. Every call runs under the caller's
// exclusive use of the object (the Go side pools them), so no locks are needed here.
#include <cstring>
#include <stdexcept>
#include <vector>
#include <dlib/dnn.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing.h>
#include "dlib.h"
#include "hog.h"
#include "pcon.h"

using namespace dlib;

template <template <int,template<typename>class,int,typename> class block, int N, template<typename>class BN, typename SUBNET>
using residual = add_prev1<block<N,BN,1,tag1<SUBNET>>>;
template <template <int,template<typename>class,int,typename> class block, int N, template<typename>class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,BN,2,tag1<SUBNET>>>>>>;
template <int N, template <typename> class BN, int stride, typename SUBNET>
using block  = BN<pcon<N,3,3,1,1,relu<BN<pcon<N,3,3,stride,stride,SUBNET>>>>>;
template <int N, typename SUBNET> using ares      = relu<residual<block,N,affine,SUBNET>>;
template <int N, typename SUBNET> using ares_down = relu<residual_down<block,N,affine,SUBNET>>;
template <typename SUBNET> using alevel0 = ares_down<256,SUBNET>;
template <typename SUBNET> using alevel1 = ares<256,ares<256,ares_down<256,SUBNET>>>;
template <typename SUBNET> using alevel2 = ares<128,ares<128,ares_down<128,SUBNET>>>;
template <typename SUBNET> using alevel3 = ares<64,ares<64,ares<64,ares_down<64,SUBNET>>>>;
template <typename SUBNET> using alevel4 = ares<32,ares<32,ares<32,SUBNET>>>;
using anet_type = loss_metric<fc_no_bias<128,avg_pool_everything<
	alevel0<alevel1<alevel2<alevel3<alevel4<
	max_pool<3,3,2,2,relu<affine<pcon<32,7,7,2,2,input_rgb_image_sized<150>>>>>>>>>>>>>;

template <long num_filters, typename SUBNET> using con5d = con<num_filters,5,5,2,2,SUBNET>;
template <long num_filters, typename SUBNET> using con5  = con<num_filters,5,5,1,1,SUBNET>;
template <typename SUBNET> using downsampler = relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16,SUBNET>>>>>>>>>;
template <typename SUBNET> using rcon5 = relu<affine<con5<45,SUBNET>>>;
using cnn_type = loss_mmod<con<1,9,9,1,1,rcon5<rcon5<rcon5<downsampler<input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;

struct idgate_dlib {
	frontal_face_detector hog;
	shape_predictor sp;
	anet_type net;
	cnn_type cnn;
	bool has_cnn = false;
};

static char* dup_error(const char* what) { return strdup(what ? what : "dlib error"); }

// load copies a w x h image of bpp-byte pixels (RGB or RGBA, alpha dropped) with rows stride
// bytes apart into img.
template <typename image_type>
static void load(image_type& img, const uint8_t* pix, int stride, int bpp, int w, int h) {
	static_assert(sizeof(rgb_pixel) == 3, "packed rgb_pixel");
	img.set_size(h, w);
	char* base = (char*)image_data(img);
	const long step = width_step(img);
	for (int y = 0; y < h; y++) {
		const uint8_t* src = pix + (size_t)y * (size_t)stride;
		rgb_pixel* dst = (rgb_pixel*)(base + (size_t)y * (size_t)step);
		if (bpp == 3) {
			std::memcpy(dst, src, (size_t)w * 3);
			continue;
		}
		for (int x = 0; x < w; x++) {
			dst[x].red = src[4*x];
			dst[x].green = src[4*x+1];
			dst[x].blue = src[4*x+2];
		}
	}
}

// describe computes the descriptor with the ResNet's convolutions on threads threads (see
// conv_threads).
static int describe(idgate_dlib* d, const matrix<rgb_pixel>& img, long l, long t, long r, long b,
		int threads, long* parts, int max_parts, float* descriptor) {
	full_object_detection shape = d->sp(img, rectangle(l, t, r, b));
	matrix<rgb_pixel> chip;
	extract_image_chip(img, get_face_chip_details(shape, 150, 0.25), chip);
	matrix<float,0,1> desc;
	{
		conv_threads scope(threads);
		desc = d->net(chip);
	}
	std::memcpy(descriptor, &desc(0, 0), 128 * sizeof(float));
	int n = (int)shape.num_parts();
	for (int i = 0; i < n && i < max_parts; i++) {
		parts[2*i] = shape.part(i).x();
		parts[2*i+1] = shape.part(i).y();
	}
	return n;
}

extern "C" idgate_dlib* idgate_dlib_new(const char* dir, int cnn, char** err) {
	try {
		auto d = new idgate_dlib();
		std::string s = dir;
		d->hog = get_frontal_face_detector();
		deserialize(s + "/shape_predictor_5_face_landmarks.dat") >> d->sp;
		deserialize(s + "/dlib_face_recognition_resnet_model_v1.dat") >> d->net;
		if (cnn) {
			deserialize(s + "/mmod_human_face_detector.dat") >> d->cnn;
			d->has_cnn = true;
		}
		return d;
	} catch (std::exception& e) {
		*err = dup_error(e.what());
	} catch (...) {
		*err = dup_error(nullptr);
	}
	return nullptr;
}

extern "C" void idgate_dlib_free(idgate_dlib* d) { delete d; }

// put writes up to max boxes (left, top, right, bottom), sorted, to rects and their
// confidences to scores (when not null), and returns how many there are.
static int put(std::vector<std::pair<rectangle, double>> found, long* rects, double* scores, int max) {
	std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
	for (size_t i = 0; i < found.size() && (int)i < max; i++) {
		rects[4*i] = found[i].first.left();
		rects[4*i+1] = found[i].first.top();
		rects[4*i+2] = found[i].first.right();
		rects[4*i+3] = found[i].first.bottom();
		if (scores)
			scores[i] = found[i].second;
	}
	return (int)found.size();
}

// detect runs the CNN detector (cnn != 0) or the HOG one on threads threads on a w x h image of
// bpp-byte pixels, searching the HOG pyramid from level skip on (see hog_detect). threads < 0
// is for tests: dlib's own object_detector (skip 0), or the whole pyramid built and searched
// from level skip on.
static int detect(idgate_dlib* d, const uint8_t* pix, int stride, int bpp, int w, int h, int cnn, int skip,
		int threads, long* rects, double* scores, int max, char** err) {
	std::vector<std::pair<rectangle, double>> found;
	if (cnn) {
		if (!d->has_cnn) {
			*err = dup_error("CNN detector not loaded");
			return -1;
		}
		matrix<rgb_pixel> img;
		load(img, pix, stride, bpp, w, h);
		for (auto&& m : d->cnn(img))
			found.push_back({m.rect, m.detection_confidence});
		return put(found, rects, scores, max);
	}
	array2d<rgb_pixel> img;
	load(img, pix, stride, bpp, w, h);
	const rectangle picture = get_rect(img);
	skip = std::max(skip, 0);
	std::vector<rect_detection> dets;
	if (threads < 0) {
		// For tests: dlib's own detector, or the full search keeping levels skip on.
		if (skip == 0)
			d->hog(img, dets);
		else
			dets = hog_detect(d->hog, img, picture, 0, (unsigned)skip, 1);
	} else if ((unsigned long)skip < hog_levels(d->hog, picture)) {
		// The pyramid levels the detector would build from img, as it builds them.
		array2d<rgb_pixel> next;
		for (int i = 0; i < skip; i++) {
			pyramid_down_rgb(img, next, threads);
			swap(img, next);
		}
		dets = hog_detect(d->hog, img, picture, (unsigned)skip, 0, threads);
	}
	for (auto&& x : dets)
		found.push_back({x.rect, x.detection_confidence});
	return put(found, rects, scores, max);
}

extern "C" int idgate_dlib_detect(idgate_dlib* d, const uint8_t* pix, int stride, int bpp, int w, int h, int cnn,
		int skip, int threads, long* rects, double* scores, int max, char** err) {
	try {
		return detect(d, pix, stride, bpp, w, h, cnn, skip, threads, rects, scores, max, err);
	} catch (std::exception& e) {
		*err = dup_error(e.what());
	} catch (...) {
		*err = dup_error(nullptr);
	}
	return -1;
}

extern "C" int idgate_dlib_pyramid(const uint8_t* rgb, int w, int h, int levels, int threads, uint8_t* out,
		int* ow, int* oh, char** err) {
	try {
		array2d<rgb_pixel> img, next;
		load(img, rgb, 3*w, 3, w, h);
		pyramid_down<6> pyr;
		for (int i = 0; i < levels; i++) {
			if (threads < 0)
				pyr(img, next);
			else
				pyramid_down_rgb(img, next, threads);
			swap(img, next);
		}
		*ow = (int)img.nc();
		*oh = (int)img.nr();
		for (long y = 0; y < img.nr(); y++)
			std::memcpy(out + (size_t)y * (size_t)img.nc() * 3, &img[y][0], (size_t)img.nc() * 3);
		return 0;
	} catch (std::exception& e) {
		*err = dup_error(e.what());
	} catch (...) {
		*err = dup_error(nullptr);
	}
	return -1;
}

extern "C" int idgate_dlib_describe_rgba(idgate_dlib* d, const uint8_t* pix, int stride, int w, int h,
		long l, long t, long r, long b, int threads, long* parts, int max_parts, float* descriptor, char** err) {
	try {
		matrix<rgb_pixel> img;
		load(img, pix, stride, 4, w, h);
		return describe(d, img, l, t, r, b, threads, parts, max_parts, descriptor);
	} catch (std::exception& e) {
		*err = dup_error(e.what());
	} catch (...) {
		*err = dup_error(nullptr);
	}
	return -1;
}
