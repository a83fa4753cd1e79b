#ifndef IDGATE_LIBJPEG_COEFPIXELS_H
#define IDGATE_LIBJPEG_COEFPIXELS_H
#include <stdint.h>
#include <stdio.h>
#include <jpeglib.h>

// idgate_coef_rgba writes to out (w*h*4 bytes) the RGBA pixels libjpeg-turbo decodes, with its
// defaults and JCS_EXT_RGBA, from a w x h baseline JPEG with 2x2 luma and 1x1 chroma sampling
// whose quantised coefficients are the block rows rows[c] (luma: whole 16x16 MCUs) and whose
// quantisation tables are qtab (luma then chroma, 64 each, natural order). The coefficients
// must be those of an 8-bit picture (see coefpixels.c). workers > 1 uses a second thread.
// It returns 0, or -1 when memory runs out.
int idgate_coef_rgba(JBLOCKROW *const rows[3], int w, int h, const uint16_t *qtab, uint8_t *out, int workers);

#endif
