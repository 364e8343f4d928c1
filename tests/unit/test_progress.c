// SPDX-License-Identifier: MIT
/*
 * test_progress.c - suite "progress": every call round-trips exact values,
 * a reopened database keeps them, a killed writer loses nothing it
 * committed, and files that are not ours (garbage, a newer addrlab's,
 * another program's) are refused with one line and left as they were.
 */
#define _GNU_SOURCE
#include "progress.h"

#include <CUnit/CUnit.h>
#include <ftw.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char root[] = "/tmp/addrlab-progress-XXXXXX";

static int setup(void)
{
	return mkdtemp(root) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void)
{
	return nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh database path under root for each test. */
static char *db_path(const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s/progress.db", root, name) < 0 ? NULL : p;
}

static struct progress *open_ok(const char *path)
{
	struct progress *p = NULL;
	char err[512] = "";

	CU_ASSERT_EQUAL(progress_open(path, &p, err, sizeof(err)), 0);
	if (!p)
		fprintf(stderr, "\nprogress_open: %s\n", err);
	CU_ASSERT_STRING_EQUAL(err, "");
	return p;
}

/* Two checks: one passed, one failed with an oops and its evidence. */
static struct check_result results_a[] = {
	{ .name = "builds", .title = "builds without warnings", .outcome = CHECK_PASS,
	  .points = 1, .max_points = 1, .message = "", .evidence = "",
	  .fault = VM_OK, .elapsed_ms = 1200 },
	{ .name = "greets", .title = "인사한다", .outcome = CHECK_FAIL,
	  .points = 0, .max_points = 2, .message = "the kernel oopsed: BUG",
	  .evidence = "[ 1.0] Oops: 0002\n[ 1.1] RIP: hello_init+0x5\n",
	  .fault = VM_OOPS, .elapsed_ms = 3400 },
};
static const struct grade grade_a = {
	.exercise = "hello", .results = results_a, .nresults = 2,
	.score = 1, .max_score = 3, .elapsed_ms = 4600,
};
static struct check_result results_b[] = {
	{ .name = "builds", .title = "builds without warnings", .outcome = CHECK_PASS,
	  .points = 1, .max_points = 1, .message = "", .evidence = "", .fault = VM_OK,
	  .elapsed_ms = 900 },
	{ .name = "greets", .title = "인사한다", .outcome = CHECK_PASS,
	  .points = 2, .max_points = 2, .message = "", .evidence = "", .fault = VM_OK,
	  .elapsed_ms = 800 },
	{ .name = "lua", .title = "a broken check", .outcome = CHECK_ERROR,
	  .points = 0, .max_points = 0, .message = "lesson.lua:9: boom", .evidence = "",
	  .fault = VM_HANG, .elapsed_ms = 7 },
};
static const struct grade grade_b = {
	.exercise = "hello", .results = results_b, .nresults = 3,
	.score = 3, .max_score = 3, .elapsed_ms = 1707,
};

static void assert_grade_equal(const struct grade *got, const struct grade *want)
{
	CU_ASSERT_STRING_EQUAL(got->exercise, want->exercise);
	CU_ASSERT_EQUAL(got->score, want->score);
	CU_ASSERT_EQUAL(got->max_score, want->max_score);
	CU_ASSERT_EQUAL(got->elapsed_ms, want->elapsed_ms);
	CU_ASSERT_EQUAL_FATAL(got->nresults, want->nresults);
	for (size_t i = 0; i < want->nresults; i++) {
		const struct check_result *g = &got->results[i], *w = &want->results[i];

		CU_ASSERT_STRING_EQUAL(g->name, w->name);
		CU_ASSERT_STRING_EQUAL(g->title, w->title);
		CU_ASSERT_EQUAL(g->outcome, w->outcome);
		CU_ASSERT_EQUAL(g->points, w->points);
		CU_ASSERT_EQUAL(g->max_points, w->max_points);
		CU_ASSERT_STRING_EQUAL(g->message, w->message);
		CU_ASSERT_STRING_EQUAL(g->evidence, w->evidence);
		CU_ASSERT_EQUAL(g->fault, w->fault);
		CU_ASSERT_EQUAL(g->elapsed_ms, w->elapsed_ms);
	}
}

static void assert_exercise(struct progress *p, const char *ex, unsigned int attempts,
			    unsigned int best, unsigned int max, bool done,
			    unsigned int hints)
{
	struct progress_exercise pe;

	memset(&pe, 0xa5, sizeof(pe));
	CU_ASSERT_EQUAL_FATAL(progress_exercise(p, ex, &pe), 0);
	CU_ASSERT_EQUAL(pe.attempts, attempts);
	CU_ASSERT_EQUAL(pe.best_score, best);
	CU_ASSERT_EQUAL(pe.max_score, max);
	CU_ASSERT_EQUAL(pe.done, done);
	CU_ASSERT_EQUAL(pe.hints, hints);
	if (!attempts)
		CU_ASSERT_EQUAL(pe.last_time, 0);
}

static void assert_setting(struct progress *p, const char *key, const char *want)
{
	char *v = (char *)"unchanged";

	CU_ASSERT_EQUAL_FATAL(progress_get(p, key, &v), 0);
	if (!want) {
		CU_ASSERT_PTR_NULL(v);
	} else {
		CU_ASSERT_PTR_NOT_NULL_FATAL(v);
		CU_ASSERT_STRING_EQUAL(v, want);
	}
	free(v);
}

static void assert_quiz(struct progress *p, const char *lesson, const char *quiz,
			int rc, const char *answer, bool correct)
{
	char *a = NULL;
	bool c = !correct;

	CU_ASSERT_EQUAL_FATAL(progress_quiz(p, lesson, quiz, &a, &c), rc);
	if (rc == 0) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_STRING_EQUAL(a, answer);
		CU_ASSERT_EQUAL(c, correct);
	} else {
		CU_ASSERT_PTR_NULL(a);
	}
	free(a);
}

