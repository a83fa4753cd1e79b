#ifndef IDGATE_LIBJPEG_DECODE_H
#define IDGATE_LIBJPEG_DECODE_H
#include <stddef.h>
#include <stdint.h>

// idgate_jpeg_decode_rgba decodes the JPEG data (len bytes) whose header says w x h into out
// (w*h*4 bytes, opaque RGBA rows without padding), using at most about max_memory bytes of
// libjpeg working memory. It returns 0, or -1 with a message in msg (msglen bytes).
int idgate_jpeg_decode_rgba(const uint8_t *data, size_t len, uint8_t *out, int w, int h,
	long max_memory, char *msg, int msglen);

#endif
