#ifndef IDGATE_LIBJPEG_JERR_H
#define IDGATE_LIBJPEG_JERR_H
// The error manager of every libjpeg call here: errors and warnings (corrupt data that libjpeg
// would otherwise paper over) both jump back to the caller's setjmp with a message.
#include <setjmp.h>
#include <stdio.h>
#include <jpeglib.h>

struct idgate_jpeg_error {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	char *msg;
	int msglen;
};

void idgate_jpeg_exit(j_common_ptr c);
void idgate_jpeg_message(j_common_ptr c, int level);

#endif
