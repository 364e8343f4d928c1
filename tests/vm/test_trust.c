// SPDX-License-Identifier: MIT
/*
 * test_trust.c - suite "grades a course can trust": the three outcomes end
 * to end.  Our failures (a lab VM that does not boot, a build sandbox that
 * cannot start) are "not graded" with exit 3, never a zero; a submission
 * that cannot be built is refused before a VM boots; bytes that are not
 * UTF-8 never cost a check its place in a report; batch grades a
 * not-graded submission again on the next run.
 */
#define _GNU_SOURCE
#include "common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char src_root[PATH_MAX];
static char work[] = "/tmp/addrlab-trust-XXXXXX";

/* Runs addrlab-grade with env before it and args after it; the JSON
 * report it printed (or NULL), its exit status in *rc. */
static json_t *grade_json(const char *env, const char *args, int *rc)
{
	char *cmd, *out;
	json_t *doc;

	/* The fixture lessons, unless env names lessons of its own. */
	if (asprintf(&cmd, "ADDRLAB_LESSONS=%s/tests/grade/lessons %s %s/bin/addrlab-grade "
		     "--format json %s 2>/dev/null", src_root, env, tv_build, args) < 0)
		return NULL;
	*rc = tv_capture(cmd, &out);
	doc = json_loads(out, 0, NULL);
	if (!doc)
		fprintf(stderr, "\n    no JSON from %s (exit %d): %.300s\n", cmd, *rc, out);
	free(cmd);
	free(out);
	return doc;
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* Every check has outcome `outcome` and message `message`. */
static void assert_all(json_t *doc, const char *outcome, const char *message)
{
	json_t *checks = json_object_get(doc, "checks"), *c;
	size_t i;

	CU_ASSERT_EQUAL(json_array_size(checks), 4);
	json_array_foreach(checks, i, c) {
		CU_ASSERT_STRING_EQUAL(str(c, "outcome"), outcome);
		CU_ASSERT_STRING_EQUAL(str(c, "message"), message);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(c, "points")), 0);
	}
}

static void test_vm_that_cannot_boot(void)
{
	char args[PATH_MAX + 64];
	json_t *doc;
	int rc;

	snprintf(args, sizeof(args), "%s/tests/grade/submissions/good", src_root);
	doc = grade_json("ADDRLAB_QEMU=/bin/false", args, &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(rc, 3);
	CU_ASSERT_STRING_EQUAL(str(doc, "status"), "not graded");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "ungraded")), 4);
	CU_ASSERT_TRUE(json_is_false(json_object_get(doc, "passed")));
	assert_all(doc, "error", "the lab VM did not boot: QEMU exited at once");
	json_decref(doc);
}

/*
 * The first lab VM boots, the submission oopses it in "greets", and the
 * fresh VM the next check needs does not boot (QEMU through a wrapper that
 * works once): the oops stays the submission's failure, the check after it
 * could not be graded - it used to fail, as if the submission had done it.
 */
static void test_vm_that_cannot_boot_again(void)
{
	char script[PATH_MAX + 16], env[PATH_MAX + 32], args[PATH_MAX + 64];
	json_t *doc, *checks;
	FILE *f;
	int rc;

	snprintf(script, sizeof(script), "%s/qemu-once", work);
	f = fopen(script, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "#!/bin/sh\nmkdir \"$0.booted\" 2>/dev/null || exit 1\n"
		"exec qemu-system-x86_64 \"$@\"\n");
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(chmod(script, 0755), 0);
	snprintf(env, sizeof(env), "ADDRLAB_QEMU=%s", script);
	snprintf(args, sizeof(args), "%s/tests/grade/submissions/oops", src_root);
	doc = grade_json(env, args, &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(rc, 3);
	CU_ASSERT_STRING_EQUAL(str(doc, "status"), "not graded");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "ungraded")), 1);
	checks = json_object_get(doc, "checks");
	CU_ASSERT_EQUAL(json_array_size(checks), 4);
	CU_ASSERT_STRING_EQUAL(str(json_array_get(checks, 0), "outcome"), "pass");
	CU_ASSERT_STRING_EQUAL(str(json_array_get(checks, 2), "outcome"), "fail");
	CU_ASSERT_STRING_EQUAL(str(json_array_get(checks, 2), "fault"), "oops");
	CU_ASSERT_STRING_EQUAL(str(json_array_get(checks, 3), "outcome"), "error");
	/* (What follows in the message is vm.c's reading of the console.) */
	CU_ASSERT_EQUAL(strncmp(str(json_array_get(checks, 3), "message"),
				"the lab VM did not boot: QEMU exited at once", 44), 0);
	json_decref(doc);
}