static void test_round_trips(void)
{
	char *path = db_path("round");
	struct progress *p = open_ok(path);
	struct progress_exercise pe;
	struct grade g;
	time_t t0 = time(NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(progress_path(p), path);

	assert_setting(p, "lang", NULL);
	CU_ASSERT_EQUAL(progress_set(p, "lang", "ko"), 0);
	CU_ASSERT_EQUAL(progress_set(p, "last_lesson", "mmio"), 0);
	assert_setting(p, "lang", "ko");
	CU_ASSERT_EQUAL(progress_set(p, "lang", "en"), 0);
	assert_setting(p, "lang", "en");
	assert_setting(p, "last_lesson", "mmio");

	assert_exercise(p, "hello", 0, 0, 0, false, 0);
	CU_ASSERT_EQUAL(progress_last_grade(p, "hello", &g), 1);
	CU_ASSERT_EQUAL(g.nresults, 0);
	CU_ASSERT_PTR_NULL(g.exercise);

	CU_ASSERT_EQUAL(progress_record_grade(p, &grade_a), 0);
	assert_exercise(p, "hello", 1, 1, 3, false, 0);
	CU_ASSERT_EQUAL_FATAL(progress_last_grade(p, "hello", &g), 0);
	assert_grade_equal(&g, &grade_a);
	grade_free(&g);

	CU_ASSERT_EQUAL(progress_record_grade(p, &grade_b), 0);
	CU_ASSERT_EQUAL(progress_record_grade(p, &grade_a), 0);
	/* The best of three, done since one reached full marks; the last
	 * attempt is the one rebuilt. */
	assert_exercise(p, "hello", 3, 3, 3, true, 0);
	CU_ASSERT_EQUAL_FATAL(progress_last_grade(p, "hello", &g), 0);
	assert_grade_equal(&g, &grade_a);
	grade_free(&g);
	CU_ASSERT_EQUAL(progress_exercise(p, "hello", &pe), 0);
	CU_ASSERT(pe.last_time >= t0 && pe.last_time <= time(NULL));

	/* Hints only ever go up. */
	CU_ASSERT_EQUAL(progress_reveal_hints(p, "hello", 2), 0);
	assert_exercise(p, "hello", 3, 3, 3, true, 2);
	CU_ASSERT_EQUAL(progress_reveal_hints(p, "hello", 1), 0);
	assert_exercise(p, "hello", 3, 3, 3, true, 2);
	CU_ASSERT_EQUAL(progress_reveal_hints(p, "count", 1), 0);
	assert_exercise(p, "count", 0, 0, 0, false, 1);

	/* The last answer is kept, with whether it was right. */
	assert_quiz(p, "mmio", "size", 1, NULL, false);
	CU_ASSERT_EQUAL(progress_record_quiz(p, "mmio", "size", "0x1000", false), 0);
	assert_quiz(p, "mmio", "size", 0, "0x1000", false);
	CU_ASSERT_EQUAL(progress_record_quiz(p, "mmio", "size", "1048576", true), 0);
	CU_ASSERT_EQUAL(progress_record_quiz(p, "mmio", "base", "", false), 0);
	assert_quiz(p, "mmio", "size", 0, "1048576", true);
	assert_quiz(p, "mmio", "base", 0, "", false);
	assert_quiz(p, "dma", "size", 1, NULL, false);

	progress_close(p);
	free(path);
}

static void test_forget(void)
{
	char *path = db_path("forget");
	struct progress *p = open_ok(path);
	struct grade other = grade_b, g;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	other.exercise = "count";
	CU_ASSERT_EQUAL(progress_record_grade(p, &grade_a), 0);
	CU_ASSERT_EQUAL(progress_record_grade(p, &other), 0);
	CU_ASSERT_EQUAL(progress_reveal_hints(p, "hello", 2), 0);
	CU_ASSERT_EQUAL(progress_reveal_hints(p, "count", 1), 0);
	CU_ASSERT_EQUAL(progress_record_quiz(p, "hello", "q", "a", true), 0);
	CU_ASSERT_EQUAL(progress_set(p, "lang", "ko"), 0);

	CU_ASSERT_EQUAL(progress_forget_exercise(p, "hello"), 0);
	assert_exercise(p, "hello", 0, 0, 0, false, 0);
	CU_ASSERT_EQUAL(progress_last_grade(p, "hello", &g), 1);
	/* Everything else stays. */
	assert_exercise(p, "count", 1, 3, 3, true, 1);
	assert_quiz(p, "hello", "q", 0, "a", true);
	assert_setting(p, "lang", "ko");
	/* Forgetting nothing is not an error. */
	CU_ASSERT_EQUAL(progress_forget_exercise(p, "never"), 0);
	progress_close(p);
	free(path);
}

static void test_reopen_keeps_everything(void)
{
	char *path = db_path("reopen");
	struct progress *p = open_ok(path);
	struct stat st;
	char *dir;
	struct grade g;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(progress_set(p, "lang", "ko"), 0);
	CU_ASSERT_EQUAL(progress_record_grade(p, &grade_b), 0);
	CU_ASSERT_EQUAL(progress_reveal_hints(p, "hello", 1), 0);
	CU_ASSERT_EQUAL(progress_record_quiz(p, "mmio", "who", "2", true), 0);
	progress_close(p);

	/* The folders it made are private. */
	dir = strndup(path, strrchr(path, '/') - path);
	CU_ASSERT_EQUAL(stat(dir, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0700);
	free(dir);

	p = open_ok(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	assert_setting(p, "lang", "ko");
	assert_exercise(p, "hello", 1, 3, 3, true, 1);
	assert_quiz(p, "mmio", "who", 0, "2", true);
	CU_ASSERT_EQUAL_FATAL(progress_last_grade(p, "hello", &g), 0);
	assert_grade_equal(&g, &grade_b);
	grade_free(&g);
	progress_close(p);
	free(path);
}

/* A writer killed right after progress_record_grade() returned, without
 * closing: what it recorded is there for the next process. */
static void test_killed_writer_loses_nothing(void)
{
	char *path = db_path("killed");
	struct progress *p;
	struct grade g;
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		char err[512];

		if (progress_open(path, &p, err, sizeof(err)) ||
		    progress_record_grade(p, &grade_a) ||
		    progress_reveal_hints(p, "hello", 2))
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	p = open_ok(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	assert_exercise(p, "hello", 1, 1, 3, false, 2);
	CU_ASSERT_EQUAL_FATAL(progress_last_grade(p, "hello", &g), 0);
	assert_grade_equal(&g, &grade_a);
	grade_free(&g);
	progress_close(p);
	free(path);
}

static void write_bytes(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void assert_refused(const char *path, const char *want)
{
	struct progress *p = (struct progress *)&p;
	char err[512] = "", *full;

	CU_ASSERT_EQUAL(progress_open(path, &p, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL_FATAL(asprintf(&full, want, path) > 0, 1);
	CU_ASSERT_STRING_EQUAL(err, full);
	free(full);
}

static void test_garbage_refused_untouched(void)
{
	char path[sizeof(root) + 32], side[sizeof(path) + 8], *after;
	char garbage[8192];
	size_t len;

	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = "my lab notes, not a database\n"[i % 29];
	snprintf(path, sizeof(path), "%s/notes.db", root);
	write_bytes(path, garbage, sizeof(garbage));

	assert_refused(path, "'%s' is not an addrlab progress database; move it away "
		       "and addrlab will start a new one there");
	after = NULL;
	{
		FILE *f = fopen(path, "rb");

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		after = malloc(sizeof(garbage) + 1);
		len = fread(after, 1, sizeof(garbage) + 1, f);
		fclose(f);
	}
	CU_ASSERT_EQUAL(len, sizeof(garbage));
	CU_ASSERT_EQUAL(memcmp(after, garbage, sizeof(garbage)), 0);
	free(after);
	snprintf(side, sizeof(side), "%s-wal", path);
	CU_ASSERT_NOT_EQUAL(access(side, F_OK), 0);
	snprintf(side, sizeof(side), "%s-shm", path);
	CU_ASSERT_NOT_EQUAL(access(side, F_OK), 0);
}

/* Makes a SQLite file with sql run in it. */
static void make_db(const char *path, const char *sql)
{
	sqlite3 *db;

	CU_ASSERT_EQUAL_FATAL(sqlite3_open(path, &db), SQLITE_OK);
	CU_ASSERT_EQUAL(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_foreign_databases_refused(void)
{
	char path[sizeof(root) + 32];
	struct progress *p;

	/* Ours (application_id "ALpr"), from a newer addrlab. */
	snprintf(path, sizeof(path), "%s/newer.db", root);
	make_db(path, "PRAGMA application_id = 1095528562; PRAGMA user_version = 2;"
		"CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT, extra TEXT);");
	assert_refused(path, "'%s' is from a newer addrlab (progress schema 2, this one "
		       "knows up to 1); update addrlab, or move the file away to start afresh");

	/* Another program's database at our path. */
	snprintf(path, sizeof(path), "%s/other.db", root);
	make_db(path, "CREATE TABLE photos (id INTEGER PRIMARY KEY);");
	assert_refused(path, "'%s' is not an addrlab progress database; move it away "
		       "and addrlab will start a new one there");

	/* An empty file is an empty database: it becomes ours. */
	snprintf(path, sizeof(path), "%s/empty.db", root);
	write_bytes(path, "", 0);
	p = open_ok(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(progress_set(p, "lang", "en"), 0);
	progress_close(p);
}

static void test_default_path(void)
{
	static const struct {
		const char *xdg, *home;		/* NULL: unset */
		const char *want;
	} cases[] = {
		{ "/x/state", "/home/u", "/x/state/addrlab/progress.db" },
		{ NULL, "/home/u", "/home/u/.local/state/addrlab/progress.db" },
		{ "", "/home/u", "/home/u/.local/state/addrlab/progress.db" },
		/* The XDG spec: a relative path is ignored. */
		{ "state", "/home/u", "/home/u/.local/state/addrlab/progress.db" },
	};
	char *saved_xdg = getenv("XDG_STATE_HOME"), *saved_home = getenv("HOME");

	saved_xdg = saved_xdg ? strdup(saved_xdg) : NULL;
	saved_home = saved_home ? strdup(saved_home) : NULL;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got;

		if (cases[i].xdg)
			setenv("XDG_STATE_HOME", cases[i].xdg, 1);
		else
			unsetenv("XDG_STATE_HOME");
		setenv("HOME", cases[i].home, 1);
		got = progress_default_path();
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		if (strcmp(got, cases[i].want))
			fprintf(stderr, "\ncase %zu: got '%s'\n", i, got);
		CU_ASSERT_STRING_EQUAL(got, cases[i].want);
		free(got);
	}
	if (saved_xdg)
		setenv("XDG_STATE_HOME", saved_xdg, 1);
	else
		unsetenv("XDG_STATE_HOME");
	if (saved_home)
		setenv("HOME", saved_home, 1);
	free(saved_xdg);
	free(saved_home);
}

/* progress_open(NULL) uses the default path and makes its folders. */
static void test_open_default(void)
{
	char *saved = getenv("XDG_STATE_HOME"), state[sizeof(root) + 16], want[sizeof(state) + 32];
	struct progress *p;

	saved = saved ? strdup(saved) : NULL;
	snprintf(state, sizeof(state), "%s/xdg", root);
	setenv("XDG_STATE_HOME", state, 1);
	p = open_ok(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	snprintf(want, sizeof(want), "%s/addrlab/progress.db", state);
	CU_ASSERT_STRING_EQUAL(progress_path(p), want);
	CU_ASSERT_EQUAL(access(want, F_OK), 0);
	progress_close(p);
	if (saved)
		setenv("XDG_STATE_HOME", saved, 1);
	else
		unsetenv("XDG_STATE_HOME");
	free(saved);
}

int register_progress_tests(void)
{
	CU_pSuite s = CU_add_suite("progress", setup, teardown);

	if (!s || !CU_add_test(s, "every call round-trips exact values", test_round_trips) ||
	    !CU_add_test(s, "forgetting an exercise keeps the rest", test_forget) ||
	    !CU_add_test(s, "a reopened database keeps everything", test_reopen_keeps_everything) ||
	    !CU_add_test(s, "a killed writer loses nothing it recorded",
			 test_killed_writer_loses_nothing) ||
	    !CU_add_test(s, "a garbage file is refused and left untouched",
			 test_garbage_refused_untouched) ||
	    !CU_add_test(s, "a newer or another program's database is refused",
			 test_foreign_databases_refused) ||
	    !CU_add_test(s, "the default path: XDG_STATE_HOME, then HOME", test_default_path) ||
	    !CU_add_test(s, "opening the default path makes its folders", test_open_default))
		return CU_get_error();
	return CUE_SUCCESS;
}
