// SPDX-License-Identifier: MIT
/*
 * test_check.c - suite "check context": `t` outside its call is refused,
 * and Lua errors raised through the check API leak nothing.  Quiz answer
 * functions get the same `t` as checks and need no lab VM for t:eq and
 * t:match, so these run without one.
 */
#define _GNU_SOURCE
#include "check.h"
#include "exercise.h"
#include "lesson.h"

#include <CUnit/CUnit.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char lesson_text[] =
	"local saved\n"
	"return { id = 'ctx', number = 1, title = 'T', text = 'en.md', quizzes = {\n"
	"  { id = 'keep', kind = 'text', question = 'q', answer = function(t) saved = t; return 'kept' end },\n"
	"  { id = 'reuse', kind = 'text', question = 'q', answer = function(t) saved:eq(1, 1, 'x'); return 'used' end },\n"
	"  { id = 'leak', kind = 'text', question = 'q', answer = function(t)\n"
	"      local long = string.rep('a', 4000)\n"
	"      for i = 1, 3000 do\n"
	"        pcall(t.eq, t, long, 'b', 'value')\n"
	"        pcall(t.match, t, long, 'b+', 'output')\n"
	"        pcall(t.eq, t, setmetatable({}, { __tostring = function() error('no') end }), 1)\n"
	"      end\n"
	"      return 'done' end },\n"
	"  { id = 'probe', kind = 'text', question = 'q', answer = function(t)\n"
	"      local old = '[    2.9] edu_id: probe of 0000:00:02.0 failed with error -16\\n'\n"
	"      local new = 'edu_id 0000:00:02.0: enabling device\\n'\n"
	"        .. 'edu_id 0000:00:02.0: probe with driver edu_id failed with error -12\\n'\n"
	"      local other = 'dma_rt 0000:00:02.0: probe with driver dma_rt failed with error -5\\n'\n"
	"      local e1, l1 = addrlab.probe_error(old, 'edu_id')\n"
	"      local e2, l2 = addrlab.probe_error(new, 'edu_id')\n"
	"      local e3 = addrlab.probe_error(other, 'edu_id')\n"
	"      return e1 .. '|' .. l1 .. '|' .. e2 .. '|' .. l2 .. '|' .. tostring(e3) end },\n"
	"} }\n";

static struct lesson *load(char *dir)
{
	char p[300], err[512];
	struct lesson *l = NULL;

	snprintf(p, sizeof(p), "%s/lesson.lua", dir);
	CU_ASSERT_EQUAL_FATAL(write_text_file(p, lesson_text, strlen(lesson_text)), 0);
	snprintf(p, sizeof(p), "%s/en.md", dir);
	CU_ASSERT_EQUAL_FATAL(write_text_file(p, "# T\n", 4), 0);
	CU_ASSERT_EQUAL(lesson_load(dir, &l, err, sizeof(err)), 0);
	if (!l)
		fprintf(stderr, "\n    %s\n", err);
	return l;
}

static void test_t_after_its_call(void)
{
	char dir[] = "/tmp/addrlab-ctx-XXXXXX", err[512] = "";
	struct lesson *l;
	char *a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	l = load(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	a = quiz_answer(l, &l->quizzes[0], NULL, err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(a, "kept");
	free(a);
	/* The first call's `t` pointed into a C frame that is gone. */
	a = quiz_answer(l, &l->quizzes[1], NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(a);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "the check context 't' is used after its check ended"));
	free(a);
	lesson_free(l);
	remove_tree(dir);
}

/* addrlab.probe_error: the driver core's words on 6.1 and on 6.12. */
static void test_probe_error(void)
{
	char dir[] = "/tmp/addrlab-ctx-XXXXXX", err[512] = "";
	struct lesson *l;
	char *a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	l = load(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	a = quiz_answer(l, &l->quizzes[3], NULL, err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(a, "-16|edu_id: probe of 0000:00:02.0 failed with error -16|"
			       "-12|edu_id 0000:00:02.0: probe with driver edu_id failed with error -12|nil");
	if (!a)
		fprintf(stderr, "\n    %s\n", err);
	free(a);
	lesson_free(l);
	remove_tree(dir);
}

/* 9,000 failures raised through t (each a Lua error unwinding C code that
 * had allocated): the heap does not grow with them. */
static void test_errors_leak_nothing(void)
{
	char dir[] = "/tmp/addrlab-ctx-XXXXXX", err[512] = "";
	struct lesson *l;
	size_t before, after;
	char *a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	l = load(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	free(quiz_answer(l, &l->quizzes[2], NULL, err, sizeof(err)));	/* warm up */
	before = mallinfo2().uordblks;
	a = quiz_answer(l, &l->quizzes[2], NULL, err, sizeof(err));
	after = mallinfo2().uordblks;
	CU_ASSERT_STRING_EQUAL(a, "done");
	free(a);
	/* The Lua state's own memory comes and goes with the collector:
	 * allow for it, but not for 9,000 lost messages (megabytes). */
	if (after > before + (256u << 10))
		fprintf(stderr, "\n    heap grew by %zu bytes\n", after - before);
	CU_ASSERT(after <= before + (256u << 10));
	lesson_free(l);
	remove_tree(dir);
}

int register_check_tests(void)
{
	CU_pSuite s = CU_add_suite("check context", NULL, NULL);

	if (!s || !CU_add_test(s, "t kept past its call is refused", test_t_after_its_call) ||
	    !CU_add_test(s, "errors through t leak nothing", test_errors_leak_nothing) ||
	    !CU_add_test(s, "addrlab.probe_error reads both kernels' words", test_probe_error))
		return -1;
	return 0;
}
