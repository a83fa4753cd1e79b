// dlib's object_detector<scan_fhog_pyramid<pyramid_down<6>>>::operator() (object_detector.h,
// scan_fhog_pyramid.h) taken apart so that its pyramid levels run on two threads: one builds
// the levels (each from the one before, so in order) while the other extracts the HOG features
// of the levels built and applies the detector's five filters to them; when all levels are
// built, both take the remaining ones. The per-level work is dlib's own code on the same
// inputs, and the detections are collected, sorted and pruned in dlib's order, so the boxes
// and their confidences are those of the one-thread detector bit for bit (a test checks).
#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#ifdef __AVX2__
#include <immintrin.h>
#endif
#include "hog.h"

using namespace dlib;

namespace {

using scanner_type = scan_fhog_pyramid<pyramid_down<6>>;
using detection = std::pair<double, rectangle>;

// levels is the number of pyramid levels dlib's scanner searches for an image of this size
// (impl::create_fhog_pyramid).
unsigned long levels(const scanner_type& s, rectangle rect) {
	pyramid_down<6> pyr;
	unsigned long n = 0;
	do {
		rect = pyr.rect_down(rect);
		++n;
	} while (rect.width() >= s.get_min_pyramid_layer_width() && rect.height() >= s.get_min_pyramid_layer_height() &&
		n < s.get_max_pyramid_levels());
	return n;
}

// scan is one detection's per-level work and results.
struct scan {
	const frontal_face_detector& det;
	unsigned skip;  // img is level skip of the picture
	unsigned first; // levels of img before first are built but not searched
	// dets[l][d] are detector d's detections on level l, in dlib's scan order.
	std::vector<std::vector<std::vector<detection>>> dets;

	// level extracts the features of img, level l of the search, and applies every filter
	// (impl::detect_from_fhog_pyramid for one level).
	void level(const array2d<rgb_pixel>& img, unsigned long l, array<array2d<float>>& feats,
			array2d<float>& saliency) {
		if (l < first)
			return;
		const scanner_type& s = det.get_scanner();
		const auto& fe = s.get_feature_extractor();
		const unsigned long width = s.get_fhog_window_width(), height = s.get_fhog_window_height();
		const unsigned long box_w = width - 2*s.get_padding(), box_h = height - 2*s.get_padding();
		fe(img, feats, s.get_cell_size(), height, width);
		pyramid_down<6> pyr;
		for (unsigned long d = 0; d < det.num_detectors(); ++d) {
			const double thresh = det.get_processed_w(d).w(s.get_num_dimensions());
			const rectangle area = impl::apply_filters_to_fhog(det.get_processed_w(d).get_detect_argument(), feats, saliency);
			std::vector<detection>& out = dets[l][d];
			for (long r = area.top(); r <= area.bottom(); ++r) {
				for (long c = area.left(); c <= area.right(); ++c) {
					if (saliency[r][c] >= thresh) {
						rectangle rect = fe.feats_to_image(centered_rect(point(c, r), box_w, box_h),
							s.get_cell_size(), height, width);
						rect = pyr.rect_up(rect, l + skip);
						out.push_back(std::make_pair(saliency[r][c], rect));
					}
				}
			}
		}
	}

