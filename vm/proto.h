/* SPDX-License-Identifier: MIT */
/*
 * proto.h - the wire protocol between the host controller and the guest agent.
 *
 * Both ends exchange frames over one reliable byte stream (a virtio-serial
 * port).  A frame is a 16-byte little-endian header followed by `len` bytes
 * of payload:
 *
 *	u32 magic	PROTO_MAGIC ("ADLB")
 *	u8  type	enum proto_type
 *	u8  flags	reserved, 0
 *	u16 hsum	proto_hsum() of the other 14 header bytes
 *	u32 id		request id: a job, a push, a sync nonce
 *	u32 len		payload length, at most PROTO_MAX_PAYLOAD
 *
 * The header checksum lets a reader that lost its place (a writer died in
 * the middle of a frame, garbage on the line) find the next real header
 * instead of trusting a magic number that happens to sit in some payload.
 * After a timeout the host sends PT_SYNC with a fresh nonce and discards
 * everything until the matching PT_SYNC_ACK: the stream is then in step.
 *
 * This file is shared by the host (vm/vm.c) and the static guest agent
 * (vm/guest/agent.c), so it depends on nothing but libc.
 */
#ifndef ADDRLAB_PROTO_H
#define ADDRLAB_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROTO_MAGIC		0x424c4441u	/* "ADLB" in memory order */
#define PROTO_VERSION		2
#define PROTO_HDR_SIZE		16
#define PROTO_MAX_PAYLOAD	(1u << 20)
#define PROTO_CHUNK		(64u * 1024)	/* data frames are cut to this */

/*
 * Frame types: X(name, value, direction, payload).
 * h->g is host to guest, g->h guest to host.
 */
#define PROTO_TYPES(X) \
	X(PT_HELLO,      1, "g->h", "u32 version, str uname, u32 uptime_ms") \
	X(PT_SYNC,       2, "h->g", "(empty); id is a nonce") \
	X(PT_SYNC_ACK,   3, "g->h", "(empty); id echoes the nonce") \
	X(PT_EXEC,       4, "h->g", "u32 flags, u32 timeout_ms, u64 out_cap, u16 rows, u16 cols, str cwd, u32 argc, str argv...") \
	X(PT_STDIN,      5, "h->g", "bytes; empty means end of input") \
	X(PT_SIGNAL,     6, "h->g", "u32 signo, sent to the job's process group") \
	X(PT_WINSIZE,    7, "h->g", "u16 rows, u16 cols") \
	X(PT_STDOUT,     8, "g->h", "bytes") \
	X(PT_STDERR,     9, "g->h", "bytes") \
	X(PT_EXIT,      10, "g->h", "i32 wait status, u32 flags, u64 out_total, u64 err_total, u32 elapsed_ms") \
	X(PT_PUSH_OPEN, 11, "h->g", "u32 mode, str path") \
	X(PT_PUSH_DATA, 12, "h->g", "bytes") \
	X(PT_PUSH_CLOSE,13, "h->g", "(empty); answered by PT_OK u64 size, u32 crc32") \
	X(PT_PULL,      14, "h->g", "u64 max, str path; answered by PT_DATA... then PT_OK u64 size") \
	X(PT_KMSG,      15, "h->g", "u64 cursor; answered by PT_DATA... then PT_OK u64 next cursor") \
	X(PT_DATA,      16, "g->h", "bytes") \
	X(PT_OK,        17, "g->h", "depends on the request") \
	X(PT_ERROR,     18, "g->h", "i32 errno, str message") \
	X(PT_FRESH,     19, "h->g", "u64 realtime_ns, bytes seed (<= 512); after a restore; answered by PT_OK u32 edu devices, str uname")

enum proto_type {
#define X(name, val, dir, payload) name = val,
	PROTO_TYPES(X)
#undef X
	PT_MAX_
};

/* PT_EXEC flags */
#define PROTO_EXEC_PTY		0x1u	/* run on a pseudo terminal (interactive) */
#define PROTO_EXEC_STDIN	0x2u	/* keep stdin open for PT_STDIN frames */

/* PT_EXIT flags */
#define PROTO_EXIT_TIMED_OUT	0x1u	/* killed by the agent at timeout_ms */
#define PROTO_EXIT_TRUNCATED	0x2u	/* output beyond out_cap was dropped */
#define PROTO_EXIT_SPAWN_FAILED	0x4u	/* exec failed; status is 127 */
#define PROTO_EXIT_PIDS_MAX	0x8u	/* the job hit its process limit */
#define PROTO_EXIT_STUCK	0x10u	/* killed at its time limit, it did not
					 * die: stuck in the kernel */
