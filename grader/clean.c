// SPDX-License-Identifier: MIT
/* clean.c - valid, bounded text from untrusted bytes (see clean.h). */
#define _GNU_SOURCE
#include "clean.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */
#define CUT_NOTE_MAX	40		/* " [cut: 18446744073709551615 more bytes]" */

/* Length of the well-formed UTF-8 character at s (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0. */
static size_t char_len(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

char *clean_text(const char *s, size_t len, size_t max, bool one_line)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	/* Where a cut text stops: room left for the note. */
	size_t cap = max > CUT_NOTE_MAX ? max - CUT_NOTE_MAX : 0;
	size_t w = 0, i = 0, cut_w = 0, cut_i = 0;
	bool over = false;
	char *out;

	if (!s)
		len = 0;
	out = malloc(max + CUT_NOTE_MAX + 1);
	if (!out)
		return NULL;
	while (i < len) {
		size_t n = char_len(p + i, len - i);
		const char *put = (const char *)p + i;
		size_t put_len = n;

		if (p[i] == '\r') {
			i++;
			continue;
		}
		if (!n || (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n') || p[i] == 0x7f) {
			put = REPLACEMENT;
			put_len = 3;
			n = n ? n : 1;
		} else if (p[i] == '\n' && one_line) {
			put = " ";
		}
		if (w + put_len > max) {
			over = true;
			break;
		}
		memcpy(out + w, put, put_len);
		w += put_len;
		i += n;
		if (w <= cap) {
			cut_w = w;
			cut_i = i;
		}
	}
	if (over)
		w = cut_w + (size_t)sprintf(out + cut_w, " [cut: %zu more bytes]", len - cut_i);
	out[w] = '\0';
	return out;
}

void clean_in_place(char **s, size_t max, bool one_line)
{
	char *c;

	if (!*s)
		return;
	c = clean_text(*s, strlen(*s), max, one_line);
	if (c) {
		free(*s);
		*s = c;
	}
}
