#ifndef IDGATE_LIBJPEG_ENCODE_H
#define IDGATE_LIBJPEG_ENCODE_H
#include <stdint.h>

// idgate_jpeg_encode_rgb encodes packed RGB as a JPEG with luma sampling hs x vs (chroma 1x1),
// progressive or not, with a restart interval in MCUs (0: none), into *out (malloc'd, the caller
// frees it). It returns 0, or -1 with a message.
int idgate_jpeg_encode_rgb(const uint8_t *rgb, int w, int h, int quality, int hs, int vs,
	int progressive, int restart, uint8_t **out, unsigned long *outlen, char *msg, int msglen);

#endif
