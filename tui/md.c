// SPDX-License-Identifier: MIT
/*
 * md.c - a lesson page's Markdown laid out as styled lines (see md.h).
 *
 * libcmark parses; one cmark_iter walk over the blocks keeps a stack of
 * the open containers (block quotes, lists, list items), each of which
 * puts a prefix in front of every line inside it.  A leaf block gathers
 * its inline text into one buffer of styled runs and wraps that buffer by
 * display columns, so a style carries across line breaks.
 *
 * Nothing here recurses on the input's nesting, and every loop over a line
 * is bounded by the page width, so a hostile page (a thousand nested
 * quotes, a 100k-byte word) renders in linear time.  Allocation failure
 * is sticky: once it happens every step is a no-op and md_render() returns
 * NULL.
 */
#define _GNU_SOURCE
#include "md.h"

#include <cmark.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "text.h"

#define MIN_WIDTH	20
/* Container prefixes stop growing once fewer than this many columns
 * would be left for the text itself. */
#define MIN_TEXT	10
#define TAB_STOP	8
#define CODE_INDENT	"  "
#define CODE_CONT	"\xe2\x86\xaa "		/* "↪ " */
#define RULE_CHAR	"\xe2\x94\x80"		/* '─' */
#define QUOTE_MARK	"\xe2\x94\x82 "		/* "│ " */
#define BULLET_MARK	"\xe2\x80\xa2 "		/* "• " */
#define TABLE_SEP	" \xe2\x94\x82 "	/* " │ " */
#define TABLE_CROSS	RULE_CHAR "\xe2\x94\xbc" RULE_CHAR	/* "─┼─" */
#define TABLE_SEP_COLS	3

/* A block's inline text: buf holds it all, runs[i] styles the bytes from
 * runs[i].start to the next run's start.  A '\n' in buf is a hard break;
 * every other byte is printable (clean() replaced the rest). */
struct run {
	size_t start;
	enum role role;
	unsigned int style;
};

struct inl {
	char *buf;
	size_t len, cap;
	struct run *runs;
	size_t nruns, rcap;
};

enum frame_kind { FRAME_LIST, FRAME_ITEM, FRAME_QUOTE };

struct frame {
	enum frame_kind kind;
	int width;		/* columns of its prefix (0 for a list) */
	char mark[24];		/* an item's "• " or "12. " */
	long next;		/* FRAME_LIST: the next item's number */
	char delim;		/* FRAME_LIST: '.' or ')'; 0 for bullets */
};

/* How inline text is styled inside the current block. */
struct ictx {
	enum role base;		/* ROLE_TEXT, or ROLE_QUOTE inside a quote */
	bool heading;		/* everything in ROLE_HEADING */
	unsigned int style;	/* added to every run (a table's header) */
	bool flat;		/* hard breaks become spaces (table cells) */
};

struct render {
	struct md_doc *doc;
	size_t lcap;
	int width;
	bool oom;

	const char *src;
	size_t srclen;
	size_t *lines;		/* source line starts, built on first use */
	size_t nlines;

	struct frame *frames;
	size_t nframes, fcap;
	/* frames[0..started) have shown their first line's mark */
	size_t started;
	bool pending_blank;

	struct md_span *spans;	/* the screen line being built */
	size_t nspans, scap;

	struct inl inl;		/* the current leaf block's text */
	size_t *links;		/* where each open link's text starts */
	size_t nlinks, lkcap;
	char *scratch;
	size_t scratch_cap;
};

/* ---- memory ---- */

/* Reallocates array a (of elements of size sz) to hold at least need,
 * doubling; on failure a is kept and the render marked out of memory. */
static void *grow_array(struct render *r, void *a, size_t *cap, size_t need,
			size_t sz)
{
	size_t c = *cap ? *cap : 8;
	void *q;

	while (c < need)
		c *= 2;
	q = reallocarray(a, c, sz);
	if (!q) {
		r->oom = true;
		return a;
	}
	*cap = c;
	return q;
}

/* Makes room for n more elements in array a holding len of cap; false
 * when out of memory (now or before). */
#define GROW(r, a, cap, len, n)						\
	(!(r)->oom && ((len) + (n) <= (cap) ||				\
		       ((a) = grow_array((r), (a), &(cap), (len) + (n),	\
					 sizeof(*(a))), !(r)->oom)))

static char *scratch(struct render *r, size_t n)
{
	if (!GROW(r, r->scratch, r->scratch_cap, 0, n))
		return NULL;
	return r->scratch;
}

/* ---- inline text ---- */

/* Empties in, leaving buf a valid "" even before its first use. */
static void inl_reset(struct render *r, struct inl *in)
{
	in->len = 0;
	in->nruns = 0;
	if (GROW(r, in->buf, in->cap, 0, 1))
		in->buf[0] = '\0';
}

static void inl_free(struct inl *in)
{
	free(in->buf);
	free(in->runs);
}