	// merge is object_detector::operator()'s collection and non-max suppression.
	std::vector<rect_detection> merge() const {
		const unsigned long n = det.num_detectors();
		std::vector<rect_detection> accum;
		for (unsigned long d = 0; d < n; ++d) {
			std::vector<detection> all;
			for (const auto& lv : dets)
				all.insert(all.end(), lv[d].begin(), lv[d].end());
			std::sort(all.rbegin(), all.rend(), impl::compare_pair_rect);
			const double thresh = det.get_processed_w(d).w(det.get_scanner().get_num_dimensions());
			for (const auto& x : all) {
				rect_detection t;
				t.detection_confidence = x.first - thresh;
				t.weight_index = d;
				t.rect = x.second;
				accum.push_back(t);
			}
		}
		if (n > 1)
			std::sort(accum.rbegin(), accum.rend());
		const test_box_overlap& overlap = det.get_overlap_tester();
		std::vector<rect_detection> final_dets;
		for (const auto& x : accum) {
			bool hit = false;
			for (const auto& f : final_dets) {
				if (overlap(f.rect, x.rect)) {
					hit = true;
					break;
				}
			}
			if (!hit)
				final_dets.push_back(x);
		}
		return final_dets;
	}
};

// columns is the per-column state of resize_image's four-lane loop, the same for every row:
// the left source column and the two interpolation weights of each column the loop computes,
// in groups of four; columns from 4*groups on take its double-precision tail.
struct columns {
	long groups = 0;
	std::vector<int32> left;
	std::vector<float> frac, inv;
};

columns column_state(long in_nc, double x_scale) {
	columns cs;
	double x = -4*x_scale;
	const simd4f _x_scale = 4*x_scale;
	simd4f _x(x, x+x_scale, x+2*x_scale, x+3*x_scale);
	for (;;) {
		_x += _x_scale;
		simd4i left = simd4i(_x);
		simd4f lr_frac = _x-left;
		simd4f inv_lr_frac = 1-lr_frac;
		int32 fleft[4];
		float ffrac[4], finv[4];
		left.store(fleft);
		if (fleft[3]+1 >= in_nc) // the loop's test on its right columns
			break;
		lr_frac.store(ffrac);
		inv_lr_frac.store(finv);
		cs.left.insert(cs.left.end(), fleft, fleft+4);
		cs.frac.insert(cs.frac.end(), ffrac, ffrac+4);
		cs.inv.insert(cs.inv.end(), finv, finv+4);
		++cs.groups;
	}
	return cs;
}

#ifdef __AVX2__
// simd4f_fuses reports whether this build contracts dlib's simd4f expression
// tlf*tl + trf*tr + blf*bl + brf*br into FMAs: GCC does at -O2 and above on a CPU with FMA,
// rounding the first product and fusing the others in order; at -O1 it does not. Asked of an
// expression of the same shape on inputs where the two differ.
bool simd4f_fuses() {
	static const bool fused = [] {
		volatile float one = 1, a = 1 + 0x1p-12f, m = -(1 + 0x1p-11f), zero = 0;
		const simd4f tlf(one), tl(m), trf(a), tr(a), blf(zero), bl(zero), brf(zero), br(zero);
		float out[4];
		// a*a is 1 + 2^-11 + 2^-24: rounded, the sum is 0; fused, 2^-24.
		(tlf*tl + trf*tr + blf*bl + brf*br).store(out);
		return out[0] != 0;
	}();
	return fused;
}

// sum4 is resize_image's tlf*tl + trf*tr + blf*bl + brf*br as this build computes dlib's
// simd4f expression (simd4f_fuses). TestPyramidRows holds it to dlib's own code.
inline __m256 sum4(bool fused, __m256 tlf, __m256 tl, __m256 trf, __m256 tr, __m256 blf, __m256 bl, __m256 brf, __m256 br) {
#ifdef __FMA__
	if (fused) {
		__m256 s = _mm256_fmadd_ps(trf, tr, _mm256_mul_ps(tlf, tl));
		s = _mm256_fmadd_ps(blf, bl, s);
		return _mm256_fmadd_ps(brf, br, s);
	}
#endif
	__m256 s = _mm256_add_ps(_mm256_mul_ps(tlf, tl), _mm256_mul_ps(trf, tr));
	s = _mm256_add_ps(s, _mm256_mul_ps(blf, bl));
	return _mm256_add_ps(s, _mm256_mul_ps(brf, br));
}

// blend8 computes columns [c, c+8) of one output row as the four-lane loop does, lane for
// lane, loading each corner pixel with one gather. Each gather reads 4 bytes at a pixel: the
// caller keeps them inside the row.
inline void blend8(const unsigned char* top, const unsigned char* bottom, const columns& cs, long c,
		float tb_frac, float inv_tb_frac, bool fused, rgb_pixel* out) {
	const __m256i l3 = _mm256_mullo_epi32(_mm256_loadu_si256((const __m256i*)&cs.left[c]), _mm256_set1_epi32(3));
	const __m256i r3 = _mm256_add_epi32(l3, _mm256_set1_epi32(3));
	const __m256i g[4] = {
		_mm256_i32gather_epi32((const int*)top, l3, 1), _mm256_i32gather_epi32((const int*)top, r3, 1),
		_mm256_i32gather_epi32((const int*)bottom, l3, 1), _mm256_i32gather_epi32((const int*)bottom, r3, 1),
	};
	const __m256 lr_frac = _mm256_loadu_ps(&cs.frac[c]);
	const __m256 inv_lr_frac = _mm256_loadu_ps(&cs.inv[c]);
	const __m256 tb = _mm256_set1_ps(tb_frac), inv_tb = _mm256_set1_ps(inv_tb_frac);
	const __m256 tlf = _mm256_mul_ps(inv_tb, inv_lr_frac);
	const __m256 trf = _mm256_mul_ps(inv_tb, lr_frac);
	const __m256 blf = _mm256_mul_ps(tb, inv_lr_frac);
	const __m256 brf = _mm256_mul_ps(tb, lr_frac);
	const __m256i mask = _mm256_set1_epi32(0xff);
	int32 v[3][8];
	for (int ch = 0; ch < 3; ++ch) {
		__m256 p[4];
		for (int k = 0; k < 4; ++k)
			p[k] = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(g[k], 8*ch), mask));
		const __m256 sum = sum4(fused, tlf, p[0], trf, p[1], blf, p[2], brf, p[3]);
		_mm256_storeu_si256((__m256i*)v[ch], _mm256_cvttps_epi32(sum));
	}
	for (int k = 0; k < 8; ++k) {
		out[c+k].red = static_cast<unsigned char>(v[0][k]);
		out[c+k].green = static_cast<unsigned char>(v[1][k]);
		out[c+k].blue = static_cast<unsigned char>(v[2][k]);
	}
}
#endif

