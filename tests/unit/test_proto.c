// SPDX-License-Identifier: MIT
/*
 * test_proto.c - suite "proto": the host <-> guest agent wire protocol
 * (vm/proto.c): header encoding and checksum, the incremental reader
 * (garbage, truncation, oversized frames, resync), the payload builder and
 * cursor, type names and CRC-32.
 */
#include "proto.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

/* Builds a frame into *b (which the caller frees); asserts it worked. */
static void build(struct proto_buf *b, unsigned int type, uint32_t id,
		  const void *payload, size_t len)
{
	proto_buf_init(b);
	CU_ASSERT_EQUAL_FATAL(proto_frame_build(b, type, id, payload, len), 0);
	CU_ASSERT_EQUAL_FATAL(b->len, PROTO_HDR_SIZE + len);
}

static void feed(struct proto_reader *r, const void *p, size_t n)
{
	CU_ASSERT_EQUAL_FATAL(proto_reader_feed(r, p, n), 0);
}

/* ---- header ---- */

static void test_header_encode(void)
{
	static const uint8_t want[PROTO_HDR_SIZE] = {
		0x41, 0x44, 0x4c, 0x42,	/* "ADLB" */
		0x04,			/* PT_EXEC */
		0x00,			/* flags */
		0x7e, 0x80,		/* hsum 0x807e, little-endian */
		0x07, 0x00, 0x00, 0x00,	/* id 7 */
		0x05, 0x00, 0x00, 0x00,	/* len 5 */
	};
	uint8_t hdr[PROTO_HDR_SIZE];

	memset(hdr, 0xee, sizeof(hdr));
	proto_encode_header(hdr, PT_EXEC, 7, 5);
	CU_ASSERT_EQUAL(hdr[0], 0x41);
	CU_ASSERT_EQUAL(hdr[1], 0x44);
	CU_ASSERT_EQUAL(hdr[2], 0x4c);
	CU_ASSERT_EQUAL(hdr[3], 0x42);
	CU_ASSERT_EQUAL(hdr[4], 4);
	CU_ASSERT_EQUAL(hdr[5], 0);
	CU_ASSERT_EQUAL(hdr[8], 0x07);
	CU_ASSERT_EQUAL(hdr[9], 0x00);
	CU_ASSERT_EQUAL(hdr[10], 0x00);
	CU_ASSERT_EQUAL(hdr[11], 0x00);
	CU_ASSERT_EQUAL(hdr[12], 0x05);
	CU_ASSERT_EQUAL(hdr[13], 0x00);
	CU_ASSERT_EQUAL(hdr[14], 0x00);
	CU_ASSERT_EQUAL(hdr[15], 0x00);
	/* The stored checksum is proto_hsum() of the header... */
	CU_ASSERT_EQUAL(hdr[6] | hdr[7] << 8, proto_hsum(hdr));
	/*
	 * ...and its value, worked out by hand from the Fletcher-16 in
	 * proto.c (a = 0x5a, b = 0xa5, mod 255, bytes 6-7 skipped) over
	 * 41 44 4c 42 04 00 07 00 00 00 05 00 00 00: a = 126 (0x7e),
	 * b = 128 (0x80), hsum = b << 8 | a.  A change to the algorithm
	 * breaks compatibility with deployed guest images.
	 */
	CU_ASSERT_EQUAL(proto_hsum(hdr), 0x807e);
	CU_ASSERT_EQUAL(memcmp(hdr, want, sizeof(want)), 0);
}

static void test_hsum_skips_own_field(void)
{
	uint8_t hdr[PROTO_HDR_SIZE];
	uint16_t sum;

	proto_encode_header(hdr, PT_EXEC, 7, 5);
	sum = proto_hsum(hdr);
	hdr[6] ^= 0xff;
	hdr[7] ^= 0x5a;
	CU_ASSERT_EQUAL(proto_hsum(hdr), sum);
	hdr[9] = 1;	/* id 7 -> 0x107 */
	CU_ASSERT_NOT_EQUAL(proto_hsum(hdr), sum);
}

