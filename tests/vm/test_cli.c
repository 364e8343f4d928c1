// SPDX-License-Identifier: MIT
/*
 * test_cli.c - `addrlab list | check | hint | reset | watch` end to end:
 * the real binary on the grader fixture (tests/grade/lessons, exercises),
 * with its progress and workspace in a temporary folder.  One learner's
 * path through the "hello" exercise, in order: the skeleton fails, the
 * reference passes, hints come one at a time, a reset keeps the edit.
 */
#define _GNU_SOURCE
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char src_root[PATH_MAX + 8];
static char tmp[] = "/tmp/addrlab-cli-XXXXXX";
static char ws[sizeof(tmp) + 8];		/* tmp/ws, ADDRLAB_WORKSPACE */

/* Runs a shell command line in the source tree with the fixture, the
 * temporary progress and workspace; stdout into *out, stderr into *err
 * (both malloc'd, never NULL); its exit status, -1 if it did not exit. */
static int sh(const char *cmd, char **out, char **err)
{
	char *full, errfile[sizeof(tmp) + 16], *cat;
	int st;

	snprintf(errfile, sizeof(errfile), "%s/stderr", tmp);
	if (asprintf(&full, "cd %s && export ADDRLAB_LESSONS=tests/grade/lessons "
		     "ADDRLAB_EXERCISES=tests/grade/exercises XDG_STATE_HOME=%s/state "
		     "ADDRLAB_WORKSPACE=%s ADDRLAB_BIN=%s/bin/addrlab && "
		     "addrlab() { \"$ADDRLAB_BIN\" \"$@\"; } && { %s; } 2>%s",
		     src_root, tmp, ws, tv_build, cmd, errfile) < 0)
		return -1;
	st = tv_capture(full, out);
	free(full);
	*err = NULL;
	if (asprintf(&cat, "cat %s 2>/dev/null", errfile) >= 0) {
		tv_capture(cat, err);
		free(cat);
	}
	if (!*err)
		*err = strdup("");
	return st;
}

/* Asserts cmd's status and exact stdout (%1$s in want is the workspace). */
static void expect(const char *cmd, int status, const char *want)
{
	char *out, *err, *w;
	int rc = sh(cmd, &out, &err);

	CU_ASSERT_EQUAL(rc, status);
	CU_ASSERT_FATAL(asprintf(&w, want, ws) >= 0);
	CU_ASSERT_STRING_EQUAL(out, w);
	if (rc != status || strcmp(out, w))
		fprintf(stderr, "\n$ %s\n(exit %d)\n%s--- want:\n%s--- stderr:\n%s\n", cmd, rc,
			out, w, err);
	free(w);
	free(out);
	free(err);
}

static void test_list(void)
{
	expect("addrlab list", 0,
	       "chapter 1: Hello, module; no quiz\n"
	       "  exercise hello: not started; work in %1$s/hello\n"
	       "chapter 2: Counting in user space; no quiz\n"
	       "  exercise count: not started; work in %1$s/count\n");
	expect("addrlab list --lang ko | head -n 1", 0, "chapter 1: 안녕, 모듈; no quiz\n");
	/* The workbook's language setting, when --lang does not say. */
	expect("sqlite3 $XDG_STATE_HOME/addrlab/progress.db "
	       "\"insert into settings values ('lang', 'ko')\" && "
	       "addrlab list | head -n 1 && addrlab list --lang en | head -n 1 && "
	       "sqlite3 $XDG_STATE_HOME/addrlab/progress.db \"delete from settings\"", 0,
	       "chapter 1: 안녕, 모듈; no quiz\n"
	       "chapter 1: Hello, module; no quiz\n");
}

static void test_unknown_exercise(void)
{
	char *out, *err;

	CU_ASSERT_EQUAL(sh("addrlab check nope", &out, &err), 2);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_STRING_EQUAL(err, "addrlab: no exercise 'nope'; the exercises are: hello, count\n");
	free(out);
	free(err);
	CU_ASSERT_EQUAL(sh("addrlab hint", &out, &err), 2);
	CU_ASSERT_STRING_EQUAL(err, "addrlab: which exercise? 'addrlab hint EXERCISE' "
			       "('addrlab list' shows them)\n");
	free(out);
	free(err);
}