/*
 * Copies s[0..n) to out (room for n bytes): control characters, C1
 * controls and invalid bytes become '?' and whitespace a space, so every
 * byte is drawn as text.h measured it and nothing reaches the terminal
 * that it would interpret.  Returns the bytes written.
 */
static size_t clean(const char *s, size_t n, char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		mbstate_t st;
		wchar_t wc;
		size_t k;

		if (c < 0x80) {
			if (c == '\t' || c == '\n' || c == '\r')
				c = ' ';
			else if (c < 0x20 || c == 0x7f)
				c = '?';
			out[o++] = (char)c;
			i++;
			continue;
		}
		memset(&st, 0, sizeof(st));
		k = mbrtowc(&wc, s + i, n - i, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			out[o++] = '?';
			i++;
		} else if (wcwidth(wc) < 0) {
			out[o++] = '?';
			i += k;
		} else {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		}
	}
	return o;
}

/* Appends s[0..n) in the given style. */
static void inl_add(struct render *r, struct inl *in, enum role role,
		    unsigned int style, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (!in->nruns || in->runs[in->nruns - 1].role != role ||
	    in->runs[in->nruns - 1].style != style) {
		if (!GROW(r, in->runs, in->rcap, in->nruns, 1))
			return;
		in->runs[in->nruns++] = (struct run){ in->len, role, style };
	}
	if (!GROW(r, in->buf, in->cap, in->len, n + 1))
		return;
	in->len += clean(s, n, in->buf + in->len);
	in->buf[in->len] = '\0';
}

static void inl_adds(struct render *r, struct inl *in, enum role role,
		     unsigned int style, const char *s)
{
	if (s)
		inl_add(r, in, role, style, s, strlen(s));
}

static void inl_break(struct render *r, struct inl *in)
{
	if (!GROW(r, in->buf, in->cap, in->len, 2))
		return;
	in->buf[in->len++] = '\n';
	in->buf[in->len] = '\0';
}

static enum role text_role(const struct ictx *c, int links, bool code)
{
	if (c->heading)
		return ROLE_HEADING;
	if (code)
		return ROLE_CODE;
	return links ? ROLE_LINK : c->base;
}

/* A link's URL is worth showing unless it only repeats the text, as an
 * autolink's does. */
static bool url_repeats(const char *url, const char *text, size_t n)
{
	if (!strncmp(url, "mailto:", 7) && strlen(url + 7) == n &&
	    !memcmp(url + 7, text, n))
		return true;
	return strlen(url) == n && !memcmp(url, text, n);
}