/* ---- reader ---- */

static void test_reader_empty(void)
{
	struct proto_reader r;
	struct proto_frame f;

	proto_reader_init(&r);
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
	CU_ASSERT_EQUAL(r.skipped, 0);
	proto_reader_free(&r);
}

static void test_roundtrip(void)
{
	static const uint8_t payload[] = { 'h', 'e', 'l', 'l', 'o', 0, 0xff };
	struct proto_buf b;
	struct proto_reader r;
	struct proto_frame f;
	uint8_t hdr[PROTO_HDR_SIZE];

	build(&b, PT_STDOUT, 0x01020304u, payload, sizeof(payload));
	/* The frame's header is what proto_encode_header() makes. */
	proto_encode_header(hdr, PT_STDOUT, 0x01020304u, sizeof(payload));
	CU_ASSERT_EQUAL(memcmp(b.data, hdr, PROTO_HDR_SIZE), 0);
	CU_ASSERT_EQUAL(memcmp(b.data + PROTO_HDR_SIZE, payload,
			       sizeof(payload)), 0);

	proto_reader_init(&r);
	feed(&r, b.data, b.len);
	memset(&f, 0, sizeof(f));
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_STDOUT);
	CU_ASSERT_EQUAL(f.flags, 0);
	CU_ASSERT_EQUAL(f.id, 0x01020304u);
	CU_ASSERT_EQUAL(f.len, sizeof(payload));
	CU_ASSERT_PTR_NOT_NULL_FATAL(f.payload);
	CU_ASSERT_EQUAL(memcmp(f.payload, payload, sizeof(payload)), 0);
	/* Nothing else is there. */
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
	CU_ASSERT_EQUAL(r.len, 0);
	CU_ASSERT_EQUAL(r.skipped, 0);
	CU_ASSERT_EQUAL(r.oversized, 0);
	proto_reader_free(&r);
	proto_buf_free(&b);
}

static void test_roundtrip_empty_payload(void)
{
	struct proto_buf b;
	struct proto_reader r;
	struct proto_frame f;

	build(&b, PT_SYNC, 0x80000007u, NULL, 0);
	proto_reader_init(&r);
	feed(&r, b.data, b.len);
	memset(&f, 0xaa, sizeof(f));
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_SYNC);
	CU_ASSERT_EQUAL(f.flags, 0);
	CU_ASSERT_EQUAL(f.id, 0x80000007u);
	CU_ASSERT_EQUAL(f.len, 0);
	CU_ASSERT_EQUAL(r.len, 0);
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
	proto_reader_free(&r);
	proto_buf_free(&b);
}

static void test_byte_at_a_time(void)
{
	static const char payload[] = "ls -l /sys/bus/pci/devices";
	struct proto_buf b;
	struct proto_reader r;
	struct proto_frame f;
	size_t n = sizeof(payload) - 1;

	build(&b, PT_STDIN, 42, payload, n);
	proto_reader_init(&r);
	for (size_t i = 0; i + 1 < b.len; i++) {
		feed(&r, b.data + i, 1);
		CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
		CU_ASSERT_EQUAL(r.len, i + 1);	/* kept, not skipped */
	}
	feed(&r, b.data + b.len - 1, 1);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_STDIN);
	CU_ASSERT_EQUAL(f.id, 42);
	CU_ASSERT_EQUAL_FATAL(f.len, n);
	CU_ASSERT_EQUAL(memcmp(f.payload, payload, n), 0);
	CU_ASSERT_EQUAL(r.skipped, 0);
	proto_reader_free(&r);
	proto_buf_free(&b);
}

