/* SPDX-License-Identifier: MIT */
/*
 * md.h - a lesson page's Markdown, parsed by libcmark and laid out as lines
 * of styled spans for a terminal of a given width.
 *
 *	struct md_doc *d = md_render(markdown, len, 78);
 *	for (size_t i = 0; i < d->nlines; i++)  ... d->lines[i].spans ...
 *	md_free(d);
 *
 * Layout (what a reader of the page sees):
 * - headings: level 1 is followed by a line of '=' under its width, level 2
 *   by '-', deeper levels stand alone; all in ROLE_HEADING.
 * - paragraphs wrapped by display columns (text.h), so Korean lines up;
 *   *emph* and **strong** as STYLE_EMPH/STYLE_STRONG, `code` in ROLE_CODE,
 *   links as their text in ROLE_LINK (the URL follows in ROLE_DIM, in
 *   angle brackets, unless it equals the text).
 * - bullet lists with "• " (ROLE_BULLET) and ordered lists with "1. ",
 *   continuation lines indented under the item's text; nested lists indent
 *   two more columns.
 * - code blocks indented by two columns in ROLE_CODEBLOCK, never re-wrapped
 *   at spaces: a line too long is cut at the width and continues on the
 *   next screen line after a "↪" (ROLE_DIM).
 * - block quotes prefixed by "│ " (ROLE_QUOTE), their text in ROLE_QUOTE.
 * - tables (GitHub's extension is not in Debian's libcmark 0.30, so pipe
 *   tables are recognised in paragraphs: a header row, a |---| row, body
 *   rows) laid out in columns separated by " │ " with a rule under the
 *   header; columns wider than the page are shrunk and their cells wrapped.
 * - thematic breaks as a line of '─'; one blank line between blocks; raw
 *   HTML shown as text.
 * Every line's width is at most `width` columns (width < 20 is taken as 20).
 */
#ifndef ADDRLAB_MD_H
#define ADDRLAB_MD_H

#include <stddef.h>

#include "roles.h"

struct md_span {
	enum role role;
	unsigned int style;	/* STYLE_* bits */
	char *text;		/* UTF-8, never NULL, no newline */
};

struct md_line {
	struct md_span *spans;
	size_t nspans;
	int heading;		/* 1..6 on a heading's own text line, else 0 */
};

struct md_doc {
	struct md_line *lines;
	size_t nlines;
	int width;
};

/* NULL only when out of memory. */
struct md_doc *md_render(const char *markdown, size_t len, int width);
void md_free(struct md_doc *d);

/* A line's text without styles (malloc'd), for search and tests. */
char *md_line_text(const struct md_line *l);

#endif /* ADDRLAB_MD_H */
