// SPDX-License-Identifier: MIT
/* proto.c - framing for the host <-> guest agent channel (see proto.h). */
#include "proto.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *proto_type_name(unsigned int type)
{
	switch (type) {
#define X(name, val, dir, payload) case name: return #name;
	PROTO_TYPES(X)
#undef X
	}
	return "PT_?";
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Fletcher-16 over the header without its own checksum field (bytes 6-7). */
uint16_t proto_hsum(const uint8_t hdr[PROTO_HDR_SIZE])
{
	uint16_t a = 0x5a, b = 0xa5;

	for (int i = 0; i < PROTO_HDR_SIZE; i++) {
		if (i == 6 || i == 7)
			continue;
		a = (uint16_t)((a + hdr[i]) % 255);
		b = (uint16_t)((b + a) % 255);
	}
	return (uint16_t)(b << 8 | a);
}

void proto_encode_header(uint8_t hdr[PROTO_HDR_SIZE], unsigned int type,
			 uint32_t id, uint32_t len)
{
	put_le32(hdr, PROTO_MAGIC);
	hdr[4] = (uint8_t)type;
	hdr[5] = 0;
	put_le32(hdr + 8, id);
	put_le32(hdr + 12, len);
	put_le16(hdr + 6, proto_hsum(hdr));
}

void proto_reader_init(struct proto_reader *r)
{
	memset(r, 0, sizeof(*r));
}

void proto_reader_free(struct proto_reader *r)
{
	free(r->buf);
	free(r->old);
	proto_reader_init(r);
}

void proto_reader_reset(struct proto_reader *r)
{
	r->off = 0;
	r->len = 0;
}

/*
 * Appends after the unconsumed bytes and never over the frame taken last
 * (it sits before `off`): when the bytes do not fit behind it, they go to a
 * new buffer and the old one waits in `old` for the next proto_reader_next().
 */
int proto_reader_feed(struct proto_reader *r, const void *data, size_t n)
{
	if (n > SIZE_MAX / 4 - r->len)
		return -ENOMEM;
	if (r->off + r->len + n > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		uint8_t *p;

		while (cap < r->len + n)
			cap *= 2;
		p = malloc(cap);
		if (!p)
			return -ENOMEM;
		if (r->len)
			memcpy(p, r->buf + r->off, r->len);
		if (r->old)
			free(r->buf);	/* the frame taken last is in `old` */
		else
			r->old = r->buf;
		r->buf = p;
		r->cap = cap;
		r->off = 0;
	}
	memcpy(r->buf + r->off + r->len, data, n);
	r->len += n;
	return 0;
}

static bool header_valid(const uint8_t *h)
{
	return get_le32(h) == PROTO_MAGIC && h[5] == 0 &&
	       get_le16(h + 6) == proto_hsum(h);
}

static void consume(struct proto_reader *r, size_t n)
{
	r->off += n;
	r->len -= n;
}

int proto_reader_next(struct proto_reader *r, struct proto_frame *f)
{
	/* The frame taken last is released now: reclaim its room. */
	free(r->old);
	r->old = NULL;
	if (!r->len) {
		r->off = 0;
	} else if (r->off > r->cap / 2) {
		memmove(r->buf, r->buf + r->off, r->len);
		r->off = 0;
	}
	for (;;) {
		const uint8_t *h = r->buf + r->off;
		uint32_t len;

		if (r->len < PROTO_HDR_SIZE)
			return 0;
		if (!header_valid(h)) {
			/* Lost our place: slide one byte and look again. */
			consume(r, 1);
			r->skipped++;
			continue;
		}
		len = get_le32(h + 12);
		if (len > PROTO_MAX_PAYLOAD) {
			consume(r, PROTO_HDR_SIZE);
			r->oversized++;
			continue;
		}
		if (r->len < PROTO_HDR_SIZE + (size_t)len)
			return 0;
		f->type = h[4];
		f->flags = h[5];
		f->id = get_le32(h + 8);
		f->len = len;
		f->payload = h + PROTO_HDR_SIZE;
		/* The bytes stay in place until the next call of this. */
		consume(r, PROTO_HDR_SIZE + len);
		return 1;
	}
}

void proto_buf_init(struct proto_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void proto_buf_free(struct proto_buf *b)
{
	free(b->data);
	proto_buf_init(b);
}

void proto_buf_reset(struct proto_buf *b)
{
	b->len = 0;
	b->failed = false;
}

static uint8_t *buf_grow(struct proto_buf *b, size_t n)
{
	if (b->failed)
		return NULL;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p) {
			b->failed = true;
			return NULL;
		}
		b->data = p;
		b->cap = cap;
	}
	b->len += n;
	return b->data + b->len - n;
}

