// SPDX-License-Identifier: MIT
/*
 * test_md.c - suite "markdown": each construct laid out as the exact lines
 * a reader sees (with the roles and styles of the spans that matter), the
 * real lesson pages within the width, and hostile input rendered quickly.
 */
#define _GNU_SOURCE
#include "md.h"
#include "text.h"

#include <CUnit/CUnit.h>
#include <glob.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int setup(void)
{
	return setlocale(LC_CTYPE, "C.UTF-8") ? 0 : -1;
}

static struct md_doc *render(const char *md, int width)
{
	struct md_doc *d = md_render(md, strlen(md), width);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	return d;
}

static char *line_text(const struct md_doc *d, size_t i)
{
	char *t = md_line_text(&d->lines[i]);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	return t;
}

/* Renders md[0..len) at width and compares the lines, as text, with want
 * (NULL-terminated); returns the document for further checks. */
static struct md_doc *checkn(const char *md, size_t len, int width,
			     const char *const *want)
{
	struct md_doc *d = md_render(md, len, width);
	size_t n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while (want[n])
		n++;
	if (d->nlines != n) {
		fprintf(stderr, "\n  %zu lines, want %zu:", d->nlines, n);
		for (size_t i = 0; i < d->nlines; i++) {
			char *t = line_text(d, i);

			fprintf(stderr, "\n  |%s|", t);
			free(t);
		}
	}
	CU_ASSERT_EQUAL_FATAL(d->nlines, n);
	for (size_t i = 0; i < n; i++) {
		char *t = line_text(d, i);

		if (strcmp(t, want[i]))
			fprintf(stderr, "\n  line %zu: |%s|, want |%s|", i, t,
				want[i]);
		CU_ASSERT_STRING_EQUAL(t, want[i]);
		CU_ASSERT(text_width(t, strlen(t)) <= width);
		free(t);
	}
	return d;
}

static struct md_doc *check(const char *md, int width, const char *const *want)
{
	return checkn(md, strlen(md), width, want);
}

struct want_span {
	const char *text;
	enum role role;
	unsigned int style;
};

/* Line i of d has exactly the spans in want (terminated by a NULL text). */
static void check_spans(const struct md_doc *d, size_t i,
			const struct want_span *want)
{
	const struct md_line *l = &d->lines[i];
	size_t n = 0;

	while (want[n].text)
		n++;
	CU_ASSERT_FATAL(i < d->nlines);
	CU_ASSERT_EQUAL_FATAL(l->nspans, n);
	for (size_t k = 0; k < n; k++) {
		CU_ASSERT_STRING_EQUAL(l->spans[k].text, want[k].text);
		CU_ASSERT_EQUAL(l->spans[k].role, want[k].role);
		CU_ASSERT_EQUAL(l->spans[k].style, want[k].style);
	}
}

#define LINES(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define SPANS(...) ((const struct want_span[]){ __VA_ARGS__, { NULL, 0, 0 } })

static void test_headings(void)
{
	struct md_doc *d = check("# One\n\n## Two *b*\n\n### Three\n\n"
				 "#### Four\n\nSetext\n======\n", 40,
				 LINES("One", "===", "", "Two b", "-----", "",
				       "Three", "", "Four", "", "Setext",
				       "======"));
	static const int level[] = { 1, 0, 0, 2, 0, 0, 3, 0, 4, 0, 1, 0 };

	for (size_t i = 0; i < d->nlines; i++)
		CU_ASSERT_EQUAL(d->lines[i].heading, level[i]);
	check_spans(d, 0, SPANS({ "One", ROLE_HEADING, 0 }));
	check_spans(d, 1, SPANS({ "===", ROLE_HEADING, 0 }));
	check_spans(d, 3, SPANS({ "Two ", ROLE_HEADING, 0 },
				{ "b", ROLE_HEADING, STYLE_EMPH }));
	md_free(d);

	/* A heading too wide wraps; the rule is under its widest line. */
	d = check("# 세 가지 주소 공간과 그 사이의 다리\n", 20,
		  LINES("세 가지 주소 공간과", "그 사이의 다리",
			"==================="));
	CU_ASSERT_EQUAL(d->lines[1].heading, 1);
	md_free(d);
}