/* Appends the inline content of block (a paragraph or heading) to in. */
static void gather(struct render *r, struct inl *in, cmark_node *block,
		   const struct ictx *c)
{
	cmark_iter *it = cmark_iter_new(block);
	cmark_event_type ev;
	int emph = 0, strong = 0;

	if (!it) {
		r->oom = true;
		return;
	}
	r->nlinks = 0;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && !r->oom) {
		cmark_node *n = cmark_iter_get_node(it);
		bool enter = ev == CMARK_EVENT_ENTER;
		int d = enter ? 1 : -1;
		unsigned int style = c->style | (emph ? STYLE_EMPH : 0) |
				     (strong ? STYLE_STRONG : 0);
		enum role role = text_role(c, (int)r->nlinks, false);

		if (n == block)
			continue;
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_HTML_INLINE:
			inl_adds(r, in, role, style, cmark_node_get_literal(n));
			break;
		case CMARK_NODE_CODE:
			inl_adds(r, in, text_role(c, 0, true), style,
				 cmark_node_get_literal(n));
			break;
		case CMARK_NODE_SOFTBREAK:
			inl_add(r, in, role, style, " ", 1);
			break;
		case CMARK_NODE_LINEBREAK:
			if (c->flat)
				inl_add(r, in, role, style, " ", 1);
			else
				inl_break(r, in);
			break;
		case CMARK_NODE_EMPH:
			emph += d;
			break;
		case CMARK_NODE_STRONG:
			strong += d;
			break;
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			if (enter) {
				if (GROW(r, r->links, r->lkcap, r->nlinks, 1))
					r->links[r->nlinks++] = in->len;
			} else if (r->nlinks) {
				size_t at = r->links[--r->nlinks];
				const char *url = cmark_node_get_url(n);

				if (url && *url &&
				    !url_repeats(url, in->buf + at,
						 in->len - at)) {
					enum role dim = c->heading ?
						ROLE_HEADING : ROLE_DIM;

					inl_add(r, in, text_role(c, 0, false),
						c->style, " ", 1);
					inl_add(r, in, dim, c->style, "<", 1);
					inl_adds(r, in, dim, c->style, url);
					inl_add(r, in, dim, c->style, ">", 1);
				}
			}
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/* ---- screen lines ---- */

static void span_add(struct render *r, enum role role, unsigned int style,
		     const char *s, size_t n)
{
	struct md_span *last = r->nspans ? &r->spans[r->nspans - 1] : NULL;
	char *t;

	if (n == 0 || r->oom)
		return;
	if (last && last->role == role && last->style == style) {
		size_t have = strlen(last->text);

		t = realloc(last->text, have + n + 1);
		if (!t) {
			r->oom = true;
			return;
		}
		memcpy(t + have, s, n);
		t[have + n] = '\0';
		last->text = t;
		return;
	}
	if (!GROW(r, r->spans, r->scap, r->nspans, 1))
		return;
	t = strndup(s, n);
	if (!t) {
		r->oom = true;
		return;
	}
	r->spans[r->nspans++] = (struct md_span){ role, style, t };
}

static void span_adds(struct render *r, enum role role, const char *s)
{
	span_add(r, role, 0, s, strlen(s));
}

static void span_repeat(struct render *r, enum role role, const char *s,
			int times)
{
	size_t n = strlen(s);
	char *t;

	if (times <= 0)
		return;
	t = reallocarray(NULL, (size_t)times, n);
	if (!t) {
		r->oom = true;
		return;
	}
	for (int i = 0; i < times; i++)
		memcpy(t + (size_t)i * n, s, n);
	span_add(r, role, 0, t, (size_t)times * n);
	free(t);
}

/* Columns of the container prefixes; frames beyond the cap are not shown,
 * so that a deeply nested block keeps MIN_TEXT columns. */
static int prefix_width(const struct render *r)
{
	int w = 0;

	for (size_t i = 0; i < r->nframes; i++) {
		if (w + r->frames[i].width > r->width - MIN_TEXT)
			break;
		w += r->frames[i].width;
	}
	return w;
}

/* Starts a screen line with the container prefixes: an item's mark on its
 * first line, spaces under it after; a quote's bar on every line.  A blank
 * line shows only the containers it is inside of. */
static void line_begin(struct render *r, bool blank)
{
	int w = 0;

	for (size_t i = 0; i < r->nframes; i++) {
		const struct frame *f = &r->frames[i];
		bool first = i >= r->started;

		if (w + f->width > r->width - MIN_TEXT || (blank && first))
			break;
		w += f->width;
		if (f->kind == FRAME_QUOTE)
			span_adds(r, ROLE_QUOTE, QUOTE_MARK);
		else if (f->kind == FRAME_ITEM && first)
			span_adds(r, ROLE_BULLET, f->mark);
		else if (f->kind == FRAME_ITEM)
			span_repeat(r, ROLE_TEXT, " ", f->width);
	}
}

static void line_end(struct render *r, int heading)
{
	struct md_line *l;

	if (!GROW(r, r->doc->lines, r->lcap, r->doc->nlines, 1))
		return;
	l = &r->doc->lines[r->doc->nlines++];
	l->spans = r->spans;
	l->nspans = r->nspans;
	l->heading = heading;
	r->spans = NULL;
	r->nspans = r->scap = 0;
	r->started = r->nframes;
}

/* Drops the trailing spaces of the line being built. */
static void line_trim(struct render *r)
{
	while (r->nspans && !r->oom) {
		struct md_span *s = &r->spans[r->nspans - 1];
		size_t n = strlen(s->text);

		while (n && s->text[n - 1] == ' ')
			s->text[--n] = '\0';
		if (n)
			break;
		free(s->text);
		r->nspans--;
	}
}

/* A blank line keeps its containers' bars but no trailing spaces; the
 * items it is not inside of yet still show their mark on the next line. */
static void blank_line(struct render *r)
{
	size_t started = r->started;

	line_begin(r, true);
	line_trim(r);
	line_end(r, 0);
	r->started = started;
}

static void block_begin(struct render *r)
{
	if (r->pending_blank && r->doc->nlines)
		blank_line(r);
	r->pending_blank = false;
}

static void block_end(struct render *r)
{
	r->pending_blank = true;
}

/* Adds in's bytes [s, e) as spans; *k is the run holding s or an earlier
 * one, and advances (lines are emitted in order). */
static void spans_of(struct render *r, const struct inl *in, size_t s,
		     size_t e, size_t *k)
{
	while (*k + 1 < in->nruns && in->runs[*k + 1].start <= s)
		(*k)++;
	for (size_t i = *k; i < in->nruns && in->runs[i].start < e; i++) {
		size_t a = in->runs[i].start > s ? in->runs[i].start : s;
		size_t b = i + 1 < in->nruns && in->runs[i + 1].start < e ?
			   in->runs[i + 1].start : e;

		span_add(r, in->runs[i].role, in->runs[i].style, in->buf + a,
			 b - a);
	}
}

/*
 * Wraps in's segment [a, b) (no hard break inside) at cols; returns the
 * number of lines and their ranges (absolute offsets) through *starts and
 * *ends, malloc'd, or 0 when out of memory.
 */
static size_t wrap(struct render *r, const struct inl *in, size_t a,
		   size_t b, int cols, size_t **starts, size_t **ends)
{
	size_t n = text_wrap(in->buf + a, b - a, cols, NULL, NULL, 0);

	*starts = reallocarray(NULL, n, sizeof(**starts));
	*ends = reallocarray(NULL, n, sizeof(**ends));
	if (!*starts || !*ends) {
		free(*starts);
		free(*ends);
		*starts = *ends = NULL;
		r->oom = true;
		return 0;
	}
	text_wrap(in->buf + a, b - a, cols, *starts, *ends, n);
	for (size_t i = 0; i < n; i++) {
		(*starts)[i] += a;
		(*ends)[i] += a;
	}
	return n;
}

/* Lays out r->inl as wrapped lines at the current prefix; returns the
 * widest line's width. */
static int flow(struct render *r, int heading)
{
	const struct inl *in = &r->inl;
	int cols = r->width - prefix_width(r), widest = 0;
	size_t a = 0, k = 0;

	do {
		const char *nl = memchr(in->buf + a, '\n', in->len - a);
		size_t b = nl ? (size_t)(nl - in->buf) : in->len, n;
		size_t *st, *en;

		n = wrap(r, in, a, b, cols, &st, &en);
		for (size_t i = 0; i < n && !r->oom; i++) {
			int w = text_width(in->buf + st[i], en[i] - st[i]);

			if (w > widest)
				widest = w;
			line_begin(r, false);
			spans_of(r, in, st[i], en[i], &k);
			line_end(r, heading);
		}
		free(st);
		free(en);
		a = b + 1;
	} while (a <= in->len && !r->oom);
	return widest;
}

static struct ictx block_ctx(const struct render *r)
{
	struct ictx c = { ROLE_TEXT, false, 0, false };

	for (size_t i = 0; i < r->nframes; i++)
		if (r->frames[i].kind == FRAME_QUOTE)
			c.base = ROLE_QUOTE;
	return c;
}

/* ---- tables ---- */

enum align { ALIGN_LEFT, ALIGN_RIGHT, ALIGN_CENTER };

struct row {
	char **cells;		/* malloc'd cell sources */
	size_t ncells;
};

/* Source line no (1-based, as cmark counts: \n, \r and \r\n end lines)
 * without its line ending, through *len. */
static const char *src_line(struct render *r, size_t no, size_t *len)
{
	const char *s;
	size_t i;

	if (!r->lines) {
		size_t cap = 0, at = 0;

		/* cmark skips a BOM and so do its columns. */
		if (r->srclen >= 3 && !memcmp(r->src, "\xef\xbb\xbf", 3))
			at = 3;
		for (;;) {
			if (!GROW(r, r->lines, cap, r->nlines, 1))
				return NULL;
			r->lines[r->nlines++] = at;
			while (at < r->srclen && r->src[at] != '\n' &&
			       r->src[at] != '\r')
				at++;
			if (at == r->srclen)
				break;
			if (r->src[at] == '\r' && at + 1 < r->srclen &&
			    r->src[at + 1] == '\n')
				at++;
			at++;
		}
	}
	if (no < 1 || no > r->nlines)
		return NULL;
	s = r->src + r->lines[no - 1];
	for (i = 0; s + i < r->src + r->srclen && s[i] != '\n' &&
	     s[i] != '\r'; i++)
		;
	*len = i;
	return s;
}

/*
 * Splits a row "| a | b |" into its cells on the '|'s that are neither
 * escaped nor inside a code span.  Inside a code span "\|" becomes '|'
 * (as GitHub does: the backslash only protects the pipe); outside, cmark
 * removes the backslash itself.  unclosed[n] records that a run of n
 * backticks found no closing run: none after a later one either, so a row
 * of 100k backticks costs no more than a few passes over it.
 */
static bool split_row(struct render *r, const char *s, size_t len,
		      struct row *row)
{
	size_t i = 1, cell = 1, cap = 0;
	bool *unclosed;
	char *buf, *o;

	row->cells = NULL;
	row->ncells = 0;
	unclosed = calloc(len + 1, sizeof(*unclosed));
	buf = malloc(len + 1);
	if (!unclosed || !buf)
		goto oom;
	o = buf;
	while (i <= len) {
		size_t run, j;

		if (i == len || s[i] == '|') {
			char *a = buf, *b = o, *t;

			if (i == len && cell == len)
				break;		/* the row's closing '|' */
			while (a < b && (*a == ' ' || *a == '\t'))
				a++;
			while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
				b--;
			t = strndup(a, (size_t)(b - a));
			if (!t || !GROW(r, row->cells, cap, row->ncells, 1)) {
				free(t);
				goto oom;
			}
			row->cells[row->ncells++] = t;
			o = buf;
			cell = ++i;
			continue;
		}
		if (s[i] == '\\' && i + 1 < len) {
			*o++ = s[i++];
			*o++ = s[i++];
			continue;
		}
		if (s[i] != '`') {
			*o++ = s[i++];
			continue;
		}
		for (run = 0; i + run < len && s[i + run] == '`'; run++)
			;
		/* Look for a closing run of exactly the same length. */
		j = i + run;
		if (unclosed[run]) {
			j = len;
		} else {
			while (j < len) {
				size_t k = 0;

				while (j + k < len && s[j + k] == '`')
					k++;
				if (k == run)
					break;
				j += k ? k : 1;
			}
			unclosed[run] = j >= len;
		}
		if (j >= len) {		/* no closer: literal backticks */
			memcpy(o, s + i, run);
			o += run;
			i += run;
			continue;
		}
		memcpy(o, s + i, run);
		o += run;
		for (i += run; i < j; i++) {
			if (s[i] == '\\' && i + 1 < j && s[i + 1] == '|')
				continue;
			*o++ = s[i];
		}
		memcpy(o, s + j, run);
		o += run;
		i = j + run;
	}
	free(unclosed);
	free(buf);
	return true;
oom:
	free(unclosed);
	free(buf);
	r->oom = true;
	return false;
}

static void row_free(struct row *row)
{
	for (size_t i = 0; i < row->ncells; i++)
		free(row->cells[i]);
	free(row->cells);
}

/* A delimiter row's cell: ":?-+:?"; its alignment through *a. */
static bool delim_cell(const char *c, enum align *a)
{
	size_t n = strlen(c), i = 0;
	bool left = false, right = false;

	if (n && c[0] == ':') {
		left = true;
		i++;
	}
	if (n > i && c[n - 1] == ':') {
		right = true;
		n--;
	}
	if (i >= n)
		return false;
	for (; i < n; i++)
		if (c[i] != '-')
			return false;
	*a = left && right ? ALIGN_CENTER : right ? ALIGN_RIGHT : ALIGN_LEFT;
	return true;
}

/* A cell's inline Markdown, parsed alone.  Text that cmark would read as
 * a block of its own ("-", "# x") is shown as it is written. */
static void cell_text(struct render *r, struct inl *in, const char *src,
		      const struct ictx *c)
{
	cmark_node *doc = cmark_parse_document(src, strlen(src),
					       CMARK_OPT_VALIDATE_UTF8);
	cmark_node *p = doc ? cmark_node_first_child(doc) : NULL;

	if (!doc) {
		r->oom = true;
		return;
	}
	if (p && cmark_node_get_type(p) == CMARK_NODE_PARAGRAPH &&
	    !cmark_node_next(p))
		gather(r, in, p, c);
	else
		inl_adds(r, in, c->base, c->style, src);
	cmark_node_free(doc);
}

static int imin(int a, int b)
{
	return a < b ? a : b;
}

static int imax(int a, int b)
{
	return a > b ? a : b;
}

/* Columns of the table with every column cut to cap but none below its
 * floor. */
static int table_width(const int *nat, const int *least, size_t ncols,
		       int cap)
{
	int t = TABLE_SEP_COLS * (int)(ncols - 1);

	for (size_t c = 0; c < ncols; c++)
		t += imax(imin(nat[c], cap), least[c]);
	return t;
}

/*
 * Column widths: the natural widths if they fit; otherwise every column
 * wider than some cap is cut to it (the widest shrink first), with the
 * largest cap that fits and the columns left over given to the cut ones.
 * No column goes below its longest word if that can fit, else below 2 (a
 * Hangul syllable).  False if even that does not fit.
 */
static bool fit_columns(const int *nat, const int *word, int *least, int *w,
			size_t ncols, int avail)
{
	int lo = 0, hi = 0, sum;

	for (size_t c = 0; c < ncols; c++) {
		least[c] = word[c];
		hi = imax(hi, nat[c]);
	}
	if (table_width(nat, least, ncols, 0) > avail) {
		for (size_t c = 0; c < ncols; c++)
			least[c] = imin(nat[c], 2);
		if (table_width(nat, least, ncols, 0) > avail)
			return false;
	}
	while (lo < hi) {
		int mid = lo + (hi - lo + 1) / 2;

		if (table_width(nat, least, ncols, mid) <= avail)
			lo = mid;
		else
			hi = mid - 1;
	}
	sum = table_width(nat, least, ncols, lo);
	for (size_t c = 0; c < ncols; c++) {
		w[c] = imax(imin(nat[c], lo), least[c]);
		if (w[c] < nat[c] && sum < avail) {
			w[c]++;
			sum++;
		}
	}
	return true;
}

/* Width of the widest word (run of non-spaces) of in. */
static int widest_word(const struct inl *in)
{
	size_t i = 0, j;
	int w = 0;

	while (i < in->len) {
		for (j = i; j < in->len && in->buf[j] != ' '; j++)
			;
		w = imax(w, text_width(in->buf + i, j - i));
		i = j + 1;
	}
	return w;
}

static void pad(struct render *r, int n)
{
	span_repeat(r, ROLE_TEXT, " ", n);
}

/* A table cell wrapped to its column. */
struct cell_lines {
	size_t *st, *en;	/* each line's byte range */
	size_t n;		/* lines */
	size_t k;		/* run cursor for spans_of() */
};

/* One table row: each cell wrapped to its column, side by side. */
static void table_row(struct render *r, struct inl *cells, const int *w,
		      const enum align *al, size_t ncols)
{
	struct cell_lines *cl = calloc(ncols, sizeof(*cl));
	size_t height = 1;

	if (!cl) {
		r->oom = true;
		return;
	}
	for (size_t c = 0; c < ncols; c++) {
		cl[c].n = wrap(r, &cells[c], 0, cells[c].len, w[c], &cl[c].st,
			       &cl[c].en);
		if (cl[c].n > height)
			height = cl[c].n;
	}
	for (size_t y = 0; y < height && !r->oom; y++) {
		line_begin(r, false);
		for (size_t c = 0; c < ncols; c++) {
			struct cell_lines *l = &cl[c];
			int cw = 0, left = 0, right;

			if (c)
				span_adds(r, ROLE_RULE, TABLE_SEP);
			if (y < l->n)
				cw = text_width(cells[c].buf + l->st[y],
						l->en[y] - l->st[y]);
			right = w[c] - cw;
			if (al[c] == ALIGN_RIGHT)
				left = right;
			else if (al[c] == ALIGN_CENTER)
				left = right / 2;
			right -= left;
			pad(r, left);
			if (y < l->n)
				spans_of(r, &cells[c], l->st[y], l->en[y],
					 &l->k);
			pad(r, right);
		}
		line_trim(r);
		line_end(r, 0);
	}
	for (size_t c = 0; c < ncols; c++) {
		free(cl[c].st);
		free(cl[c].en);
	}
	free(cl);
}

/* Reads the paragraph's source lines as a pipe table; false if they are
 * not one (or it cannot fit), and the paragraph is shown as text. */
static bool table(struct render *r, cmark_node *para)
{
	int first = cmark_node_get_start_line(para);
	int last = cmark_node_get_end_line(para);
	int col = cmark_node_get_start_column(para);
	int avail = r->width - prefix_width(r);
	size_t nrows = 0, ncols = 0;
	struct row *rows = NULL;
	struct inl *cells = NULL;
	enum align *al = NULL;
	int *nat = NULL, *word, *least, *w;
	struct ictx c = block_ctx(r);
	bool ok = false;

	if (first < 1 || last - first < 1 || col < 1)
		return false;
	rows = calloc((size_t)(last - first + 1), sizeof(*rows));
	if (!rows) {
		r->oom = true;
		return false;
	}
	for (int no = first; no <= last; no++) {
		size_t len, i = 0;
		const char *s = src_line(r, (size_t)no, &len);

		if (!s)
			goto out;
		/* The first line starts at the paragraph's column; later
		 * ones after the same container markers and indentation. */
		if (no == first)
			i = (size_t)col - 1 < len ? (size_t)col - 1 : len;
		else
			while (i < len && i < (size_t)col - 1 &&
			       strchr(" \t>", s[i]))
				i++;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		while (len > i && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (i >= len || s[i] != '|')
			goto out;
		if (!split_row(r, s + i, len - i, &rows[nrows++]))
			goto out;
	}
	ncols = rows[0].ncells;
	if (!ncols || rows[1].ncells != ncols ||
	    ncols - 1 > (size_t)avail / TABLE_SEP_COLS)
		goto out;
	al = calloc(ncols, sizeof(*al));
	nat = calloc(4 * ncols, sizeof(*nat));
	word = nat + ncols;
	least = word + ncols;
	w = least + ncols;
	cells = calloc(ncols * nrows, sizeof(*cells));
	if (!al || !nat || !cells) {
		r->oom = true;
		goto out;
	}
	for (size_t x = 0; x < ncols; x++)
		if (!delim_cell(rows[1].cells[x], &al[x]))
			goto out;
	c.flat = true;
	for (size_t y = 0; y < nrows && !r->oom; y++) {
		c.style = y == 0 ? STYLE_STRONG : 0;
		for (size_t x = 0; y != 1 && x < ncols; x++) {
			struct inl *in = &cells[y * ncols + x];
			int cw;

			inl_reset(r, in);
			if (x < rows[y].ncells)
				cell_text(r, in, rows[y].cells[x], &c);
			cw = text_width(in->buf, in->len);
			nat[x] = imax(nat[x], cw);
			word[x] = imax(word[x], widest_word(in));
		}
	}
	if (r->oom || !fit_columns(nat, word, least, w, ncols, avail))
		goto out;
	ok = true;
	block_begin(r);
	table_row(r, cells, w, al, ncols);
	line_begin(r, false);
	for (size_t x = 0; x < ncols; x++) {
		if (x)
			span_adds(r, ROLE_RULE, TABLE_CROSS);
		span_repeat(r, ROLE_RULE, RULE_CHAR, w[x]);
	}
	line_end(r, 0);
	for (size_t y = 2; y < nrows; y++)
		table_row(r, cells + y * ncols, w, al, ncols);
	block_end(r);
out:
	for (size_t y = 0; y < nrows; y++)
		row_free(&rows[y]);
	for (size_t x = 0; cells && x < ncols * nrows; x++)
		inl_free(&cells[x]);
	free(rows);
	free(cells);
	free(al);
	free(nat);
	return ok;
}

/* ---- blocks ---- */

static void paragraph(struct render *r, cmark_node *n)
{
	struct ictx c = block_ctx(r);

	if (table(r, n) || r->oom)
		return;
	inl_reset(r, &r->inl);
	gather(r, &r->inl, n, &c);
	block_begin(r);
	flow(r, 0);
	block_end(r);
}

static void heading(struct render *r, cmark_node *n)
{
	struct ictx c = block_ctx(r);
	int level = cmark_node_get_heading_level(n), w;

	c.heading = true;
	inl_reset(r, &r->inl);
	gather(r, &r->inl, n, &c);
	block_begin(r);
	w = flow(r, level);
	if (level <= 2 && w > 0) {
		line_begin(r, false);
		span_repeat(r, ROLE_HEADING, level == 1 ? "=" : "-", w);
		line_end(r, 0);
	}
	block_end(r);
}

/* Raw HTML is shown as the text it is, line by line. */
static void html(struct render *r, cmark_node *n)
{
	const char *s = cmark_node_get_literal(n);
	struct ictx c = block_ctx(r);
	size_t len = s ? strlen(s) : 0;

	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	inl_reset(r, &r->inl);
	for (size_t i = 0; i < len && !r->oom;) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - s) : len;

		if (i)
			inl_break(r, &r->inl);
		inl_add(r, &r->inl, c.base, 0, s + i, e - i);
		i = e + 1;
	}
	block_begin(r);
	flow(r, 0);
	block_end(r);
}

