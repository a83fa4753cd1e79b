// go-face's reference pixels without Go's codec. The reference pipeline decodes a capture with
// image/jpeg, re-encodes it with image/jpeg at a fixed quality and hands that JPEG to libjpeg.
// Here libjpeg only entropy-decodes the capture; the inverse DCT, the level shift and clamp,
// the encoder's block assembly (edge replication, 2x2 chroma averaging), forward DCT and
// quantisation are image/jpeg's own integer arithmetic (Go's src/image/jpeg/dct.go, scan.go,
// writer.go, BSD licence), and the pixels are what libjpeg decodes from those coefficients
// (coefpixels.c), without the entropy coding and decoding in between. For valid entropy-coded data the planes and the pixels
// are bit for bit the reference pipeline's (reference_test.go and FuzzReference compare them);
// a layout this path does not mirror is refused with IDGATE_REF_UNSUPPORTED for the caller to
// take the reference path.
//
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "coefpixels.h"
#include "decode.h"
#include "jerr.h"
#include "reference.h"
#include "split.h"

// Fixed-point constants of image/jpeg's DCT: c(x, bits) rounds the 60-bit fraction x to bits.
#define FIX(x, bits) ((uint32_t)(((uint64_t)(x) + ((uint64_t)1 << (59 - (bits)))) >> (60 - (bits))))
#define COS1 1130768441178740757ULL
#define SIN1 224923827593068887ULL
#define COS3 958619196450722178ULL
#define SIN3 640528868967736374ULL
#define SQRT2 1630477228166597777ULL
#define SQRT2_COS6 623956622067911264ULL
#define SQRT2_SIN6 1506364539328854985ULL
#define SQRT2INV 815238614083298888ULL
#define SQRT2INV_COS6 311978311033955632ULL
#define SQRT2INV_SIN6 753182269664427492ULL

// image/jpeg's arithmetic is int32 that wraps on overflow (crafted coefficients overflow it):
// here it is uint32 (which wraps in C too), and its arithmetic right shifts are SAR.
#define SAR(x, n) ((uint32_t)((int32_t)(x) >> (n)))

// box is image/jpeg's dctBox: a 3-multiply rotation and scaling of (x0, x1).
static inline void box(uint32_t *x0, uint32_t *x1, uint32_t kcos, uint32_t ksin) {
	uint32_t ksum = kcos * (*x0 + *x1);
	uint32_t y0 = ksum + (ksin - kcos) * *x1;
	uint32_t y1 = ksum - (kcos + ksin) * *x0;
	*x0 = y0;
	*x1 = y1;
}

#define BFLY(a, b) do { uint32_t t_ = (a); (a) = t_ + (b); (b) = t_ - (b); } while (0)