static void test_two_frames_one_feed(void)
{
	struct proto_buf a, b;
	struct proto_reader r;
	struct proto_frame f;
	uint8_t both[64];

	build(&a, PT_STDOUT, 1, "first", 5);
	build(&b, PT_STDERR, 2, "second!", 7);
	CU_ASSERT_FATAL(a.len + b.len <= sizeof(both));
	memcpy(both, a.data, a.len);
	memcpy(both + a.len, b.data, b.len);

	proto_reader_init(&r);
	feed(&r, both, a.len + b.len);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_STDOUT);
	CU_ASSERT_EQUAL(f.id, 1);
	CU_ASSERT_EQUAL_FATAL(f.len, 5);
	CU_ASSERT_EQUAL(memcmp(f.payload, "first", 5), 0);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_STDERR);
	CU_ASSERT_EQUAL(f.id, 2);
	CU_ASSERT_EQUAL_FATAL(f.len, 7);
	CU_ASSERT_EQUAL(memcmp(f.payload, "second!", 7), 0);
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
	CU_ASSERT_EQUAL(r.skipped, 0);
	proto_reader_free(&r);
	proto_buf_free(&a);
	proto_buf_free(&b);
}

static void test_truncated(void)
{
	struct proto_buf b;
	struct proto_reader r;
	struct proto_frame f;

	build(&b, PT_DATA, 9, "0123456789", 10);
	proto_reader_init(&r);
	feed(&r, b.data, b.len - 1);
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
	CU_ASSERT_EQUAL(r.len, b.len - 1);	/* the bytes are kept */
	CU_ASSERT_EQUAL(r.skipped, 0);
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);	/* still waiting */
	CU_ASSERT_EQUAL(r.len, b.len - 1);
	feed(&r, b.data + b.len - 1, 1);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_DATA);
	CU_ASSERT_EQUAL(f.id, 9);
	CU_ASSERT_EQUAL_FATAL(f.len, 10);
	CU_ASSERT_EQUAL(memcmp(f.payload, "0123456789", 10), 0);
	CU_ASSERT_EQUAL(r.len, 0);
	proto_reader_free(&r);
	proto_buf_free(&b);
}

static void test_garbage_before_frame(void)
{
	static const uint8_t junk[10] = {
		0x00, 0xff, 0x41, 0x44, 0x4c, 0x13, 0x37, 0x0a, 0x0d, 0x42,
	};
	struct proto_buf b;
	struct proto_reader r;
	struct proto_frame f;

	build(&b, PT_OK, 77, "ok", 2);
	proto_reader_init(&r);
	feed(&r, junk, sizeof(junk));
	/* Fewer than a header's bytes: nothing to decide yet. */
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
	feed(&r, b.data, b.len);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_OK);
	CU_ASSERT_EQUAL(f.id, 77);
	CU_ASSERT_EQUAL_FATAL(f.len, 2);
	CU_ASSERT_EQUAL(memcmp(f.payload, "ok", 2), 0);
	CU_ASSERT_EQUAL(r.skipped, 10);
	CU_ASSERT_EQUAL(r.oversized, 0);
	proto_reader_free(&r);
	proto_buf_free(&b);
}

static void test_bad_checksum_skipped(void)
{
	struct proto_buf b;
	struct proto_reader r;
	struct proto_frame f;
	uint8_t fake[PROTO_HDR_SIZE];

	/* Right magic, type, flags, id, len 0: only the checksum is off. */
	proto_encode_header(fake, PT_SYNC_ACK, 0x80000001u, 0);
	fake[6] ^= 0x01;
	build(&b, PT_EXIT, 3, "\0\0\0\0", 4);

	proto_reader_init(&r);
	feed(&r, fake, sizeof(fake));
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
	/* Not trusted: the reader slid byte by byte past the whole header. */
	CU_ASSERT_EQUAL(r.skipped, 1);	/* the first slide; 15 left < hdr */
	feed(&r, b.data, b.len);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_EXIT);
	CU_ASSERT_EQUAL(f.id, 3);
	CU_ASSERT_EQUAL(f.len, 4);
	CU_ASSERT_EQUAL(r.skipped, PROTO_HDR_SIZE);
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
	proto_reader_free(&r);
	proto_buf_free(&b);
}