/* Today's bug: a sandbox that cannot start read as "does not build", 0/5. */
static void test_sandbox_that_cannot_start(void)
{
	char args[PATH_MAX + 64];
	json_t *doc;
	int rc;

	snprintf(args, sizeof(args), "%s/tests/grade/submissions/good", src_root);
	doc = grade_json("PATH=/nonexistent ADDRLAB_QEMU=/usr/bin/qemu-system-x86_64 "
			 "ADDRLAB_SANDBOX=bwrap", args, &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(rc, 3);
	CU_ASSERT_STRING_EQUAL(str(doc, "status"), "not graded");
	CU_ASSERT_STRING_EQUAL(str(doc, "sandbox"), "");
	assert_all(doc, "error", "could not build the submission: the 'bwrap' sandbox does not "
		   "work here: cannot run bwrap (install bubblewrap): No such file or directory");
	json_decref(doc);
}

/* A named pipe under the source file's name: refused at once, by name,
 * before any VM boots (a blocked open() used to hang the grader). */
static void test_fifo_refused_at_once(void)
{
	char dir[PATH_MAX], args[PATH_MAX + 64];
	json_t *doc;
	int rc;

	snprintf(dir, sizeof(dir), "%s/fifo", work);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
	strcat(dir, "/hello.c");
	CU_ASSERT_EQUAL_FATAL(mkfifo(dir, 0644), 0);
	snprintf(args, sizeof(args), "--exercise hello %s/fifo", work);
	doc = grade_json("", args, &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_STRING_EQUAL(str(doc, "status"), "graded");
	assert_all(doc, "fail", "the submission cannot be built: 'hello.c' is a named pipe "
		   "(FIFO), not a file; submit the file itself");
	CU_ASSERT(json_integer_value(json_object_get(doc, "elapsed_ms")) < 1000);
	json_decref(doc);
}

/* Output that is not UTF-8, with terminal escapes: every check stays in the
 * JSON and Gradescope reports, its text cleaned. */
static void test_bytes_that_are_not_utf8(void)
{
	char args[PATH_MAX + 64];
	json_t *doc, *c;
	const char *msg;
	int rc;

	snprintf(args, sizeof(args), "%s/tests/grade/user-submissions/garbles", src_root);
	doc = grade_json("", args, &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "checks")), 3);
	c = json_array_get(json_object_get(doc, "checks"), 1);
	msg = str(c, "message");
	CU_ASSERT_STRING_EQUAL(str(c, "name"), "counts");
	CU_ASSERT_STRING_EQUAL(str(c, "outcome"), "fail");
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd("));
	CU_ASSERT_PTR_NULL(strchr(msg, '\x1b'));
	CU_ASSERT_STRING_EQUAL(str(doc, "sandbox"), "bwrap");
	json_decref(doc);

	snprintf(args, sizeof(args), "--format gradescope %s/tests/grade/user-submissions/garbles",
		 src_root);
	doc = grade_json("", args, &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "tests")), 3);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "score")), 2);
	json_decref(doc);
}

/* A batch whose lab VM could not boot records "not graded", exits 3, and
 * grades the submission on the next run. */
