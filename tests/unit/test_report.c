// SPDX-License-Identifier: MIT
/*
 * test_report.c - suite "reports and gradebook": the three outcomes in
 * every report format and in the gradebook, and text cleaned of what a
 * submission can print (clean.h).
 */
#define _GNU_SOURCE
#include "clean.h"
#include "exercise.h"
#include "gradebook.h"
#include "report.h"

#include <CUnit/CUnit.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- clean_text ---- */

static void expect_clean(const char *in, size_t len, size_t max, bool one_line,
			 const char *want)
{
	char *got = clean_text(in, len, max, one_line);

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	if (strcmp(got, want))
		fprintf(stderr, "\n    clean_text: got \"%s\", want \"%s\"\n", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void test_clean(void)
{
	expect_clean("plain\ttext\n", 11, 100, false, "plain\ttext\n");
	expect_clean("two\nlines\r\n", 11, 100, true, "two lines ");
	/* Korean stays; a bad byte, a lone continuation, a truncated
	 * sequence, an overlong '/', a surrogate each become U+FFFD. */
	expect_clean("한\xff\x80\xe3\x81\xc0\xaf\xed\xa0\x80", 13, 100, false,
		     "한\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	/* A terminal escape loses its ESC; NUL does not end the text. */
	expect_clean("a\x1b[2Jb\0c", 8, 100, false, "a\xef\xbf\xbd[2Jb\xef\xbf\xbd" "c");
	/* Cut on a character boundary, saying how much was left out. */
	expect_clean("0123456789012345678901234567890123456789012345678901234567890123456789",
		     70, 60, false, "01234567890123456789 [cut: 50 more bytes]");
	expect_clean("가나다라마바사아자차카타파하가나다라마바사아자차카타파하가나다", 93, 60, false,
		     "가나다라마바 [cut: 75 more bytes]");
	/* Exactly max fits without a note. */
	expect_clean("0123456789", 10, 10, false, "0123456789");
	expect_clean(NULL, 0, 10, false, "");
}

/* ---- reports ---- */

static struct check_result results[] = {
	{ .name = "builds", .title = "builds", .outcome = CHECK_PASS, .points = 1,
	  .max_points = 1, .message = "", .evidence = "" },
	{ .name = "greets", .title = "greets", .outcome = CHECK_FAIL, .points = 0,
	  .max_points = 2, .message = "kernel messages: expected to match 'hello'",
	  .evidence = "got: bye" },
	{ .name = "unloads", .title = "unloads", .outcome = CHECK_ERROR, .points = 0,
	  .max_points = 1, .message = "the lab VM did not boot: QEMU exited at once",
	  .evidence = "" },
};

static struct grade grade_of(size_t n, unsigned int ungraded)
{
	struct grade g = { .exercise = "hello", .results = results, .nresults = n,
			   .score = 1, .max_score = n == 3 ? 4 : 3, .ungraded = ungraded,
			   .sandbox = "bwrap", .elapsed_ms = 1500 };

	return g;
}

static char *report(enum report_format fmt, const struct grade *g)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CU_ASSERT_EQUAL(report_write(f, fmt, g, "subs/alice"), 0);
	fclose(f);
	return text;
}

static void test_text(void)
{
	struct grade g = grade_of(3, 1);
	char *t = report(REPORT_TEXT, &g);

	CU_ASSERT_STRING_EQUAL(t,
		"exercise hello: subs/alice\n"
		"  PASS  builds                                   1/1\n"
		"  FAIL  greets                                   0/2\n"
		"        kernel messages: expected to match 'hello'\n"
		"        | got: bye\n"
		"  ERROR unloads                                  0/1\n"
		"        could not grade: the lab VM did not boot: QEMU exited at once\n"
		"built in the 'bwrap' sandbox\n"
		"not graded (1 check could not be graded: the grader's failure, not the submission's)\n");
	free(t);
	g = grade_of(2, 0);
	t = report(REPORT_TEXT, &g);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "built in the 'bwrap' sandbox\nscore 1/3\n"));
	free(t);
}

/* Markdown for a CI job's summary: the verdict, one table row a check
 * (its cells unable to break the table), the evidence as HTML text. */