static void test_emphasis(void)
{
	struct md_doc *d = check("plain *em* **strong** ***both*** _u_\n", 40,
				 LINES("plain em strong both u"));

	check_spans(d, 0, SPANS({ "plain ", ROLE_TEXT, 0 },
				{ "em", ROLE_TEXT, STYLE_EMPH },
				{ " ", ROLE_TEXT, 0 },
				{ "strong", ROLE_TEXT, STYLE_STRONG },
				{ " ", ROLE_TEXT, 0 },
				{ "both", ROLE_TEXT, STYLE_EMPH | STYLE_STRONG },
				{ " ", ROLE_TEXT, 0 },
				{ "u", ROLE_TEXT, STYLE_EMPH }));
	md_free(d);

	/* A style carries over a line break. */
	d = check("a **bold run of words** z\n", 20,
		  LINES("a bold run of words", "z"));
	check_spans(d, 0, SPANS({ "a ", ROLE_TEXT, 0 },
				{ "bold run of words", ROLE_TEXT, STYLE_STRONG }));
	md_free(d);
	d = check("a **bold run of more words** z\n", 20,
		  LINES("a bold run of more", "words z"));
	check_spans(d, 1, SPANS({ "words", ROLE_TEXT, STYLE_STRONG },
				{ " z", ROLE_TEXT, 0 }));
	md_free(d);
}

static void test_inline_code(void)
{
	struct md_doc *d = check("use `ioremap()` *then `readl`*\n", 40,
				 LINES("use ioremap() then readl"));

	check_spans(d, 0, SPANS({ "use ", ROLE_TEXT, 0 },
				{ "ioremap()", ROLE_CODE, 0 },
				{ " ", ROLE_TEXT, 0 },
				{ "then ", ROLE_TEXT, STYLE_EMPH },
				{ "readl", ROLE_CODE, STYLE_EMPH }));
	md_free(d);
}

static void test_links(void)
{
	struct md_doc *d = check("see [the docs](https://kernel.org) or "
				 "<https://x.org>\n", 60,
				 LINES("see the docs <https://kernel.org> or "
				       "https://x.org"));

	check_spans(d, 0, SPANS({ "see ", ROLE_TEXT, 0 },
				{ "the docs", ROLE_LINK, 0 },
				{ " ", ROLE_TEXT, 0 },
				{ "<https://kernel.org>", ROLE_DIM, 0 },
				{ " or ", ROLE_TEXT, 0 },
				{ "https://x.org", ROLE_LINK, 0 }));
	md_free(d);
	d = check("mail <me@x.org>\n", 40, LINES("mail me@x.org"));
	md_free(d);
}

static void test_lists(void)
{
	struct md_doc *d;

	d = check("- alpha beta gamma delta\n- two\n", 20,
		  LINES("• alpha beta gamma", "  delta", "• two"));
	check_spans(d, 0, SPANS({ "• ", ROLE_BULLET, 0 },
				{ "alpha beta gamma", ROLE_TEXT, 0 }));
	check_spans(d, 1, SPANS({ "  delta", ROLE_TEXT, 0 }));
	md_free(d);

	d = check("3. one two three four\n4. x\n", 20,
		  LINES("3. one two three", "   four", "4. x"));
	check_spans(d, 0, SPANS({ "3. ", ROLE_BULLET, 0 },
				{ "one two three", ROLE_TEXT, 0 }));
	md_free(d);
	md_free(check("9) a\n10) b c d e f g h\n", 20,
		      LINES("9) a", "10) b c d e f g h")));

	/* Loose items are a block apart; a paragraph before the list too. */
	md_free(check("intro\n- a\n\n- b\n\nafter\n", 20,
		      LINES("intro", "", "• a", "", "• b", "", "after")));
	md_free(check("-\n- b\n", 20, LINES("• ", "• b")));
}

static void test_nested_list(void)
{
	md_free(check("- a\n  - b b b b b b b b\n    - c\n- d\n", 20,
		      LINES("• a", "  • b b b b b b b b", "    • c", "• d")));
	md_free(check("- a\n  - b b b b b b b b b\n", 20,
		      LINES("• a", "  • b b b b b b b b", "    b")));
	md_free(check("1. a\n\n   - x\n\n2. b\n", 20,
		      LINES("1. a", "", "   • x", "", "2. b")));
}