void proto_put_u16(struct proto_buf *b, uint16_t v)
{
	uint8_t *p = buf_grow(b, 2);

	if (p)
		put_le16(p, v);
}

void proto_put_u32(struct proto_buf *b, uint32_t v)
{
	uint8_t *p = buf_grow(b, 4);

	if (p)
		put_le32(p, v);
}

void proto_put_u64(struct proto_buf *b, uint64_t v)
{
	proto_put_u32(b, (uint32_t)v);
	proto_put_u32(b, (uint32_t)(v >> 32));
}

void proto_put_bytes(struct proto_buf *b, const void *src, size_t n)
{
	uint8_t *p = buf_grow(b, n);

	if (p && n)
		memcpy(p, src, n);
}

void proto_put_str(struct proto_buf *b, const char *s)
{
	size_t n = strlen(s);

	proto_put_u32(b, (uint32_t)n);
	proto_put_bytes(b, s, n);
}

int proto_frame_build(struct proto_buf *out, unsigned int type, uint32_t id,
		      const void *payload, size_t len)
{
	uint8_t *h;

	if (len > PROTO_MAX_PAYLOAD)
		return -EMSGSIZE;
	proto_buf_reset(out);
	h = buf_grow(out, PROTO_HDR_SIZE);
	if (!h)
		return -ENOMEM;
	proto_encode_header(h, type, id, (uint32_t)len);
	proto_put_bytes(out, payload, len);
	return out->failed ? -ENOMEM : 0;
}

void proto_cursor_init(struct proto_cursor *c, const void *p, size_t n)
{
	c->p = p;
	c->left = n;
	c->bad = false;
}

static const uint8_t *take(struct proto_cursor *c, size_t n)
{
	const uint8_t *p = c->p;

	if (c->bad || c->left < n) {
		c->bad = true;
		return NULL;
	}
	c->p += n;
	c->left -= n;
	return p;
}

uint16_t proto_get_u16(struct proto_cursor *c)
{
	const uint8_t *p = take(c, 2);

	return p ? get_le16(p) : 0;
}

uint32_t proto_get_u32(struct proto_cursor *c)
{
	const uint8_t *p = take(c, 4);

	return p ? get_le32(p) : 0;
}

uint64_t proto_get_u64(struct proto_cursor *c)
{
	const uint8_t *p = take(c, 8);

	return p ? get_le32(p) | (uint64_t)get_le32(p + 4) << 32 : 0;
}

char *proto_get_str(struct proto_cursor *c)
{
	uint32_t n = proto_get_u32(c);
	const uint8_t *p;
	char *s;

	if (c->bad)
		return NULL;
	p = take(c, n);
	if (!p || memchr(p, 0, n)) {
		c->bad = true;
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (!s) {
		c->bad = true;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* CRC-32 (IEEE 802.3, as zlib and `cksum -a crc32b`), table-driven: the
 * guest computes it over every pushed byte under emulation. */
uint32_t proto_crc32(uint32_t crc, const void *data, size_t n)
{
	static uint32_t table[256];
	const uint8_t *p = data;

	if (!table[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = (c >> 1) ^ (0xedb88320u & -(c & 1));
			table[i] = c;
		}
	}
	crc = ~crc;
	while (n--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