#define PROTO_EXIT_OOM		0x20u	/* a task of the job was killed for the
					 * job's memory limit */

struct proto_frame {
	uint8_t type;
	uint8_t flags;
	uint32_t id;
	uint32_t len;
	const uint8_t *payload;	/* valid until the next proto_reader_next(),
				 * proto_reader_reset() or _free() call:
				 * feeding more bytes leaves it intact */
};

/* Name of a frame type ("PT_EXEC"), or "PT_?" for an unknown value. */
const char *proto_type_name(unsigned int type);

uint16_t proto_hsum(const uint8_t hdr[PROTO_HDR_SIZE]);
void proto_encode_header(uint8_t hdr[PROTO_HDR_SIZE], unsigned int type,
			 uint32_t id, uint32_t len);

/*
 * Incremental frame reader.  Feed it whatever bytes arrive; take frames out
 * with proto_reader_next().  Invariant: `buf` holds `len` unconsumed bytes
 * starting at `buf + off`; the bytes before `off` (the frame taken last) are
 * not written to by a feed, and a feed that needs a bigger buffer keeps the
 * one it leaves in `old` until the next proto_reader_next(): a caller that
 * reads the channel while it sends a reply cannot clobber the frame it is
 * handling.
 */
struct proto_reader {
	uint8_t *buf, *old;
	size_t off, len, cap;
	uint64_t skipped;	/* bytes dropped while looking for a header */
	uint64_t oversized;	/* frames dropped for len > PROTO_MAX_PAYLOAD */
};

void proto_reader_init(struct proto_reader *r);
void proto_reader_free(struct proto_reader *r);
/* Appends n bytes; returns 0 or -ENOMEM. */
int proto_reader_feed(struct proto_reader *r, const void *data, size_t n);
/* Drops everything buffered (used by a resync). */
void proto_reader_reset(struct proto_reader *r);
/*
 * Returns 1 and fills *f when a whole frame is buffered, 0 when more bytes
 * are needed.  Garbage before a valid header is skipped (counted in
 * `skipped`); a header announcing more than PROTO_MAX_PAYLOAD is dropped
 * (counted in `oversized`) and the search goes on after it.
 */
int proto_reader_next(struct proto_reader *r, struct proto_frame *f);

/* Growable payload builder.  Invariant: on allocation failure `failed` is
 * set and later puts do nothing; proto_buf_frame() then returns -ENOMEM. */
struct proto_buf {
	uint8_t *data;
	size_t len, cap;
	bool failed;
};

void proto_buf_init(struct proto_buf *b);
void proto_buf_free(struct proto_buf *b);
void proto_buf_reset(struct proto_buf *b);
void proto_put_u16(struct proto_buf *b, uint16_t v);
void proto_put_u32(struct proto_buf *b, uint32_t v);
void proto_put_u64(struct proto_buf *b, uint64_t v);
void proto_put_bytes(struct proto_buf *b, const void *p, size_t n);
/* A string is a u32 length followed by the bytes, without a NUL. */
void proto_put_str(struct proto_buf *b, const char *s);
/*
 * Builds a whole frame (header + payload) of the given type and id from the
 * payload bytes in `payload` into `out` (reset first).  Returns 0,
 * -EMSGSIZE if the payload is too large, -ENOMEM.
 */
int proto_frame_build(struct proto_buf *out, unsigned int type, uint32_t id,
		      const void *payload, size_t len);

/* Bounds-checked payload cursor.  Any read past the end sets `bad` and
 * yields zeros / NULL; check `bad` once after decoding a whole payload. */
struct proto_cursor {
	const uint8_t *p;
	size_t left;
	bool bad;
};

void proto_cursor_init(struct proto_cursor *c, const void *p, size_t n);
uint16_t proto_get_u16(struct proto_cursor *c);
uint32_t proto_get_u32(struct proto_cursor *c);
uint64_t proto_get_u64(struct proto_cursor *c);
/* Returns a malloc'd NUL-terminated copy (NULL and `bad` on truncation or
 * if the string holds a NUL byte). */
char *proto_get_str(struct proto_cursor *c);

uint32_t proto_crc32(uint32_t crc, const void *data, size_t n);

#endif /* ADDRLAB_PROTO_H */