static void test_code_block(void)
{
	struct md_doc *d = check("```c\n0123456789abcdefghijklmnopqrstuvwxyz\n"
				 "\tx\ty\n\n```\n", 20,
				 LINES("  0123456789abcdefgh",
				       "↪ ijklmnopqrstuvwxyz",
				       "          x       y",
				       "  "));

	check_spans(d, 0, SPANS({ "  ", ROLE_TEXT, 0 },
				{ "0123456789abcdefgh", ROLE_CODEBLOCK, 0 }));
	check_spans(d, 1, SPANS({ "↪ ", ROLE_DIM, 0 },
				{ "ijklmnopqrstuvwxyz", ROLE_CODEBLOCK, 0 }));
	md_free(d);
	/* Spaces are not break points in code, wide characters not cut. */
	md_free(check("    a b c d e f g h i j\n    가나다라마바사아자차\n", 20,
		      LINES("  a b c d e f g h i ", "↪ j",
			    "  가나다라마바사아자", "↪ 차")));
}

static void test_quote(void)
{
	struct md_doc *d = check("> quoted text that wraps at `twenty`\n>\n"
				 "> - item\n", 20,
				 LINES("│ quoted text that", "│ wraps at twenty",
				       "│", "│ • item"));

	check_spans(d, 0, SPANS({ "│ quoted text that", ROLE_QUOTE, 0 }));
	check_spans(d, 1, SPANS({ "│ wraps at ", ROLE_QUOTE, 0 },
				{ "twenty", ROLE_CODE, 0 }));
	check_spans(d, 3, SPANS({ "│ ", ROLE_QUOTE, 0 },
				{ "• ", ROLE_BULLET, 0 },
				{ "item", ROLE_QUOTE, 0 }));
	md_free(d);
	md_free(check("> > deep\n", 20, LINES("│ │ deep")));
}

static void test_rule_html_breaks(void)
{
	struct md_doc *d = check("a\n\n---\n\nb  \nc\\\nd\ne\n", 20,
				 LINES("a", "", "────────────────────", "",
				       "b", "c", "d e"));

	check_spans(d, 2, SPANS({ "────────────────────", ROLE_RULE, 0 }));
	md_free(d);
	md_free(check("<div>\n<b>x</b>\n</div>\n\ninline <i>x</i>\n", 20,
		      LINES("<div>", "<b>x</b>", "</div>", "",
			    "inline <i>x</i>")));
}

static const char table_md[] =
	"| name | bits |\n"
	"|---|---:|\n"
	"| `pgd` | 47-39 |\n"
	"| **pud** | 38-30 |\n";

static void test_table(void)
{
	struct md_doc *d = check(table_md, 40,
				 LINES("name │  bits",
				       "─────┼──────",
				       "pgd  │ 47-39",
				       "pud  │ 38-30"));

	check_spans(d, 0, SPANS({ "name", ROLE_TEXT, STYLE_STRONG },
				{ " │ ", ROLE_RULE, 0 },
				{ " ", ROLE_TEXT, 0 },
				{ "bits", ROLE_TEXT, STYLE_STRONG }));
	check_spans(d, 1, SPANS({ "─────┼──────", ROLE_RULE, 0 }));
	check_spans(d, 2, SPANS({ "pgd", ROLE_CODE, 0 },
				{ " ", ROLE_TEXT, 0 },
				{ " │ ", ROLE_RULE, 0 },
				{ "47-39", ROLE_TEXT, 0 }));
	check_spans(d, 3, SPANS({ "pud", ROLE_TEXT, STYLE_STRONG },
				{ " ", ROLE_TEXT, 0 },
				{ " │ ", ROLE_RULE, 0 },
				{ "38-30", ROLE_TEXT, 0 }));
	md_free(d);

	/* Too wide: the widest column shrinks and its cells wrap. */
	md_free(check("| a | b |\n|---|---|\n"
		      "| short | this cell is far too long to fit |\n", 20,
		      LINES("a     │ b",
			    "──────┼─────────────",
			    "short │ this cell is",
			    "      │ far too long",
			    "      │ to fit")));
	/* Pipes inside code spans and escaped ones stay in their cell; a
	 * cell cmark would read as a block is shown as written. */
	md_free(check("| x | y | z |\n|:-:|---|---|\n| `a|b` | c \\| d | - |\n",
		      40, LINES(" x  │ y     │ z",
				"────┼───────┼──",
				"a|b │ c | d │ -")));
	md_free(check("> | k | 값 |\n> |---|---|\n> | 주소 | 0x10 |\n", 40,
		      LINES("│ k    │ 값", "│ ─────┼─────", "│ 주소 │ 0x10")));
	/* In a list item (rows indented under it), after a BOM, with CRLF. */
	md_free(check("- | a | b |\n  |---|---|\n  | c | d |\n", 40,
		      LINES("• a │ b", "  ──┼──", "  c │ d")));
	md_free(check("\xef\xbb\xbf| a |\r\n|---|\r\n| b |\r\n", 40,
		      LINES("a", "─", "b")));
	/* Not tables: a row without the delimiter row, or ragged. */
	md_free(check("| a | b |\n| c | d |\n", 40, LINES("| a | b | | c | d |")));
	md_free(check("| a | b |\n|---|\n", 40, LINES("| a | b | |---|")));
}

