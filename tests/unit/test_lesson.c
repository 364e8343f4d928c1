// SPDX-License-Identifier: MIT
/*
 * test_lesson.c - suite "lesson model": a complete lesson loads into the
 * structures it describes, and each kind of mistake an instructor makes is
 * reported as the exact line they will read (data-driven, like jq's tests).
 */
#define _GNU_SOURCE
#include "lesson.h"
#include "paths.h"

#include <CUnit/CUnit.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/addrlab-lessons-XXXXXX";

static void write_file(const char *dir, const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* Makes root/name with lesson.lua = src and en.md/ko.md; returns the dir. */
static char *make_lesson(const char *name, const char *src)
{
	char *dir;

	if (asprintf(&dir, "%s/%s", root, name) < 0)
		return NULL;
	mkdir(dir, 0755);
	write_file(dir, "lesson.lua", src);
	write_file(dir, "en.md", "# Title\n");
	write_file(dir, "ko.md", "# 제목\n");
	return dir;
}

#define GOOD_EXERCISE \
	"  exercise = {\n" \
	"    id = 'mmio-id', kind = 'module', files = { 'edu_id.c' },\n" \
	"    title = { en = 'Read the ID', ko = 'ID 읽기' },\n" \
	"    hints = { 'Map BAR0 first.', { en = 'Use ioread32.', ko = 'ioread32를 쓰세요.' } },\n" \
	"    checks = {\n" \
	"      { name = 'builds', points = 1, timeout = 60, run = function(t) t:build() end },\n" \
	"      { name = 'reads-id', points = 3, run = function(t) return 1 end },\n" \
	"    },\n" \
	"  },\n"

static const char good[] =
	"return {\n"
	"  id = 'mmio', number = 3,\n"
	"  title = { en = 'MMIO and ioremap', ko = 'MMIO와 ioremap' },\n"
	"  text = { en = 'en.md', ko = 'ko.md' },\n"
	"  module = 'edu_mmio',\n"
	"  views = {\n"
	"    { id = 'iomem', title = 'The physical map', run = 'cat /proc/iomem', highlight = 'edu' },\n"
	"    { id = 'iommu', title = 'IOMMU', run = 'ls /sys/class/iommu', profile = 'iommu' },\n"
	"  },\n"
	"  quizzes = {\n"
	"    { id = 'size', kind = 'number', question = 'How big is BAR0?', answer = 1048576 },\n"
	"    { id = 'base', kind = 'text', question = { en = 'Where?', ko = '어디?' }, profile = 'plain',\n"
	"      answer = function(vm) return '0x10000000' end },\n"
	"    { id = 'who', kind = 'choice', question = 'Who picks the size?',\n"
	"      choices = { 'the firmware', { en = 'the device', ko = '장치' } }, answer = 2,\n"
	"      explain = 'The low bits are hard-wired to zero.' },\n"
	"  },\n"
	GOOD_EXERCISE
	"}\n";

static void test_good_lesson(void)
{
	char *dir = make_lesson("ch3", good), err[512] = "";
	struct lesson *l = NULL;
	const struct lesson_exercise *e;

	CU_ASSERT_EQUAL_FATAL(lesson_load(dir, &l, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_STRING_EQUAL(l->id, "mmio");
	CU_ASSERT_EQUAL(l->number, 3);
	CU_ASSERT_STRING_EQUAL(ltext_get(&l->title, LANG_KO), "MMIO와 ioremap");
	CU_ASSERT_PTR_NOT_NULL(strstr(l->text_path[LANG_KO], "/ch3/ko.md"));
	CU_ASSERT_STRING_EQUAL(l->module, "edu_mmio");
	CU_ASSERT_EQUAL(l->nviews, 2);
	CU_ASSERT_STRING_EQUAL(l->views[0].run, "cat /proc/iomem");
	CU_ASSERT_FALSE(l->views[0].iommu);
	CU_ASSERT_TRUE(l->views[1].iommu);
	CU_ASSERT_STRING_EQUAL(l->views[0].highlight, "edu");
	CU_ASSERT_EQUAL(l->views[0].timeout_ms, 10000);
	/* Korean falls back to English where there is none. */
	CU_ASSERT_STRING_EQUAL(ltext_get(&l->views[0].title, LANG_KO), "The physical map");
	CU_ASSERT_EQUAL(l->nquizzes, 3);
	CU_ASSERT_EQUAL(l->quizzes[0].kind, QUIZ_NUMBER);
	CU_ASSERT_STRING_EQUAL(l->quizzes[0].answer, "1048576");
	CU_ASSERT_PTR_NULL(l->quizzes[1].answer);
	CU_ASSERT_FALSE(l->quizzes[1].iommu);
	CU_ASSERT_NOT_EQUAL(l->quizzes[1].answer_ref, LUA_NOREF);
	CU_ASSERT_EQUAL(l->quizzes[2].nchoices, 2);
	CU_ASSERT_STRING_EQUAL(ltext_get(&l->quizzes[2].choices[1], LANG_KO), "장치");
	CU_ASSERT_STRING_EQUAL(l->quizzes[2].answer, "2");
	e = l->exercise;
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->kind, EX_MODULE);
	CU_ASSERT_EQUAL(e->nfiles, 1);
	CU_ASSERT_STRING_EQUAL(e->files[0], "edu_id.c");
	CU_ASSERT_EQUAL(e->nhints, 2);
	CU_ASSERT_STRING_EQUAL(ltext_get(&e->hints[1], LANG_KO), "ioread32를 쓰세요.");
	CU_ASSERT_STRING_EQUAL(ltext_get(&e->hints[0], LANG_KO), "Map BAR0 first.");
	CU_ASSERT_EQUAL(e->nchecks, 2);
	CU_ASSERT_EQUAL(e->checks[0].timeout_ms, 60000);
	CU_ASSERT_EQUAL(e->checks[1].timeout_ms, 30000);
	CU_ASSERT_EQUAL(e->total_points, 4);
	CU_ASSERT_PTR_EQUAL(lesson_find_check(l, "reads-id"), &e->checks[1]);
	CU_ASSERT_PTR_NULL(lesson_find_check(l, "nope"));
	/* The check is a callable Lua function in the lesson's runtime. */
	lua_rawgeti(lrt_state(l->rt), LUA_REGISTRYINDEX, e->checks[1].fn_ref);
	lua_pushnil(lrt_state(l->rt));
	CU_ASSERT_EQUAL(lrt_pcall(l->rt, 1, 1), 0);
	CU_ASSERT_EQUAL(lua_tointeger(lrt_state(l->rt), -1), 1);
	lesson_free(l);
	free(dir);
}

/* Each mistake and the line its author reads; FILE stands for the path. */
static const struct {
	const char *src;
	const char *want;
} mistakes[] = {
	{ "return 42\n", "FILE: must return a table (return { id = ..., ... })" },
	{ "return {\n  id = 'x',\n  number = ,\n}\n", "FILE:3: unexpected symbol near ','" },
	{ "local t = nil\nreturn { id = t.x }\n", "FILE:2: attempt to index a nil value (local 't')" },
	{ "return { number = 1, title = 'T', text = 'en.md' }\n", "FILE: id: missing (a string)" },
	{ "return { id = 'Bad Id', number = 1, title = 'T', text = 'en.md' }\n",
	  "FILE: id: 'Bad Id': use a-z, 0-9, '-' and '_' only" },
	{ "return { id = 'x', number = 0, title = 'T', text = 'en.md' }\n",
	  "FILE: number: expected an integer from 1 to 99" },
	{ "return { id = 'x', number = 1.5, title = 'T', text = 'en.md' }\n",
	  "FILE: number: expected an integer from 1 to 99" },
	{ "return { id = 'x', number = 1, title = { ko = '제목' }, text = 'en.md' }\n",
	  "FILE: title: needs an English text (en = ...)" },
	{ "return { id = 'x', number = 1, title = { en = 'T', fr = 'T' }, text = 'en.md' }\n",
	  "FILE: title: unknown language key (use en and ko)" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'missing.md' }\n",
	  "FILE: text: 'DIR/missing.md' does not exist" },
	{ "return { id = 'x', number = 1, title = 'T', text = '../etc/passwd' }\n",
	  "FILE: text: '../etc/passwd': a file name in the lesson's folder" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'en.md', views = { { id = 'v', title = 'V' } } }\n",
	  "FILE: views[1].run: missing (a string)" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'en.md', views = {\n"
	  "  { id = 'v', title = 'V', run = 'true', profile = 'kvm' } } }\n",
	  "FILE: views[1].profile: 'kvm': use plain (the default) or iommu" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'en.md', quizzes = {\n"
	  "  { id = 'q', kind = 'number', question = 'Q', answer = 1, profile = 1 } } }\n",
	  "FILE: quizzes[1].profile: expected a string, got a number" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'en.md', views = { 'cat /proc/iomem' } }\n",
	  "FILE: views[1]: expected a table, got a string" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'en.md', quizzes = {\n"
	  "  { id = 'q', kind = 'essay', question = 'Q', answer = 1 } } }\n",
	  "FILE: quizzes[1].kind: 'essay': use choice, number or text" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'en.md', quizzes = {\n"
	  "  { id = 'q', kind = 'choice', question = 'Q', choices = { 'a', 'b' }, answer = 3 } } }\n",
	  "FILE: quizzes[1].answer: a choice quiz's answer is the number of the right choice (1 to 2)" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'en.md', quizzes = {\n"
	  "  { id = 'q', kind = 'text', question = 'Q' } } }\n",
	  "FILE: quizzes[1].answer: expected a string, a number, or function(vm) computing it from the live VM" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'en.md', exercise = {\n"
	  "  id = 'e', kind = 'module', title = 'E', files = { '../x.c' }, checks = {} } }\n",
	  "FILE: exercise.files: entry 1: a plain file name, no '/' and no leading '.'" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'en.md', exercise = {\n"
	  "  id = 'e', kind = 'module', title = 'E', files = { 'a.c' }, checks = {} } }\n",
	  "FILE: exercise.checks: must not be empty" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'en.md', exercise = {\n"
	  "  id = 'e', kind = 'module', title = 'E', files = { 'a.c' }, checks = {\n"
	  "    { name = 'a', points = 1, run = function() end },\n"
	  "    { name = 'b', points = -2, run = function() end } } } }\n",
	  "FILE: exercise.checks[2].points: expected an integer from 1 to 1000" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'en.md', exercise = {\n"
	  "  id = 'e', kind = 'module', title = 'E', files = { 'a.c' }, checks = {\n"
	  "    { name = 'a', points = 1, run = 'make' } } } }\n",
	  "FILE: exercise.checks[1].run: expected a function, got a string" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'en.md', exercise = {\n"
	  "  id = 'e', kind = 'module', title = 'E', files = { 'a.c' }, checks = {\n"
	  "    { name = 'a', points = 1, run = function() end },\n"
	  "    { name = 'a', points = 1, run = function() end } } } }\n",
	  "FILE: exercise.checks: two checks are named 'a'" },
	{ "return { id = 'x', number = 1, title = 'T', text = 'en.md', exercise = {\n"
	  "  id = 'e', kind = 'module', title = 'E', files = { 'a.c' }, checks = {\n"
	  "    { name = 'a', points = 1, visibility = 'secret', run = function() end } } } }\n",
	  "FILE: exercise.checks[1].visibility: 'secret': use visible (the default), after_due_date or hidden" },
	{ "while true do end\n", "FILE:1: instruction budget exhausted (an endless loop?)" },
	{ "return { id = os.getenv('HOME') }\n", "FILE:1: attempt to index a nil value (global 'os')" },
};

static void test_mistakes(void)
{
	for (size_t i = 0; i < sizeof(mistakes) / sizeof(mistakes[0]); i++) {
		char name[32], err[1024] = "", want[1024], *dir, *file;
		struct lesson *l = NULL;
		const char *w = mistakes[i].want;

		snprintf(name, sizeof(name), "bad%zu", i);
		dir = make_lesson(name, mistakes[i].src);
		if (asprintf(&file, "%s/lesson.lua", dir) < 0)
			return;
		/* FILE and DIR stand for the real paths. */
		if (!strncmp(w, "FILE", 4))
			snprintf(want, sizeof(want), "%s%s", file, w + 4);
		if (strstr(want, "DIR")) {
			char tmp[1024];
			char *p = strstr(want, "DIR");

			snprintf(tmp, sizeof(tmp), "%.*s%s%s", (int)(p - want), want,
				 dir, p + 3);
			strcpy(want, tmp);
		}
		CU_ASSERT_EQUAL(lesson_load(dir, &l, err, sizeof(err)), -1);
		CU_ASSERT_PTR_NULL(l);
		CU_ASSERT_STRING_EQUAL(err, want);
		if (strcmp(err, want))
			fprintf(stderr, "\nmistake %zu:\n  got:  %s\n  want: %s\n", i, err, want);
		free(file);
		free(dir);
	}
}

static void test_load_all_sorts_and_reports(void)
{
	char *a = make_lesson("zz-first", "return { id = 'first', number = 1, title = 'A', text = 'en.md' }\n");
	char *b = make_lesson("aa-second", "return { id = 'second', number = 2, title = 'B', text = 'en.md' }\n");
	struct lesson **ls = NULL;
	char *errors = NULL;
	int n;

	/* The mistakes above are still in root: they are reported, not loaded. */
	n = lesson_load_all(root, &ls, &errors);
	CU_ASSERT_EQUAL(n, 3);	/* first, second, and the good ch3 */
	if (n == 3) {
		CU_ASSERT_STRING_EQUAL(ls[0]->id, "first");
		CU_ASSERT_STRING_EQUAL(ls[1]->id, "second");
		CU_ASSERT_STRING_EQUAL(ls[2]->id, "mmio");
	}
	{
		int lines = 0;

		for (const char *p = errors; p && *p; p++)
			lines += *p == '\n';
		CU_ASSERT_EQUAL(lines, (int)(sizeof(mistakes) / sizeof(mistakes[0])));
	}
	lesson_free_all(ls, n);
	free(errors);
	free(a);
	free(b);
	CU_ASSERT_EQUAL(lesson_load_all("/no/such/root", &ls, &errors), -1);
	CU_ASSERT_STRING_EQUAL(errors, "/no/such/root: cannot open the lessons folder: No such file or directory\n");
	free(errors);
}

/* Writes DIR/NAME/lesson.lua (and en.md) under a root of its own. */
static void put_lesson(const char *dir, const char *name, const char *src)
{
	char *d;

	CU_ASSERT_FATAL(asprintf(&d, "%s/%s", dir, name) > 0);
	mkdir(d, 0755);
	write_file(d, "lesson.lua", src);
	write_file(d, "en.md", "# T\n");
	free(d);
}

#define HELLO(id, number) \
	"return { id = '" id "', number = " number ", title = 'T', text = 'en.md', exercise = {\n" \
	"  id = '" id "', kind = 'module', title = 'E', files = { 'a.c' }, checks = {\n" \
	"    { name = 'builds', points = 1, run = function(t) return 1 end },\n" \
	"    { name = 'late', points = 2, visibility = 'after_due_date', run = function() end } } } }\n"

/*
 * ADDRLAB_LESSONS=public:private: the private root adds hidden checks to
 * a public lesson (each run by its own file's runtime) and a lesson of
 * its own; what cannot be added leaves its lesson out, never half there.
 */
static void test_lesson_roots(void)
{
	char top[] = "/tmp/addrlab-roots-XXXXXX", pub[64], priv[64], roots[160], cmd[96];
	struct lesson **ls = NULL;
	const struct lesson_check *c;
	char *errors = NULL;
	int n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(top));
	snprintf(pub, sizeof(pub), "%s/public", top);
	snprintf(priv, sizeof(priv), "%s/private", top);
	mkdir(pub, 0755);
	mkdir(priv, 0755);
	put_lesson(pub, "ch1", HELLO("ch1", "1"));
	put_lesson(pub, "ch2", HELLO("ch2", "2"));
	put_lesson(pub, "ch3", HELLO("ch3", "3"));
	put_lesson(priv, "ch1-hidden",
		   "return { extends = 'ch1', checks = {\n"
		   "  { name = 'edge', points = 3, visibility = 'hidden', run = function() end } } }\n");
	put_lesson(priv, "ch2-clash",
		   "return { extends = 'ch2', checks = {\n"
		   "  { name = 'builds', points = 1, run = function() end } } }\n");
	put_lesson(priv, "nowhere", "return { extends = 'ch9', checks = {\n"
		   "  { name = 'x', points = 1, run = function() end } } }\n");
	put_lesson(priv, "ch4", HELLO("ch4", "4"));
	put_lesson(priv, "ch3-again", HELLO("ch3", "5"));
	snprintf(roots, sizeof(roots), "%s:%s", pub, priv);
	n = lesson_load_all(roots, &ls, &errors);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(ls[0]->id, "ch1");
	CU_ASSERT_STRING_EQUAL(ls[1]->id, "ch4");
	CU_ASSERT_EQUAL(ls[0]->exercise->nchecks, 3);
	CU_ASSERT_EQUAL(ls[0]->exercise->total_points, 6);
	c = lesson_find_check(ls[0], "edge");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->visibility, VIS_HIDDEN);
	CU_ASSERT_PTR_NOT_NULL(c->rt);
	CU_ASSERT(c->rt != ls[0]->rt);
	CU_ASSERT_EQUAL(lesson_find_check(ls[0], "late")->visibility, VIS_AFTER_DUE_DATE);
	CU_ASSERT_PTR_NULL(lesson_find_check(ls[0], "builds")->rt);
	/* One line each, in a known order: duplicates, then extensions. */
	{
		char *want;

		CU_ASSERT_FATAL(asprintf(&want,
			"%1$s/ch3/lesson.lua and %2$s/ch3-again/lesson.lua: two lessons have the id 'ch3'; "
			"to add checks to one, return { extends = \"ch3\", checks = ... }\n",
			pub, priv) > 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(errors, want));
		free(want);
		CU_ASSERT_FATAL(asprintf(&want,
			"%1$s/ch2-clash/lesson.lua: checks: 'builds': lesson 'ch2' already has a check of this name\n"
			"%2$s/ch2/lesson.lua: left out, because %1$s/ch2-clash/lesson.lua did not load\n",
			priv, pub) > 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(errors, want));
		free(want);
		CU_ASSERT_FATAL(asprintf(&want, "%s/nowhere/lesson.lua: extends: 'ch9': no lesson has this id\n",
					 priv) > 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(errors, want));
		free(want);
	}
	lesson_free_all(ls, n);
	free(errors);
	/* A root that is not there fails the whole load: no lesson is
	 * graded without the checks a missing private root holds. */
	snprintf(roots, sizeof(roots), "%s:%s/gone", pub, top);
	CU_ASSERT_EQUAL(lesson_load_all(roots, &ls, &errors), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(errors, "/gone: cannot open the lessons folder: No such file or directory\n"));
	free(errors);
	snprintf(roots, sizeof(roots), "%s:", pub);
	CU_ASSERT_EQUAL(lesson_load_all(roots, &ls, &errors), -1);
	free(errors);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/* library.lua beside the lessons adds a course's helpers to `addrlab`. */
static void test_course_library(void)
{
	char top[] = "/tmp/addrlab-library-XXXXXX", cmd[96], *errors = NULL, *want;
	struct lesson **ls = NULL;
	int n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(top));
	write_file(top, "library.lua",
		   "function addrlab.double(x) return 2 * x end\n"
		   "addrlab.course = 'os-2027'\n");
	put_lesson(top, "ch1",
		   "return { id = addrlab.course, number = addrlab.double(2), title = 'T',\n"
		   "  text = 'en.md', exercise = { id = 'e', kind = 'module', title = 'E',\n"
		   "  files = { 'a.c' }, checks = {\n"
		   "    addrlab.builds(),\n"
		   "    { name = 'twice', points = addrlab.double(3), run = function() end } } } }\n");
	n = lesson_load_all(top, &ls, &errors);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_STRING_EQUAL(errors, "");
	CU_ASSERT_STRING_EQUAL(ls[0]->id, "os-2027");
	CU_ASSERT_EQUAL(ls[0]->number, 4);
	CU_ASSERT_EQUAL(lesson_find_check(ls[0], "twice")->points, 6);
	lesson_free_all(ls, n);
	free(errors);
	/* A broken library: every lesson of the root says where. */
	write_file(top, "library.lua", "addrlab.x = nil + 1\n");
	n = lesson_load_all(top, &ls, &errors);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_FATAL(asprintf(&want, "%s/library.lua:1: attempt to perform arithmetic on a nil value\n",
				 top) > 0);
	CU_ASSERT_STRING_EQUAL(errors, want);
	free(want);
	lesson_free_all(ls, n);
	free(errors);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static int setup(void)
{
	return mkdtemp(root) ? 0 : 1;
}

static int teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : 1;
}

/* The ready-made checks of the built-in `addrlab` library. */
static void test_library_checks(void)
{
	static const char src[] =
		"return { id = 'lib', number = 9, title = 'T', text = 'en.md', exercise = {\n"
		"  id = 'e', kind = 'module', title = 'E', files = { 'e.c' },\n"
		"  hints = {}, checks = {\n"
		"    addrlab.builds{ timeout = 60 },\n"
		"    addrlab.sparse{ points = 2, title = { en = 'clean', ko = '깨끗하다' } },\n"
		"  } } }\n";
	char *dir = make_lesson("lib", src), err[512] = "";
	struct lesson *l = NULL;
	const struct lesson_exercise *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	if (lesson_load(dir, &l, err, sizeof(err)))
		fprintf(stderr, "\n%s\n", err);
	free(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	e = l->exercise;
	CU_ASSERT_EQUAL_FATAL(e->nchecks, 2);
	CU_ASSERT_STRING_EQUAL(e->checks[0].name, "builds");
	CU_ASSERT_EQUAL(e->checks[0].points, 1);
	CU_ASSERT_EQUAL(e->checks[0].timeout_ms, 60000);
	CU_ASSERT_STRING_EQUAL(ltext_get(&e->checks[0].title, LANG_KO), "경고 없이 빌드된다");
	CU_ASSERT_NOT_EQUAL(e->checks[0].fn_ref, LUA_NOREF);
	CU_ASSERT_STRING_EQUAL(e->checks[1].name, "sparse");
	CU_ASSERT_EQUAL(e->checks[1].points, 2);
	CU_ASSERT_EQUAL(e->checks[1].timeout_ms, 120000);
	CU_ASSERT_STRING_EQUAL(ltext_get(&e->checks[1].title, LANG_EN), "clean");
	CU_ASSERT_EQUAL(e->total_points, 3);
	lesson_free(l);
}

/* Quiz answers: what a learner types against what the lesson computed. */
static void test_quiz_matches(void)
{
	static const struct { const char *given, *answer; bool same; } cases[] = {
		{ "0x1000000", "0x01000000", true },
		{ "16777216", "0x1000000", true },
		{ " 0X10000000 ", "0x10000000", true },
		{ "0x10000001", "0x10000000", false },
		{ "10000000", "0x10000000", false },	/* decimal ten million */
		{ "2", "2", true },
		{ "3", "2", false },
		{ "Kernel  Code", "kernel code", true },
		{ "kernel codes", "kernel code", false },
		{ "", "0x0", false },
		{ "0x", "0x0", false },
		{ "-1", "0xffffffffffffffff", false },
		{ "물리 주소", "물리  주소", true },
	};
	struct lesson_quiz q = { .kind = QUIZ_TEXT };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = quiz_matches(&q, cases[i].given, cases[i].answer);

		if (got != cases[i].same)
			fprintf(stderr, "\nquiz_matches('%s', '%s') is %d\n",
				cases[i].given, cases[i].answer, got);
		CU_ASSERT_EQUAL(got, cases[i].same);
	}
}

/* The lesson given as text (as the fuzzer gives it), with small limits. */
static void test_load_text(void)
{
	static const struct lrt_limits lim = { .mem_bytes = 8u << 20,
					       .instructions = 200000 };
	static const char endless[] = "while true do end\nreturn {}\n";
	static const char broken[] = "return {\n  id = 'x',\n  number = ,\n}\n";
	char *dir = make_lesson("text", "error('the file is not read')\n");
	char err[512] = "", *want;
	struct lesson *l = NULL;

	CU_ASSERT_EQUAL_FATAL(lesson_load_text(dir, good, sizeof(good) - 1, &lim,
					       &l, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(l->id, "mmio");
	CU_ASSERT_EQUAL(l->exercise->total_points, 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(l->file, "/text/lesson.lua"));
	lesson_free(l);
	CU_ASSERT_EQUAL(lesson_load_text(dir, broken, sizeof(broken) - 1, &lim,
					 &l, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NULL(l);
	CU_ASSERT_EQUAL_FATAL(asprintf(&want, "%s/lesson.lua:3:", dir) > 0, 1);
	CU_ASSERT_EQUAL(strncmp(err, want, strlen(want)), 0);
	free(want);
	CU_ASSERT_EQUAL(lesson_load_text(dir, endless, sizeof(endless) - 1, &lim,
					 &l, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "instruction budget"));
	free(dir);
}

/* ADDRLAB_EXERCISES=a:b: an exercise is taken from the first root that
 * has its folder; one no root has is looked for in the first. */
static void test_exercise_roots(void)
{
	char top[] = "/tmp/addrlab-exroots-XXXXXX", roots[160], want[80];
	char *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(top));
	snprintf(roots, sizeof(roots), "mkdir -p %s/a/one %s/b/one %s/b/two", top, top, top);
	CU_ASSERT_EQUAL_FATAL(system(roots), 0);
	snprintf(roots, sizeof(roots), "%s/a:%s/b", top, top);
	r = exercise_root(roots, "one");
	snprintf(want, sizeof(want), "%s/a", top);
	CU_ASSERT_STRING_EQUAL(r, want);
	free(r);
	r = exercise_root(roots, "two");
	snprintf(want, sizeof(want), "%s/b", top);
	CU_ASSERT_STRING_EQUAL(r, want);
	free(r);
	r = exercise_root(roots, "three");
	snprintf(want, sizeof(want), "%s/a", top);
	CU_ASSERT_STRING_EQUAL(r, want);
	free(r);
	r = exercise_root(top, "a");
	CU_ASSERT_STRING_EQUAL(r, top);
	free(r);
	snprintf(roots, sizeof(roots), "rm -rf %s", top);
	CU_ASSERT_EQUAL(system(roots), 0);
}

int register_lesson_tests(void)
{
	CU_pSuite s = CU_add_suite("lesson model", setup, teardown);

	if (!s || !CU_add_test(s, "a complete lesson loads", test_good_lesson) ||
	    !CU_add_test(s, "each mistake reads as one exact line", test_mistakes) ||
	    !CU_add_test(s, "load all: sorted by number, errors listed",
			 test_load_all_sorts_and_reports) ||
	    !CU_add_test(s, "lesson roots: a later one adds checks and lessons",
			 test_lesson_roots) ||
	    !CU_add_test(s, "exercise roots: the first holding the exercise",
			 test_exercise_roots) ||
	    !CU_add_test(s, "library.lua beside the lessons adds the course's helpers",
			 test_course_library) ||
	    !CU_add_test(s, "quiz answers compare as numbers or as text",
			 test_quiz_matches) ||
	    !CU_add_test(s, "the addrlab library's ready-made checks",
			 test_library_checks) ||
	    !CU_add_test(s, "a lesson given as text, with small limits",
			 test_load_text))
		return -1;
	return 0;
}