/* One code line with its tabs expanded and unprintables as '?', into
 * r->scratch; its length in bytes, or -1. */
static long code_line(struct render *r, const char *s, size_t n)
{
	/* A tab becomes at most TAB_STOP spaces; nothing else grows. */
	char *o = scratch(r, n * TAB_STOP + 1), *seg;
	size_t i = 0;
	int col = 0;

	if (!o)
		return -1;
	while (i < n) {
		size_t end = i;

		while (end < n && s[end] != '\t')
			end++;
		seg = o;
		o += clean(s + i, end - i, o);
		col += text_width(seg, (size_t)(o - seg));
		i = end;
		if (i < n) {
			do
				*o++ = ' ';
			while (++col % TAB_STOP);
			i++;
		}
	}
	return (long)(o - r->scratch);
}

static void code_block(struct render *r, cmark_node *n)
{
	const char *s = cmark_node_get_literal(n);
	size_t len;
	int cols = r->width - prefix_width(r) - 2;

	if (!s)
		s = "";
	len = strlen(s);
	if (len && s[len - 1] == '\n')
		len--;
	block_begin(r);
	for (size_t i = 0; i <= len && !r->oom;) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - s) : len, at = 0, fit, b;
		long m = code_line(r, s + i, e - i);

		if (m < 0)
			break;
		do {
			fit = text_fit(r->scratch + at, (size_t)m - at, cols,
				       NULL);
			if (!fit && at < (size_t)m) {
				text_char(r->scratch + at, (size_t)m - at, &b);
				fit = b;
			}
			line_begin(r, false);
			if (at)
				span_adds(r, ROLE_DIM, CODE_CONT);
			else
				span_adds(r, ROLE_TEXT, CODE_INDENT);
			span_add(r, ROLE_CODEBLOCK, 0, r->scratch + at, fit);
			line_end(r, 0);
			at += fit;
		} while (at < (size_t)m && !r->oom);
		i = e + 1;
	}
	block_end(r);
}