/* lessons/ch1/ko.md's opening paragraph. */
static void test_korean_paragraph(void)
{
	md_free(check("디바이스 드라이버는 세 종류의 주소를 다룹니다. 드라이버 "
		      "버그의 상당수는 이 셋을\n헷갈리는 데서 나옵니다.\n", 40,
		      LINES("디바이스 드라이버는 세 종류의 주소를",
			    "다룹니다. 드라이버 버그의 상당수는 이",
			    "셋을 헷갈리는 데서 나옵니다.")));
	md_free(check("- **가상 주소**(virtual address): C 포인터에 들어 있는 "
		      "값입니다. 커널이든\n  프로세스든 마찬가지입니다.\n", 40,
		      LINES("• 가상 주소(virtual address): C 포인터에",
			    "  들어 있는 값입니다. 커널이든",
			    "  프로세스든 마찬가지입니다.")));
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		*len = fread(buf, 1, (size_t)n, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* Every line of d fits; returns how many do not. */
static int too_wide(const struct md_doc *d, int width)
{
	int bad = 0;

	for (size_t i = 0; i < d->nlines; i++) {
		char *t = md_line_text(&d->lines[i]);

		if (!t || text_width(t, strlen(t)) > width)
			bad++;
		free(t);
	}
	return bad;
}

static void test_lessons(void)
{
	static const int widths[] = { 78, 38 };
	glob_t g;

	CU_ASSERT_EQUAL_FATAL(glob("lessons/ch*/[ek][no].md", 0, NULL, &g), 0);
	/* Six chapters, English and Korean. */
	CU_ASSERT(g.gl_pathc >= 12);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		size_t len = 0;
		char *src = slurp(g.gl_pathv[i], &len);

		CU_ASSERT_PTR_NOT_NULL_FATAL(src);
		for (size_t w = 0; w < 2; w++) {
			struct md_doc *d = md_render(src, len, widths[w]);
			int bad;

			CU_ASSERT_PTR_NOT_NULL_FATAL(d);
			CU_ASSERT(d->nlines > 50);
			CU_ASSERT_EQUAL(d->lines[0].heading, 1);
			bad = too_wide(d, widths[w]);
			if (bad)
				fprintf(stderr, "\n  %s at %d: %d lines too wide",
					g.gl_pathv[i], widths[w], bad);
			CU_ASSERT_EQUAL(bad, 0);
			md_free(d);
		}
		free(src);
	}
	globfree(&g);
}

static void test_odd_input(void)
{
	struct md_doc *d = md_render(NULL, 0, 78);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->nlines, 0);
	md_free(d);
	d = render("", 5);
	CU_ASSERT_EQUAL(d->nlines, 0);
	CU_ASSERT_EQUAL(d->width, 20);		/* below 20 is taken as 20 */
	md_free(d);
	/* Invalid UTF-8 becomes U+FFFD (cmark); controls become '?', so
	 * nothing reaches the terminal that it would interpret. */
	md_free(check("\xff\xfe abc \x1b[31m \xc2\x85\n", 20,
		      LINES("\xef\xbf\xbd\xef\xbf\xbd abc ?[31m ?")));
	md_free(check("```\n\x1b\x7f\xff\n```\n", 20,
		      LINES("  ??\xef\xbf\xbd")));
	md_free(checkn("a\0b\n", 4, 20, LINES("a\xef\xbf\xbd" "b")));
}

