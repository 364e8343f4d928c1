// SPDX-License-Identifier: MIT
/*
 * test_grade.c - `addrlab-grade` end to end: the fixture lesson in
 * tests/grade/lessons graded on the submissions in tests/grade/submissions
 * (good, with a warning, broken, oopsing, hanging, sneaky), in every report
 * format, asserting scores, outcomes and messages exactly.
 */
#define _GNU_SOURCE
#include "common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char src_root[PATH_MAX + 8];	/* the source tree (tests/grade lives there) */

/* Runs addrlab-grade ARGS on submission NAME; stdout into out. */
static int grade(const char *args, const char *name, char **out, double *secs)
{
	struct timespec t0, t1;
	char *cmd;
	int rc;

	if (asprintf(&cmd, "ADDRLAB_LESSONS=%s/tests/grade/lessons %s/bin/addrlab-grade %s "
		     "%s/tests/grade/submissions/%s 2>/dev/null", src_root, tv_build,
		     args, src_root, name) < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = tv_capture(cmd, out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(cmd);
	if (secs)
		*secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}

static json_t *check_named(json_t *doc, const char *name)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(doc, "checks"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "name")), name))
			return c;
	return NULL;
}

static const char *field(json_t *doc, const char *check, const char *key)
{
	json_t *v = json_object_get(check_named(doc, check), key);

	return json_is_string(v) ? json_string_value(v) : "";
}

static void test_good_text(void)
{
	char *out = NULL;

	CU_ASSERT_EQUAL(grade("", "good", &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  PASS  builds without warnings                  1/1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  PASS  greets who it is told to                 2/2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nscore 5/5\n"));
	free(out);
}

static void test_warning_gradescope(void)
{
	char *out = NULL;
	json_t *doc, *t0, *t1;

	CU_ASSERT_EQUAL(grade("--format gradescope", "warns", &out, NULL), 1);
	doc = json_loads(out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "score")), 4);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "tests")), 4);
	t0 = json_array_get(json_object_get(doc, "tests"), 0);
	t1 = json_array_get(json_object_get(doc, "tests"), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t0, "name")), "builds without warnings");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(t0, "score")), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(t0, "max_score")), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(t0, "output")),
				      "the submission builds with 1 warning: /build/hello.c:9:13: warning: unused variable 'unused'"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t0, "visibility")), "visible");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(t1, "score")), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t1, "output")), "");
	json_decref(doc);
	free(out);
}

static void test_broken_junit(void)
{
	char *out = NULL;

	CU_ASSERT_EQUAL(grade("--format junit", "broken", &out, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<testsuites tests=\"4\" failures=\"4\" errors=\"0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<testcase classname=\"addrlab.hello\" name=\"builds\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<failure message=\"the submission does not build: "
				      "/build/hello.c:10:17: error: expected &apos;;&apos; before &apos;}&apos; token\">") ||
			       strstr(out, "<failure message=\"the submission does not build: "
				      "/build/hello.c:10:17: error: expected ';' before '}' token\">"));
	CU_ASSERT_EQUAL(tv_count(out, "<failure "), 4);
	free(out);
}

static void test_oops_json(void)
{
	char *out = NULL;
	json_t *doc;

	CU_ASSERT_EQUAL(grade("--format json", "oops", &out, NULL), 1);
	doc = json_loads(out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "score")), 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "max_score")), 5);
	CU_ASSERT_STRING_EQUAL(field(doc, "builds", "outcome"), "pass");
	CU_ASSERT_STRING_EQUAL(field(doc, "greets", "outcome"), "fail");
	CU_ASSERT_STRING_EQUAL(field(doc, "greets", "fault"), "oops");
	CU_ASSERT_PTR_NOT_NULL(strstr(field(doc, "greets", "message"),
				      "the kernel oopsed: BUG: kernel NULL pointer dereference, address: 0000000000000000 (at hello_init+"));
	CU_ASSERT_PTR_NOT_NULL(strstr(field(doc, "greets", "evidence"), "Oops: 0002"));
	/* The next check ran on a fresh VM and oopsed again, on its own. */
	CU_ASSERT_STRING_EQUAL(field(doc, "unloads", "fault"), "oops");
	json_decref(doc);
	free(out);
}

/* t:source reads the submission's own files only; t:trace records QEMU's
 * trace events (PCI configuration accesses here) for its check alone. */