static void test_nonzero_flags_skipped(void)
{
	struct proto_buf b;
	struct proto_reader r;
	struct proto_frame f;
	uint8_t fake[PROTO_HDR_SIZE];

	/* flags must be 0 even when the checksum covers them. */
	proto_encode_header(fake, PT_DATA, 5, 0);
	fake[5] = 1;
	fake[6] = 0;
	fake[7] = 0;
	{
		uint16_t s = proto_hsum(fake);

		fake[6] = (uint8_t)s;
		fake[7] = (uint8_t)(s >> 8);
	}
	build(&b, PT_DATA, 6, "x", 1);
	proto_reader_init(&r);
	feed(&r, fake, sizeof(fake));
	feed(&r, b.data, b.len);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.id, 6);
	CU_ASSERT_EQUAL(r.skipped, PROTO_HDR_SIZE);
	proto_reader_free(&r);
	proto_buf_free(&b);
}

static void test_oversized_dropped(void)
{
	struct proto_buf b;
	struct proto_reader r;
	struct proto_frame f;
	uint8_t big[PROTO_HDR_SIZE];

	proto_encode_header(big, PT_STDOUT, 11, PROTO_MAX_PAYLOAD + 1);
	build(&b, PT_STDOUT, 12, "after", 5);
	proto_reader_init(&r);
	feed(&r, big, sizeof(big));
	feed(&r, b.data, b.len);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_STDOUT);
	CU_ASSERT_EQUAL(f.id, 12);
	CU_ASSERT_EQUAL_FATAL(f.len, 5);
	CU_ASSERT_EQUAL(memcmp(f.payload, "after", 5), 0);
	CU_ASSERT_EQUAL(r.oversized, 1);
	CU_ASSERT_EQUAL(r.skipped, 0);	/* the header went whole, not by bytes */
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
	proto_reader_free(&r);
	proto_buf_free(&b);
}

static void test_build_too_big(void)
{
	static const uint8_t dummy[1];
	struct proto_buf b;

	proto_buf_init(&b);
	/* The length is checked before the payload is read. */
	CU_ASSERT_EQUAL(proto_frame_build(&b, PT_PUSH_DATA, 1, dummy,
					  (size_t)PROTO_MAX_PAYLOAD + 1),
			-EMSGSIZE);
	CU_ASSERT_EQUAL(b.len, 0);
	proto_buf_free(&b);
}

static void test_max_payload_roundtrip(void)
{
	size_t n = PROTO_MAX_PAYLOAD;
	uint8_t *payload = malloc(n);
	struct proto_buf b;
	struct proto_reader r;
	struct proto_frame f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(payload);
	for (size_t i = 0; i < n; i++)
		payload[i] = (uint8_t)(i * 7 + (i >> 8));
	build(&b, PT_PUSH_DATA, 0x7fffffffu, payload, n);
	proto_reader_init(&r);
	/* In PROTO_CHUNK pieces, as the host reads them from the socket. */
	for (size_t off = 0; off < b.len; off += PROTO_CHUNK) {
		size_t k = b.len - off < PROTO_CHUNK ? b.len - off : PROTO_CHUNK;

		CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
		feed(&r, b.data + off, k);
	}
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_PUSH_DATA);
	CU_ASSERT_EQUAL(f.id, 0x7fffffffu);
	CU_ASSERT_EQUAL(f.len, PROTO_MAX_PAYLOAD);
	CU_ASSERT(f.len == n && memcmp(f.payload, payload, n) == 0);
	CU_ASSERT_EQUAL(r.oversized, 0);
	CU_ASSERT_EQUAL(r.skipped, 0);
	proto_reader_free(&r);
	proto_buf_free(&b);
	free(payload);
}

/*
 * Resync: the guest agent's writer died after the header and half of a
 * 100-byte PT_STDOUT payload; the host then sends PT_SYNC and the agent
 * answers PT_SYNC_ACK with the nonce 0x80000001.
 */
#define DEAD_LEN	100u
#define ACK_ID		0x80000001u

static void dead_frame(struct proto_buf *b, uint8_t *payload, size_t len)
{
	for (size_t i = 0; i < len; i++)
		payload[i] = (uint8_t)('a' + i % 26);
	build(b, PT_STDOUT, 5, payload, len);
}