static void idct(uint32_t *b) {
	for (int i = 0; i < 8; i++) {
		uint32_t *x = b + 8 * i;
		uint32_t x0 = x[0], x7 = x[1], x2 = x[2], x5 = x[3], x1 = x[4], x6 = x[5], x3 = x[6], x4 = x[7];
		x0 <<= 17;
		x1 <<= 17;
		BFLY(x0, x1);
		box(&x2, &x3, FIX(SQRT2INV_COS6, 18), -FIX(SQRT2INV_SIN6, 18));
		BFLY(x1, x2);
		BFLY(x0, x3);
		x4 <<= 7;
		x7 <<= 7;
		BFLY(x7, x4);
		x6 = x6 * FIX(SQRT2INV, 8);
		x5 = x5 * FIX(SQRT2INV, 8);
		BFLY(x7, x5);
		BFLY(x4, x6);
		x4 = SAR(x4, 2); x7 = SAR(x7, 2);
		box(&x4, &x7, FIX(COS3, 12), -FIX(SIN3, 12));
		x5 = SAR(x5, 2); x6 = SAR(x6, 2);
		box(&x5, &x6, FIX(COS1, 12), -FIX(SIN1, 12));
		BFLY(x0, x7);
		BFLY(x1, x6);
		BFLY(x2, x5);
		BFLY(x3, x4);
		x[0] = x0; x[1] = x1; x[2] = x2; x[3] = x3; x[4] = x4; x[5] = x5; x[6] = x6; x[7] = x7;
	}
	for (int i = 0; i < 8; i++) {
		uint32_t x0 = b[0*8+i], x7 = b[1*8+i], x2 = b[2*8+i], x5 = b[3*8+i];
		uint32_t x1 = b[4*8+i], x6 = b[5*8+i], x3 = b[6*8+i], x4 = b[7*8+i];
		x0 += 1 << 19;
		uint32_t s = x0 + x1, d = x0 - x1;
		x0 = SAR(s, 2);
		x1 = SAR(d, 2);
		x2 = SAR(x2, 13); x3 = SAR(x3, 13);
		box(&x2, &x3, FIX(SQRT2INV_COS6, 12), -FIX(SQRT2INV_SIN6, 12));
		BFLY(x1, x2);
		BFLY(x0, x3);
		BFLY(x7, x4);
		x5 = SAR(x5, 13) * FIX(SQRT2INV, 14);
		x6 = SAR(x6, 13) * FIX(SQRT2INV, 14);
		BFLY(x7, x5);
		BFLY(x4, x6);
		x4 = SAR(x4, 14); x7 = SAR(x7, 14);
		box(&x4, &x7, FIX(COS3, 12), -FIX(SIN3, 12));
		x5 = SAR(x5, 14); x6 = SAR(x6, 14);
		box(&x5, &x6, FIX(COS1, 12), -FIX(SIN1, 12));
		BFLY(x0, x7);
		BFLY(x1, x6);
		BFLY(x2, x5);
		BFLY(x3, x4);
		b[0*8+i] = SAR(x0, 18); b[1*8+i] = SAR(x1, 18); b[2*8+i] = SAR(x2, 18); b[3*8+i] = SAR(x3, 18);
		b[4*8+i] = SAR(x4, 18); b[5*8+i] = SAR(x5, 18); b[6*8+i] = SAR(x6, 18); b[7*8+i] = SAR(x7, 18);
	}
}

static void fdct(uint32_t *b) {
	for (int i = 0; i < 8; i++) {
		uint32_t x0 = b[0*8+i], x1 = b[1*8+i], x2 = b[2*8+i], x3 = b[3*8+i];
		uint32_t x4 = b[4*8+i], x5 = b[5*8+i], x6 = b[6*8+i], x7 = b[7*8+i];
		BFLY(x0, x7);
		BFLY(x1, x6);
		BFLY(x2, x5);
		BFLY(x3, x4);
		box(&x4, &x7, FIX(COS3, 18), FIX(SIN3, 18));
		box(&x5, &x6, FIX(COS1, 18), FIX(SIN1, 18));
		BFLY(x0, x3);
		BFLY(x1, x2);
		box(&x2, &x3, FIX(SQRT2_COS6, 18), FIX(SQRT2_SIN6, 18));
		BFLY(x0, x1);
		b[0*8+i] = (x0 - 128u * 8) << 18;
		b[4*8+i] = x1 << 18;
		b[2*8+i] = x2;
		b[6*8+i] = x3;
		BFLY(x4, x6);
		BFLY(x7, x5);
		x5 = SAR(x5, 12) * FIX(SQRT2, 12);
		x6 = SAR(x6, 12) * FIX(SQRT2, 12);
		BFLY(x7, x4);
		b[1*8+i] = x7;
		b[3*8+i] = x5;
		b[5*8+i] = x6;
		b[7*8+i] = x4;
	}
	for (int i = 0; i < 8; i++) {
		uint32_t *x = b + 8 * i;
		uint32_t x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7];
		BFLY(x0, x7);
		BFLY(x1, x6);
		BFLY(x2, x5);
		BFLY(x3, x4);
		x4 = SAR(x4, 14); x7 = SAR(x7, 14);
		box(&x4, &x7, FIX(COS3, 14), FIX(SIN3, 14));
		x5 = SAR(x5, 14); x6 = SAR(x6, 14);
		box(&x5, &x6, FIX(COS1, 14), FIX(SIN1, 14));
		BFLY(x0, x3);
		BFLY(x1, x2);
		x2 = SAR(x2, 14); x3 = SAR(x3, 14);
		box(&x2, &x3, FIX(SQRT2_COS6, 14), FIX(SQRT2_SIN6, 14));
		BFLY(x0, x1);
		BFLY(x4, x6);
		BFLY(x7, x5);
		x5 = SAR(x5, 14) * FIX(SQRT2, 14);
		x6 = SAR(x6, 14) * FIX(SQRT2, 14);
		BFLY(x7, x4);
		x[0] = SAR(x0 + (1u << 17), 18);
		x[1] = SAR(x7 + (1u << 17), 18);
		x[2] = SAR(x2 + (1u << 17), 18);
		x[3] = SAR(x5 + (1u << 17), 18);
		x[4] = SAR(x1 + (1u << 17), 18);
		x[5] = SAR(x6 + (1u << 17), 18);
		x[6] = SAR(x3 + (1u << 17), 18);
		x[7] = SAR(x4 + (1u << 17), 18);
	}
}