static void test_source_and_trace(void)
{
	char *out = NULL, cmd[3 * PATH_MAX + 256];
	json_t *doc;

	snprintf(cmd, sizeof(cmd), "ADDRLAB_LESSONS=%s/tests/grade/api-lessons %s/bin/addrlab-grade "
		 "--format json %s/tests/grade/submissions/good 2>/dev/null", src_root, tv_build,
		 src_root);
	CU_ASSERT_EQUAL(tv_capture(cmd, &out), 3);
	doc = json_loads(out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_STRING_EQUAL(field(doc, "source", "outcome"), "pass");
	CU_ASSERT_STRING_EQUAL(field(doc, "source-not-ours", "outcome"), "error");
	CU_ASSERT_PTR_NOT_NULL(strstr(field(doc, "source-not-ours", "message"),
				      "t:source: '../lesson.lua' is not one of the exercise's files"));
	CU_ASSERT_STRING_EQUAL(field(doc, "traced", "outcome"), "pass");
	CU_ASSERT_STRING_EQUAL(field(doc, "untraced-after", "outcome"), "pass");
	CU_ASSERT_STRING_EQUAL(field(doc, "no-such-event", "outcome"), "error");
	CU_ASSERT_PTR_NOT_NULL(strstr(field(doc, "no-such-event", "message"),
				      "t:trace('no_such_event_here'): QEMU's monitor refused: unknown event"));
	if (strcmp(field(doc, "traced", "outcome"), "pass"))
		fprintf(stderr, "\n%s\n", out);
	json_decref(doc);
	free(out);
}

static void test_qemu_abort_named(void)
{
	char *out = NULL;

	/* One byte past edu's buffer: QEMU before 8.0 aborts, later ones log
	 * it; the check fails the same way on both. */
	CU_ASSERT_EQUAL(grade("", "aborts", &out, NULL), 1);
	if (vm_edu_dma_aborts(tv_qemu_version())) {
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "  FAIL  greets who it is told to                 0/2\n"
					      "        QEMU itself aborted: qemu: hardware error: EDU: DMA range "));
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "(edu's DMA must end below 0x41000: its buffer is 4096 bytes at 0x40000)"));
	} else {
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "  FAIL  greets who it is told to                 0/2\n"
					      "        edu refused a DMA outside its buffer: EDU: DMA range "
					      "0x0000000000040000-0x0000000000041000 out of bounds "));
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "(a transfer must stay within the 4096 bytes at 0x40000; "
					      "QEMU "));
		CU_ASSERT_PTR_NULL(strstr(out, "while unloading"));
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nscore 2/5\n"));
	free(out);
}

static void test_stuck_exit_named_once(void)
{
	char *out = NULL;

	/* The exit function never returns: the rmmod after 'greets' is
	 * stuck.  'greets' had passed; it fails with the cause, and the
	 * next check is not run. */
	CU_ASSERT_EQUAL(grade("", "stuck-exit", &out, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  FAIL  greets who it is told to                 0/2\n"
				      "        'rmmod hello' after a check did not end within 10 s and could "
				      "not be killed: it is stuck in the kernel (does the exit function wait "
				      "for something that never comes?)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  FAIL  says goodbye when unloaded               0/1\n"
				      "        not run: an earlier check found this: 'rmmod hello' after"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nscore 2/5\n"));
	free(out);
}

static void test_abort_while_unloading(void)
{
	char *out = NULL;

	/* The check itself passed; the rmmod after it, the module's exit
	 * function, aborted QEMU: that is the check's verdict (it used to
	 * pass, the abort dropped with the VM). */
	CU_ASSERT_EQUAL(grade("", "aborts-on-exit", &out, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  FAIL  greets who it is told to                 0/2\n"
				      "        QEMU itself aborted: qemu: hardware error: EDU: DMA range ") ||
			       strstr(out, "  FAIL  greets who it is told to                 0/2\n"
				      "        edu refused a DMA outside its buffer: EDU: DMA range "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "(while unloading the module after the check: 'rmmod hello')\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nscore 2/5\n"));
	free(out);
}

static void test_log_flood_named(void)
{
	char *out = NULL;

	/* It used to read "the kernel is stuck (a loop with interrupts
	 * off, a deadlock?)". */
	CU_ASSERT_EQUAL(grade("", "logflood", &out, NULL), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  FAIL  greets who it is told to                 0/2\n"
				      "        the guest stopped answering while flooding the kernel log ("));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " MiB of console output since the command began): printing "
				      "without pause starves everything else (pr_info in a loop, or in an "
				      "interrupt handler?) (while running 'insmod /tmp/addrlab/hello.ko who=grader')\n"));
	CU_ASSERT_PTR_NULL(strstr(out, "interrupts off"));
	free(out);
}

static void test_hang_is_bounded(void)
{
	char *out = NULL;
	double secs = 0;

	CU_ASSERT_EQUAL(grade("", "hangs", &out, &secs), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  FAIL  greets who it is told to                 0/2\n"
				      "        the guest stopped answering"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "| [") && strstr(out, "hello, grader"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nscore 2/5\n"));
	/* Two hangs, each found in seconds, never the checks' full limits. */
	CU_ASSERT(secs < 60);
	free(out);
}

static void test_stuck_init_named_once(void)
{
	char *out = NULL;
	json_t *doc;

	/*
	 * An init that sleeps uninterruptibly for ever: insmod outlives its
	 * SIGKILL.  It used to cost each check its whole limit plus the
	 * host's margin (85 s here, 413 s for a real lesson) and say
	 * nothing; now the first check names it and the next fails at once.
	 */
	CU_ASSERT_EQUAL(grade("--format json", "stuck", &out, NULL), 1);
	doc = json_loads(out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "score")), 2);
	CU_ASSERT_STRING_EQUAL(field(doc, "greets", "outcome"), "fail");
	CU_ASSERT_STRING_EQUAL(field(doc, "greets", "message"),
			       "'insmod /tmp/addrlab/hello.ko who=grader' did not end within its 30 s limit "
			       "and could not be killed: it is stuck in the kernel (does an init or exit "
			       "function wait for something that never comes?)");
	CU_ASSERT_STRING_EQUAL(field(doc, "unloads", "outcome"), "fail");
	CU_ASSERT_PTR_NOT_NULL(strstr(field(doc, "unloads", "message"),
				      "not run: an earlier check found this: 'insmod "));
	CU_ASSERT(json_integer_value(json_object_get(json_array_get(json_object_get(doc, "checks"), 3),
						     "elapsed_ms")) < 1000);
	json_decref(doc);
	free(out);
}