/*
 * The host reads the channel while it sends (so a guest that floods cannot
 * deadlock the pair): a frame taken out of the reader must stay intact while
 * more bytes are fed, as when the shell sends a window size between taking a
 * frame and handling it.  The reader used to write the new bytes over the
 * frame just taken (its buffer was empty again, so it started at 0).
 */
static void test_frame_survives_feed(void)
{
	struct proto_buf a, b;
	struct proto_reader r;
	struct proto_frame f;
	char big[9000];

	memset(big, 'B', sizeof(big));
	build(&a, PT_STDOUT, 1, "exit status 0", 13);
	build(&b, PT_STDOUT, 2, big, sizeof(big));
	proto_reader_init(&r);
	feed(&r, a.data, a.len);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	feed(&r, b.data, 100);			/* in place */
	CU_ASSERT_EQUAL(memcmp(f.payload, "exit status 0", 13), 0);
	feed(&r, b.data + 100, b.len - 100);	/* the buffer grows */
	CU_ASSERT_EQUAL(f.id, 1);
	CU_ASSERT_EQUAL(f.len, 13);
	CU_ASSERT_EQUAL(memcmp(f.payload, "exit status 0", 13), 0);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.id, 2);
	CU_ASSERT_EQUAL(f.len, sizeof(big));
	CU_ASSERT_EQUAL(memcmp(f.payload, big, sizeof(big)), 0);
	/* Many frames later the buffer has not grown past what one needs. */
	for (int i = 0; i < 100; i++) {
		feed(&r, b.data, b.len);
		CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
		CU_ASSERT_EQUAL(memcmp(f.payload, big, sizeof(big)), 0);
	}
	CU_ASSERT(r.cap <= 4 * b.len);
	proto_reader_free(&r);
	proto_buf_free(&a);
	proto_buf_free(&b);
}

static void test_resync_with_reset(void)
{
	uint8_t payload[DEAD_LEN];
	struct proto_buf dead, ack;
	struct proto_reader r;
	struct proto_frame f;

	dead_frame(&dead, payload, DEAD_LEN);
	build(&ack, PT_SYNC_ACK, ACK_ID, NULL, 0);
	proto_reader_init(&r);
	feed(&r, dead.data, PROTO_HDR_SIZE + DEAD_LEN / 2);
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);

	proto_reader_reset(&r);		/* what do_resync() does first */
	CU_ASSERT_EQUAL(r.len, 0);
	feed(&r, ack.data, ack.len);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_SYNC_ACK);
	CU_ASSERT_EQUAL(f.id, ACK_ID);
	CU_ASSERT_EQUAL(f.len, 0);
	CU_ASSERT_EQUAL(r.skipped, 0);
	proto_reader_free(&r);

	/*
	 * The dead frame's other half may still be in flight after the
	 * reset: it is plain garbage then, skipped byte by byte, and the
	 * acknowledgement behind it is found.
	 */
	proto_reader_init(&r);
	feed(&r, dead.data, PROTO_HDR_SIZE + DEAD_LEN / 2);
	proto_reader_reset(&r);
	feed(&r, dead.data + PROTO_HDR_SIZE + DEAD_LEN / 2, DEAD_LEN / 2);
	feed(&r, ack.data, ack.len);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_SYNC_ACK);
	CU_ASSERT_EQUAL(f.id, ACK_ID);
	CU_ASSERT_EQUAL(r.skipped, DEAD_LEN / 2);
	proto_reader_free(&r);
	proto_buf_free(&dead);
	proto_buf_free(&ack);
}

