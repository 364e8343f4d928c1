// SPDX-License-Identifier: MIT
/*
 * test_check.c - suite "check context": the `t` a check or a quiz answer is
 * given, driven without a lab VM through quiz answers (t:expect, t:eq,
 * t:match and t:fail need none).  A `t` kept past its call is refused; the
 * failures it raises leak nothing.
 */
#define _GNU_SOURCE
#include "check.h"
#include "lesson.h"

#include <CUnit/CUnit.h>
#include <lauxlib.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/addrlab-check-XXXXXX";
static struct lesson *l;

static const char lesson_src[] =
	"local function fails(t, s)\n"
	"  pcall(t.eq, t, s, 2, 'value')\n"
	"  pcall(t.eq, t, setmetatable({}, { __tostring = function() error('no') end }), 2)\n"
	"  pcall(t.match, t, s, '^z', 'output')\n"
	"  pcall(t.expect, t, false, 'expected')\n"
	"  pcall(t.fail, t, s)\n"
	"end\n"
	"return { id = 'ctx', number = 1, title = 'T', text = 'en.md', quizzes = {\n"
	"  { id = 'keep', kind = 'text', question = 'Q',\n"
	"    answer = function(t) kept = t return 'kept' end },\n"
	"  { id = 'reuse', kind = 'text', question = 'Q',\n"
	"    answer = function(t) kept:expect(true) return 'reused' end },\n"
	"  { id = 'own', kind = 'text', question = 'Q',\n"
	"    answer = function(t) t:expect(true, 'x') return 'own' end },\n"
	"  { id = 'fails', kind = 'text', question = 'Q',\n"
	"    answer = function(t)\n"
	"      for i = 1, 2000 do fails(t, ('x'):rep(200) .. i) end\n"
	"      return 'failed'\n"
	"    end },\n"
	"} }\n";

static int setup(void)
{
	char path[512], err[512];
	FILE *f;

	if (!mkdtemp(root))
		return -1;
	snprintf(path, sizeof(path), "%s/lesson.lua", root);
	if (!(f = fopen(path, "w")))
		return -1;
	fputs(lesson_src, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/en.md", root);
	if (!(f = fopen(path, "w")))
		return -1;
	fputs("# T\n", f);
	fclose(f);
	if (lesson_load(root, &l, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void)
{
	char path[512];

	lesson_free(l);
	snprintf(path, sizeof(path), "%s/lesson.lua", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/en.md", root);
	unlink(path);
	rmdir(root);
	return 0;
}

static const struct lesson_quiz *quiz(const char *id)
{
	for (size_t i = 0; i < l->nquizzes; i++)
		if (!strcmp(l->quizzes[i].id, id))
			return &l->quizzes[i];
	CU_FAIL_FATAL("no such quiz");
	return NULL;
}

/* Kept in a global, `t` outlives its quiz answer: refused, not used. */
static void test_kept_t_is_refused(void)
{
	char err[1024] = "", want[1024];
	char *a = quiz_answer(l, quiz("keep"), NULL, err, sizeof(err));

	CU_ASSERT_STRING_EQUAL(a ? a : "(null)", "kept");
	free(a);
	a = quiz_answer(l, quiz("reuse"), NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(a);
	free(a);
	snprintf(want, sizeof(want), "%s: quiz 'reuse': %s:12: the check context 't' is used "
		 "after its check ended; use the 't' the running check or quiz answer is given",
		 l->file, l->file);
	if (strcmp(err, want)) fprintf(stderr, "\n%s\n", err);
	CU_ASSERT_STRING_EQUAL(err, want);
	/* A fresh `t` of its own still works. */
	a = quiz_answer(l, quiz("own"), NULL, err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(a ? a : "(null)", "own");
	free(a);
}

static size_t heap_in_use(void)
{
	lua_gc(lrt_state(l->rt), LUA_GCCOLLECT);
	return mallinfo2().uordblks;
}

/* 10,000 failures raised (and caught with pcall) leave the heap as it was. */
static void test_failures_leak_nothing(void)
{
	char err[1024] = "";
	char *a = quiz_answer(l, quiz("fails"), NULL, err, sizeof(err));
	size_t before;

	CU_ASSERT_STRING_EQUAL(a ? a : "(null)", "failed");
	free(a);
	before = heap_in_use();
	a = quiz_answer(l, quiz("fails"), NULL, err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(a ? a : "(null)", "failed");
	free(a);
	if (heap_in_use() > before + 64 * 1024)
		fprintf(stderr, "\nthe heap grew by %zu bytes\n", heap_in_use() - before);
	CU_ASSERT(heap_in_use() <= before + 64 * 1024);
}

int register_check_tests(void)
{
	CU_pSuite s = CU_add_suite("check context", setup, teardown);

	if (!s || !CU_add_test(s, "a t kept past its call is refused", test_kept_t_is_refused) ||
	    !CU_add_test(s, "failures raised in a check leak nothing",
			 test_failures_leak_nothing))
		return -1;
	return 0;
}
