// libjpeg-turbo decoding of untrusted JPEGs into RGBA. Errors and warnings (corrupt data that
// libjpeg would otherwise paper over) both end the decode with a message.
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>
#include "decode.h"
#include "jerr.h"

void idgate_jpeg_exit(j_common_ptr c) {
	struct idgate_jpeg_error *e = (struct idgate_jpeg_error *)c->err;
	char buf[JMSG_LENGTH_MAX];
	c->err->format_message(c, buf);
	snprintf(e->msg, e->msglen, "%s", buf);
	longjmp(e->jump, 1);
}

void idgate_jpeg_message(j_common_ptr c, int level) {
	if (level < 0) // a warning: the data is corrupt
		idgate_jpeg_exit(c);
}

int idgate_jpeg_decode_rgba(const uint8_t *data, size_t len, uint8_t *out, int w, int h,
		long max_memory, char *msg, int msglen) {
	struct jpeg_decompress_struct cinfo;
	struct idgate_jpeg_error jerr;
	memset(&cinfo, 0, sizeof cinfo);
	cinfo.err = jpeg_std_error(&jerr.pub);
	jerr.pub.error_exit = idgate_jpeg_exit;
	jerr.pub.emit_message = idgate_jpeg_message;
	jerr.msg = msg;
	jerr.msglen = msglen;
	if (setjmp(jerr.jump)) {
		jpeg_destroy_decompress(&cinfo);
		return -1;
	}
	jpeg_create_decompress(&cinfo);
	cinfo.mem->max_memory_to_use = max_memory;
	jpeg_mem_src(&cinfo, data, (unsigned long)len);
	jpeg_read_header(&cinfo, TRUE);
	if ((int)cinfo.image_width != w || (int)cinfo.image_height != h) {
		snprintf(msg, msglen, "size %ux%u, expected %dx%d", cinfo.image_width, cinfo.image_height, w, h);
		jpeg_destroy_decompress(&cinfo);
		return -1;
	}
	// Otherwise libjpeg's defaults (ISLOW IDCT, interpolated chroma): the pixels go-face's
	// loader and dlib's load_jpeg get from the same file.
	cinfo.out_color_space = JCS_EXT_RGBA;
	jpeg_start_decompress(&cinfo);
	if ((int)cinfo.output_width != w || (int)cinfo.output_height != h || cinfo.output_components != 4) {
		snprintf(msg, msglen, "decoder output %ux%ux%d", cinfo.output_width, cinfo.output_height, cinfo.output_components);
		jpeg_destroy_decompress(&cinfo);
		return -1;
	}
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW row = out + (size_t)cinfo.output_scanline * (size_t)w * 4;
		jpeg_read_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_decompress(&cinfo);
	jpeg_destroy_decompress(&cinfo);
	return 0;
}
