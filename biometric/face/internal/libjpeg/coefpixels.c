// The pixels libjpeg-turbo's decoder makes of a 4:2:0 JPEG's quantised coefficients, without
// entropy-coding them in between: its ISLOW inverse DCT (jidctint.c) with the post-IDCT range
// limit (jdmaster.c), its triangle-filter chroma upsampling (jdsample.c) with the context rows
// jdmainct.c gives it (the first and last chroma rows repeated), and its YCbCr to RGB tables
// (jdcolor.c): the same integer arithmetic (libjpeg-turbo 2.1, IJG licence), written as
// formulas. libjpeg-turbo's SIMD routines give the same samples as its C ones for the
// coefficients of an 8-bit picture, which is all the caller passes: its re-encode of planes
// that image/jpeg clamped to 0..255.
#include <stdlib.h>
#include <string.h>
#include "coefpixels.h"
#include "split.h"

// jidctint.c's constants: CONST_BITS 13, PASS1_BITS 2.
enum {
	F0298 = 2446, F0390 = 3196, F0541 = 4433, F0765 = 6270, F0899 = 7373, F1175 = 9633,
	F1501 = 12299, F1847 = 15137, F1961 = 16069, F2053 = 16819, F2562 = 20995, F3072 = 25172,
};

// idct8 is one 1-D pass of jpeg_idct_islow, before its final descale, on eight independent
// lanes (columns in the first pass, rows in the second), so that it vectorises. 32 bits hold
// it, as in libjpeg-turbo's SIMD version, for the coefficients of 8-bit pictures.
static inline void idct8(const int32_t in[8][8], int32_t out[8][8]) {
	for (int l = 0; l < 8; l++) {
		int32_t z1 = (in[2][l] + in[6][l]) * F0541;
		int32_t t2 = z1 - in[6][l] * F1847;
		int32_t t3 = z1 + in[2][l] * F0765;
		int32_t t0 = (in[0][l] + in[4][l]) * (1 << 13);
		int32_t t1 = (in[0][l] - in[4][l]) * (1 << 13);
		int32_t e10 = t0 + t3, e13 = t0 - t3, e11 = t1 + t2, e12 = t1 - t2;
		int32_t o0 = in[7][l], o1 = in[5][l], o2 = in[3][l], o3 = in[1][l];
		int32_t z5 = (o0 + o1 + o2 + o3) * F1175;
		int32_t a1 = (o0 + o3) * -F0899, a2 = (o1 + o2) * -F2562;
		int32_t a3 = (o0 + o2) * -F1961 + z5, a4 = (o1 + o3) * -F0390 + z5;
		o0 = o0 * F0298 + a1 + a3;
		o1 = o1 * F2053 + a2 + a4;
		o2 = o2 * F3072 + a2 + a3;
		o3 = o3 * F1501 + a1 + a4;
		out[0][l] = e10 + o3; out[7][l] = e10 - o3;
		out[1][l] = e11 + o2; out[6][l] = e11 - o2;
		out[2][l] = e12 + o1; out[5][l] = e12 - o1;
		out[3][l] = e13 + o0; out[4][l] = e13 - o0;
	}
}

// limit is the post-IDCT range limit of a value descaled by n bits: its low 10 bits, signed,
// shifted by 128 and clamped to a sample.
static inline uint8_t limit(int32_t v, int n) {
	int32_t s = ((((v + (1 << (n - 1))) >> n) & 1023) ^ 512) - 512 + 128;
	return s < 0 ? 0 : s > 255 ? 255 : (uint8_t)s;
}

// islow is jpeg_idct_islow. Its shortcuts for all-zero AC terms give exactly what the full
// passes give, so there are none here.
static void islow(const JCOEF *coef, const uint16_t *q, uint8_t *dst, size_t stride) {
	int32_t in[8][8], out[8][8];
	for (int r = 0; r < 8; r++)
		for (int c = 0; c < 8; c++)
			in[r][c] = coef[8 * r + c] * q[8 * r + c];
	idct8(in, out); // lanes are columns: out[r][c]
	for (int r = 0; r < 8; r++)
		for (int c = 0; c < 8; c++)
			in[c][r] = (out[r][c] + (1 << 10)) >> 11; // pass 2's lanes are rows
	idct8(in, out); // out[c][r]
	uint8_t px[8][8];
	for (int c = 0; c < 8; c++)
		for (int r = 0; r < 8; r++)
			px[c][r] = limit(out[c][r], 18);
	for (int r = 0; r < 8; r++, dst += stride)
		for (int c = 0; c < 8; c++)
			dst[c] = px[c][r];
}

struct job {
	JBLOCKROW *const *rows;
	const uint16_t *qtab;
	uint8_t *plane[3];
	size_t stride[3];
	int wb[3], hb[3];
	int w, h, cw, ch; // picture; chroma (downsampled) size
	uint8_t *out;
	int *sums[2];    // per worker: a chroma row's column sums
	uint8_t *up[2];  // per worker: the upsampled Cb and Cr rows
};

static void run_idct(void *arg, int first, int step) {
	struct job *j = arg;
	for (int c = 0; c < 3; c++) {
		const uint16_t *q = j->qtab + (c ? 64 : 0);
		for (int by = first; by < j->hb[c]; by += step)
			for (int bx = 0; bx < j->wb[c]; bx++)
				islow(j->rows[c][by][bx], q, j->plane[c] + (size_t)(8 * by) * j->stride[c] + 8 * bx, j->stride[c]);
	}
}

