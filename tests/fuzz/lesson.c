// SPDX-License-Identifier: MIT
/*
 * lesson.c - libFuzzer target: the lesson loader (grader/lesson.c) over a
 * lesson.lua given as bytes, run in the sandboxed runtime (grader/lrt.c)
 * with small limits so that one input stays fast: 8 MiB and 200 thousand
 * instructions.  The text files a lesson names (en.md, ko.md) exist in a
 * folder made once.  Checked: a loaded lesson holds what lesson.h
 * promises (English text always there, checks' points adding up); a
 * refused one says why in one line.
 */
#define _GNU_SOURCE
#include "lesson.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/addrlab-fuzz-lesson-XXXXXX";

static void cleanup(void)
{
	char p[sizeof(dir) + 16];

	snprintf(p, sizeof(p), "%s/en.md", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/ko.md", dir);
	unlink(p);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[sizeof(dir) + 16];
	FILE *f;

	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, i ? "ko.md" : "en.md");
		f = fopen(p, "w");
		if (!f)
			abort();
		fputs("# page\n", f);
		fclose(f);
	}
	return 0;
}

static void check(const struct lesson *l)
{
	unsigned int total = 0;

	if (!l->id || !ltext_get(&l->title, LANG_EN) ||
	    !ltext_get(&l->title, LANG_KO) || !l->text_path[LANG_EN] ||
	    l->number < 1 || l->number > 99)
		abort();
	for (size_t i = 0; i < l->nquizzes; i++)
		if (!l->quizzes[i].id ||
		    !ltext_get(&l->quizzes[i].question, LANG_KO))
			abort();
	if (!l->exercise)
		return;
	for (size_t i = 0; i < l->exercise->nchecks; i++) {
		total += l->exercise->checks[i].points;
		if (lesson_find_check(l, l->exercise->checks[i].name) == NULL)
			abort();
	}
	if (total != l->exercise->total_points)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct lrt_limits lim = {
		.mem_bytes = 8u << 20,
		.instructions = 200000,
	};
	struct lesson *l;
	char err[512];
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	if (lesson_load_text(dir, text, size, &lim, &l, err, sizeof(err)) == 0)
		check(l);
	else if (!err[0] || strchr(err, '\n') == err)
		abort();
	lesson_free(l);
	free(text);
	return 0;
}