static void test_resync_without_reset(void)
{
	uint8_t payload[DEAD_LEN], more[DEAD_LEN / 2 - PROTO_HDR_SIZE];
	struct proto_buf dead, ack;
	struct proto_reader r;
	struct proto_frame f;

	dead_frame(&dead, payload, DEAD_LEN);
	build(&ack, PT_SYNC_ACK, ACK_ID, NULL, 0);
	proto_reader_init(&r);
	feed(&r, dead.data, PROTO_HDR_SIZE + DEAD_LEN / 2);
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);

	/*
	 * Without a reset the reader still trusts the dead frame's valid
	 * header, which announced 100 payload bytes of which 50 came.  The
	 * 16 bytes of the PT_SYNC_ACK are taken as payload bytes 50..65:
	 * the reader asks for more (0) and keeps all 82 bytes; the
	 * acknowledgement does not come out, so the host would wait for it
	 * until its resync deadline.
	 */
	feed(&r, ack.data, ack.len);
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
	CU_ASSERT_EQUAL(r.len, PROTO_HDR_SIZE + DEAD_LEN / 2 + PROTO_HDR_SIZE);
	CU_ASSERT_EQUAL(r.skipped, 0);

	/*
	 * Once 34 more bytes arrive (whatever they are), the dead frame
	 * "completes": a PT_STDOUT id 5 of 100 bytes whose middle is the
	 * acknowledgement.  The PT_SYNC_ACK is lost for good.
	 */
	memset(more, 'z', sizeof(more));
	feed(&r, more, sizeof(more));
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_STDOUT);
	CU_ASSERT_EQUAL(f.id, 5);
	CU_ASSERT_EQUAL_FATAL(f.len, DEAD_LEN);
	CU_ASSERT_EQUAL(memcmp(f.payload, payload, DEAD_LEN / 2), 0);
	CU_ASSERT_EQUAL(memcmp(f.payload + DEAD_LEN / 2, ack.data, ack.len), 0);
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
	CU_ASSERT_EQUAL(r.len, 0);
	proto_reader_free(&r);
	proto_buf_free(&dead);
	proto_buf_free(&ack);
}

static void test_resync_without_reset_short(void)
{
	uint8_t payload[20];
	struct proto_buf dead, ack, next;
	struct proto_reader r;
	struct proto_frame f;

	/*
	 * The same with a 20-byte frame cut after 10 payload bytes: the
	 * acknowledgement's first 10 bytes complete the dead frame, its
	 * last 6 stay behind as garbage, skipped before the next frame.
	 * Either way the host never sees its PT_SYNC_ACK: that is why
	 * do_resync() resets the reader before sending PT_SYNC.
	 */
	dead_frame(&dead, payload, sizeof(payload));
	build(&ack, PT_SYNC_ACK, ACK_ID, NULL, 0);
	build(&next, PT_OK, 8, "fine", 4);
	proto_reader_init(&r);
	feed(&r, dead.data, PROTO_HDR_SIZE + 10);
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
	feed(&r, ack.data, ack.len);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_STDOUT);
	CU_ASSERT_EQUAL(f.id, 5);
	CU_ASSERT_EQUAL_FATAL(f.len, 20);
	CU_ASSERT_EQUAL(memcmp(f.payload, payload, 10), 0);
	CU_ASSERT_EQUAL(memcmp(f.payload + 10, ack.data, 10), 0);
	CU_ASSERT_EQUAL(proto_reader_next(&r, &f), 0);
	CU_ASSERT_EQUAL(r.len, 6);
	feed(&r, next.data, next.len);
	CU_ASSERT_EQUAL_FATAL(proto_reader_next(&r, &f), 1);
	CU_ASSERT_EQUAL(f.type, PT_OK);
	CU_ASSERT_EQUAL(f.id, 8);
	CU_ASSERT_EQUAL(r.skipped, 6);
	proto_reader_free(&r);
	proto_buf_free(&dead);
	proto_buf_free(&ack);
	proto_buf_free(&next);
}

/* ---- payload builder and cursor ---- */

