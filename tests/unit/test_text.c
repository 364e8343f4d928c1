// SPDX-License-Identifier: MIT
/*
 * test_text.c - suite "text": UTF-8 measured in terminal columns, and
 * paragraphs wrapped by them (Korean at spaces, as its typesetting does).
 */
#define _GNU_SOURCE
#include "text.h"

#include <CUnit/CUnit.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

static int setup(void)
{
	return setlocale(LC_CTYPE, "C.UTF-8") ? 0 : -1;
}

static const struct {
	const char *s;
	int width;
} widths[] = {
	{ "", 0 },
	{ "abc", 3 },
	{ "MMIO and ioremap", 16 },
	{ "한국어", 6 },			/* Hangul syllables: 2 each */
	{ "MMIO와 ioremap", 14 },
	{ "e\xcc\x81", 1 },		/* e + combining acute: 0 */
	{ "\xe1\x84\x80\xe1\x85\xa1", 2 },	/* conjoining jamo ᄀ + ᅡ */
	{ "\xff\xfe", 2 },		/* invalid bytes: 1 each */
	{ "\xed\x95", 2 },		/* a truncated 한: 1 per byte */
	{ "a\x01\x1b", 3 },		/* controls: shown as '?' */
	{ "\xc2\x85", 1 },		/* C1 control NEL */
	{ "\xe2\x86\xaa \xe2\x94\x82", 3 },	/* ↪ │ */
};

static void test_width(void)
{
	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		int w = text_width(widths[i].s, strlen(widths[i].s));

		if (w != widths[i].width)
			fprintf(stderr, "\n  text_width(\"%s\") = %d, want %d",
				widths[i].s, w, widths[i].width);
		CU_ASSERT_EQUAL(w, widths[i].width);
	}
}