// quantise is image/jpeg's div(a, q), division rounding half away from zero, of 64
// coefficients by their steps q (8 times the table's: its FDCT output is scaled by 8), by
// multiplying with the steps' float reciprocals r: the forward DCT of 8-bit samples stays
// below 2^15, where the float quotient is off by at most one, which the integer checks correct.
static inline void quantise(const uint32_t *b, const int32_t *q, const float *r, JCOEF *out) {
	for (int k = 0; k < 64; k++) {
		int32_t a = (int32_t)b[k];
		int32_t n = (a >= 0 ? a : -a) + (q[k] >> 1);
		int32_t t = (int32_t)((float)n * r[k]);
		t -= t * q[k] > n;
		t += (t + 1) * q[k] <= n;
		out[k] = (JCOEF)(a >= 0 ? t : -t);
	}
}

// job is what both workers share: the capture's coefficient rows and planes, the re-encode's
// coefficient rows. Every row pointer is taken from libjpeg beforehand, on the calling thread
// (its virtual arrays are not thread-safe and its errors longjmp); workers only compute, on
// alternate block rows (capture) and MCU rows (re-encode).
struct job {
	JBLOCKROW *in[3];        // the capture's block rows, per component
	const UINT16 *qv[3];     // the capture's quantisation steps, natural order
	int wb[3], hb[3];        // the capture's blocks per component
	JBLOCKROW *out[3];       // the re-encode's block rows: Y, Cb, Cr
	uint8_t *plane[3];
	int stride[3];
	int w, h, hs, vs;        // image size; luma sampling factors (chroma is 1x1)
	int32_t dq[128];         // the re-encode's quantisation steps, luma then chroma, natural order
	float dr[128];           // their reciprocals
};

// reconstruct is image/jpeg's reconstructBlock for component c's block rows by = first,
// first+step, ...: dequantise, inverse DCT, level shift and clamp into the plane.
static void reconstruct(struct job *j, int c, int first, int step) {
	const UINT16 *qv = j->qv[c];
	uint8_t *const plane = j->plane[c];
	const size_t stride = (size_t)j->stride[c];
	const int hb = j->hb[c], wb = j->wb[c];
	uint32_t b[64];
	for (int by = first; by < hb; by += step) {
		JBLOCKROW blocks = j->in[c][by];
		for (int bx = 0; bx < wb; bx++) {
			for (int k = 0; k < 64; k++)
				b[k] = (uint32_t)(int32_t)blocks[bx][k] * (uint32_t)qv[k];
			idct(b);
			uint8_t *dst = plane + (size_t)(8 * by) * stride + 8 * bx;
			for (int y = 0; y < 8; y++, dst += stride)
				for (int x = 0; x < 8; x++) {
					int32_t v = (int32_t)b[8 * y + x];
					dst[x] = v < -128 ? 0 : v > 127 ? 255 : (uint8_t)(v + 128);
				}
		}
	}
}

