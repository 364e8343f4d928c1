// SPDX-License-Identifier: MIT
/*
 * host_frames.c - libFuzzer target: the host's frame reader (vm/proto.c)
 * over whatever the guest's channel carries, and the decoding vm/vm.c
 * does of each guest-to-host payload.
 *
 * Input: the first byte picks how the stream is cut into reads (1 to 256
 * bytes each, as the socket might deliver them); the rest is the stream.
 * Checked: every frame handed out lies inside the reader's buffer and has
 * a valid length; the reader never holds more than it was fed.
 */
#include "frames.h"
#include "proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void decode(const struct proto_frame *f)
{
	struct proto_cursor c;
	char *s;

	proto_cursor_init(&c, f->payload, f->len);
	switch (f->type) {
	case PT_HELLO:		/* vm_start() */
		proto_get_u32(&c);
		s = proto_get_str(&c);
		free(s);
		proto_get_u32(&c);
		break;
	case PT_EXIT:		/* vm_exec() */
		proto_get_u32(&c);
		proto_get_u32(&c);
		proto_get_u64(&c);
		proto_get_u64(&c);
		proto_get_u32(&c);
		break;
	case PT_ERROR:		/* vm_exec(), wait_reply() */
		proto_get_u32(&c);
		s = proto_get_str(&c);
		free(s);
		break;
	case PT_OK:		/* push: size and crc; pull and kmsg: a u64 */
		proto_get_u64(&c);
		proto_get_u32(&c);
		break;
	default:		/* PT_STDOUT, PT_STDERR, PT_DATA: bytes */
		proto_crc32(0, f->payload, f->len);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_frames(data, size, decode);
	return 0;
}
