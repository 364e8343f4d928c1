// SPDX-License-Identifier: MIT
/*
 * test_exercise.c - suite "exercises": skeletons generated from step
 * markers (data-driven: reference in, skeleton or error out) and mutants.
 */
#define _GNU_SOURCE
#include "exercise.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *src;
	const char *want;	/* the skeleton, or the error */
	int steps;		/* steps found; -1 for an error */
} cases[] = {
	{ "int a;\n", "int a;\n", 0 },
	{ "static int probe(void)\n{\n"
	  "\t/* STEP 1: Turn the device on. */\n"
	  "\tret = pci_enable_device(pdev);\n"
	  "\tif (ret)\n\t\treturn ret;\n"
	  "\t/* END STEP 1 */\n"
	  "\treturn 0;\n}\n",
	  "static int probe(void)\n{\n"
	  "\t/* TODO 1: Turn the device on. */\n"
	  "\treturn 0;\n}\n", 1 },
	/* SKELETON lines become code; indentation follows each line. */
	{ "int f(void)\n{\n"
	  "    /* STEP 1: Read the ID register. */\n"
	  "    return readl(regs);\n"
	  "    /* SKELETON: return 0; */\n"
	  "    /* END STEP 1 */\n"
	  "}\n"
	  "/* STEP 2: Declare the table. */\n"
	  "static int table[4];\n"
	  "/* END STEP 2 */\n",
	  "int f(void)\n{\n"
	  "    /* TODO 1: Read the ID register. */\n"
	  "    return 0;\n"
	  "}\n"
	  "/* TODO 2: Declare the table. */\n", 2 },
	/* Text without a final newline stays so. */
	{ "a\n/* STEP 1: x */\nb\n/* END STEP 1 */\nc", "a\n/* TODO 1: x */\nc", 1 },
	{ "/* STEP 2: skipped one */\n/* END STEP 2 */\n",
	  "ex.c:1: expected '/* STEP 1: what to do */'", -1 },
	{ "/* STEP 1: a */\n/* STEP 2: b */\n",
	  "ex.c:2: STEP 2 starts inside step 1 (opened on line 1)", -1 },
	{ "x\n/* STEP 1: a */\ny\n", "ex.c:2: STEP 1 has no '/* END STEP 1 */'", -1 },
	{ "/* END STEP 1 */\n", "ex.c:1: 'END STEP 1' without its STEP", -1 },
	{ "/* STEP 1 missing colon */\n", "ex.c:1: expected '/* STEP 1: what to do */'", -1 },
};

static void test_skeletons(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256] = "", *out = NULL;
		int next = 1;
		int rc = skeleton_text("ex.c", cases[i].src, &next, &out, err, sizeof(err));

		if (cases[i].steps < 0) {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_STRING_EQUAL(err, cases[i].want);
			CU_ASSERT_PTR_NULL(out);
		} else {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_STRING_EQUAL(out ? out : "", cases[i].want);
			CU_ASSERT_EQUAL(next - 1, cases[i].steps);
		}
		if ((cases[i].steps < 0) != (rc < 0) ||
		    strcmp(cases[i].steps < 0 ? err : out ? out : "", cases[i].want))
			fprintf(stderr, "\ncase %zu: got [%s]\n", i,
				cases[i].steps < 0 ? err : out ? out : "(null)");
		free(out);
	}
}

