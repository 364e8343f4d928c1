/* SPDX-License-Identifier: MIT */
/*
 * text.h - UTF-8 text measured in terminal columns, not bytes.
 *
 * A Hangul syllable is one code point, three bytes and two columns; a
 * combining mark is zero columns.  Everything here decodes with mbrtowc()
 * and measures with wcwidth(), so it needs a UTF-8 LC_CTYPE (the caller
 * sets one: setlocale(LC_CTYPE, "") falling back to "C.UTF-8").  Invalid
 * bytes and unprintable characters count as one column each (they are
 * shown as '?'), so a bad byte can never shift the columns after it.
 *
 * Strings are (pointer, byte length) pairs and are never modified.
 */
#ifndef ADDRLAB_TEXT_H
#define ADDRLAB_TEXT_H

#include <stddef.h>

/* Columns of s[0..len). */
int text_width(const char *s, size_t len);

/* Width in columns of the one character at s (len bytes available), and
 * its length in bytes through *bytes (>= 1 whenever len > 0). */
int text_char(const char *s, size_t len, size_t *bytes);

/* The longest prefix of s[0..len) that fits in cols columns, in bytes,
 * never splitting a character; its width goes to *width if not NULL. */
size_t text_fit(const char *s, size_t len, int cols, int *width);

/*
 * Breaks s[0..len) (one paragraph, no newlines) into lines of at most
 * `cols` columns.  Breaks at spaces; Korean text breaks at spaces too
 * (words, not syllables, as Korean typesetting does); a word wider than
 * a whole line is broken between characters.  Spaces at a break are
 * dropped.  Returns the number of lines (>= 1, an empty text is one empty
 * line) and, if starts/ends are not NULL, each line's byte range
 * [starts[i], ends[i]) for the first `max` lines.  cols < 1 is taken as 1.
 */
size_t text_wrap(const char *s, size_t len, int cols, size_t *starts,
		 size_t *ends, size_t max);

/* Byte offset of the first case-insensitive (ASCII) match of needle in
 * hay[0..len), or -1. */
long text_find(const char *hay, size_t len, const char *needle);

#endif /* ADDRLAB_TEXT_H */