// down_rows computes rows [r0, r1) of out, already sized as pyramid_down<6> sizes the level
// below in, exactly as resize_image(in, out, interpolate_bilinear) computes them for RGB
// images (dlib 19.24, interpolation.h): the same float operations in the same order, with each
// row's source position accumulated row by row from the top as there. The columns' part of
// that work, the same in every row, is done once (column_state).
void down_rows(const array2d<rgb_pixel>& in, array2d<rgb_pixel>& out, long r0, long r1) {
	if (out.size() == 0 || in.size() == 0)
		return;
	const double x_scale = (in.nc()-1)/(double)std::max<long>((out.nc()-1),1);
	const double y_scale = (in.nr()-1)/(double)std::max<long>((out.nr()-1),1);
	const columns cs = column_state(in.nc(), x_scale);
	// Gathers read 4 bytes at a pixel: groups of 8 columns whose right pixels are at least two
	// from the row's end.
	long wide = 0;
	while (wide+8 <= 4*cs.groups && cs.left[wide+7]+1 <= in.nc()-2)
		wide += 8;
#ifdef __AVX2__
	const bool fused = simd4f_fuses();
#endif
	double y = -y_scale;
	for (long r = 0; r < r0; ++r)
		y += y_scale;
	for (long r = r0; r < r1; ++r) {
		y += y_scale;
		const long top = static_cast<long>(std::floor(y));
		const long bottom = std::min(top+1, in.nr()-1);
		const double tb_frac = y - top;
		const simd4f _tb_frac = tb_frac;
		const simd4f _inv_tb_frac = 1-tb_frac;
		long c = 0;
#ifdef __AVX2__
		const float ftb = tb_frac, finv = 1-tb_frac; // simd4f's conversions
		for (; c < wide; c += 8)
			blend8((const unsigned char*)&in[top][0], (const unsigned char*)&in[bottom][0], cs, c, ftb, finv, fused, &out[r][0]);
#endif
		for (; c < 4*cs.groups; c += 4) {
			simd4f lr_frac, _inv_lr_frac;
			lr_frac.load(&cs.frac[c]);
			_inv_lr_frac.load(&cs.inv[c]);
			const int32* fleft = &cs.left[c];
			simd4f tlf = _inv_tb_frac*_inv_lr_frac;
			simd4f trf = _inv_tb_frac*lr_frac;
			simd4f blf = _tb_frac*_inv_lr_frac;
			simd4f brf = _tb_frac*lr_frac;
			for (unsigned char rgb_pixel::*ch : {&rgb_pixel::red, &rgb_pixel::green, &rgb_pixel::blue}) {
				simd4f tl(in[top][fleft[0]].*ch, in[top][fleft[1]].*ch, in[top][fleft[2]].*ch, in[top][fleft[3]].*ch);
				simd4f tr(in[top][fleft[0]+1].*ch, in[top][fleft[1]+1].*ch, in[top][fleft[2]+1].*ch, in[top][fleft[3]+1].*ch);
				simd4f bl(in[bottom][fleft[0]].*ch, in[bottom][fleft[1]].*ch, in[bottom][fleft[2]].*ch, in[bottom][fleft[3]].*ch);
				simd4f br(in[bottom][fleft[0]+1].*ch, in[bottom][fleft[1]+1].*ch, in[bottom][fleft[2]+1].*ch, in[bottom][fleft[3]+1].*ch);
				simd4i v = simd4i(tlf*tl + trf*tr + blf*bl + brf*br);
				int32 fout[4];
				v.store(fout);
				for (int k = 0; k < 4; ++k)
					out[r][c+k].*ch = static_cast<unsigned char>(fout[k]);
			}
		}
		double x = -x_scale + c*x_scale;
		for (; c < out.nc(); ++c) {
			x += x_scale;
			const long left = static_cast<long>(std::floor(x));
			const long right = std::min(left+1, in.nc()-1);
			const double lr_frac = x - left;
			const rgb_pixel tl = in[top][left];
			const rgb_pixel tr = in[top][right];
			const rgb_pixel bl = in[bottom][left];
			const rgb_pixel br = in[bottom][right];
			rgb_pixel temp;
			assign_pixel(temp, 0);
			vector_to_pixel(temp,
				(1-tb_frac)*((1-lr_frac)*pixel_to_vector<double>(tl) + lr_frac*pixel_to_vector<double>(tr)) +
				tb_frac*((1-lr_frac)*pixel_to_vector<double>(bl) + lr_frac*pixel_to_vector<double>(br)));
			assign_pixel(out[r][c], temp);
		}
	}
}

} // namespace

