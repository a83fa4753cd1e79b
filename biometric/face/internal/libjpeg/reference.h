#ifndef IDGATE_LIBJPEG_REFERENCE_H
#define IDGATE_LIBJPEG_REFERENCE_H
#include <stddef.h>
#include <stdint.h>

#define IDGATE_REF_FAILED (-1)      // libjpeg refused the data (corrupt, too large)
#define IDGATE_REF_UNSUPPORTED (-2) // valid perhaps, but not a layout this path mirrors

// idgate_jpeg_reference decodes a w x h YCbCr JPEG whose luma sampling is hs x vs (chroma
// 1x1) into image/jpeg's planes (y, cb, cr: image/jpeg's layout for that subsampling, the
// caller allocates them) and into out (w*h*4 bytes of RGBA): libjpeg's decode of image/jpeg's
// encoding of those planes with the quantisation tables qtab (luma then chroma, 64 each, natural
// order). threads > 1 uses a second thread. It returns 0 or an IDGATE_REF_ code with a message.
int idgate_jpeg_reference(const uint8_t *data, size_t len, int w, int h, int hs, int vs,
	uint8_t *y, int ystride, uint8_t *cb, uint8_t *cr, int cstride,
	const uint16_t *qtab, uint8_t *out, int threads, long max_memory, char *msg, int msglen);

#endif