static void test_sneaky_files_ignored(void)
{
	char *out = NULL;

	unlink("/tmp/sneaky-was-here");
	unlink("/tmp/sneaky-kbuild");
	CU_ASSERT_EQUAL(grade("", "sneaky", &out, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nscore 5/5\n"));
	CU_ASSERT_NOT_EQUAL(access("/tmp/sneaky-was-here", F_OK), 0);
	CU_ASSERT_NOT_EQUAL(access("/tmp/sneaky-kbuild", F_OK), 0);
	free(out);
}

static void test_usage_errors(void)
{
	char *out = NULL;

	CU_ASSERT_EQUAL(grade("--format pdf", "good", &out, NULL), 2);
	free(out);
	CU_ASSERT_EQUAL(grade("--exercise nope", "good", &out, NULL), 2);
	free(out);
}

/* Runs a shell command line (with the fixture's lessons); its output. */
static int shell(const char *cmd, char **out)
{
	char *full;
	int rc;

	if (asprintf(&full, "cd %s && export ADDRLAB_LESSONS=tests/grade/lessons "
		     "ADDRLAB_EXERCISES=tests/grade/exercises && %s 2>&1", src_root, cmd) < 0)
		return -1;
	rc = tv_capture(full, out);
	free(full);
	return rc;
}

static void test_lint_clean(void)
{
	char *out = NULL, cmd[PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "%s/bin/addrlab-grade lint -v", tv_build);
	CU_ASSERT_EQUAL(shell(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "exercise 'hello': reference 5/5\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "exercise 'hello': skeleton 2/5\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "mutant 'no-greeting' (output) rejected by 'greets': kernel messages: expected to match 'hello, grader', got \"\"\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "mutant 'unused-variable' (warnings) rejected by 'builds': the submission builds with 1 warning"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "exercise 'hello': alternative 'printk' 5/5\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "exercise 'count': alternative 'syscalls' 4/4\n"));
	/* A one-line message shows line ends as \n: "1 2" is not "1\n2". */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "mutant 'no-newline' (format) rejected by 'counts': output: "
				      "expected \"1\\n2\\n3\\n4\\n5\\n\", got \"1 2 3 4 5 \"\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "lint: 2 lessons, 0 problems\n"));
	free(out);
}

static void test_lint_finds_a_toothless_mutant(void)
{
	char *out = NULL, cmd[PATH_MAX + 1024];

	/* A copy of the exercises with one more mutant that changes nothing
	 * any check can see, an "alternative" that builds with a warning, and
	 * one alternative too few: lint must say so, and fail. */
	snprintf(cmd, sizeof(cmd),
		 "t=$(mktemp -d) && cp -r tests/grade/exercises/* $t/ && "
		 "sed -i 's/^}$/  { name = \"harmless\", class = \"output\", check = \"greets\", file = \"hello.c\", "
		 "from = \"a module that greets\", to = \"a module\", why = \"only a comment\" },\\n}/' "
		 "$t/hello/mutants.lua && cp tests/grade/submissions/warns/hello.c $t/hello/alternatives/printk/ && "
		 "rm -r $t/count/alternatives/atoi && ADDRLAB_EXERCISES=$t %s/bin/addrlab-grade lint; "
		 "rc=$?; rm -rf $t; exit $rc", tv_build);
	CU_ASSERT_EQUAL(shell(cmd, &out), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "lint: tests/grade/lessons/hello: exercise 'hello': mutant 'harmless' (output: only a comment) passes check 'greets', which should reject it\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "lint: tests/grade/lessons/hello: exercise 'hello': alternative 'printk' is correct but fails 'builds': the submission builds with 1 warning: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "lint: tests/grade/lessons/hello-user: exercise 'count': 2 alternative solutions in '"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/count/alternatives'; at least 3 (correct, written the way strong students differ) show the checks pass what they should\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "lint: 2 lessons, 3 problems\n"));
	if (!strstr(out, "3 problems"))
		fprintf(stderr, "\n%s\n", out);
	free(out);
}

/*
 * An instructor's start: `new lesson` and `new exercise` into a course
 * folder lint clean as written, next to the fixture's roots (the course's
 * exercise found in the second root of ADDRLAB_EXERCISES), and say what
 * to fill in; nothing is written over.
 */
static void test_new_lesson_lints_clean(void)
{
	char *out = NULL, cmd[PATH_MAX + 1024];

	snprintf(cmd, sizeof(cmd),
		 "g=%1$s/bin/addrlab-grade; t=$(mktemp -d); "
		 "$g new lesson my-course --dir $t && $g new exercise my-course --dir $t && "
		 "{ $g new lesson my-course --dir $t 2>&1; echo \"again=$?\"; } && "
		 "{ $g new exercise my-course --number 3 2>&1; echo \"number=$?\"; } && "
		 "{ $g new lesson My 2>&1; echo \"upper=$?\"; } && "
		 "find $t -type f | sed \"s|$t/||\" | sort && "
		 "grep -c '^  number = 3,' $t/lessons/my-course/lesson.lua && "
		 "echo \"fill-in: $(cat $(find $t -type f) | grep -c 'FILL IN')\" && "
		 "ADDRLAB_LESSONS=$ADDRLAB_LESSONS:$t/lessons ADDRLAB_EXERCISES=$ADDRLAB_EXERCISES:$t/exercises "
		 "$g lint -v my-course; rc=$?; rm -rf $t; exit $rc", tv_build);
	CU_ASSERT_EQUAL(shell(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/lessons/my-course' is there already; pick another name, "
				      "or move it away\nagain=2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown option or missing value: '--number'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "number=2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "'My': a lesson or exercise id is a lowercase letter"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "upper=2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
		"exercises/my-course/alternatives/param-named/my_course.c\n"
		"exercises/my-course/alternatives/pr-fmt/my_course.c\n"
		"exercises/my-course/alternatives/printk/my_course.c\n"
		"exercises/my-course/mutants.lua\n"
		"exercises/my-course/solution/my_course.c\n"
		"lessons/my-course/en.md\n"
		"lessons/my-course/ko.md\n"
		"lessons/my-course/lesson.lua\n1\n"));	/* after the fixture's 1 and 2 */
	CU_ASSERT_PTR_NULL(strstr(out, "fill-in: 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "exercise 'my-course': reference 5/5\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "exercise 'my-course': skeleton 2/5\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "exercise 'my-course': 8 mutants in 6 classes of bug\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "lint: 1 lesson, 0 problems\n"));
	if (!strstr(out, "0 problems"))
		fprintf(stderr, "\n%s\n", out);
	free(out);
}

/* results.json of a run_autograder run in folder ag, parsed. */
static json_t *gradescope_results(const char *ag)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/results/results.json", ag);
	return json_load_file(path, 0, NULL);
}

/*
 * gradescope-bundle's zip: run_autograder (executable) and the Dockerfile,
 * with the exercise filled in.  Run on Gradescope's layout, it grades the
 * files where a student's zip put them (a folder down) and writes
 * results.json with Gradescope's fields; when the grader cannot run at
 * all it writes results with no score, the reason visible to staff only.
 */
static void test_gradescope_bundle(void)
{
	char *out = NULL, cmd[2 * PATH_MAX + 1024], ag[] = "/tmp/addrlab-ag-XXXXXX";
	json_t *doc, *t0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(ag));
	snprintf(cmd, sizeof(cmd),
		 "a=%2$s; %1$s/bin/addrlab-grade gradescope-bundle hello --out $a/b.zip && "
		 "unzip -Z -l $a/b.zip | awk '/^-/ { print $1, $NF }' && unzip -q $a/b.zip -d $a/src && "
		 "grep -E '^(EXERCISE|FIRST)=' $a/src/run_autograder && grep -c '^FROM addrlab' $a/src/Dockerfile && "
		 "mkdir -p $a/submission/hello-main && cp tests/grade/submissions/good/hello.c $a/submission/hello-main/ && "
		 "PATH=%1$s/bin:$PATH ADDRLAB_AUTOGRADER_DIR=$a $a/src/run_autograder; echo \"rc=$?\"",
		 tv_build, ag);
	CU_ASSERT_EQUAL(shell(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "-rw-r--r-- Dockerfile\n-rwxr-xr-x run_autograder\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "EXERCISE=hello\nFIRST=hello.c\n1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "addrlab-grade exited 0; grading "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/submission/hello-main\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "rc=0\n"));
	free(out);
	doc = gradescope_results(ag);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "score")), 5);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "output_format")), "md");
	CU_ASSERT_TRUE(json_is_number(json_object_get(doc, "execution_time")));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "tests")), 4);
	t0 = json_array_get(json_object_get(doc, "tests"), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t0, "name")), "builds without warnings");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(t0, "score")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(t0, "max_score")), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t0, "status")), "passed");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t0, "visibility")), "visible");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(t0, "output"));
	CU_ASSERT_TRUE(json_is_array(json_object_get(t0, "tags")));
	json_decref(doc);

	/* The grader cannot load its lessons: ours, so no score anywhere. */
	snprintf(cmd, sizeof(cmd), "a=%2$s; PATH=%1$s/bin:$PATH ADDRLAB_LESSONS=/nonexistent "
		 "ADDRLAB_AUTOGRADER_DIR=$a $a/src/run_autograder; echo \"rc=$?\"", tv_build, ag);
	CU_ASSERT_EQUAL(shell(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "addrlab-grade exited 3; grading "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "rc=0\n"));
	free(out);
	doc = gradescope_results(ag);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_PTR_NULL(json_object_get(doc, "score"));
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(doc, "output")),
				      "**Not graded.** This submission could not be graded"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "output_format")), "md");
	t0 = json_array_get(json_object_get(doc, "tests"), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t0, "visibility")), "hidden");
	CU_ASSERT_PTR_NULL(json_object_get(t0, "score"));
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(t0, "output")),
				      "addrlab-grade exited 3: addrlab-grade: /nonexistent: cannot open "
				      "the lessons folder: No such file or directory"));
	json_decref(doc);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", ag);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