static void thematic_break(struct render *r)
{
	block_begin(r);
	line_begin(r, false);
	span_repeat(r, ROLE_RULE, RULE_CHAR, r->width - prefix_width(r));
	line_end(r, 0);
	block_end(r);
}

static void push(struct render *r, struct frame f)
{
	if (GROW(r, r->frames, r->fcap, r->nframes, 1))
		r->frames[r->nframes++] = f;
}

static void pop(struct render *r)
{
	if (r->nframes)
		r->nframes--;
	if (r->started > r->nframes)
		r->started = r->nframes;
}

static void enter_list(struct render *r, cmark_node *n)
{
	struct frame f = { .kind = FRAME_LIST };

	if (cmark_node_get_list_type(n) == CMARK_ORDERED_LIST) {
		f.next = cmark_node_get_list_start(n);
		f.delim = cmark_node_get_list_delim(n) == CMARK_PAREN_DELIM ?
			  ')' : '.';
	}
	push(r, f);
}

static void enter_item(struct render *r)
{
	struct frame f = { .kind = FRAME_ITEM }, *list;

	list = r->nframes ? &r->frames[r->nframes - 1] : NULL;
	if (list && list->kind == FRAME_LIST && list->delim) {
		snprintf(f.mark, sizeof(f.mark), "%ld%c ", list->next++,
			 list->delim);
		f.width = (int)strlen(f.mark);
	} else {
		strcpy(f.mark, BULLET_MARK);
		f.width = 2;
	}
	push(r, f);
}