static void test_char(void)
{
	size_t n = 99;

	CU_ASSERT_EQUAL(text_char("한글", 6, &n), 2);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(text_char("\xcc\x81", 2, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(text_char("\xff" "a", 2, &n), 1);
	CU_ASSERT_EQUAL(n, 1);
	/* Only two of 한's three bytes are available: one bad byte. */
	CU_ASSERT_EQUAL(text_char("한", 2, &n), 1);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(text_char("x", 0, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
}

static const struct {
	const char *s;
	int cols;
	size_t bytes;
	int width;
} fits[] = {
	{ "abcdef", 4, 4, 4 },
	{ "abc", 10, 3, 3 },
	{ "abc", 0, 0, 0 },
	{ "한국어", 5, 6, 4 },		/* never half a syllable */
	{ "한국어", 1, 0, 0 },
	{ "ae\xcc\x81x", 2, 4, 2 },	/* the mark stays with its e */
	{ "\xff\xff\xff", 2, 2, 2 },
};

static void test_fit(void)
{
	for (size_t i = 0; i < sizeof(fits) / sizeof(fits[0]); i++) {
		int w = -1;
		size_t b = text_fit(fits[i].s, strlen(fits[i].s), fits[i].cols,
				    &w);

		CU_ASSERT_EQUAL(b, fits[i].bytes);
		CU_ASSERT_EQUAL(w, fits[i].width);
	}
	CU_ASSERT_EQUAL(text_fit("abc", 3, 2, NULL), 2);
}

/* Wraps s at cols and compares the lines with want (NULL-terminated);
 * every line must fit unless a single character is wider than cols. */
static void check_wrap(const char *s, int cols, const char *const *want)
{
	size_t starts[64], ends[64], n, nwant = 0;

	while (want[nwant])
		nwant++;
	n = text_wrap(s, strlen(s), cols, starts, ends, 64);
	CU_ASSERT_EQUAL_FATAL(n, nwant);
	for (size_t i = 0; i < n; i++) {
		size_t len = ends[i] - starts[i];

		if (len != strlen(want[i]) || memcmp(s + starts[i], want[i], len))
			fprintf(stderr, "\n  wrap at %d, line %zu: \"%.*s\", want \"%s\"",
				cols, i, (int)len, s + starts[i], want[i]);
		CU_ASSERT_EQUAL(len, strlen(want[i]));
		CU_ASSERT_NSTRING_EQUAL(s + starts[i], want[i], len);
		if (cols > 1)
			CU_ASSERT(text_width(s + starts[i], len) <= cols);
	}
}

/* From lessons/ch1/ko.md, one paragraph joined as the renderer joins it. */
static const char ko_para[] =
	"디바이스 드라이버는 세 종류의 주소를 다룹니다. 드라이버 버그의 "
	"상당수는 이 셋을 헷갈리는 데서 나옵니다.";
static const char ko_para2[] =
	"이 장에서는 랩 VM에 addrspace 모듈을 올려 두고 주소 하나가 이 사슬을 "
	"따라가는 과정을 직접 봅니다.";

static void test_wrap(void)
{
	check_wrap("the quick brown fox", 10,
		   (const char *[]){ "the quick", "brown fox", NULL });
	check_wrap("the quick brown fox", 19,
		   (const char *[]){ "the quick brown fox", NULL });
	/* A word wider than a line fills lines of its own. */
	check_wrap("abcdefghij xy", 4,
		   (const char *[]){ "abcd", "efgh", "ij", "xy", NULL });
	/* Spaces at a break are dropped, inside a line kept. */
	check_wrap("a  b   c", 4, (const char *[]){ "a  b", "c", NULL });
	check_wrap("  indented text  ", 20,
		   (const char *[]){ "  indented text", NULL });
	check_wrap("", 10, (const char *[]){ "", NULL });
	check_wrap("   ", 10, (const char *[]){ "", NULL });
	check_wrap("ab c", 1, (const char *[]){ "a", "b", "c", NULL });
	check_wrap("ab c", 0, (const char *[]){ "a", "b", "c", NULL });
	/* Korean: at spaces, between words (어절), never mid-word ... */
	check_wrap(ko_para, 40, (const char *[]){
		"디바이스 드라이버는 세 종류의 주소를",
		"다룹니다. 드라이버 버그의 상당수는 이",
		"셋을 헷갈리는 데서 나옵니다.", NULL });
	check_wrap(ko_para, 20, (const char *[]){
		"디바이스 드라이버는", "세 종류의 주소를",
		"다룹니다. 드라이버", "버그의 상당수는 이",
		"셋을 헷갈리는 데서", "나옵니다.", NULL });
	check_wrap(ko_para2, 40, (const char *[]){
		"이 장에서는 랩 VM에 addrspace 모듈을",
		"올려 두고 주소 하나가 이 사슬을 따라가는",
		"과정을 직접 봅니다.", NULL });
	/* ... unless one word is wider than the line: then between
	 * syllables, and one per line when not even two fit. */
	check_wrap("가나다라마 바", 5,
		   (const char *[]){ "가나", "다라", "마 바", NULL });
	check_wrap("한 글", 1, (const char *[]){ "한", "글", NULL });
}

/* Every width from 1 to 60: lines tile the text (only spaces between
 * them) and fit. */
static void test_wrap_fits(void)
{
	const char *texts[] = { ko_para, ko_para2, "x\xff\xfe y\xcc\x81 z" };

	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		const char *s = texts[t];
		size_t len = strlen(s);

		for (int cols = 2; cols <= 60; cols++) {
			size_t st[128], en[128], n, at = 0;

			n = text_wrap(s, len, cols, st, en, 128);
			CU_ASSERT_FATAL(n >= 1 && n <= 128);
			for (size_t i = 0; i < n; i++) {
				CU_ASSERT(text_width(s + st[i], en[i] - st[i]) <= cols);
				while (at < st[i])
					CU_ASSERT_EQUAL(s[at++], ' ');
				at = en[i];
			}
			CU_ASSERT_EQUAL(en[n - 1], len);
		}
	}
	/* Only the first max ranges are stored, all are counted. */
	CU_ASSERT_EQUAL(text_wrap("a b c d", 7, 1, NULL, NULL, 0), 4);
}

static void test_find(void)
{
	CU_ASSERT_EQUAL(text_find("Hello World", 11, "world"), 6);
	CU_ASSERT_EQUAL(text_find("Hello World", 11, "WORLD"), 6);
	CU_ASSERT_EQUAL(text_find("Hello World", 11, "worlds"), -1);
	CU_ASSERT_EQUAL(text_find("Hello World", 5, "world"), -1);
	CU_ASSERT_EQUAL(text_find("abc", 3, ""), 0);
	CU_ASSERT_EQUAL(text_find("abc", 3, NULL), -1);
	CU_ASSERT_EQUAL(text_find("MMIO와 ioremap", strlen("MMIO와 ioremap"),
				  "mmio와"), 0);
	/* "주소를 " is 10 bytes. */
	CU_ASSERT_EQUAL(text_find("주소를 다룹니다", strlen("주소를 다룹니다"),
				  "다룹"), 10);
	CU_ASSERT_EQUAL(text_find("주소를 다룹니다", strlen("주소를 다룹니다"),
				  "다름"), -1);
	CU_ASSERT_EQUAL(text_find("xxxXXy", 6, "xxy"), 3);
}

int register_text_tests(void)
{
	CU_pSuite s = CU_add_suite("text", setup, NULL);

	if (!s ||
	    !CU_add_test(s, "widths of ASCII, Hangul, marks, bad bytes", test_width) ||
	    !CU_add_test(s, "one character", test_char) ||
	    !CU_add_test(s, "fit never splits a character", test_fit) ||
	    !CU_add_test(s, "wrap: exact lines, Korean at spaces", test_wrap) ||
	    !CU_add_test(s, "wrap: lines tile the text and fit", test_wrap_fits) ||
	    !CU_add_test(s, "find: ASCII case-insensitive", test_find))
		return CU_get_error();
	return CUE_SUCCESS;
}
