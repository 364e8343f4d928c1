// SPDX-License-Identifier: MIT
/* progress.c - a learner's progress in SQLite (see progress.h). */
#define _GNU_SOURCE
#include "progress.h"

#include <errno.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * The schema version this addrlab writes (PRAGMA user_version).  A change
 * to the tables bumps it and adds a step to migrate(); a database with a
 * larger number came from a newer addrlab and is refused rather than
 * guessed at.
 */
#define SCHEMA_VERSION	1
/* PRAGMA application_id: "ALpr".  Tells our database from another
 * program's SQLite file at the same path. */
#define APPLICATION_ID	0x414c7072

static const char schema_v1[] =
	"CREATE TABLE settings ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);"
	"CREATE TABLE attempts ("
	"  id INTEGER PRIMARY KEY,"
	"  exercise TEXT NOT NULL,"
	"  time INTEGER NOT NULL,"
	"  score INTEGER NOT NULL,"
	"  max_score INTEGER NOT NULL,"
	"  elapsed_ms INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX attempts_by_exercise ON attempts (exercise, id);"
	"CREATE TABLE results ("
	"  attempt INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  points INTEGER NOT NULL,"
	"  max_points INTEGER NOT NULL,"
	"  message TEXT NOT NULL,"
	"  evidence TEXT NOT NULL,"
	"  fault TEXT NOT NULL,"
	"  elapsed_ms INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (attempt, seq));"
	"CREATE TABLE hints ("
	"  exercise TEXT PRIMARY KEY,"
	"  revealed INTEGER NOT NULL);"
	"CREATE TABLE quizzes ("
	"  lesson TEXT NOT NULL,"
	"  quiz TEXT NOT NULL,"
	"  answer TEXT NOT NULL,"
	"  correct INTEGER NOT NULL,"
	"  time INTEGER NOT NULL,"
	"  PRIMARY KEY (lesson, quiz));";

struct progress {
	sqlite3 *db;
	char *path;
	char err[1024];
};

static int fail(struct progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "WHAT '<path>': <sqlite's reason>" into p->err; returns -1. */
static int fail(struct progress *p, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	n = strlen(p->err);
	snprintf(p->err + n, sizeof(p->err) - n, " '%s': %s%s", p->path,
		 sqlite3_errmsg(p->db),
		 sqlite3_errcode(p->db) == SQLITE_BUSY ?
		 "; another addrlab may be holding it, try again" : "");
	return -1;
}

const char *progress_error(const struct progress *p)
{
	return p->err;
}

const char *progress_path(const struct progress *p)
{
	return p->path;
}

static char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && *h)
		return strdup(h);
	pw = getpwuid(getuid());
	return strdup(pw && pw->pw_dir ? pw->pw_dir : "/");
}

char *progress_default_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	char *home, *path;

	/* The XDG spec says a relative XDG_STATE_HOME is to be ignored. */
	if (xdg && xdg[0] == '/')
		return asprintf(&path, "%s/addrlab/progress.db", xdg) < 0 ? NULL : path;
	home = home_dir();
	if (!home)
		return NULL;
	if (asprintf(&path, "%s/.local/state/addrlab/progress.db", home) < 0)
		path = NULL;
	free(home);
	return path;
}

/* mkdir -p of path's folder.  The folders we make are private (0700):
 * the database says how a learner is doing. */
static int make_parents(const char *path, char *err, size_t errlen)
{
	char *dir = strdup(path), *p;
	int rc = 0;

	if (!dir)
		return -1;
	p = strrchr(dir, '/');
	if (!p)
		p = dir;	/* a bare file name: the folder is "." */
	*p = '\0';
	for (p = dir; p && *dir && !rc; ) {
		char c;

		p = strchrnul(p + 1, '/');
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST) {
			snprintf(err, errlen, "cannot make the folder '%s': %s; "
				 "check its parent's permissions", dir, strerror(errno));
			rc = -1;
		}
		*p = c;
		if (!c)
			p = NULL;
	}
	free(dir);
	return rc;
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlite3_errcode(db);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/*
 * Checks what the file is and brings the schema up to date, all in one
 * write transaction so two addrlabs starting at once cannot both create
 * the tables.  Never writes to a file it does not recognise.
 */