// encodeRow is image/jpeg's writeSOS for one row of 16x16 MCUs (my): four luma blocks and the
// 2x2 average of each chroma component, edge pixels replicated, forward DCT and quantisation.
static void encode_row(const struct job *j, int my, JBLOCKROW yrow[2], JBLOCKROW cbrow, JBLOCKROW crrow) {
	uint32_t b[64], cb[4][64], cr[4][64];
	const int xmax = j->w - 1, ymax = j->h - 1;
	const int mcus = (j->w + 15) / 16;
	const int hsh = j->hs - 1, vsh = j->vs - 1; // chroma column and row shifts (factors 1 or 2)
	const uint8_t *const yp = j->plane[0], *const cbp = j->plane[1], *const crp = j->plane[2];
	const size_t ys = (size_t)j->stride[0], cs = (size_t)j->stride[1];
	for (int mx = 0; mx < mcus; mx++) {
		for (int i = 0; i < 4; i++) {
			int px = 16 * mx + (i & 1) * 8, py = 16 * my + (i & 2) * 4;
			int sxs[8];
			for (int x = 0; x < 8; x++)
				sxs[x] = px + x > xmax ? xmax : px + x;
			for (int y = 0; y < 8; y++) {
				int sy = py + y > ymax ? ymax : py + y;
				const uint8_t *yl = yp + (size_t)sy * ys;
				const uint8_t *cbl = cbp + (size_t)(sy >> vsh) * cs;
				const uint8_t *crl = crp + (size_t)(sy >> vsh) * cs;
				for (int x = 0; x < 8; x++) {
					int sx = sxs[x];
					b[8 * y + x] = yl[sx];
					cb[i][8 * y + x] = cbl[sx >> hsh];
					cr[i][8 * y + x] = crl[sx >> hsh];
				}
			}
			fdct(b);
			int bx = 2 * mx + (i & 1), r = (i & 2) >> 1;
			quantise(b, j->dq, j->dr, yrow[r][bx]);
		}
		uint32_t (*src[2])[64] = {cb, cr};
		JBLOCKROW dst[2] = {cbrow, crrow};
		for (int c = 0; c < 2; c++) {
			for (int i = 0; i < 4; i++) {
				int off = (i & 2) << 4 | (i & 1) << 2;
				for (int y = 0; y < 4; y++)
					for (int x = 0; x < 4; x++) {
						int k = 16 * y + 2 * x;
						uint32_t sum = src[c][i][k] + src[c][i][k + 1] + src[c][i][k + 8] + src[c][i][k + 9];
						b[8 * y + x + off] = (sum + 2) >> 2;
					}
			}
			fdct(b);
			quantise(b, j->dq + 64, j->dr + 64, dst[c][mx]);
		}
	}
}

static void run_source(void *arg, int first, int step) {
	for (int c = 0; c < 3; c++)
		reconstruct(arg, c, first, step);
}

static void run_encoder(void *arg, int first, int step) {
	struct job *j = arg;
	int rows = (j->h + 15) / 16;
	for (int my = first; my < rows; my += step) {
		// Both luma rows exist: the array has an even number of rows, a padding row included.
		JBLOCKROW yrow[2] = {j->out[0][2 * my], j->out[0][2 * my + 1]};
		encode_row(j, my, yrow, j->out[1][my], j->out[2][my]);
	}
}

// rows fetches every block row of a virtual array on this thread (rows in order, which a
// writable array requires), into a JPOOL_IMAGE list. The pointers stay valid because Debian's
// libjpeg-turbo keeps whole arrays in memory: one that does not fit max_memory is an error,
// never a backing store that would swap rows.
static JBLOCKROW *rows(j_decompress_ptr src, jvirt_barray_ptr a, int n, boolean writable) {
	JBLOCKROW *r = src->mem->alloc_small((j_common_ptr)src, JPOOL_IMAGE, (size_t)n * sizeof(JBLOCKROW));
	for (int i = 0; i < n; i++)
		r[i] = src->mem->access_virt_barray((j_common_ptr)src, a, (JDIMENSION)i, 1, writable)[0];
	return r;
}

