/* SPDX-License-Identifier: MIT */
/*
 * clean.h - bytes from a submission made fit for reports and gradebooks:
 * valid UTF-8, no terminal control sequences, a bounded size.
 *
 * What a student's program prints ends up in JSON (which must be valid
 * UTF-8, or the check would be dropped from the report), in XML, in a TA's
 * terminal (where an escape sequence could repaint the screen) and in the
 * gradebook (where a flood of output would be kept forever).
 */
#ifndef ADDRLAB_CLEAN_H
#define ADDRLAB_CLEAN_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A malloc'd copy of the len bytes at s where every byte that is not part
 * of a well-formed UTF-8 character becomes U+FFFD, carriage returns are
 * dropped, other control characters (tab and, unless one_line, newline
 * excepted) become U+FFFD too (newlines become spaces when one_line), and
 * the result is cut, on a character boundary, to at most max bytes ending
 * in " [cut: N more bytes]" (N counts the input bytes left out).  NULL only
 * when out of memory.
 */
char *clean_text(const char *s, size_t len, size_t max, bool one_line);

/* Replaces *s (malloc'd, may be NULL) with clean_text() of it; keeps the
 * old text if out of memory. */
void clean_in_place(char **s, size_t max, bool one_line);

#endif /* ADDRLAB_CLEAN_H */