static void test_markdown(void)
{
	struct check_result odd[] = {
		{ .name = "pipes", .title = "a | b", .outcome = CHECK_FAIL, .points = 0,
		  .max_points = 2, .message = "got <script> *bold*\nand a second line",
		  .evidence = "line 1 | <b>\nline 2 & more" },
	};
	struct grade g = grade_of(3, 1);
	char *t = report(REPORT_MARKDOWN, &g);

	CU_ASSERT_STRING_EQUAL(t,
		"### addrlab: exercise `hello`: not graded\n\n"
		"1 check could not be graded: the grader's failure, not the submission's. "
		"Grade it again.\n\n"
		"| check | result | points | what was seen |\n|---|---|---|---|\n"
		"| builds | passed | 1/1 |  |\n"
		"| greets | **failed** | 0/2 | kernel messages: expected to match 'hello' |\n"
		"| unloads | **could not grade** | 0/1 | the lab VM did not boot: QEMU exited at once |\n"
		"\n<details><summary>greets: evidence</summary>\n\n<pre>got: bye</pre>\n</details>\n");
	free(t);
	g = grade_of(2, 0);
	t = report(REPORT_MARKDOWN, &g);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "### addrlab: exercise `hello`: 1/3 points\n\n| check"));
	free(t);
	g.results = odd;
	g.nresults = 1;
	t = report(REPORT_MARKDOWN, &g);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "| a \\| b | **failed** | 0/2 | got &lt;script&gt; "
				      "\\*bold\\* and a second line |\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "<summary>a | b: evidence</summary>\n\n"
				      "<pre>line 1 | &lt;b&gt;\nline 2 &amp; more</pre>"));
	free(t);
}

static void test_json(void)
{
	struct grade g = grade_of(3, 1);
	char *t = report(REPORT_JSON, &g);
	json_t *doc = json_loads(t, 0, NULL), *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "status")), "not graded");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "ungraded")), 1);
	CU_ASSERT_TRUE(json_is_false(json_object_get(doc, "passed")));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "sandbox")), "bwrap");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "exercise")), "hello");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "submission")), "subs/alice");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "score")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "max_score")), 4);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "checks")), 3);
	c = json_array_get(json_object_get(doc, "checks"), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "outcome")), "fail");
	c = json_array_get(json_object_get(doc, "checks"), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "name")), "unloads");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "outcome")), "error");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(c, "points")), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(c, "max_points")), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "message")),
			       "the lab VM did not boot: QEMU exited at once");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "evidence")), "");
	json_decref(doc);
	free(t);
	/* Graded, every check passed or failed: "graded", no ungraded. */
	g = grade_of(2, 0);
	t = report(REPORT_JSON, &g);
	doc = json_loads(t, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "status")), "graded");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "ungraded")), 0);
	CU_ASSERT_TRUE(json_is_false(json_object_get(doc, "passed")));
	json_decref(doc);
	free(t);
}

static void test_junit(void)
{
	struct grade g = grade_of(3, 1);
	char *t = report(REPORT_JUNIT, &g);

	CU_ASSERT_PTR_NOT_NULL(strstr(t, "<testsuites tests=\"3\" failures=\"1\" errors=\"1\" time=\"1.500\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "<property name=\"status\" value=\"not graded\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "<property name=\"sandbox\" value=\"bwrap\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "<error message=\"could not grade: the lab VM did not boot: "
				      "QEMU exited at once\"></error>"));
	free(t);
}

/* Not graded: no score anywhere Gradescope could show; staff see why. */
static void test_gradescope(void)
{
	struct grade g = grade_of(3, 1);
	char *t = report(REPORT_GRADESCOPE, &g);
	json_t *doc = json_loads(t, 0, NULL), *tests, *x;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_PTR_NULL(json_object_get(doc, "score"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "output_format")), "md");
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(doc, "output")),
				      "**Not graded.**"));
	tests = json_object_get(doc, "tests");
	CU_ASSERT_EQUAL(json_array_size(tests), 3);
	json_array_foreach(tests, i, x)
		CU_ASSERT_PTR_NULL(json_object_get(x, "score"));
	x = json_array_get(tests, 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(x, "visibility")), "hidden");
	CU_ASSERT_EQUAL(json_array_size(json_object_get(x, "tags")), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(x, "tags"), 0)), "hello");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(x, "tags"), 1)),
			       "could-not-grade");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "test_output_format")), "text");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "stdout_visibility")), "hidden");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(x, "output")),
			       "could not grade: the lab VM did not boot: QEMU exited at once");
	json_decref(doc);
	free(t);

	g = grade_of(2, 0);
	t = report(REPORT_GRADESCOPE, &g);
	doc = json_loads(t, 0, NULL);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "score")), 1);
	x = json_array_get(json_object_get(doc, "tests"), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(x, "score")), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(x, "tags"), 1)), "fail");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(x, "name")), "greets");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(x, "max_score")), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(x, "status")), "failed");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(x, "output")),
			       "kernel messages: expected to match 'hello'\n\ngot: bye");
	CU_ASSERT_PTR_NULL(json_object_get(doc, "output"));
	json_decref(doc);
	free(t);
}