int idgate_jpeg_reference(const uint8_t *data, size_t len, int w, int h, int hs, int vs,
		uint8_t *y, int ystride, uint8_t *cb, uint8_t *cr, int cstride,
		const uint16_t *qtab, uint8_t *out, int threads, long max_memory, char *msg, int msglen) {
	struct jpeg_decompress_struct src;
	struct idgate_jpeg_error jerr;
	struct job j;
	memset(&src, 0, sizeof src);
	memset(&j, 0, sizeof j);
	src.err = jpeg_std_error(&jerr.pub);
	jerr.pub.error_exit = idgate_jpeg_exit;
	jerr.pub.emit_message = idgate_jpeg_message;
	jerr.msg = msg;
	jerr.msglen = msglen;
	if (setjmp(jerr.jump)) {
		jpeg_destroy_decompress(&src);
		return IDGATE_REF_FAILED;
	}
	jpeg_create_decompress(&src);
	src.mem->max_memory_to_use = max_memory;
	jpeg_mem_src(&src, data, (unsigned long)len);
	jpeg_read_header(&src, TRUE);
	// What image/jpeg decodes as this kind of YCbCr image, and nothing else.
	if ((int)src.image_width != w || (int)src.image_height != h || src.num_components != 3 ||
			src.jpeg_color_space != JCS_YCbCr || (src.saw_Adobe_marker && src.Adobe_transform != 1) || src.arith_code ||
			src.data_precision != 8 || src.comp_info[0].h_samp_factor != hs ||
			src.comp_info[0].v_samp_factor != vs) {
		snprintf(msg, msglen, "not a plain 8-bit Huffman YCbCr JPEG of the expected layout");
		jpeg_destroy_decompress(&src);
		return IDGATE_REF_UNSUPPORTED;
	}
	for (int c = 0; c < 3; c++) {
		int id = src.comp_info[c].component_id;
		if (id == "RGB"[c] || (c > 0 && (src.comp_info[c].h_samp_factor != 1 || src.comp_info[c].v_samp_factor != 1))) {
			snprintf(msg, msglen, "component %d: id or sampling image/jpeg reads otherwise", c);
			jpeg_destroy_decompress(&src);
			return IDGATE_REF_UNSUPPORTED;
		}
	}
	// The re-encode's coefficient arrays (4:2:0 in 16x16 MCUs, luma rows and columns rounded up
	// to the MCU), realized with the capture's.
	int ywb = 2 * ((w + 15) / 16), yhb = 2 * ((h + 15) / 16);
	int cwb = (w + 15) / 16, chb = (h + 15) / 16;
	jvirt_barray_ptr outa[3];
	outa[0] = src.mem->request_virt_barray((j_common_ptr)&src, JPOOL_IMAGE, TRUE, (JDIMENSION)ywb, (JDIMENSION)yhb, 2);
	outa[1] = src.mem->request_virt_barray((j_common_ptr)&src, JPOOL_IMAGE, TRUE, (JDIMENSION)cwb, (JDIMENSION)chb, 1);
	outa[2] = src.mem->request_virt_barray((j_common_ptr)&src, JPOOL_IMAGE, TRUE, (JDIMENSION)cwb, (JDIMENSION)chb, 1);
	jvirt_barray_ptr *ina = jpeg_read_coefficients(&src);
	for (int c = 0; c < 3; c++) {
		jpeg_component_info *comp = &src.comp_info[c];
		if (comp->quant_table == NULL) {
			snprintf(msg, msglen, "component %d has no quantisation table", c);
			jpeg_destroy_decompress(&src);
			return IDGATE_REF_FAILED;
		}
		j.qv[c] = comp->quant_table->quantval;
		j.wb[c] = (int)comp->width_in_blocks;
		j.hb[c] = (int)comp->height_in_blocks;
		j.in[c] = rows(&src, ina[c], j.hb[c], FALSE);
	}
	j.out[0] = rows(&src, outa[0], yhb, TRUE);
	j.out[1] = rows(&src, outa[1], chb, TRUE);
	j.out[2] = rows(&src, outa[2], chb, TRUE);
	j.plane[0] = y; j.plane[1] = cb; j.plane[2] = cr;
	j.stride[0] = ystride; j.stride[1] = cstride; j.stride[2] = cstride;
	j.w = w; j.h = h; j.hs = hs; j.vs = vs;
	for (int k = 0; k < 128; k++) {
		j.dq[k] = 8 * (int32_t)qtab[k];
		j.dr[k] = 1.0f / (float)j.dq[k];
	}
	idgate_split(threads, run_source, &j);
	idgate_split(threads, run_encoder, &j);
	// libjpeg would decode exactly these coefficients from the JPEG made of them.
	int rc = idgate_coef_rgba(j.out, w, h, qtab, out, threads);

	jpeg_finish_decompress(&src);
	jpeg_destroy_decompress(&src);
	if (rc != 0) {
		snprintf(msg, msglen, "out of memory");
		return IDGATE_REF_FAILED;
	}
	return 0;
}
