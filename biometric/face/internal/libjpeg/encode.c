// libjpeg-turbo encoding with the layouts image/jpeg cannot write (4:4:4, 4:2:2, progressive,
// restart intervals), for tests of the decoders here against image/jpeg.
#include <stdlib.h>
#include <string.h>
#include "encode.h"
#include "jerr.h"

int idgate_jpeg_encode_rgb(const uint8_t *rgb, int w, int h, int quality, int hs, int vs,
		int progressive, int restart, uint8_t **out, unsigned long *outlen, char *msg, int msglen) {
	struct jpeg_compress_struct c;
	struct idgate_jpeg_error jerr;
	unsigned char *volatile buf = NULL;
	unsigned long len = 0;
	memset(&c, 0, sizeof c);
	c.err = jpeg_std_error(&jerr.pub);
	jerr.pub.error_exit = idgate_jpeg_exit;
	jerr.pub.emit_message = idgate_jpeg_message;
	jerr.msg = msg;
	jerr.msglen = msglen;
	if (setjmp(jerr.jump)) {
		jpeg_destroy_compress(&c);
		free(buf);
		return -1;
	}
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, (unsigned char **)&buf, &len);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, quality, TRUE);
	c.comp_info[0].h_samp_factor = hs;
	c.comp_info[0].v_samp_factor = vs;
	c.restart_interval = (unsigned int)restart;
	if (progressive)
		jpeg_simple_progression(&c);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = (JSAMPROW)(rgb + (size_t)c.next_scanline * (size_t)w * 3);
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	*out = buf;
	*outlen = len;
	return 0;
}