static inline uint8_t clamp(int32_t v) { return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v; }

// upsample is one output row of a chroma component: jdsample.c's triangle filter between the
// nearest chroma row and the next nearest (sums holds the column sums), or, for chroma two
// samples wide or less, the samples repeated.
static void upsample(const uint8_t *near, const uint8_t *far, int cw, int *sums, uint8_t *o) {
	if (cw <= 2) {
		for (int i = 0; i < cw; i++)
			o[2 * i] = o[2 * i + 1] = near[i];
		return;
	}
	for (int i = 0; i < cw; i++)
		sums[i] = 3 * near[i] + far[i];
	o[0] = (uint8_t)((4 * sums[0] + 8) >> 4);
	for (int i = 1; i < cw; i++)
		o[2 * i] = (uint8_t)((3 * sums[i] + sums[i - 1] + 8) >> 4);
	for (int i = 0; i < cw - 1; i++)
		o[2 * i + 1] = (uint8_t)((3 * sums[i] + sums[i + 1] + 7) >> 4);
	o[2 * cw - 1] = (uint8_t)((4 * sums[cw - 1] + 7) >> 4);
}

// FIX is jdcolor.c's fixed point: SCALEBITS 16.
#define FIX(x) ((int32_t)((x) * (1L << 16) + 0.5))

// run_rows converts output rows 2*cy and 2*cy+1 for chroma rows cy = first, first+step, ...
// The colour conversion computes jdcolor.c's table entries in place.
static void run_rows(void *arg, int first, int step) {
	struct job *j = arg;
	const int w = j->w, cw = j->cw, ch = j->ch;
	int *const sums = j->sums[first];
	uint8_t *const ucb = j->up[first], *const ucr = j->up[first] + 2 * cw;
	for (int cy = first; 2 * cy < j->h; cy += step) {
		for (int v = 0; v < 2 && 2 * cy + v < j->h; v++) {
			// The next nearest row: above for the upper output row, below for the lower one;
			// jdmainct.c repeats the first and last rows beyond the picture.
			int far = v == 0 ? (cy > 0 ? cy - 1 : 0) : (cy + 1 < ch ? cy + 1 : ch - 1);
			upsample(j->plane[1] + (size_t)cy * j->stride[1], j->plane[1] + (size_t)far * j->stride[1], cw, sums, ucb);
			upsample(j->plane[2] + (size_t)cy * j->stride[2], j->plane[2] + (size_t)far * j->stride[2], cw, sums, ucr);
			int y = 2 * cy + v;
			const uint8_t *yl = j->plane[0] + (size_t)y * j->stride[0];
			uint8_t *px = j->out + (size_t)y * (size_t)w * 4;
			for (int x = 0; x < w; x++) {
				int32_t yy = yl[x], cb = ucb[x] - 128, cr = ucr[x] - 128;
				uint32_t r = clamp(yy + ((FIX(1.40200) * cr + (1 << 15)) >> 16));
				uint32_t g = clamp(yy + ((-FIX(0.34414) * cb + (1 << 15) - FIX(0.71414) * cr) >> 16));
				uint32_t b = clamp(yy + ((FIX(1.77200) * cb + (1 << 15)) >> 16));
				uint32_t rgba = r | g << 8 | b << 16 | 0xFFu << 24; // little-endian RGBA
				memcpy(px + 4 * x, &rgba, 4);
			}
		}
	}
}

int idgate_coef_rgba(JBLOCKROW *const rows[3], int w, int h, const uint16_t *qtab, uint8_t *out, int workers) {
	struct job j = {.rows = rows, .qtab = qtab, .w = w, .h = h, .out = out};
	j.cw = (w + 1) / 2;
	j.ch = (h + 1) / 2;
	j.wb[0] = 2 * ((w + 15) / 16);
	j.hb[0] = 2 * ((h + 15) / 16);
	j.wb[1] = j.wb[2] = (w + 15) / 16;
	j.hb[1] = j.hb[2] = (h + 15) / 16;
	size_t n[3];
	for (int c = 0; c < 3; c++) {
		j.stride[c] = 8 * (size_t)j.wb[c];
		n[c] = j.stride[c] * 8 * (size_t)j.hb[c];
	}
	// One allocation: the three planes, then each worker's scratch rows.
	size_t sums = sizeof(int) * (size_t)j.cw, up = 4 * (size_t)j.cw;
	uint8_t *mem = malloc(n[0] + n[1] + n[2] + 2 * (sums + up));
	if (mem == NULL)
		return -1;
	j.plane[0] = mem;
	j.plane[1] = mem + n[0];
	j.plane[2] = mem + n[0] + n[1];
	for (int k = 0; k < 2; k++) {
		uint8_t *s = mem + n[0] + n[1] + n[2] + k * (sums + up);
		j.sums[k] = (int *)s; // the planes' sizes are multiples of 64: aligned for int
		j.up[k] = s + sums;
	}
	idgate_split(workers, run_idct, &j);
	idgate_split(workers, run_rows, &j);
	free(mem);
	return 0;
}
