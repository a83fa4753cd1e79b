// conv2.cc's entry points (C++ only, no dlib headers: conv2.cc includes the system cblas.h,
// whose declarations clash with dlib's own): a convolution as dlib's CPU code computes it
// (im2col, one sgemm, then the bias), with the work shared by two threads.
#ifndef IDGATE_DLIB_CONV2_H
#define IDGATE_DLIB_CONV2_H
#include <memory>

class conv_team;

// conv_threads makes the pcon_ layers (pcon.h) that the calling thread runs while it exists
// compute on threads threads: 1, dlib's own code; 2 or more, two. The count reaches the layers
// through a thread-local because dlib's forward pass has no way to carry it. If no thread can
// be started, the calling thread does all the blocks, with the same result. For tests,
// threads -2 does that on purpose and -3 makes the second thread fail.
class conv_threads {
public:
	explicit conv_threads(int threads);
	~conv_threads();
	conv_threads(const conv_threads&) = delete;
	conv_threads& operator=(const conv_threads&) = delete;

private:
	std::unique_ptr<conv_team> team_;
	conv_team* outer_;
};

// conv_current is the team the calling thread's pcon_ layers use, or null for dlib's code.
conv_team* conv_current();

// conv_shape is one convolution: samples images of k planes of nr x nc floats, filters filters
// of k planes of fnr x fnc, strides and paddings as dlib's con_ takes them.
struct conv_shape {
	long samples, k, nr, nc;
	long filters, fnr, fnc;
	long stride_y, stride_x, pad_y, pad_x;
	long out_nr() const { return 1 + (nr + 2*pad_y - fnr) / stride_y; }
	long out_nc() const { return 1 + (nc + 2*pad_x - fnc) / stride_x; }
};

// conv2 writes to out (samples x filters x out_nr x out_nc) the convolution of in with the
// filters w (filters x k x fnr x fnc) plus bias (one per filter; null: none), as dlib's
// tensor_conv and tt::add compute it, on team's two threads, which take blocks of outputs in
// turn. The blocks' edges are on multiples of 48 positions or filters (ATLAS's block size in
// Debian's build): every output is then computed by the same BLAS kernel, in the same order,
// as in dlib's one sgemm, bit for bit (a test checks the descriptors).
void conv2(conv_team& team, const conv_shape& s, const float* in, const float* w, const float* bias, float* out);

#endif