/*
 * A grade no run_check() cleaned: a title and a message that are not UTF-8,
 * 20 MiB of evidence with a Korean character across the cut.  Every format
 * keeps both checks, and the evidence is cut on the character's boundary
 * with the note.
 */
#define HUGE_LEN	(20u << 20)
#define CUT_AT		16342u		/* CHECK_EVIDENCE_MAX less room for the note */
#define CUT_NOTE	" [cut: 20955178 more bytes]"	/* HUGE_LEN - CUT_AT */

static char *huge_evidence(void)
{
	char *e = malloc(HUGE_LEN + 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	memset(e, 'x', HUGE_LEN);
	memcpy(e + CUT_AT, "가", 3);
	e[HUGE_LEN] = '\0';
	return e;
}

static struct grade untrusted_grade(struct check_result r[2], char *evidence)
{
	struct grade g = { .exercise = "hello", .results = r, .nresults = 2,
			   .score = 1, .max_score = 3, .sandbox = "bwrap" };

	r[0] = (struct check_result){ .name = "prints", .title = "prints\xff ok",
		.outcome = CHECK_FAIL, .max_points = 2,
		.message = "printed \xc3( and \x1b[2J", .evidence = evidence };
	r[1] = results[0];
	return g;
}

static void test_untrusted_json(void)
{
	char *ev = huge_evidence(), *t, *want = malloc(CUT_AT + sizeof(CUT_NOTE));
	struct check_result r[2];
	struct grade g = untrusted_grade(r, ev);
	json_t *doc, *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	memset(want, 'x', CUT_AT);
	memcpy(want + CUT_AT, CUT_NOTE, sizeof(CUT_NOTE));
	t = report(REPORT_JSON, &g);
	doc = json_loads(t, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "checks")), 2);
	c = json_array_get(json_object_get(doc, "checks"), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "name")), "prints");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "title")), "prints\xef\xbf\xbd ok");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "message")),
			       "printed \xef\xbf\xbd( and \xef\xbf\xbd[2J");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "evidence")), want);
	CU_ASSERT(strlen(t) < 2 * CHECK_EVIDENCE_MAX);
	json_decref(doc);
	free(t);

	t = report(REPORT_GRADESCOPE, &g);
	doc = json_loads(t, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "tests")), 2);
	c = json_array_get(json_object_get(doc, "tests"), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "name")), "prints\xef\xbf\xbd ok");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(c, "score")), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(c, "output")), CUT_NOTE));
	CU_ASSERT(strlen(t) < 2 * CHECK_EVIDENCE_MAX);
	json_decref(doc);
	free(t);
	free(want);
	free(ev);
}

static void test_untrusted_text(void)
{
	char *ev = huge_evidence(), *t;
	struct check_result r[2];
	struct grade g = untrusted_grade(r, ev);

	t = report(REPORT_TEXT, &g);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "  FAIL  prints\xef\xbf\xbd ok"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "xxxx" CUT_NOTE "\n"));
	CU_ASSERT_PTR_NULL(strchr(t, '\x1b'));
	CU_ASSERT(strlen(t) < 2 * CHECK_EVIDENCE_MAX);
	free(t);
	t = report(REPORT_JUNIT, &g);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "failures=\"1\" errors=\"0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "<failure message=\"printed \xef\xbf\xbd( and \xef\xbf\xbd[2J\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "xxxx" CUT_NOTE "</failure>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "<testcase classname=\"addrlab.hello\" name=\"builds\""));
	CU_ASSERT(strlen(t) < 2 * CHECK_EVIDENCE_MAX);
	free(t);
	free(ev);
}

/* ---- gradebook ---- */

