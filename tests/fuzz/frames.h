/* SPDX-License-Identifier: MIT */
/*
 * frames.h - what both frame fuzz targets do with their input: the first
 * byte sets how many bytes each feed gives the reader (1 to 256, so frames
 * arrive split at every place), the rest is the byte stream; every frame
 * taken out is checked against the reader's invariants, then decoded as
 * the side under test would.
 */
#ifndef ADDRLAB_FUZZ_FRAMES_H
#define ADDRLAB_FUZZ_FRAMES_H

#include "proto.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static inline void feed_frames(const uint8_t *data, size_t size,
			       void (*decode)(const struct proto_frame *f))
{
	struct proto_reader r;
	struct proto_frame f;
	size_t step, fed = 0;

	if (size < 1)
		return;
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
}

#endif /* ADDRLAB_FUZZ_FRAMES_H */
