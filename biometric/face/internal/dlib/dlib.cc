// idgate's binding to dlib. The network definitions are dlib's published ones (as in dlib's
// dnn_face_recognition_ex.cpp and dnn_mmod_face_detection_ex.cpp, and go-face's facerec.cc),
// and the chip parameters (150 px, padding 0.25) are go-face's, so templates are comparable with
// those go-face makes. Every call runs under the caller's exclusive use of the object (the Go
// side pools them), so no locks are needed here.
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <dlib/dnn.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing.h>
#include "dlib.h"

using namespace dlib;

template <template <int,template<typename>class,int,typename> class block, int N, template<typename>class BN, typename SUBNET>
using residual = add_prev1<block<N,BN,1,tag1<SUBNET>>>;
template <template <int,template<typename>class,int,typename> class block, int N, template<typename>class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,BN,2,tag1<SUBNET>>>>>>;
template <int N, template <typename> class BN, int stride, typename SUBNET>
using block  = BN<con<N,3,3,1,1,relu<BN<con<N,3,3,stride,stride,SUBNET>>>>>;
template <int N, typename SUBNET> using ares      = relu<residual<block,N,affine,SUBNET>>;
template <int N, typename SUBNET> using ares_down = relu<residual_down<block,N,affine,SUBNET>>;
template <typename SUBNET> using alevel0 = ares_down<256,SUBNET>;
template <typename SUBNET> using alevel1 = ares<256,ares<256,ares_down<256,SUBNET>>>;
template <typename SUBNET> using alevel2 = ares<128,ares<128,ares_down<128,SUBNET>>>;
template <typename SUBNET> using alevel3 = ares<64,ares<64,ares<64,ares_down<64,SUBNET>>>>;
template <typename SUBNET> using alevel4 = ares<32,ares<32,ares<32,SUBNET>>>;
using anet_type = loss_metric<fc_no_bias<128,avg_pool_everything<
	alevel0<alevel1<alevel2<alevel3<alevel4<
	max_pool<3,3,2,2,relu<affine<con<32,7,7,2,2,input_rgb_image_sized<150>>>>>>>>>>>>>;

template <long num_filters, typename SUBNET> using con5d = con<num_filters,5,5,2,2,SUBNET>;
template <long num_filters, typename SUBNET> using con5  = con<num_filters,5,5,1,1,SUBNET>;
template <typename SUBNET> using downsampler = relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16,SUBNET>>>>>>>>>;
template <typename SUBNET> using rcon5 = relu<affine<con5<45,SUBNET>>>;
using cnn_type = loss_mmod<con<1,9,9,1,1,rcon5<rcon5<rcon5<downsampler<input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;

// skip_levels is how many levels of the HOG detector's image pyramid (pyramid_down<6>) the
// image given to hog_skip already went down; set for the duration of one call on this thread.
static thread_local unsigned skip_levels = 0;

// skip_pyramid is pyramid_down<6> for an image that is already skip_levels levels down the
// pyramid of the full-resolution picture: the detector builds the same levels from it and maps
// a box found on its level l back to the picture exactly as from level l + skip_levels, so each
// box is the one the detector finds at that level of the full-resolution picture.
struct skip_pyramid : pyramid_down<6> {
	using pyramid_down<6>::rect_up;
	drectangle rect_up(const drectangle& rect, unsigned int levels) const {
		return pyramid_down<6>::rect_up(rect, levels + skip_levels);
	}
};
using hog_skip_type = object_detector<scan_fhog_pyramid<skip_pyramid>>;

struct idgate_dlib {
	frontal_face_detector hog;
	hog_skip_type hog_skip; // the same detector (filters, thresholds, overlap test) as hog
	shape_predictor sp;
	anet_type net;
	cnn_type cnn;
	bool has_cnn = false;
};

static char* dup_error(const char* what) { return strdup(what ? what : "dlib error"); }

static void load(matrix<rgb_pixel>& img, const uint8_t* rgb, int w, int h) {
	img.set_size(h, w);
	std::memcpy(&img(0, 0), rgb, (size_t)w * (size_t)h * 3);
}

