// SPDX-License-Identifier: MIT
/*
 * md.c - libFuzzer target: a lesson page's layout (tui/md.c over
 * tui/text.c) from the page's bytes, at a few widths.
 *
 * Checked, as md.h promises: md_render() returns a document (memory is
 * plentiful here), every line is at most `width` columns (width < 20 is
 * taken as 20), no span holds a newline.
 */
#include "md.h"
#include "text.h"

#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		abort();
	return 0;
}

static void layout(const char *text, size_t len, int width)
{
	struct md_doc *d = md_render(text, len, width);
	int cols = width < 20 ? 20 : width;

	if (!d)
		abort();
	for (size_t i = 0; i < d->nlines; i++) {
		char *s = md_line_text(&d->lines[i]);

		if (!s || strchr(s, '\n') || text_width(s, strlen(s)) > cols)
			abort();
		free(s);
	}
	md_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Widths: below the narrowest (taken as 20), an odd one, 80x24's. */
	static const int widths[] = { 1, 37, 78 };

	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
		layout((const char *)data, size, widths[i]);
	return 0;
}