static void test_batch_grades_again(void)
{
	char *cmd, *out;
	int rc;

	if (asprintf(&cmd, "cd %1$s && cp -r %2$s/tests/grade/user-submissions/good s1 && "
		     "ADDRLAB_LESSONS=%2$s/tests/grade/lessons ADDRLAB_QEMU=/bin/false "
		     "%3$s/bin/addrlab-grade batch -j 1 --out out s1 2>log1; echo \"rc=$?\"; "
		     "grep '^\\[' log1; tail -n 1 log1; cat out/grades.csv; "
		     "ADDRLAB_LESSONS=%2$s/tests/grade/lessons %3$s/bin/addrlab-grade batch -j 1 "
		     "--out out s1 2>log2; echo \"rc=$?\"; head -n 1 log2; cat out/grades.csv",
		     work, src_root, tv_build) < 0)
		return;
	rc = tv_capture(cmd, &out);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(out,
		"rc=3\n"
		"[1/1] s1: could not grade: the lab VM did not boot: QEMU exited at once\n"
		"addrlab-grade: 1 submission is not graded; run again to grade it\n"
		"submission,exercise,score,max_score,status,failed\r\n"
		"s1,count,,4,not graded,could not grade 3 checks: the lab VM did not boot: QEMU exited at once\r\n"
		"rc=0\n"
		"addrlab-grade: 1 submission to grade, 0 already in out/gradebook.sqlite\n"
		"submission,exercise,score,max_score,status,failed\r\n"
		"s1,count,4,4,graded,\r\n");
	free(cmd);
	free(out);
}

/* 24 MiB of output, handed to a lesson that joins it four times: the check
 * fails on what was printed (the submission's doing), it is not ended by
 * the lesson's memory cap as could-not-grade. */
static void test_flood_is_not_a_dodge(void)
{
	static const char lesson[] =
		"return { id = 'flood', number = 1, title = 'T', text = 'en.md', exercise = {\n"
		"  id = 'count', kind = 'user', files = { 'count.c' }, title = 'T', hints = { 'h' },\n"
		"  checks = { { name = 'joins', points = 1, timeout = 60, title = 'joins its output',\n"
		"    run = function(t)\n"
		"      local r = t:exec('5', { timeout = 20 })\n"
		"      local all = r.out .. r.out .. r.out .. r.out\n"
		"      t:expect(not r.truncated, 'printed more than 1 MiB (' .. #all .. ' bytes joined)')\n"
		"    end } } } }\n";
	char dir[PATH_MAX], args[2 * PATH_MAX + 64], env[PATH_MAX + 32];
	json_t *doc, *c;
	FILE *f;
	int rc;

	snprintf(dir, sizeof(dir), "%s/lessons/flood", work);
	snprintf(args, sizeof(args), "mkdir -p %s && echo '# T' > %s/en.md", dir, dir);
	CU_ASSERT_EQUAL_FATAL(system(args), 0);
	strcat(dir, "/lesson.lua");
	f = fopen(dir, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(lesson, f);
	fclose(f);
	snprintf(env, sizeof(env), "ADDRLAB_LESSONS=%s/lessons", work);
	snprintf(args, sizeof(args), "%s/tests/grade/user-submissions/chatty", src_root);
	doc = grade_json(env, args, &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(rc, 1);
	c = json_array_get(json_object_get(doc, "checks"), 0);
	CU_ASSERT_STRING_EQUAL(str(c, "outcome"), "fail");
	CU_ASSERT_STRING_EQUAL(str(c, "message"), "printed more than 1 MiB (4194304 bytes joined)");
	json_decref(doc);
}

static int trust_init(void)
{
	if (!realpath(tv_build, src_root) || !mkdtemp(work))
		return 1;
	*strrchr(src_root, '/') = '\0';
	return 0;
}

static int trust_cleanup(void)
{
	char cmd[PATH_MAX];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
	return system(cmd) != 0;
}

void register_trust_tests(void)
{
	CU_pSuite s = CU_add_suite("grades a course can trust", trust_init, trust_cleanup);

	CU_add_test(s, "a lab VM that cannot boot: not graded, exit 3", test_vm_that_cannot_boot);
	CU_add_test(s, "a fresh lab VM that does not boot after an oops: not graded, exit 3",
		    test_vm_that_cannot_boot_again);
	CU_add_test(s, "a build sandbox that cannot start: not graded, exit 3",
		    test_sandbox_that_cannot_start);
	CU_add_test(s, "a FIFO named like the source: refused at once", test_fifo_refused_at_once);
	CU_add_test(s, "output that is not UTF-8 keeps every check", test_bytes_that_are_not_utf8);
	CU_add_test(s, "batch: not graded now, graded on the next run", test_batch_grades_again);
	CU_add_test(s, "an output flood cannot end a check as not graded", test_flood_is_not_a_dodge);
}