/*
 * The GitHub Actions workflow's grading step (deploy/github-actions/
 * addrlab.yml), run as a runner would in the job's container: the
 * summary page gets one row a check, the run log the same, and the step
 * fails with an annotation when a check fails.
 */
static void test_github_actions_step(void)
{
	char *out = NULL, cmd[PATH_MAX + 1024];

	snprintf(cmd, sizeof(cmd),
		 "t=$(mktemp -d); export PATH=%1$s/bin:$PATH EXERCISE=hello SUBMISSION=sub "
		 "ADDRLAB_LESSONS=$PWD/$ADDRLAB_LESSONS ADDRLAB_EXERCISES=$PWD/$ADDRLAB_EXERCISES "
		 "GITHUB_STEP_SUMMARY=$t/summary; "
		 "step=$(tests/script-block.sh grade deploy/github-actions/addrlab.yml); "
		 "for s in good warns; do cp -r tests/grade/submissions/$s $t/sub; "
		 "(cd $t && sh -c \"$step\") >$t/log 2>&1; echo \"$s rc=$?\"; "
		 "tail -n 1 $t/log; rm -rf $t/sub $t/addrlab.md; done; "
		 "cat $t/summary; rm -rf $t", tv_build);
	CU_ASSERT_EQUAL(shell(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "good rc=0\naddrlab: every check passed\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "warns rc=1\n::error title=addrlab::some checks failed: "
				      "the run's summary says which, and why\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "### addrlab: exercise `hello`: 5/5 points\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "### addrlab: exercise `hello`: 4/5 points\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "| builds without warnings | **failed** | 0/1 | "
				      "the submission builds with 1 warning"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "| greets who it is told to | passed | 2/2 |  |\n"));
	if (!strstr(out, "4/5 points"))
		fprintf(stderr, "\n%s\n", out);
	free(out);
}