static void test_gradebook(void)
{
	char dir[] = "/tmp/addrlab-gb-XXXXXX", db[64], csv[64], err[256], *text;
	struct gradebook *gb;
	struct grade g;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/gradebook.sqlite", dir);
	snprintf(csv, sizeof(csv), "%s/grades.csv", dir);
	CU_ASSERT_EQUAL_FATAL(gradebook_open(db, &gb, err, sizeof(err)), 0);
	g = grade_of(3, 1);
	CU_ASSERT_EQUAL(gradebook_record(gb, "alice", "hello", &g, NULL), 0);
	g = grade_of(2, 0);
	CU_ASSERT_EQUAL(gradebook_record(gb, "bob", "hello", &g, NULL), 0);
	CU_ASSERT_FALSE(gradebook_has(gb, "alice"));	/* graded again next run */
	CU_ASSERT_TRUE(gradebook_has(gb, "bob"));
	CU_ASSERT_EQUAL(gradebook_count(gb), 1);
	CU_ASSERT_EQUAL(gradebook_export_csv(gb, csv), 0);
	text = read_text_file(csv, NULL);
	CU_ASSERT_STRING_EQUAL(text,
		"submission,exercise,score,max_score,status,failed\r\n"
		"alice,hello,,4,not graded,could not grade 1 check: the lab VM did not boot: QEMU exited at once\r\n"
		"bob,hello,1,3,graded,greets\r\n");
	free(text);
	/* Graded this time: the row and its checks are replaced. */
	CU_ASSERT_EQUAL(gradebook_record(gb, "alice", "hello", &g, NULL), 0);
	CU_ASSERT_TRUE(gradebook_has(gb, "alice"));
	/* A grade that could not even start: 'error', graded again too. */
	CU_ASSERT_EQUAL(gradebook_record(gb, "carol", "?", NULL, "no lesson has the files of 'carol'"), 0);
	CU_ASSERT_FALSE(gradebook_has(gb, "carol"));
	CU_ASSERT_EQUAL(gradebook_export_csv(gb, csv), 0);
	text = read_text_file(csv, NULL);
	CU_ASSERT_STRING_EQUAL(text,
		"submission,exercise,score,max_score,status,failed\r\n"
		"alice,hello,1,3,graded,greets\r\n"
		"bob,hello,1,3,graded,greets\r\n"
		"carol,?,,,error,no lesson has the files of 'carol'\r\n");
	free(text);
	gradebook_close(gb);
	remove_tree(dir);
}

/*
 * A gradebook written before 'not graded' existed (its CHECK allowed
 * 'graded' and 'error' only) opens, keeps every row and check, and takes
 * a not-graded grade.
 */