static int describe(idgate_dlib* d, const matrix<rgb_pixel>& img, long l, long t, long r, long b,
		long* parts, int max_parts, float* descriptor) {
	full_object_detection shape = d->sp(img, rectangle(l, t, r, b));
	matrix<rgb_pixel> chip;
	extract_image_chip(img, get_face_chip_details(shape, 150, 0.25), chip);
	matrix<float,0,1> desc = d->net(chip);
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
		std::stringstream copy;
		serialize(d->hog, copy);
		deserialize(d->hog_skip, copy);
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

static int detect(idgate_dlib* d, const matrix<rgb_pixel>& img, int cnn, long* rects, int max, char** err) {
		std::vector<rectangle> found;
		if (cnn) {
			if (!d->has_cnn) {
				*err = dup_error("CNN detector not loaded");
				return -1;
			}
			for (auto&& m : d->cnn(img)) found.push_back(m.rect);
		} else {
			found = d->hog(img);
		}
		std::sort(found.begin(), found.end());
		for (size_t i = 0; i < found.size() && (int)i < max; i++) {
			rects[4*i] = found[i].left();
			rects[4*i+1] = found[i].top();
			rects[4*i+2] = found[i].right();
			rects[4*i+3] = found[i].bottom();
		}
		return (int)found.size();
}

extern "C" int idgate_dlib_detect(idgate_dlib* d, const uint8_t* rgb, int w, int h, int cnn, long* rects, int max, char** err) {
	try {
		static_assert(sizeof(rgb_pixel) == 3, "packed rgb_pixel");
		matrix<rgb_pixel> img;
		load(img, rgb, w, h);
		return detect(d, img, cnn, rects, max, err);
	} catch (std::exception& e) {
		*err = dup_error(e.what());
	} catch (...) {
		*err = dup_error(nullptr);
	}
	return -1;
}

// load_rgba copies a w x h RGBA image with rows stride bytes apart into img, dropping alpha.
static void load_rgba(matrix<rgb_pixel>& img, const uint8_t* pix, int stride, int w, int h) {
	img.set_size(h, w);
	for (int y = 0; y < h; y++) {
		const uint8_t* src = pix + (size_t)y * (size_t)stride;
		rgb_pixel* dst = &img(y, 0);
		for (int x = 0; x < w; x++) {
			dst[x].red = src[4*x];
			dst[x].green = src[4*x+1];
			dst[x].blue = src[4*x+2];
		}
	}
}

struct skip_guard {
	explicit skip_guard(unsigned n) { skip_levels = n; }
	~skip_guard() { skip_levels = 0; }
};

extern "C" int idgate_dlib_detect_rgba(idgate_dlib* d, const uint8_t* pix, int stride, int w, int h, int cnn, int skip,
		long* rects, int max, char** err) {
	try {
		matrix<rgb_pixel> img;
		load_rgba(img, pix, stride, w, h);
		if (cnn || skip <= 0)
			return detect(d, img, cnn, rects, max, err);
		// The pyramid levels the detector would build from img, as it builds them.
		pyramid_down<6> pyr;
		array2d<rgb_pixel> level, next;
		pyr(img, level);
		for (int i = 1; i < skip; i++) {
			pyr(level, next);
			swap(level, next);
		}
		if (level.nr() == 0 || level.nc() == 0) {
			*err = dup_error("image too small for the pyramid levels skipped");
			return -1;
		}
		std::vector<rectangle> found;
		{
			skip_guard g((unsigned)skip);
			found = d->hog_skip(level);
		}
		std::sort(found.begin(), found.end());
		for (size_t i = 0; i < found.size() && (int)i < max; i++) {
			rects[4*i] = found[i].left();
			rects[4*i+1] = found[i].top();
			rects[4*i+2] = found[i].right();
			rects[4*i+3] = found[i].bottom();
		}
		return (int)found.size();
	} catch (std::exception& e) {
		*err = dup_error(e.what());
	} catch (...) {
		*err = dup_error(nullptr);
	}
	return -1;
}

extern "C" int idgate_dlib_describe_rgba(idgate_dlib* d, const uint8_t* pix, int stride, int w, int h,
		long l, long t, long r, long b, long* parts, int max_parts, float* descriptor, char** err) {
	try {
		matrix<rgb_pixel> img;
		load_rgba(img, pix, stride, w, h);
		return describe(d, img, l, t, r, b, parts, max_parts, descriptor);
	} catch (std::exception& e) {
		*err = dup_error(e.what());
	} catch (...) {
		*err = dup_error(nullptr);
	}
	return -1;
}