void pyramid_down_rgb(const array2d<rgb_pixel>& in, array2d<rgb_pixel>& out, int threads) {
	const long N = 6;
	set_image_size(out, ((N-1)*num_rows(in))/N+0.5, ((N-1)*num_columns(in))/N+0.5);
	if (threads <= 1 || out.nr() < 2) {
		down_rows(in, out, 0, out.nr());
		return;
	}
	const long mid = out.nr() / 2;
	std::exception_ptr err;
	std::thread helper;
	try {
		helper = std::thread([&] {
			try {
				down_rows(in, out, mid, out.nr());
			} catch (...) {
				err = std::current_exception();
			}
		});
	} catch (const std::system_error&) {
		down_rows(in, out, 0, out.nr()); // no thread to be had: the same result, later
		return;
	}
	try {
		down_rows(in, out, 0, mid);
	} catch (...) {
		helper.join();
		throw;
	}
	helper.join();
	if (err)
		std::rethrow_exception(err);
}

unsigned long hog_levels(const frontal_face_detector& det, const rectangle& picture) {
	return levels(det.get_scanner(), picture);
}

std::vector<rect_detection> hog_detect(const frontal_face_detector& det, const array2d<rgb_pixel>& img,
		const rectangle& picture, unsigned skip, unsigned first, int threads) {
	// dlib counts the levels on the picture's rectangle, which rect_down shrinks a little more
	// slowly than the images shrink: counted on img, the coarsest level could be missed.
	const unsigned long total = levels(det.get_scanner(), picture);
	if (skip >= total)
		return {};
	const unsigned long n = total - skip;
	scan sc{det, skip, first, {}};
	sc.dets.assign(n, std::vector<std::vector<detection>>(det.num_detectors()));
	// imgs[l] is level l of the search for l >= 1 (level 0 is img).
	std::vector<array2d<rgb_pixel>> imgs(n);
	auto at = [&](unsigned long l) -> const array2d<rgb_pixel>& { return l == 0 ? img : imgs[l]; };

	auto serial = [&]() {
		array<array2d<float>> feats;
		array2d<float> saliency;
		for (unsigned long l = 0; l < n; ++l) {
			if (l > 0)
				pyramid_down_rgb(at(l - 1), imgs[l], 1);
			sc.level(at(l), l, feats, saliency);
		}
		return sc.merge();
	};
	if (threads <= 1 || n == 1)
		return serial();

	std::mutex mu;
	std::condition_variable cv;
	unsigned long built = 1;   // levels [0, built) exist
	unsigned long claimed = 0; // levels [0, claimed) are taken by a thread
	bool failed = false;
	std::exception_ptr err;
	auto fail = [&](std::exception_ptr e) {
		std::lock_guard<std::mutex> g(mu);
		if (!err)
			err = e;
		failed = true;
		cv.notify_all();
	};
	// work scans levels in order until none is left; a level is claimed before it is built
	// only by the thread that does not build, which then waits for it.
	auto work = [&]() {
		try {
			array<array2d<float>> feats;
			array2d<float> saliency;
			for (;;) {
				unsigned long l;
				{
					std::unique_lock<std::mutex> g(mu);
					if (failed || claimed >= n)
						return;
					l = claimed++;
					cv.wait(g, [&] { return failed || built > l; });
					if (failed)
						return;
				}
				sc.level(at(l), l, feats, saliency);
			}
		} catch (...) {
			fail(std::current_exception());
		}
	};
	std::thread helper;
	try {
		helper = std::thread(work);
	} catch (const std::system_error&) {
		return serial(); // no thread to be had: the same result, later
	}
	try {
		for (unsigned long l = 1; l < n; ++l) {
			pyramid_down_rgb(at(l - 1), imgs[l], 1);
			std::lock_guard<std::mutex> g(mu);
			if (failed)
				break;
			built = l + 1;
			cv.notify_all();
		}
	} catch (...) {
		fail(std::current_exception());
	}
	work();
	helper.join();
	if (err)
		std::rethrow_exception(err);
	return sc.merge();
}