static int migrate(struct progress *p, char *err, size_t errlen)
{
	int version = 0, app = 0, objects = 0, rc;

	rc = pragma_int(p->db, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = pragma_int(p->db, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK)
		rc = pragma_int(p->db, "SELECT count(*) FROM sqlite_schema", &objects);
	if (rc == SQLITE_NOTADB)
		goto not_ours;
	if (rc != SQLITE_OK)
		goto db_error;
	if ((version || objects) && app != APPLICATION_ID)
		goto not_ours;
	if (version > SCHEMA_VERSION)
		goto newer;
	if (sqlite3_exec(p->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(p->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		goto db_error;
	/* Again, inside the write transaction: another addrlab may have
	 * created the tables since. */
	if (pragma_int(p->db, "PRAGMA user_version", &version) != SQLITE_OK)
		goto db_error_rollback;
	if (version == 0) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", APPLICATION_ID);
		if (sqlite3_exec(p->db, schema_v1, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(p->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(p->db, "PRAGMA user_version = 1", NULL, NULL, NULL) != SQLITE_OK)
			goto db_error_rollback;
	} else if (version > SCHEMA_VERSION) {
		sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
		goto newer;
	}
	if (sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto db_error_rollback;
	return 0;

not_ours:
	snprintf(err, errlen, "'%s' is not an addrlab progress database; move it "
		 "away and addrlab will start a new one there", p->path);
	return -1;
newer:
	snprintf(err, errlen, "'%s' is from a newer addrlab (progress schema %d, "
		 "this one knows up to %d); update addrlab, or move the file away "
		 "to start afresh", p->path, version, SCHEMA_VERSION);
	return -1;
db_error_rollback:
	snprintf(err, errlen, "cannot set up the progress database '%s': %s",
		 p->path, sqlite3_errmsg(p->db));
	sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
db_error:
	snprintf(err, errlen, "cannot read the progress database '%s': %s%s",
		 p->path, sqlite3_errmsg(p->db),
		 sqlite3_errcode(p->db) == SQLITE_BUSY ?
		 "; another addrlab may be holding it, try again" : "");
	return -1;
}

int progress_open(const char *path, struct progress **out, char *err,
		  size_t errlen)
{
	struct progress *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		goto oom;
	p->path = path ? strdup(path) : progress_default_path();
	if (!p->path)
		goto oom_free;
	if (make_parents(p->path, err, errlen))
		goto fail;
	if (sqlite3_open_v2(p->path, &p->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open the progress database '%s': %s; "
			 "check that the folder is writable", p->path,
			 p->db ? sqlite3_errmsg(p->db) : "out of memory");
		goto fail;
	}
	/* The workbook and `addrlab check` in another terminal take turns;
	 * every transaction is short. */
	sqlite3_busy_timeout(p->db, 5000);
	if (migrate(p, err, errlen))
		goto fail;
	/* Full sync: a grade the learner has seen saved survives a power cut
	 * too, and writes come at human pace. */
	if (sqlite3_exec(p->db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
			 NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot set up the progress database '%s': %s",
			 p->path, sqlite3_errmsg(p->db));
		goto fail;
	}
	*out = p;
	return 0;

oom_free:
	free(p);
oom:
	snprintf(err, errlen, "out of memory opening the progress database");
	return -1;
fail:
	progress_close(p);
	return -1;
}

void progress_close(struct progress *p)
{
	if (!p)
		return;
	sqlite3_close(p->db);
	free(p->path);
	free(p);
}

static sqlite3_stmt *prepare(struct progress *p, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fail(p, "cannot query the progress database");
		return NULL;
	}
	return st;
}

static char *column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return strdup(s ? (const char *)s : "");
}

int progress_get(struct progress *p, const char *key, char **val)
{
	sqlite3_stmt *st = prepare(p, "SELECT value FROM settings WHERE key = ?");
	int rc;

	*val = NULL;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && !(*val = column_dup(st, 0)))
		rc = SQLITE_NOMEM;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(p, "cannot read the setting '%s' from", key);
	return 0;
}

/* Runs a prepared write to completion and finalizes it. */
static int step_done(struct progress *p, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(p, "cannot %s in", what);
	return 0;
}

int progress_set(struct progress *p, const char *key, const char *val)
{
	sqlite3_stmt *st = prepare(p, "INSERT INTO settings (key, value) VALUES (?, ?) "
				   "ON CONFLICT (key) DO UPDATE SET value = excluded.value");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, val, -1, SQLITE_STATIC);
	return step_done(p, st, "save a setting");
}

static int begin(struct progress *p, const char *how)
{
	char sql[32];

	snprintf(sql, sizeof(sql), "BEGIN %s", how);
	if (sqlite3_exec(p->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(p, "cannot start a transaction in");
	return 0;
}

static int commit(struct progress *p)
{
	if (sqlite3_exec(p->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		fail(p, "cannot save to");
		sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static int rollback(struct progress *p)
{
	sqlite3_exec(p->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int progress_record_grade(struct progress *p, const struct grade *g)
{
	sqlite3_stmt *att, *res;
	sqlite3_int64 id;

	if (g->ungraded)	/* our failure: not an attempt of the learner's */
		return 0;

	if (begin(p, "IMMEDIATE"))
		return -1;
	att = prepare(p, "INSERT INTO attempts (exercise, time, score, max_score, elapsed_ms) "
		      "VALUES (?, ?, ?, ?, ?)");
	if (!att)
		return rollback(p);
	sqlite3_bind_text(att, 1, g->exercise, -1, SQLITE_STATIC);
	sqlite3_bind_int64(att, 2, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(att, 3, g->score);
	sqlite3_bind_int64(att, 4, g->max_score);
	sqlite3_bind_int64(att, 5, g->elapsed_ms);
	if (step_done(p, att, "record the attempt"))
		return rollback(p);
	id = sqlite3_last_insert_rowid(p->db);
	res = prepare(p, "INSERT INTO results (attempt, seq, name, title, outcome, points, "
		      "max_points, message, evidence, fault, elapsed_ms) "
		      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!res)
		return rollback(p);
	for (size_t i = 0; i < g->nresults; i++) {
		const struct check_result *r = &g->results[i];

		sqlite3_reset(res);
		sqlite3_bind_int64(res, 1, id);
		sqlite3_bind_int64(res, 2, (sqlite3_int64)i);
		sqlite3_bind_text(res, 3, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(res, 4, r->title ? r->title : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(res, 5, check_outcome_name(r->outcome), -1, SQLITE_STATIC);
		sqlite3_bind_int64(res, 6, r->points);
		sqlite3_bind_int64(res, 7, r->max_points);
		sqlite3_bind_text(res, 8, r->message ? r->message : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(res, 9, r->evidence ? r->evidence : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(res, 10, vm_verdict_name(r->fault), -1, SQLITE_STATIC);
		sqlite3_bind_int64(res, 11, r->elapsed_ms);
		if (sqlite3_step(res) != SQLITE_DONE) {
			fail(p, "cannot record the check '%s' in", r->name);
			sqlite3_finalize(res);
			return rollback(p);
		}
	}
	sqlite3_finalize(res);
	return commit(p);
}

int progress_exercise(struct progress *p, const char *exercise,
		      struct progress_exercise *out)
{
	/* One statement, so one consistent snapshot. */
	sqlite3_stmt *st = prepare(p,
		"SELECT count(*), coalesce(max(score), 0),"
		"  (SELECT max_score FROM attempts WHERE exercise = ?1 ORDER BY id DESC LIMIT 1),"
		"  coalesce(max(max_score > 0 AND score >= max_score), 0),"
		"  (SELECT revealed FROM hints WHERE exercise = ?1),"
		"  (SELECT time FROM attempts WHERE exercise = ?1 ORDER BY id DESC LIMIT 1) "
		"FROM attempts WHERE exercise = ?1");

	memset(out, 0, sizeof(*out));
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, exercise, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return fail(p, "cannot read the attempts at '%s' from", exercise);
	}
	out->attempts = (unsigned int)sqlite3_column_int64(st, 0);
	out->best_score = (unsigned int)sqlite3_column_int64(st, 1);
	out->max_score = (unsigned int)sqlite3_column_int64(st, 2);
	out->done = sqlite3_column_int(st, 3) != 0;
	out->hints = (unsigned int)sqlite3_column_int64(st, 4);
	out->last_time = sqlite3_column_int64(st, 5);
	sqlite3_finalize(st);
	return 0;
}

static int parse_outcome(const char *s, enum check_outcome *o)
{
	static const enum check_outcome all[] = {
#define X(e, name, words) e,
		CHECK_OUTCOMES(X)
#undef X
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(s, check_outcome_name(all[i]))) {
			*o = all[i];
			return 0;
		}
	return -1;
}

static int parse_verdict(const char *s, enum vm_verdict *v)
{
	for (int i = 0; i < VM_VERDICT_COUNT; i++)
		if (!strcmp(s, vm_verdict_name((enum vm_verdict)i))) {
			*v = (enum vm_verdict)i;
			return 0;
		}
	return -1;
}

/* Reads attempt id's results into g (already holding the attempt). */
static int read_results(struct progress *p, sqlite3_int64 id, struct grade *g)
{
	sqlite3_stmt *st = prepare(p, "SELECT name, title, outcome, points, max_points, "
				   "message, evidence, fault, elapsed_ms FROM results "
				   "WHERE attempt = ? ORDER BY seq");
	size_t cap = 0;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct check_result *r;

		if (g->nresults == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			struct check_result *grown = realloc(g->results, ncap * sizeof(*grown));

			if (!grown)
				goto oom;
			g->results = grown;
			cap = ncap;
		}
		r = &g->results[g->nresults];
		memset(r, 0, sizeof(*r));
		g->nresults++;
		r->name = column_dup(st, 0);
		r->title = column_dup(st, 1);
		r->message = column_dup(st, 5);
		r->evidence = column_dup(st, 6);
		if (!r->name || !r->title || !r->message || !r->evidence)
			goto oom;
		if (parse_outcome((const char *)sqlite3_column_text(st, 2), &r->outcome) ||
		    parse_verdict((const char *)sqlite3_column_text(st, 7), &r->fault)) {
			snprintf(p->err, sizeof(p->err), "the progress database '%s' has a "
				 "result this addrlab cannot read (check '%s'); move it away "
				 "to start afresh", p->path, r->name);
			sqlite3_finalize(st);
			return -1;
		}
		r->points = (unsigned int)sqlite3_column_int64(st, 3);
		r->max_points = (unsigned int)sqlite3_column_int64(st, 4);
		r->elapsed_ms = (unsigned int)sqlite3_column_int64(st, 8);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(p, "cannot read the results from");
	return 0;
oom:
	sqlite3_finalize(st);
	snprintf(p->err, sizeof(p->err), "out of memory reading '%s'", p->path);
	return -1;
}

int progress_last_grade(struct progress *p, const char *exercise,
			struct grade *g)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	int rc;

	memset(g, 0, sizeof(*g));
	/* A read transaction: the attempt and its results from one snapshot,
	 * even while another addrlab records a new attempt. */
	if (begin(p, "DEFERRED"))
		return -1;
	st = prepare(p, "SELECT id, score, max_score, elapsed_ms FROM attempts "
		     "WHERE exercise = ? ORDER BY id DESC LIMIT 1");
	if (!st)
		return rollback(p);
	sqlite3_bind_text(st, 1, exercise, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE) {
			rollback(p);
			return 1;
		}
		fail(p, "cannot read the attempts at '%s' from", exercise);
		return rollback(p);
	}
	id = sqlite3_column_int64(st, 0);
	g->score = (unsigned int)sqlite3_column_int64(st, 1);
	g->max_score = (unsigned int)sqlite3_column_int64(st, 2);
	g->elapsed_ms = (unsigned int)sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	g->exercise = strdup(exercise);
	if (!g->exercise) {
		snprintf(p->err, sizeof(p->err), "out of memory reading '%s'", p->path);
		goto fail;
	}
	if (read_results(p, id, g))
		goto fail;
	rollback(p);	/* nothing was written: ending the read is all */
	return 0;
fail:
	rollback(p);
	grade_free(g);
	return -1;
}

int progress_reveal_hints(struct progress *p, const char *exercise,
			  unsigned int n)
{
	sqlite3_stmt *st = prepare(p, "INSERT INTO hints (exercise, revealed) VALUES (?, ?) "
				   "ON CONFLICT (exercise) DO UPDATE "
				   "SET revealed = max(revealed, excluded.revealed)");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, exercise, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, n);
	return step_done(p, st, "record the hints");
}

int progress_record_quiz(struct progress *p, const char *lesson,
			 const char *quiz, const char *answer, bool correct)
{
	sqlite3_stmt *st = prepare(p, "INSERT INTO quizzes (lesson, quiz, answer, correct, time) "
				   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (lesson, quiz) DO UPDATE "
				   "SET answer = excluded.answer, correct = excluded.correct, "
				   "time = excluded.time");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, lesson, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, quiz, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, answer, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, correct);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
	return step_done(p, st, "record the quiz answer");
}

int progress_quiz(struct progress *p, const char *lesson, const char *quiz,
		  char **answer, bool *correct)
{
	sqlite3_stmt *st = prepare(p, "SELECT answer, correct FROM quizzes "
				   "WHERE lesson = ? AND quiz = ?");
	int rc;

	*answer = NULL;
	*correct = false;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, lesson, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, quiz, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*answer = column_dup(st, 0);
		*correct = sqlite3_column_int(st, 1) != 0;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return fail(p, "cannot read the quiz answers from");
	if (!*answer) {
		snprintf(p->err, sizeof(p->err), "out of memory reading '%s'", p->path);
		return -1;
	}
	return 0;
}

int progress_forget_exercise(struct progress *p, const char *exercise)
{
	static const char *const sql[] = {
		"DELETE FROM results WHERE attempt IN "
		"(SELECT id FROM attempts WHERE exercise = ?)",
		"DELETE FROM attempts WHERE exercise = ?",
		"DELETE FROM hints WHERE exercise = ?",
	};

	if (begin(p, "IMMEDIATE"))
		return -1;
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *st = prepare(p, sql[i]);

		if (!st)
			return rollback(p);
		sqlite3_bind_text(st, 1, exercise, -1, SQLITE_STATIC);
		if (step_done(p, st, "forget the attempts"))
			return rollback(p);
	}
	return commit(p);
}