static void test_cursor_roundtrip(void)
{
	static const uint8_t head[] = {
		0xef, 0xbe,				/* u16 0xbeef */
		0xef, 0xbe, 0xad, 0xde,			/* u32 0xdeadbeef */
		0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01,	/* u64 */
		0x05, 0x00, 0x00, 0x00, 'h', 'e', 'l', 'l', 'o',
		0x00, 0x00, 0x00, 0x00,			/* "" */
	};
	struct proto_buf b;
	struct proto_cursor c;
	char *s, *e;

	proto_buf_init(&b);
	proto_put_u16(&b, 0xbeef);
	proto_put_u32(&b, 0xdeadbeefu);
	proto_put_u64(&b, 0x0123456789abcdefull);
	proto_put_str(&b, "hello");
	proto_put_str(&b, "");
	CU_ASSERT_FALSE(b.failed);
	CU_ASSERT_EQUAL_FATAL(b.len, sizeof(head));
	CU_ASSERT_EQUAL(memcmp(b.data, head, sizeof(head)), 0);

	proto_cursor_init(&c, b.data, b.len);
	CU_ASSERT_EQUAL(proto_get_u16(&c), 0xbeef);
	CU_ASSERT_EQUAL(proto_get_u32(&c), 0xdeadbeefu);
	CU_ASSERT_EQUAL(proto_get_u64(&c), 0x0123456789abcdefull);
	s = proto_get_str(&c);
	e = proto_get_str(&c);
	CU_ASSERT_PTR_NOT_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(e);
	if (s)
		CU_ASSERT_STRING_EQUAL(s, "hello");
	if (e)
		CU_ASSERT_STRING_EQUAL(e, "");
	CU_ASSERT_EQUAL(c.left, 0);
	CU_ASSERT_FALSE(c.bad);
	free(s);
	free(e);
	proto_buf_free(&b);
}

static void test_cursor_past_end(void)
{
	static const uint8_t three[] = { 1, 2, 3 };
	struct proto_cursor c;

	proto_cursor_init(&c, three, sizeof(three));
	CU_ASSERT_EQUAL(proto_get_u32(&c), 0);
	CU_ASSERT_TRUE(c.bad);
	/* bad is sticky: even a read that would fit yields 0 now. */
	CU_ASSERT_EQUAL(proto_get_u16(&c), 0);
	CU_ASSERT_PTR_NULL(proto_get_str(&c));
	CU_ASSERT_TRUE(c.bad);

	proto_cursor_init(&c, three, 1);
	CU_ASSERT_EQUAL(proto_get_u16(&c), 0);
	CU_ASSERT_TRUE(c.bad);

	proto_cursor_init(&c, three, 0);
	CU_ASSERT_EQUAL(proto_get_u64(&c), 0);
	CU_ASSERT_TRUE(c.bad);

	proto_cursor_init(&c, three, 3);
	CU_ASSERT_PTR_NULL(proto_get_str(&c));	/* not even the length */
	CU_ASSERT_TRUE(c.bad);

	/* Exactly enough is not past the end. */
	proto_cursor_init(&c, three, 2);
	CU_ASSERT_EQUAL(proto_get_u16(&c), 0x0201);
	CU_ASSERT_FALSE(c.bad);
	CU_ASSERT_EQUAL(c.left, 0);
}

static void test_cursor_u64_half_there(void)
{
	static const uint8_t four[] = { 1, 2, 3, 4 };
	struct proto_cursor c;

	/*
	 * Only the low half of a u64 is there.  proto.h: "Any read past the
	 * end sets `bad` and yields zeros", so the value must be 0.
	 */
	proto_cursor_init(&c, four, sizeof(four));
	CU_ASSERT_EQUAL(proto_get_u64(&c), 0);
	CU_ASSERT_TRUE(c.bad);
}

static void test_cursor_str_too_long(void)
{
	struct proto_buf b;
	struct proto_cursor c;

	proto_buf_init(&b);
	proto_put_u32(&b, 10);		/* says 10, only 3 follow */
	proto_put_bytes(&b, "abc", 3);
	proto_cursor_init(&c, b.data, b.len);
	CU_ASSERT_PTR_NULL(proto_get_str(&c));
	CU_ASSERT_TRUE(c.bad);

	/* A huge length must not wrap or allocate. */
	proto_buf_reset(&b);
	proto_put_u32(&b, 0xffffffffu);
	proto_put_bytes(&b, "abc", 3);
	proto_cursor_init(&c, b.data, b.len);
	CU_ASSERT_PTR_NULL(proto_get_str(&c));
	CU_ASSERT_TRUE(c.bad);
	proto_buf_free(&b);
}