static void test_batch_killed_and_resumed(void)
{
	char *out = NULL, cmd[2 * PATH_MAX + 2048];
	const char *want =
		"submission,exercise,score,max_score,status,failed\r\n"
		"broken,hello,0,5,graded,builds;greets;sparse;unloads\r\n"
		"g1,hello,5,5,graded,\r\n"
		"g2,hello,5,5,graded,\r\n"
		"g3,hello,5,5,graded,\r\n"
		"g4,hello,5,5,graded,\r\n"
		"warns,hello,4,5,graded,builds\r\n";

	/*
	 * Grade six submissions with two VMs; SIGKILL the grader (only it:
	 * its workers and their QEMUs must go with it) once the first results
	 * are in; then run it again.  Nothing of the killed one is left (its
	 * workers' folders are swept by the next run), and every submission
	 * ends up recorded exactly once, each with all four of its checks.
	 */
	snprintf(cmd, sizeof(cmd),
		 "t=$(mktemp -d); mkdir $t/tmp; export TMPDIR=$t/tmp; "
		 "for i in 1 2 3 4; do cp -r tests/grade/submissions/good $t/g$i; done; "
		 "cp -r tests/grade/submissions/warns tests/grade/submissions/broken $t/; "
		 "setsid %1$s/bin/addrlab-grade batch -j 2 --out $t/out $t/g* $t/warns $t/broken 2>$t/log1 & "
		 "p=$!; for i in $(seq 600); do grep -qF '[2/' $t/log1 2>/dev/null && break; sleep 0.1; done; "
		 "kill -9 $p; wait $p 2>/dev/null; "
		 "ps -o pid= -p $$ >/dev/null && echo 'ps works'; "	/* or alive() says 0 */
		 "alive() { ps -o stat= -s $p | grep -vc '^Z'; }; "	/* zombies are dead */
		 "for i in $(seq 100); do [ \"$(alive)\" = 0 ] && break; sleep 0.1; done; "
		 "echo \"left running: $(alive)\"; ps -o pid,stat,etime,args -s $p | cut -c1-150; "
		 "before=$(sqlite3 $t/out/gradebook.sqlite 'select count(*) from submissions'); "
		 "%1$s/bin/addrlab-grade batch -j 2 --out $t/out $t/g* $t/warns $t/broken 2>$t/log2; rc=$?; "
		 "echo \"before=$before rc=$rc\"; head -n 1 $t/log2; "
		 "echo \"left in TMPDIR: $(ls $t/tmp | wc -l)\"; ls -la $t/tmp; "
		 "sqlite3 $t/out/gradebook.sqlite \"select 'checks=' || count(*) from checks\"; "
		 "cat $t/out/grades.csv; rm -rf $t", tv_build);
	CU_ASSERT_EQUAL(shell(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "ps works\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "rc=0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "checks=24\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	/* Workers and QEMUs died with the grader (they used to grade on),
	 * within 10 s: a QEMU takes a moment to give back its memory. */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "left running: 0\n"));
	if (!strstr(out, "left running: 0\n"))
		fprintf(stderr, "\n%s\n", out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "left in TMPDIR: 0\n"));
	if (!strstr(out, "left in TMPDIR: 0\n"))
		fprintf(stderr, "\n%s\n", out);
	/* The kill came after two results and before the last: the rerun
	 * graded only what was missing. */
	{
		int before = -1, left = -1, kept = -1;
		const char *b = strstr(out, "before=");
		const char *a = strstr(out, "addrlab-grade: ");

		if (b)
			sscanf(b, "before=%d", &before);
		if (a)
			sscanf(a, "addrlab-grade: %d submissions to grade, %d already", &left, &kept);
		CU_ASSERT(before >= 2 && before < 6);
		CU_ASSERT_EQUAL(kept, before);
		CU_ASSERT_EQUAL(left + kept, 6);
	}
	if (!strstr(out, want))
		fprintf(stderr, "\n%s\n", out);
	free(out);
}

