// SPDX-License-Identifier: MIT
/*
 * text.c - UTF-8 measured in terminal columns (see text.h).
 *
 * ASCII takes a fast path: lesson pages are mostly ASCII and the workbook
 * re-wraps a whole page on every resize.
 */
#define _GNU_SOURCE
#include "text.h"

#include <stdbool.h>
#include <string.h>
#include <wchar.h>

int text_char(const char *s, size_t len, size_t *bytes)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int w;

	if (len == 0) {
		*bytes = 0;
		return 0;
	}
	if ((unsigned char)s[0] < 0x80) {
		*bytes = 1;
		return 1;	/* printable, or a control shown as '?' */
	}
	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, len, &st);
	/* An invalid or truncated sequence is one bad byte: skipping only
	 * that byte lets the next valid character resynchronise. */
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*bytes = 1;
		return 1;
	}
	*bytes = n;
	w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

int text_width(const char *s, size_t len)
{
	size_t i = 0, n;
	int w = 0;

	while (i < len) {
		w += text_char(s + i, len - i, &n);
		i += n;
	}
	return w;
}

size_t text_fit(const char *s, size_t len, int cols, int *width)
{
	size_t i = 0, n;
	int w = 0, cw;

	while (i < len) {
		cw = text_char(s + i, len - i, &n);
		if (w + cw > cols)
			break;
		w += cw;
		i += n;
	}
	if (width)
		*width = w;
	return i;
}

/* Width of the word (a run of non-spaces) at s[i..len), its end to *end;
 * measuring stops once it is wider than limit, since the caller then only
 * needs to know that it does not fit (a 100k-byte word would otherwise be
 * measured again for every line it is cut into). */
static int word_at(const char *s, size_t len, size_t i, int limit,
		   size_t *end)
{
	size_t n;
	int w = 0;

	while (i < len && s[i] != ' ' && w <= limit) {
		w += text_char(s + i, len - i, &n);
		i += n;
	}
	*end = i;
	return w;
}

static size_t skip_spaces(const char *s, size_t len, size_t i)
{
	while (i < len && s[i] == ' ')
		i++;
	return i;
}

/*
 * Greedy filling: each line takes whole words while they fit.  A word
 * that does not fit starts the next line; a word wider than a whole line
 * fills lines of its own, cut between characters.  Leading spaces of the
 * text are kept (they are not at a break); spaces at a break are dropped.
 */
size_t text_wrap(const char *s, size_t len, int cols, size_t *starts,
		 size_t *ends, size_t max)
{
	size_t nlines = 0, pos = 0;

	if (cols < 1)
		cols = 1;
	do {
		size_t start = pos, end = pos, p = pos, q, r;
		int w = 0;

		for (;;) {
			int sw, ww;

			q = skip_spaces(s, len, p);
			sw = (int)(q - p);
			if (q == len) {		/* only spaces left: dropped */
				p = q;
				break;
			}
			ww = word_at(s, len, q, cols - w - sw, &r);
			if (w + sw + ww <= cols) {
				w += sw + ww;
				end = p = r;
				continue;
			}
			if (end == start) {
				/* Alone on its line and still too wide: cut it
				 * between characters, at least one per line so
				 * the loop always advances. */
				size_t n;

				end = p + text_fit(s + p, len - p, cols, NULL);
				if (end == p) {
					text_char(s + p, len - p, &n);
					end = p + n;
				}
			}
			p = end;
			break;
		}
		if (nlines < max) {
			if (starts)
				starts[nlines] = start;
			if (ends)
				ends[nlines] = end;
		}
		nlines++;
		pos = skip_spaces(s, len, p);
	} while (pos < len);
	return nlines;
}

static inline unsigned char ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

long text_find(const char *hay, size_t len, const char *needle)
{
	size_t n, i, j;

	if (!needle)
		return -1;
	n = strlen(needle);
	if (n > len)
		return -1;
	for (i = 0; i + n <= len; i++) {
		for (j = 0; j < n; j++)
			if (ascii_lower((unsigned char)hay[i + j]) !=
			    ascii_lower((unsigned char)needle[j]))
				break;
		if (j == n)
			return (long)i;
	}
	return -1;
}
