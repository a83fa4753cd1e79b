// A convolution as dlib 19.24's CPU code computes it (cpu_dlib.cpp: img2col, then
// output = filters * trans(columns) in one sgemm, then tt::add of the bias), with the output
// cut into blocks that two threads take in turn, one sgemm each. Blocks are taken rather than
// dealt because the second thread may start late (its core busy): the first then does more.
// Their edges sit on multiples of ATLAS's block size, so that each output comes from the same
// kernel, in the same order, as in dlib's one sgemm, and the results are dlib's bit for bit.
#include <algorithm>
#include <climits>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>
extern "C" {
#include <cblas.h>
}
#include "conv2.h"

namespace {

// block is ATLAS's NB in Debian's build (its kernels are ATL_sJIK48x48x48...): cut at its
// multiples, every output stays where it is in the whole product's blocks, which the kernels
// compute in a fixed order.
const long block = 48;

// parts is about how many blocks of outputs a layer with many positions is cut into: enough
// for the two threads to end together, few enough that ATLAS's per-call copy of the filters
// stays small.
const long parts = 8;

thread_local conv_team* current = nullptr;

} // namespace

// conv_team is the calling thread and at most one helper thread, which take a job's parts in
// turn.
class conv_team {
public:
	conv_team(bool start, bool fail) : fail_(fail) {
		if (!start)
			return;
		try {
			helper_ = std::thread([this] { loop(); });
		} catch (const std::system_error&) {
			// No thread to be had: run() does every part itself, with the same result.
		}
	}

	~conv_team() {
		if (!helper_.joinable())
			return;
		{
			std::lock_guard<std::mutex> g(mu_);
			stop_ = true;
		}
		wake_.notify_one();
		helper_.join();
	}

	// run calls part(i, t) for each i in [0, n), t being 0 on the calling thread and 1 on the
	// helper, returns once every call has returned, and rethrows the first exception thrown
	// (the parts not started by then are skipped).
	void run(long n, const std::function<void(long, int)>& part) {
		if (!helper_.joinable()) {
			for (long i = 0; i < n; ++i)
				part(i, 0);
			return;
		}
		{
			std::lock_guard<std::mutex> g(mu_);
			job_ = &part;
			next_ = 0;
			count_ = n;
		}
		wake_.notify_one();
		std::exception_ptr mine;
		while (!fail_) { // failing on purpose, the helper must take a part
			long i;
			{
				std::lock_guard<std::mutex> g(mu_);
				if (next_ >= count_)
					break;
				i = next_++;
			}
			try {
				part(i, 0);
			} catch (...) {
				mine = std::current_exception();
				break;
			}
		}
		std::unique_lock<std::mutex> g(mu_);
		if (mine)
			next_ = count_;
		done_.wait(g, [this] { return next_ >= count_ && !busy_; });
		job_ = nullptr;
		std::exception_ptr theirs = err_;
		err_ = nullptr;
		g.unlock();
		if (mine)
			std::rethrow_exception(mine);
		if (theirs)
			std::rethrow_exception(theirs);
	}

	// scratch is thread t's buffer of at least n floats, kept for the next layers.
	float* scratch(int t, size_t n) {
		std::vector<float>& v = scratch_[t];
		if (v.size() < n)
			v.resize(n);
		return v.data();
	}

private:
	void loop() {
		std::unique_lock<std::mutex> g(mu_);
		for (;;) {
			wake_.wait(g, [this] { return stop_ || (job_ != nullptr && next_ < count_); });
			if (stop_)
				return;
			const long i = next_++;
			const std::function<void(long, int)>* job = job_;
			busy_ = true;
			g.unlock();
			std::exception_ptr e;
			try {
				if (fail_)
					throw std::runtime_error("conv2: failure injected for tests");
				(*job)(i, 1);
			} catch (...) {
				e = std::current_exception();
			}
			g.lock();
			busy_ = false;
			if (e) {
				if (!err_)
					err_ = e;
				next_ = count_;
			}
			done_.notify_one();
		}
	}