/*
 * A second lesson root adds a hidden check to the fixture's lesson: the
 * grader runs it (in its own file's Lua) and Gradescope gets it hidden.
 */
static void test_hidden_check_graded(void)
{
	char *out = NULL, cmd[PATH_MAX + 256];
	json_t *doc, *t4;

	snprintf(cmd, sizeof(cmd), "ADDRLAB_LESSONS=tests/grade/lessons:tests/grade/private "
		 "%s/bin/addrlab-grade --format gradescope tests/grade/submissions/good 2>/dev/null",
		 tv_build);
	CU_ASSERT_EQUAL(shell(cmd, &out), 0);
	doc = json_loads(out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "score")), 7);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "tests")), 5);
	t4 = json_array_get(json_object_get(doc, "tests"), 4);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t4, "name")),
			       "greets a name the students never saw");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t4, "visibility")), "hidden");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(t4, "score")), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(t4, "status")), "passed");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(
		json_object_get(doc, "tests"), 0), "visibility")), "visible");
	json_decref(doc);
	free(out);
}

/*
 * A class in three shards, graded at once by the commands of the
 * Kubernetes manifest (deploy/kubernetes/addrlab-class.yaml; its /class
 * volume a temporary folder, each pod a process), merged by its merge
 * Job's: the same grades.csv as one batch of the whole class, and every
 * submission with its four checks.  By name, g2 is in shard 1, good1 in
 * 2, warns and broken in 3.  The merge refuses to run early.
 */