static void test_gradebook_old(void)
{
	static const char old_schema[] =
		"PRAGMA journal_mode = WAL;"
		"CREATE TABLE submissions (submission TEXT PRIMARY KEY, exercise TEXT,"
		"  score INTEGER, max_score INTEGER,"
		"  status TEXT NOT NULL CHECK (status IN ('graded', 'error')),"
		"  message TEXT, elapsed_ms INTEGER,"
		"  graded_at TEXT NOT NULL DEFAULT (datetime('now')));"
		"CREATE TABLE checks (submission TEXT NOT NULL REFERENCES submissions(submission)"
		"  ON DELETE CASCADE, seq INTEGER NOT NULL, name TEXT NOT NULL,"
		"  outcome TEXT NOT NULL, points INTEGER NOT NULL, max_points INTEGER NOT NULL,"
		"  message TEXT, evidence TEXT, fault TEXT, elapsed_ms INTEGER,"
		"  PRIMARY KEY (submission, name));"
		"INSERT INTO submissions VALUES ('bob', 'hello', 1, 3, 'graded', NULL, 900,"
		"  '2026-11-30 10:00:00');"
		"INSERT INTO submissions VALUES ('dan', '?', NULL, NULL, 'error', 'no lesson',"
		"  NULL, '2026-11-30 10:00:01');"
		"INSERT INTO checks VALUES ('bob', 0, 'builds', 'pass', 1, 1, '', '', 'ok', 10);"
		"INSERT INTO checks VALUES ('bob', 1, 'greets', 'fail', 0, 2, 'no', '', 'ok', 10);";
	char dir[] = "/tmp/addrlab-gb-XXXXXX", db[64], csv[64], err[256], *text;
	struct gradebook *gb;
	struct grade g = grade_of(3, 1);
	sqlite3 *raw;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/gradebook.sqlite", dir);
	snprintf(csv, sizeof(csv), "%s/grades.csv", dir);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(db, &raw), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(raw, old_schema, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);

	CU_ASSERT_EQUAL_FATAL(gradebook_open(db, &gb, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(gradebook_has(gb, "bob"));
	CU_ASSERT_FALSE(gradebook_has(gb, "dan"));
	CU_ASSERT_EQUAL(gradebook_record(gb, "alice", "hello", &g, NULL), 0);
	CU_ASSERT_EQUAL(gradebook_export_csv(gb, csv), 0);
	text = read_text_file(csv, NULL);
	CU_ASSERT_STRING_EQUAL(text,
		"submission,exercise,score,max_score,status,failed\r\n"
		"alice,hello,,4,not graded,could not grade 1 check: the lab VM did not boot: QEMU exited at once\r\n"
		"bob,hello,1,3,graded,greets\r\n"
		"dan,?,,,error,no lesson\r\n");
	free(text);
	gradebook_close(gb);
	/* Opened again: already up to date, nothing lost. */
	CU_ASSERT_EQUAL_FATAL(gradebook_open(db, &gb, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(gradebook_count(gb), 1);
	gradebook_close(gb);
	remove_tree(dir);
}

/* ---- shards and merging ---- */

static void test_shard(void)
{
	unsigned per[4] = { 0 };
	char name[32];

	/* FNV-1a of the name, mod N, plus one: fixed forever. */
	CU_ASSERT_EQUAL(gradebook_shard("alice", 4), 4);	/* 0x872213e7 */
	CU_ASSERT_EQUAL(gradebook_shard("bob", 4), 1);		/* 0x86c6a0d4 */
	CU_ASSERT_EQUAL(gradebook_shard("carol", 4), 3);	/* 0x67088f12 */
	CU_ASSERT_EQUAL(gradebook_shard("g1", 3), 1);		/* 0x10202895 */
	CU_ASSERT_EQUAL(gradebook_shard("", 2), 2);		/* 0x811c9dc5 */
	CU_ASSERT_EQUAL(gradebook_shard("alice", 1), 1);
	/* A class of 3,000 splits evenly enough into three. */
	for (int i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "student%04d", i);
		per[gradebook_shard(name, 3)]++;
	}
	CU_ASSERT_EQUAL(per[0], 0);
	for (int k = 1; k <= 3; k++)
		CU_ASSERT(per[k] > 900 && per[k] < 1100);
}

static struct check_result all_pass[] = {
	{ .name = "builds", .title = "builds", .outcome = CHECK_PASS, .points = 1,
	  .max_points = 1, .message = "", .evidence = "" },
	{ .name = "greets", .title = "greets", .outcome = CHECK_PASS, .points = 2,
	  .max_points = 2, .message = "", .evidence = "" },
};

static void set_time(const char *db, const char *who, const char *when)
{
	char sql[256];
	sqlite3 *raw;

	snprintf(sql, sizeof(sql), "UPDATE submissions SET graded_at = '%s' WHERE submission = '%s'",
		 when, who);
	CU_ASSERT_EQUAL_FATAL(sqlite3_open(db, &raw), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
}

/* Shard a: alice (1/3, 10:00), bob (not graded, 12:00), carol (error).
 * Shard b: alice (3/3, 11:00), bob (1/3, 09:00), dan (1/3). */
static void make_shards(const char *a, const char *b)
{
	struct grade g = grade_of(2, 0), full = g;
	struct gradebook *gb;
	char err[256];

	full.results = all_pass;
	full.score = 3;
	CU_ASSERT_EQUAL_FATAL(gradebook_open(a, &gb, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(gradebook_record(gb, "alice", "hello", &g, NULL), 0);
	g = grade_of(3, 1);
	CU_ASSERT_EQUAL(gradebook_record(gb, "bob", "hello", &g, NULL), 0);
	CU_ASSERT_EQUAL(gradebook_record(gb, "carol", "?", NULL, "no lesson"), 0);
	gradebook_close(gb);
	CU_ASSERT_EQUAL_FATAL(gradebook_open(b, &gb, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(gradebook_record(gb, "alice", "hello", &full, NULL), 0);
	g = grade_of(2, 0);
	CU_ASSERT_EQUAL(gradebook_record(gb, "bob", "hello", &g, NULL), 0);
	CU_ASSERT_EQUAL(gradebook_record(gb, "dan", "hello", &g, NULL), 0);
	gradebook_close(gb);
	set_time(a, "alice", "2026-12-01 10:00:00");
	set_time(a, "bob", "2026-12-01 12:00:00");
	set_time(a, "carol", "2026-12-01 10:00:00");
	set_time(b, "alice", "2026-12-01 11:00:00");
	set_time(b, "bob", "2026-12-01 09:00:00");
}

static void test_merge(void)
{
	char dir[] = "/tmp/addrlab-gb-XXXXXX", a[64], b[64], out[64], csv[64], junk[64];
	char err[256], *text;
	struct gradebook *gb;
	int taken, passed;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a.sqlite", dir);
	snprintf(b, sizeof(b), "%s/b.sqlite", dir);
	snprintf(out, sizeof(out), "%s/out.sqlite", dir);
	snprintf(csv, sizeof(csv), "%s/grades.csv", dir);
	snprintf(junk, sizeof(junk), "%s/junk", dir);
	make_shards(a, b);
	CU_ASSERT_EQUAL_FATAL(gradebook_open(out, &gb, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(gradebook_merge(gb, a, &taken, &passed), 0);
	CU_ASSERT_EQUAL(taken, 3);
	CU_ASSERT_EQUAL(passed, 0);
	/* alice: b's is newer; bob: b's is a grade, a's is not (though
	 * newer); dan: new.  Each comes with its own checks only. */
	CU_ASSERT_EQUAL(gradebook_merge(gb, b, &taken, &passed), 0);
	CU_ASSERT_EQUAL(taken, 3);
	CU_ASSERT_EQUAL(passed, 0);
	/* a again: alice and bob lose; carol ties, and is taken again. */
	CU_ASSERT_EQUAL(gradebook_merge(gb, a, &taken, &passed), 0);
	CU_ASSERT_EQUAL(taken, 1);
	CU_ASSERT_EQUAL(passed, 2);
	CU_ASSERT_EQUAL(gradebook_count(gb), 3);
	CU_ASSERT_EQUAL(gradebook_size(gb), 4);
	CU_ASSERT_EQUAL(gradebook_export_csv(gb, csv), 0);
	text = read_text_file(csv, NULL);
	CU_ASSERT_STRING_EQUAL(text,
		"submission,exercise,score,max_score,status,failed\r\n"
		"alice,hello,3,3,graded,\r\n"
		"bob,hello,1,3,graded,greets\r\n"
		"carol,?,,,error,no lesson\r\n"
		"dan,hello,1,3,graded,greets\r\n");
	free(text);
	/* Not gradebooks: said, and nothing changes. */
	f = fopen(junk, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("not a database, just text that is long enough to have a header......"
	      "..............................................................\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(gradebook_merge(gb, junk, &taken, &passed), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(gradebook_error(gb), "is not an addrlab gradebook: file is not a database"));
	CU_ASSERT_EQUAL(gradebook_size(gb), 4);
	gradebook_close(gb);
	remove_tree(dir);
}

int register_report_tests(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "clean_text: UTF-8, controls, cuts", test_clean },
		{ "text: could not grade, not graded", test_text },
		{ "markdown: a CI summary no check's text can break", test_markdown },
		{ "JSON: status, ungraded, sandbox", test_json },
		{ "JUnit: errors and properties", test_junit },
		{ "Gradescope: no score when not graded", test_gradescope },
		{ "JSON, Gradescope: bad UTF-8 and 20 MiB keep every check, cut", test_untrusted_json },
		{ "text, JUnit: bad UTF-8 and 20 MiB keep every check, cut", test_untrusted_text },
		{ "gradebook: not graded is graded again", test_gradebook },
		{ "gradebook: one from before 'not graded' opens and takes it", test_gradebook_old },
		{ "shards: a stable slice by name", test_shard },
		{ "merge: the newer grade wins, a grade beats none", test_merge },
	};
	CU_pSuite s = CU_add_suite("reports and gradebook", NULL, NULL);

	if (!s)
		return -1;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(s, tests[i].name, tests[i].fn))
			return -1;
	return 0;
}