/* A lab VM that does not boot: every check "could not be run" (exit 3),
 * said in words, and no attempt recorded against the learner. */
static void test_check_not_run(void)
{
	char *out, *err;

	CU_ASSERT_EQUAL(sh("ADDRLAB_QEMU=/bin/false addrlab check hello", &out, &err), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n  ERROR builds without warnings                  0/1\n"
				      "        could not grade: the lab VM did not boot: QEMU exited at once\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nnot graded (4 checks could not be graded: the grader's "
				      "failure, not the submission's)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "  ERROR builds without warnings\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "addrlab: 4 checks could not be run (the lab's failure, "
				      "not your code's); nothing was recorded: try again\n"));
	free(out);
	free(err);
	expect("sqlite3 $XDG_STATE_HOME/addrlab/progress.db \"select count(*) from attempts\"", 0,
	       "0\n");
}

static void test_check_skeleton_fails(void)
{
	char *out, *err, *head;

	CU_ASSERT_EQUAL(sh("addrlab check hello", &out, &err), 1);
	CU_ASSERT_FATAL(asprintf(&head, "exercise hello: %s/hello\n"
				 "  FAIL  builds without warnings                  0/1\n", ws) >= 0);
	CU_ASSERT_EQUAL(strncmp(out, head, strlen(head)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n  PASS  sparse finds nothing                     1/1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n  FAIL  greets who it is told to                 0/2\n"
				      "        kernel messages: expected to match 'hello, grader'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nscore 2/5\n"));
	/* Progress on stderr, a plain line as each check ends. */
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "  FAIL  builds without warnings\n"
				      "  pass  sparse finds nothing\n"
				      "  FAIL  greets who it is told to\n"
				      "  pass  says goodbye when unloaded\n"));
	CU_ASSERT_PTR_NULL(strchr(out, '\033'));
	CU_ASSERT_PTR_NULL(strchr(err, '\033'));
	if (!strstr(out, "\nscore 2/5\n"))
		fprintf(stderr, "\n%s\n%s\n", out, err);
	free(head);
	free(out);
	free(err);
}

static void test_check_reference_passes(void)
{
	expect("cp tests/grade/exercises/hello/solution/hello.c $ADDRLAB_WORKSPACE/hello/ && "
	       "addrlab check hello", 0,
	       "exercise hello: %1$s/hello\n"
	       "  PASS  builds without warnings                  1/1\n"
	       "  PASS  sparse finds nothing                     1/1\n"
	       "  PASS  greets who it is told to                 2/2\n"
	       "  PASS  says goodbye when unloaded               1/1\n"
	       "built in the 'bwrap' sandbox\n"
	       "score 5/5\n");
	expect("addrlab list | head -n 2", 0,
	       "chapter 1: Hello, module; no quiz\n"
	       "  exercise hello: done, best 5/5 after 2 attempts; work in %1$s/hello\n");
	/* A check only the grader runs (a second, private lesson root, as
	 * a course's staff would have it): said, never run here. */
	expect("ADDRLAB_LESSONS=tests/grade/lessons:tests/grade/private addrlab check hello", 0,
	       "exercise hello: %1$s/hello\n"
	       "  PASS  builds without warnings                  1/1\n"
	       "  PASS  sparse finds nothing                     1/1\n"
	       "  PASS  greets who it is told to                 2/2\n"
	       "  PASS  says goodbye when unloaded               1/1\n"
	       "built in the 'bwrap' sandbox\n"
	       "score 5/5\n"
	       "the grader runs 1 more check (2 points) that only it sees\n");
}

