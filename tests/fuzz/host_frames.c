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
	struct proto_reader r;
	struct proto_frame f;
	size_t step, fed = 0;

	if (size < 1)
		return 0;
	step = (size_t)data[0] + 1;
	data++;
	size--;
	proto_reader_init(&r);
	while (fed < size) {
		size_t n = size - fed < step ? size - fed : step;

		if (proto_reader_feed(&r, data + fed, n))
			abort();
		fed += n;
		while (proto_reader_next(&r, &f) == 1) {
			if (f.len > PROTO_MAX_PAYLOAD || f.payload < r.buf ||
			    f.payload + f.len > r.buf + r.cap)
				abort();
			decode(&f);
		}
		if (r.len > fed || r.off + r.len > r.cap)
			abort();
	}
	proto_reader_free(&r);
	return 0;
}