static void test_shards_merged(void)
{
	char *out = NULL, cmd[2 * PATH_MAX + 2048];
	const char *want =
		"submission,exercise,score,max_score,status,failed\r\n"
		"broken,hello,0,5,graded,builds;greets;sparse;unloads\r\n"
		"g2,hello,5,5,graded,\r\n"
		"good1,hello,5,5,graded,\r\n"
		"warns,hello,4,5,graded,builds\r\n";

	snprintf(cmd, sizeof(cmd),
		 "t=$(mktemp -d); s=$t/class/submissions; mkdir -p $s; export PATH=%1$s/bin:$PATH SHARDS=3; "
		 "job() { tests/script-block.sh $1 deploy/kubernetes/addrlab-class.yaml | "
		 "sed \"s|/class/|$t/class/|g\"; }; "
		 "cp -r tests/grade/submissions/good $s/g2; cp -r tests/grade/submissions/good $s/good1; "
		 "cp -r tests/grade/submissions/warns tests/grade/submissions/broken $s/; "
		 "addrlab-grade batch -j 2 --out $t/all $s/* 2>$t/log; echo \"whole rc=$?\"; "
		 "sh -c \"$(job merge)\" 2>&1; echo \"early merge rc=$?\"; "
		 "for i in 0 1 2; do JOB_COMPLETION_INDEX=$i sh -c \"$(job shard)\" 2>$t/log$i & done; "
		 "wait; head -qn 1 $t/log0 $t/log1 $t/log2; ls $t/class/results/shard-*/complete | wc -l; "
		 "sh -c \"$(job merge)\" 2>$t/mlog; echo \"merge rc=$?\"; cat $t/mlog; "
		 "cmp $t/all/grades.csv $t/class/results/all/grades.csv && echo same; "
		 "sqlite3 $t/class/results/all/gradebook.sqlite \"select 'checks=' || count(*) from checks\"; "
		 "cat $t/class/results/all/grades.csv; rm -rf $t", tv_build);
	CU_ASSERT_EQUAL(shell(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "whole rc=0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "addrlab: 0 of 3 shards are complete; waiting for the rest\n"
				      "early merge rc=1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
		"addrlab-grade: shard 1/3: 1 of the 4 submissions\n"
		"addrlab-grade: shard 2/3: 1 of the 4 submissions\n"
		"addrlab-grade: shard 3/3: 2 of the 4 submissions\n"
		"3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "merge rc=0\n"
		"addrlab-grade: merged 3 gradebooks: 4 records taken, 0 passed over for a newer one; "
		"4 submissions, 4 graded;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "same\nchecks=16\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	if (!strstr(out, "same\nchecks=16\n") || !strstr(out, want))
		fprintf(stderr, "\n%s\n", out);
	free(out);
}

/* Bad shards and gradebooks: one line naming the thing and the fix. */
static void test_shard_merge_usage(void)
{
	char *out = NULL, cmd[PATH_MAX + 1024];

	snprintf(cmd, sizeof(cmd),
		 "exec 2>&1; g=%s/bin/addrlab-grade; t=$(mktemp -d); echo junk >$t/junk; "
		 "for s in 0/3 4/3 2 2/0 x/y 1/3x; do "
		 "$g batch --shard $s --out $t/o tests/grade/submissions/good; echo \"rc=$?\"; done; "
		 "$g merge $t/m; echo \"rc=$?\"; $g merge $t/m $t/nope; echo \"rc=$?\"; "
		 "$g merge $t/m $t/junk; echo \"rc=$?\"; rm -rf $t", tv_build);
	CU_ASSERT_EQUAL(shell(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
		"addrlab-grade: '--shard 0/3': I/N, the I-th of N slices, 1 <= I <= N (e.g. 2/4)\nrc=2\n"
		"addrlab-grade: '--shard 4/3': I/N, the I-th of N slices, 1 <= I <= N (e.g. 2/4)\nrc=2\n"
		"addrlab-grade: '--shard 2': I/N, the I-th of N slices, 1 <= I <= N (e.g. 2/4)\nrc=2\n"
		"addrlab-grade: '--shard 2/0': I/N, the I-th of N slices, 1 <= I <= N (e.g. 2/4)\nrc=2\n"
		"addrlab-grade: '--shard x/y': I/N, the I-th of N slices, 1 <= I <= N (e.g. 2/4)\nrc=2\n"
		"addrlab-grade: '--shard 1/3x': I/N, the I-th of N slices, 1 <= I <= N (e.g. 2/4)\nrc=2\n"
		"addrlab-grade: usage: addrlab-grade merge OUT GRADEBOOK... (each a gradebook.sqlite "
		"or a batch's --out folder)\nrc=2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/nope' is not a gradebook: give a batch's --out folder "
				      "or its gradebook.sqlite\nrc=2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/junk' is not an addrlab gradebook: file is not a database\nrc=3\n"));
	free(out);
}

static void test_budget_ends_a_submission(void)
{
	char *out = NULL, cmd[2 * PATH_MAX + 512];

	/*
	 * The exercise's budget (here 10 s, set by the lesson) bounds all of
	 * a submission's checks: the looping program's check ends when it
	 * runs out, and the check after it is not run at all.
	 */
	snprintf(cmd, sizeof(cmd),
		 "t=$(mktemp -d); cp -r tests/grade/lessons/hello-user $t/; "
		 "sed -i 's/kind = \"user\",/kind = \"user\", budget = 10,/' $t/hello-user/lesson.lua; "
		 "ADDRLAB_LESSONS=$t %s/bin/addrlab-grade tests/grade/user-submissions/loops; echo rc=$?; "
		 "rm -rf $t", tv_build);
	CU_ASSERT_EQUAL(shell(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  PASS  builds without warnings"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  FAIL  counts to 5                              0/2\n"
				      "        '/tmp/addrlab/count 5' ran past its "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n        not run: the submission used up the 10 s its checks "
				      "may take together (the exercise's budget)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "rc=1\n"));
	if (!strstr(out, "not run: the submission used up"))
		fprintf(stderr, "\n%s\n", out);
	free(out);
}

static void test_batch_past_16384(void)
{
	char *out = NULL, cmd[PATH_MAX + 512];

	/*
	 * 17,000 folders that name no exercise (each recorded at once as an
	 * error, no VM): the batch wrote every index into a pipe before any
	 * worker read it and blocked for ever past 16,384 (64 KiB).  Under a
	 * time limit, so a deadlock fails the test instead of hanging it.
	 */
	snprintf(cmd, sizeof(cmd),
		 "t=$(mktemp -d); mkdir $t/s; (cd $t/s && seq -f 'e%%05g' 1 17000 | xargs mkdir); "
		 "timeout 120 %s/bin/addrlab-grade batch -j 2 --out $t/out $t/s/* 2>$t/log; echo rc=$?; "
		 "tail -n 2 $t/log | head -n 1; "
		 "sqlite3 $t/out/gradebook.sqlite 'select count(*), count(distinct submission) from submissions'; "
		 "rm -rf $t", tv_build);
	CU_ASSERT_EQUAL(shell(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "rc=3\naddrlab-grade: 17000 done now, 0 graded in the gradebook;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n17000|17000\n"));
	if (!strstr(out, "17000|17000"))
		fprintf(stderr, "\n%s\n", out);
	free(out);
}

static void test_no_failure_without_a_reason(void)
{
	char *out = NULL, cmd[2 * PATH_MAX + 512];

	/* A lesson's check that fails with an empty message: the student
	 * still reads why (it used to be a blank line). */
	snprintf(cmd, sizeof(cmd),
		 "t=$(mktemp -d); cp -r tests/grade/lessons/hello-user $t/; "
		 "sed -i 's/checks = {/checks = { { name = \"silent\", points = 1, title = \"silent\", "
		 "run = function(t) t:fail(\"\") end },/' $t/hello-user/lesson.lua; "
		 "ADDRLAB_LESSONS=$t %s/bin/addrlab-grade tests/grade/user-submissions/good; echo rc=$?; "
		 "rm -rf $t", tv_build);
	CU_ASSERT_EQUAL(shell(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  FAIL  silent                                   0/1\n"
				      "        the check 'silent' failed without saying why (a bug of the "
				      "lesson: tell your instructor)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "rc=1\n"));
	if (!strstr(out, "failed without saying why"))
		fprintf(stderr, "\n%s\n", out);
	free(out);
}

static void test_user_programs_that_misbehave(void)
{
	char *out = NULL, cmd[2 * PATH_MAX + 512];

	/*
	 * A user-space exercise graded on programs that loop, fork without
	 * end, flood their output and panic the kernel: each gets a verdict
	 * naming the cause, within its check's limit and a margin, and the
	 * next check finds a working VM.
	 */
	snprintf(cmd, sizeof(cmd),
		 "t=$(mktemp -d); %s/bin/addrlab-grade batch -j 2 --exercise count --out $t "
		 "tests/grade/user-submissions/* 2>/dev/null; echo rc=$?; cat $t/grades.csv; "
		 "sqlite3 -separator ' | ' $t/gradebook.sqlite \"select submission, name, message, "
		 "elapsed_ms < 20000 from checks where outcome != 'pass' order by 1\"; rm -rf $t",
		 tv_build);
	CU_ASSERT_EQUAL(shell(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "rc=0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "good,count,4,4,graded,\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "loops,count,2,4,graded,counts\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "forks,count,2,4,graded,counts\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "hogs,count,2,4,graded,counts\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "floods,count,2,4,graded,counts\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "panics,count,2,4,graded,counts\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "loops | counts | '/tmp/addrlab/count 5' ran past its 10 s limit | 1\n"));
	/* The bomb hits its 512-task limit, and, when its tasks' memory
	 * passes the job's 128 MiB first (it depends on how fast the host
	 * runs it), it is killed for that, named either way.  It used to
	 * panic the kernel ("System is deadlocked on memory") as jobs
	 * inherited the agent's -1000, then read "exit status: expected 0,
	 * got 137". */
	CU_ASSERT(strstr(out, "forks | counts | '/tmp/addrlab/count 5' ran past its 10 s limit; "
			 "it hit the limit on processes (does it fork without end?) | 1\n") ||
		  strstr(out, "forks | counts | '/tmp/addrlab/count 5' was killed for running out of "
			 "memory: a command may use 128 MiB in the lab VM, and it also hit the limit on "
			 "processes (does it allocate, or fork, without end?) | 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "hogs | counts | '/tmp/addrlab/count 5' was killed for running "
				      "out of memory: a command may use 128 MiB in the lab VM (does it "
				      "allocate, or fork, without end?) | 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "floods | counts | '/tmp/addrlab/count 5' ran past its 10 s limit; "
				      "it printed more output than is kept (16 MiB per stream) | 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "panics | counts | the kernel panicked: Kernel panic - not syncing: "
				      "sysrq triggered crash (while running '/tmp/addrlab/count 5') | 1\n"));
	if (!strstr(out, "panics | counts"))
		fprintf(stderr, "\n%s\n", out);
	free(out);
}

static int grade_init(void)
{
	/* build/.. is the source tree this build came from. */
	snprintf(src_root, sizeof(src_root), "%s/..", tv_build);
	return 0;
}

void register_grade_tests(void)
{
	CU_pSuite s = CU_add_suite("grader end to end", grade_init, NULL);

	CU_add_test(s, "a good submission scores 5/5 (text)", test_good_text);
	CU_add_test(s, "a warning costs the build check (Gradescope)", test_warning_gradescope);
	CU_add_test(s, "a private root's hidden check: graded, hidden (Gradescope)",
		    test_hidden_check_graded);
	CU_add_test(s, "a compile error fails every check (JUnit)", test_broken_junit);
	CU_add_test(s, "an oops is named with its evidence (JSON)", test_oops_json);
	CU_add_test(s, "a hang is found in seconds, twice", test_hang_is_bounded);
	CU_add_test(s, "an edu DMA past its buffer: QEMU's abort, or its guest error, named", test_qemu_abort_named);
	CU_add_test(s, "t:source and t:trace: the submission's files, QEMU's events, one check's",
		    test_source_and_trace);
	CU_add_test(s, "the student's Makefile, Kbuild and links are ignored", test_sneaky_files_ignored);
	CU_add_test(s, "bad command lines", test_usage_errors);
	CU_add_test(s, "lint: the fixture is clean", test_lint_clean);
	CU_add_test(s, "lint: a mutant no check rejects is a problem", test_lint_finds_a_toothless_mutant);
	CU_add_test(s, "new lesson and new exercise: a course's start lints clean", test_new_lesson_lints_clean);
	CU_add_test(s, "GitHub Actions: the workflow's step grades and publishes each check", test_github_actions_step);
	CU_add_test(s, "Gradescope: the bundle's run_autograder writes results.json", test_gradescope_bundle);
	CU_add_test(s, "batch: SIGKILL, then resume: each submission once", test_batch_killed_and_resumed);
	CU_add_test(s, "batch: three shards, merged, are the whole class (the Kubernetes Jobs' commands)", test_shards_merged);
	CU_add_test(s, "batch --shard and merge: bad command lines", test_shard_merge_usage);
	CU_add_test(s, "a module stuck in init: named once, the rest fail at once", test_stuck_init_named_once);
	CU_add_test(s, "a module stuck in exit: named once, the rest fail at once", test_stuck_exit_named_once);
	CU_add_test(s, "the same in the module's exit is the check's verdict", test_abort_while_unloading);
	CU_add_test(s, "a module flooding the kernel log is named so", test_log_flood_named);
	CU_add_test(s, "the exercise's budget ends a submission's checks", test_budget_ends_a_submission);
	CU_add_test(s, "a check never fails without a reason", test_no_failure_without_a_reason);
	CU_add_test(s, "batch: 17,000 submissions, no deadlock, each recorded once", test_batch_past_16384);
	CU_add_test(s, "user programs that loop, fork, hog memory, flood, panic: named, bounded",
		    test_user_programs_that_misbehave);
}