static void test_hints(void)
{
	expect("addrlab hint hello", 0,
	       "hint 1/2: Print with pr_info().\n"
	       "1 more: run 'addrlab hint hello' again\n");
	expect("addrlab hint hello", 0,
	       "hint 1/2: Print with pr_info().\n"
	       "hint 2/2: Take the name as a module parameter.\n"
	       "no more hints\n");
	expect("addrlab hint --lang ko hello", 0,
	       "hint 1/2: Print with pr_info().\n"
	       "hint 2/2: 이름은 모듈 매개변수로 받으세요.\n"
	       "no more hints\n");
}

static void test_reset_keeps_the_edit(void)
{
	expect("printf '/* my edit */\\n' >$ADDRLAB_WORKSPACE/hello/hello.c && "
	       "addrlab reset hello && cat $ADDRLAB_WORKSPACE/hello/.backup/hello.c.1 && "
	       "grep -c 'TODO [12]:' $ADDRLAB_WORKSPACE/hello/hello.c", 0,
	       "%1$s/hello has the skeleton again; your files are in %1$s/hello/.backup\n"
	       "/* my edit */\n"
	       "2\n");
	/* The attempts and hints went with it. */
	expect("addrlab list | head -n 2 && addrlab hint hello | head -n 1", 0,
	       "chapter 1: Hello, module; no quiz\n"
	       "  exercise hello: not started; work in %1$s/hello\n"
	       "hint 1/2: Print with pr_info().\n");
}

static void test_watch(void)
{
	char *out, *err;

	/* Graded at once (the skeleton), then again after a save by rename;
	 * SIGINT ends it with status 0.  (The binary itself in the
	 * background, so $! is its process.) */
	CU_ASSERT_EQUAL(sh("w=$ADDRLAB_WORKSPACE/hello; o=$XDG_STATE_HOME/watch.out; "
			   "\"$ADDRLAB_BIN\" watch hello >$o 2>&1 & p=$!; "
			   "for i in $(seq 1200); do grep -q score $o && break; sleep 0.1; done; "
			   "cp tests/grade/exercises/hello/solution/hello.c $w/new.tmp && mv $w/new.tmp $w/hello.c; "
			   "for i in $(seq 1200); do [ $(grep -c score $o) = 2 ] && break; sleep 0.1; done; "
			   "kill -INT $p; wait $p; echo rc=$?; cat $o", &out, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "rc=0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "hello: score 2/5 at "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  FAIL  greets who it is told to: kernel messages: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "hello: score 5/5 at "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  every check passed\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "addrlab: stopped watching\n"));
	CU_ASSERT_EQUAL(tv_count(out, "score "), 2);
	if (!strstr(out, "rc=0\n") || tv_count(out, "score ") != 2)
		fprintf(stderr, "\n%s\n%s\n", out, err);
	free(out);
	free(err);
}

static int cli_init(void)
{
	snprintf(src_root, sizeof(src_root), "%s/..", tv_build);
	if (!mkdtemp(tmp))
		return -1;
	snprintf(ws, sizeof(ws), "%s/ws", tmp);
	return 0;
}

static int cli_cleanup(void)
{
	char cmd[sizeof(tmp) + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) ? -1 : 0;
}

void register_cli_tests(void)
{
	CU_pSuite s = CU_add_suite("cli: addrlab list, check, hint, reset, watch",
				   cli_init, cli_cleanup);

	CU_add_test(s, "list: every chapter and exercise, in the chosen language", test_list);
	CU_add_test(s, "an unknown exercise: exit 2 with the list", test_unknown_exercise);
	CU_add_test(s, "check: a lab VM that does not boot: not run, not recorded (exit 3)",
		    test_check_not_run);
	CU_add_test(s, "check: the skeleton fails, naming the checks (exit 1)",
		    test_check_skeleton_fails);
	CU_add_test(s, "check: the reference scores full points (exit 0)",
		    test_check_reference_passes);
	CU_add_test(s, "hint: one more each time, then no more", test_hints);
	CU_add_test(s, "reset: the edit kept in .backup, the record forgotten",
		    test_reset_keeps_the_edit);
	CU_add_test(s, "watch: graded now and on a save; SIGINT ends it (exit 0)", test_watch);
}
