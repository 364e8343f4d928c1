// SPDX-License-Identifier: MIT
/*
 * agent_frames.c - libFuzzer target: the guest agent's side of the
 * channel: its frame reader (vm/proto.c) and its decoding of every
 * host-to-guest request (vm/guest/request.c), without acting on them.
 *
 * Input: the first byte picks how the stream is cut into reads (1 to 256
 * bytes each); the rest is what the host sent.  Checked: a decoded exec
 * request has 1..REQUEST_MAX_ARGC NUL-free arguments and a NULL after
 * them; a decoded path is absolute where the agent requires it.
 */
#include "frames.h"
#include "guest/request.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void decode(const struct proto_frame *f)
{
	struct proto_cursor c;
	struct request_exec x;
	uint64_t max;
	uint32_t mode;
	char *path;

	proto_cursor_init(&c, f->payload, f->len);
	switch (f->type) {
	case PT_EXEC:
		if (request_exec_decode(&c, &x) == 0) {
			if (!x.cwd || x.argc < 1 || x.argc > REQUEST_MAX_ARGC ||
			    x.argv[x.argc])
				abort();
			for (uint32_t i = 0; i < x.argc; i++)
				if (!x.argv[i])
					abort();
		}
		request_exec_free(&x);
		break;
	case PT_PUSH_OPEN:
		if (request_push_open_decode(&c, &mode, &path) == 0 &&
		    (!path || path[0] != '/'))
			abort();
		free(path);
		break;
	case PT_PULL:
		if (request_pull_decode(&c, &max, &path) == 0 && !path)
			abort();
		free(path);
		break;
	case PT_SIGNAL:		/* handle_frame() */
		proto_get_u32(&c);
		break;
	case PT_WINSIZE:
		proto_get_u16(&c);
		proto_get_u16(&c);
		break;
	case PT_KMSG:
		proto_get_u64(&c);
		break;
	case PT_PUSH_DATA:	/* handle_push_data() */
		proto_crc32(0, f->payload, f->len);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_frames(data, size, decode);
	return 0;
}