/* An item with nothing in it still shows its mark. */
static void exit_item(struct render *r)
{
	if (r->nframes && r->started < r->nframes) {
		block_begin(r);
		line_begin(r, false);
		line_end(r, 0);
		block_end(r);
	}
	pop(r);
}

/* Tight lists have no blank line between their items, nor between the
 * blocks inside one item. */
static void tighten(struct render *r, cmark_node *n)
{
	cmark_node *p = cmark_node_parent(n);
	cmark_node *list = p ? cmark_node_parent(p) : NULL;

	if (!p || !cmark_node_previous(n))
		return;
	if (cmark_node_get_type(n) == CMARK_NODE_ITEM &&
	    cmark_node_get_list_tight(p))
		r->pending_blank = false;
	if (cmark_node_get_type(p) == CMARK_NODE_ITEM && list &&
	    cmark_node_get_list_tight(list))
		r->pending_blank = false;
}

static void walk(struct render *r, cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;

	if (!it) {
		r->oom = true;
		return;
	}
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && !r->oom) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);

		if (ev == CMARK_EVENT_EXIT) {
			if (t == CMARK_NODE_ITEM)
				exit_item(r);
			else if (t == CMARK_NODE_LIST ||
				 t == CMARK_NODE_BLOCK_QUOTE)
				pop(r);
			continue;
		}
		tighten(r, n);
		switch (t) {
		case CMARK_NODE_BLOCK_QUOTE:
			push(r, (struct frame){ .kind = FRAME_QUOTE,
						.width = 2 });
			break;
		case CMARK_NODE_LIST:
			enter_list(r, n);
			break;
		case CMARK_NODE_ITEM:
			enter_item(r);
			break;
		case CMARK_NODE_PARAGRAPH:
			paragraph(r, n);
			cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
			break;
		case CMARK_NODE_HEADING:
			heading(r, n);
			cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
			break;
		case CMARK_NODE_CODE_BLOCK:
			code_block(r, n);
			break;
		case CMARK_NODE_HTML_BLOCK:
			html(r, n);
			break;
		case CMARK_NODE_THEMATIC_BREAK:
			thematic_break(r);
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

struct md_doc *md_render(const char *markdown, size_t len, int width)
{
	struct render r = { 0 };
	cmark_node *doc;

	if (!markdown)
		len = 0;
	r.src = markdown ? markdown : "";
	r.srclen = len;
	r.width = width < MIN_WIDTH ? MIN_WIDTH : width;
	r.doc = calloc(1, sizeof(*r.doc));
	if (!r.doc)
		return NULL;
	r.doc->width = r.width;
	doc = cmark_parse_document(r.src, len, CMARK_OPT_VALIDATE_UTF8);
	if (!doc)
		r.oom = true;
	else
		walk(&r, doc);
	cmark_node_free(doc);
	for (size_t i = 0; i < r.nspans; i++)
		free(r.spans[i].text);
	free(r.spans);
	inl_free(&r.inl);
	free(r.frames);
	free(r.links);
	free(r.lines);
	free(r.scratch);
	if (r.oom) {
		md_free(r.doc);
		return NULL;
	}
	return r.doc;
}

void md_free(struct md_doc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nlines; i++) {
		for (size_t j = 0; j < d->lines[i].nspans; j++)
			free(d->lines[i].spans[j].text);
		free(d->lines[i].spans);
	}
	free(d->lines);
	free(d);
}

char *md_line_text(const struct md_line *l)
{
	size_t n = 0;
	char *t, *o;

	for (size_t i = 0; i < l->nspans; i++)
		n += strlen(l->spans[i].text);
	t = malloc(n + 1);
	if (!t)
		return NULL;
	o = t;
	for (size_t i = 0; i < l->nspans; i++) {
		size_t k = strlen(l->spans[i].text);

		memcpy(o, l->spans[i].text, k);
		o += k;
	}
	*o = '\0';
	return t;
}