/* A 10,000-column line, as a word and as code, at width 20. */
static void test_long_lines(void)
{
	char *s = malloc(10000 + 16);
	struct md_doc *d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memset(s, 'x', 10000);
	strcpy(s + 10000, "\n");
	d = render(s, 20);
	CU_ASSERT_EQUAL(d->nlines, 500);
	CU_ASSERT_EQUAL(too_wide(d, 20), 0);
	md_free(d);
	memcpy(s, "    ", 4);
	d = render(s, 20);
	/* 9996 columns of code, 18 per line. */
	CU_ASSERT_EQUAL(d->nlines, 556);
	CU_ASSERT_EQUAL(too_wide(d, 20), 0);
	md_free(d);
	free(s);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Repeats unit n times between head and tail. */
static char *repeat(const char *head, const char *unit, size_t n,
		    const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
	char *s = malloc(hl + ul * n + tl + 1), *o = s;

	if (!s)
		return NULL;
	memcpy(o, head, hl);
	o += hl;
	for (size_t i = 0; i < n; i++, o += ul)
		memcpy(o, unit, ul);
	memcpy(o, tail, tl + 1);
	return s;
}

/* Hostile pages, each within the width and well under a second (a
 * quadratic step would take minutes), like cmark's pathological tests. */
static void test_pathological(void)
{
	struct {
		const char *name, *head, *unit, *tail;
		size_t n;
	} cases[] = {
		{ "nested quotes", "", ">", " deep text that wraps\n", 1000 },
		{ "nested lists", "", "- ", "x\n", 1000 },
		{ "nested ordered", "", "123456789. ", "x\n", 300 },
		{ "backticks", "a", "`", "\n", 100000 },
		{ "backtick runs", "a ", "` `` ", "\n", 20000 },
		{ "table of backticks", "|", "` ``", "|\n|---|\n|x|\n", 20000 },
		{ "table of pipes", "", "|", "\n|---|\n", 50000 },
		{ "wide table", "", "|a", "|\n|---|\n", 2000 },
		{ "tall table", "|a|\n|---|\n", "|b|\n", "", 20000 },
		{ "emphasis", "", "*a **b ", "\n", 10000 },
		{ "links", "", "[a](", "\n", 20000 },
		{ "images", "", "![", "a](b)\n", 10000 },
		{ "spaces", "a", " ", "b\n", 100000 },
		{ "hangul", "", "가", "\n", 30000 },
		{ "invalid", "", "\xff\xc3", "\n", 30000 },
		{ "tabs in code", "```\n", "\t", "x\n```\n", 10000 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = repeat(cases[i].head, cases[i].unit, cases[i].n,
				 cases[i].tail);
		double t0;
		struct md_doc *d;

		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		t0 = now();
		d = md_render(s, strlen(s), 20);
		t0 = now() - t0;
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		if (getenv("MD_TIMES"))
			fprintf(stderr, "\n  %s: %.1f ms, %zu lines", cases[i].name,
				t0 * 1e3, d->nlines);
		if (t0 > 1.0 || too_wide(d, 20))
			fprintf(stderr, "\n  %s: %.3f s, %d lines too wide",
				cases[i].name, t0, too_wide(d, 20));
		CU_ASSERT(t0 < 1.0);
		CU_ASSERT(d->nlines > 0);
		CU_ASSERT_EQUAL(too_wide(d, 20), 0);
		md_free(d);
		free(s);
	}
}

int register_md_tests(void)
{
	CU_pSuite s = CU_add_suite("markdown", setup, NULL);

	if (!s ||
	    !CU_add_test(s, "headings: levels and underlines", test_headings) ||
	    !CU_add_test(s, "emphasis on the right spans", test_emphasis) ||
	    !CU_add_test(s, "inline code", test_inline_code) ||
	    !CU_add_test(s, "links: text, then URL", test_links) ||
	    !CU_add_test(s, "lists: marks and hanging indent", test_lists) ||
	    !CU_add_test(s, "nested lists", test_nested_list) ||
	    !CU_add_test(s, "code block: cut with a continuation mark",
			 test_code_block) ||
	    !CU_add_test(s, "block quotes", test_quote) ||
	    !CU_add_test(s, "rules, raw HTML, hard and soft breaks",
			 test_rule_html_breaks) ||
	    !CU_add_test(s, "pipe tables", test_table) ||
	    !CU_add_test(s, "Korean paragraph at 40 columns",
			 test_korean_paragraph) ||
	    !CU_add_test(s, "every lesson page fits 78 and 38 columns",
			 test_lessons) ||
	    !CU_add_test(s, "empty, invalid and NUL input", test_odd_input) ||
	    !CU_add_test(s, "10,000-column lines at width 20", test_long_lines) ||
	    !CU_add_test(s, "pathological input", test_pathological))
		return CU_get_error();
	return CUE_SUCCESS;
}