	const bool fail_;
	std::mutex mu_;
	std::condition_variable wake_, done_;
	const std::function<void(long, int)>* job_ = nullptr;
	long next_ = 0, count_ = 0; // parts [next_, count_) are left
	bool busy_ = false;          // the helper is in a part
	bool stop_ = false;
	std::exception_ptr err_;
	std::vector<float> scratch_[2];
	std::thread helper_; // last: it starts once the members it uses exist
};

conv_threads::conv_threads(int threads) : outer_(current) {
	if (threads >= 2 || threads == -2 || threads == -3)
		team_.reset(new conv_team(threads != -2, threads == -3));
	current = team_.get();
}

conv_threads::~conv_threads() { current = outer_; }

conv_team* conv_current() { return current; }

namespace {

// im2col writes the rows [p0, p1) of img2col's matrix for one image: for each output position,
// the k x fnr x fnc inputs under the filter, zero outside the image.
void im2col(const conv_shape& s, const float* img, long p0, long p1, float* t) {
	const long onc = s.out_nc();
	for (long p = p0; p < p1; ++p) {
		const long r = (p / onc) * s.stride_y - s.pad_y;
		const long c = (p % onc) * s.stride_x - s.pad_x;
		const long x0 = std::max(0L, -c), x1 = std::min(s.fnc, s.nc - c); // inside: [x0, x1)
		for (long k = 0; k < s.k; ++k) {
			for (long y = 0; y < s.fnr; ++y, t += s.fnc) {
				const long yy = r + y;
				if (yy < 0 || yy >= s.nr) {
					std::fill(t, t + s.fnc, 0.0f);
					continue;
				}
				const float* row = img + (k*s.nr + yy)*s.nc;
				for (long x = 0; x < s.fnc; ++x)
					t[x] = x >= x0 && x < x1 ? row[c + x] : 0.0f;
			}
		}
	}
}

long round_up(long v, long n) { return (v + n - 1) / n * n; }

} // namespace

void conv2(conv_team& team, const conv_shape& s, const float* in, const float* w, const float* bias, float* out) {
	const long P = s.out_nr() * s.out_nc(), F = s.filters, K = s.k * s.fnr * s.fnc;
	if (s.samples < 0 || s.out_nr() <= 0 || s.out_nc() <= 0 || F <= 0 || K <= 0)
		throw std::invalid_argument("conv2: bad shape");
	if (P > INT_MAX || F > INT_MAX || K > INT_MAX || s.samples > LONG_MAX / P / K)
		throw std::invalid_argument("conv2: shape too large");
	// With many positions, each part takes a run of them, all filters, and lays out its own
	// columns; with few (the last layers: 8x8 and less), the columns are laid out once and the
	// parts take blocks of filters as well.
	const bool many = P >= 2 * block;
	const long pstep = many ? round_up(P, parts * block) / parts : block;
	const long fstep = many ? F : block;
	const long pparts = (P + pstep - 1) / pstep, fparts = (F + fstep - 1) / fstep;
	const float* shared = nullptr;
	if (!many) {
		float* col = team.scratch(0, (size_t)(s.samples * P * K));
		for (long n = 0; n < s.samples; ++n)
			im2col(s, in + n * s.k * s.nr * s.nc, 0, P, col + n * P * K);
		shared = col;
	}
	team.run(pparts * fparts, [&](long i, int t) {
		const long p0 = i / fparts * pstep, p1 = std::min(P, p0 + pstep);
		const long f0 = i % fparts * fstep, f1 = std::min(F, f0 + fstep);
		float* mine = many ? team.scratch(t, (size_t)((p1 - p0) * K)) : nullptr;
		for (long n = 0; n < s.samples; ++n) {
			const float* col;
			if (many) {
				im2col(s, in + n * s.k * s.nr * s.nc, p0, p1, mine);
				col = mine;
			} else {
				col = shared + (n * P + p0) * K;
			}
			float* o = out + n * F * P;
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(f1 - f0), (int)(p1 - p0), (int)K, 1.0f,
				w + f0 * K, (int)K, col, (int)K, 0.0f, o + f0 * P + p0, (int)P);
			if (!bias)
				continue;
			for (long f = f0; f < f1; ++f) {
				float* row = o + f * P;
				for (long p = p0; p < p1; ++p)
					row[p] += bias[f];
			}
		}
	});
}