static void test_cursor_str_with_nul(void)
{
	struct proto_buf b;
	struct proto_cursor c;
	char *s;

	proto_buf_init(&b);
	proto_put_u32(&b, 3);
	proto_put_bytes(&b, "a\0b", 3);
	proto_cursor_init(&c, b.data, b.len);
	CU_ASSERT_PTR_NULL(proto_get_str(&c));
	CU_ASSERT_TRUE(c.bad);

	/* The same length without the NUL is fine. */
	proto_buf_reset(&b);
	proto_put_u32(&b, 3);
	proto_put_bytes(&b, "a-b", 3);
	proto_cursor_init(&c, b.data, b.len);
	s = proto_get_str(&c);
	CU_ASSERT_PTR_NOT_NULL(s);
	if (s)
		CU_ASSERT_STRING_EQUAL(s, "a-b");
	CU_ASSERT_FALSE(c.bad);
	free(s);
	proto_buf_free(&b);
}

/* ---- names, CRC ---- */

static void test_type_name(void)
{
	CU_ASSERT_STRING_EQUAL(proto_type_name(PT_EXEC), "PT_EXEC");
	CU_ASSERT_STRING_EQUAL(proto_type_name(PT_HELLO), "PT_HELLO");
	CU_ASSERT_STRING_EQUAL(proto_type_name(PT_ERROR), "PT_ERROR");
	CU_ASSERT_STRING_EQUAL(proto_type_name(250), "PT_?");
	CU_ASSERT_STRING_EQUAL(proto_type_name(0), "PT_?");
	CU_ASSERT_STRING_EQUAL(proto_type_name(PT_MAX_), "PT_?");
}

static void test_crc32(void)
{
	static const char check[] = "123456789";
	uint32_t half;

	CU_ASSERT_EQUAL(proto_crc32(0, check, 9), 0xcbf43926u);
	half = proto_crc32(0, check, 4);
	CU_ASSERT_EQUAL(proto_crc32(half, check + 4, 5), 0xcbf43926u);
	CU_ASSERT_EQUAL(proto_crc32(0, check, 0), 0);
	CU_ASSERT_EQUAL(proto_crc32(0, "a", 1), 0xe8b7be43u);
}

int register_proto_tests(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "header encode", test_header_encode },
		{ "hsum skips its own field", test_hsum_skips_own_field },
		{ "reader: empty", test_reader_empty },
		{ "reader: round trip", test_roundtrip },
		{ "reader: empty payload", test_roundtrip_empty_payload },
		{ "reader: one byte at a time", test_byte_at_a_time },
		{ "reader: two frames in one feed", test_two_frames_one_feed },
		{ "reader: truncated frame", test_truncated },
		{ "reader: garbage before a frame", test_garbage_before_frame },
		{ "reader: bad checksum skipped", test_bad_checksum_skipped },
		{ "reader: nonzero flags skipped", test_nonzero_flags_skipped },
		{ "reader: oversized frame dropped", test_oversized_dropped },
		{ "build: payload too big", test_build_too_big },
		{ "reader: PROTO_MAX_PAYLOAD round trip", test_max_payload_roundtrip },
		{ "reader: a frame taken survives the next feed", test_frame_survives_feed },
		{ "resync: with reset", test_resync_with_reset },
		{ "resync: without reset swallows the ack", test_resync_without_reset },
		{ "resync: without reset, short frame", test_resync_without_reset_short },
		{ "cursor: round trip", test_cursor_roundtrip },
		{ "cursor: past the end", test_cursor_past_end },
		{ "cursor: u64 with only 4 bytes", test_cursor_u64_half_there },
		{ "cursor: string longer than the rest", test_cursor_str_too_long },
		{ "cursor: string with a NUL", test_cursor_str_with_nul },
		{ "type names", test_type_name },
		{ "crc32", test_crc32 },
	};
	CU_pSuite s = CU_add_suite("proto", NULL, NULL);

	if (!s)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(s, tests[i].name, tests[i].fn))
			return CU_get_error();
	return CUE_SUCCESS;
}