static void test_steps_continue_across_files(void)
{
	char err[256] = "", *out = NULL;
	int next = 3;

	CU_ASSERT_EQUAL(skeleton_text("b.c", "/* STEP 3: c */\n/* END STEP 3 */\n",
				      &next, &out, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/* TODO 3: c */\n");
	CU_ASSERT_EQUAL(next, 4);
	free(out);
}

static int put(const char *path, const char *text)
{
	return write_text_file(path, text, strlen(text));
}

static void test_mutants(void)
{
	char root[] = "/tmp/addrlab-mut-XXXXXX", sol[300], out[300], p[400];
	char err[512] = "", *text;
	struct lesson l = { 0 };
	struct lesson_exercise e = { 0 };
	char *files[] = { "m.c", NULL };
	struct lesson_check checks[] = { { .name = "reads-id" } };
	struct mutants ms;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
	snprintf(sol, sizeof(sol), "%s/solution", root);
	snprintf(out, sizeof(out), "%s/out", root);
	mkdir(sol, 0755);
	snprintf(p, sizeof(p), "%s/m.c", sol);
	CU_ASSERT_EQUAL(put(p, "ret = pci_enable_device(pdev);\nx = 1;\nx = 1;\n"), 0);
	e.files = files;
	e.nfiles = 1;
	e.checks = checks;
	e.nchecks = 1;
	l.exercise = &e;
	snprintf(p, sizeof(p), "%s/mutants.lua", root);
	CU_ASSERT_EQUAL(put(p,
		"return {\n"
		"  classes = { { id = 'enable', what = 'used before enabled' },\n"
		"              { id = 'dup', what = 'twice' } },\n"
		"  { name = 'no-enable', class = 'enable', check = 'reads-id', file = 'm.c',\n"
		"    from = 'ret = pci_enable_device(pdev);', to = 'ret = 0;', why = 'w' },\n"
		"  { name = 'twice', class = 'dup', check = 'reads-id', file = 'm.c', from = 'x = 1;',\n"
		"    to = '', why = 'w' },\n"
		"}\n"), 0);
	CU_ASSERT_EQUAL_FATAL(mutants_load(p, &l, &ms, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(ms.n, 2);
	CU_ASSERT_EQUAL(ms.nclasses, 2);
	CU_ASSERT_STRING_EQUAL(ms.classes[1].what, "twice");
	CU_ASSERT_STRING_EQUAL(ms.m[0].check, "reads-id");
	CU_ASSERT_STRING_EQUAL(ms.m[0].bug_class, "enable");
	CU_ASSERT_EQUAL(mutant_apply(&e, sol, &ms.m[0], out, err, sizeof(err)), 0);
	snprintf(p, sizeof(p), "%s/m.c", out);
	text = read_text_file(p, NULL);
	CU_ASSERT_STRING_EQUAL(text, "ret = 0;\nx = 1;\nx = 1;\n");
	free(text);
	/* 'from' must occur exactly once. */
	CU_ASSERT_EQUAL(mutant_apply(&e, sol, &ms.m[1], out, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mutant 'twice': its 'from' text occurs more than once in "));
	mutants_free(&ms);
	CU_ASSERT_EQUAL(ms.n, 0);

	/* A mutant naming a check the exercise does not have. */
	snprintf(p, sizeof(p), "%s/mutants.lua", root);
	CU_ASSERT_EQUAL(put(p,
		"return { classes = { { id = 'c', what = 'w' } },\n"
		"  { name = 'x', class = 'c', check = 'nope', file = 'm.c', from = 'a', to = 'b', why = 'w' } }\n"), 0);
	CU_ASSERT_EQUAL(mutants_load(p, &l, &ms, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mutant 'x': the exercise has no check 'nope'"));
	/* No classes listed; a class not listed; a class with no mutant. */
	CU_ASSERT_EQUAL(put(p,
		"return { { name = 'x', class = 'c', check = 'reads-id', file = 'm.c', from = 'a', to = 'b', why = 'w' } }\n"), 0);
	CU_ASSERT_EQUAL(mutants_load(p, &l, &ms, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mutants.lua: needs classes = { { id = \"...\", what = \"...\" }, ... }: "
				      "the classes of bug a reviewer looks for in this exercise"));
	CU_ASSERT_EQUAL(put(p,
		"return { classes = { { id = 'c', what = 'w' } },\n"
		"  { name = 'x', class = 'd', check = 'reads-id', file = 'm.c', from = 'a', to = 'b', why = 'w' } }\n"), 0);
	CU_ASSERT_EQUAL(mutants_load(p, &l, &ms, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mutant 'x': its class 'd' is not in the classes list"));
	CU_ASSERT_EQUAL(put(p,
		"return { classes = { { id = 'c', what = 'w' }, { id = 'order', what = 'in the wrong order' } },\n"
		"  { name = 'x', class = 'c', check = 'reads-id', file = 'm.c', from = 'a', to = 'b', why = 'w' } }\n"), 0);
	CU_ASSERT_EQUAL(mutants_load(p, &l, &ms, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "class 'order' (in the wrong order) has no mutant: add one that the checks must reject"));
	CU_ASSERT_EQUAL(put(p,
		"return { classes = { { id = 'c', what = 'w' }, { id = 'c', what = 'again' } } }\n"), 0);
	CU_ASSERT_EQUAL(mutants_load(p, &l, &ms, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "class 'c' is listed twice"));
	snprintf(p, sizeof(p), "rm -rf '%s'", root);
	CU_ASSERT_EQUAL(system(p), 0);
}

/* remove_tree: everything under the folder goes, nothing a link points to. */
static void test_remove_tree(void)
{
	char root[] = "/tmp/addrlab-rmtree-XXXXXX", p[256], keep[256];
	size_t len;
	char *kept;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
	snprintf(keep, sizeof(keep), "%s/keep.txt", root);
	CU_ASSERT_EQUAL(write_text_file(keep, "kept\n", 5), 0);
	snprintf(p, sizeof(p), "%s/tree", root);
	CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/tree/a", root);
	CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/tree/a/f.c", root);
	CU_ASSERT_EQUAL(write_text_file(p, "x", 1), 0);
	snprintf(p, sizeof(p), "%s/tree/link", root);
	CU_ASSERT_EQUAL(symlink(root, p), 0);	/* a link out of the tree */
	snprintf(p, sizeof(p), "%s/tree", root);
	CU_ASSERT_EQUAL(remove_tree(p), 0);
	CU_ASSERT_EQUAL(access(p, F_OK), -1);
	kept = read_text_file(keep, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(kept);
	CU_ASSERT_STRING_EQUAL(kept, "kept\n");
	free(kept);
	CU_ASSERT_EQUAL(remove_tree(p), 0);	/* already gone: nothing to do */
	CU_ASSERT_EQUAL(remove_tree(root), 0);
	CU_ASSERT_EQUAL(access(root, F_OK), -1);
	/* What cannot be removed is reported. */
	CU_ASSERT_EQUAL(remove_tree("/proc/self"), -1);
}

int register_exercise_tests(void)
{
	CU_pSuite s = CU_add_suite("exercises", NULL, NULL);

	if (!s || !CU_add_test(s, "skeletons from step markers", test_skeletons) ||
	    !CU_add_test(s, "steps continue across files", test_steps_continue_across_files) ||
	    !CU_add_test(s, "mutants: load, apply, exactly-once", test_mutants) ||
	    !CU_add_test(s, "remove_tree: all of it, never through a link", test_remove_tree))
		return -1;
	return 0;
}
