// SPDX-License-Identifier: MIT
/* gradebook.c - grades in SQLite (see gradebook.h). */
#define _GNU_SOURCE
#include "gradebook.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gradebook {
	sqlite3 *db;
	char err[4608];
};

/* The submissions table, under a name: "submissions", or the new copy
 * that migrate() fills. */
#define SUBMISSIONS_TABLE(name) \
	"CREATE TABLE IF NOT EXISTS " name " (" \
	"  submission TEXT PRIMARY KEY," \
	"  exercise TEXT," \
	"  score INTEGER," \
	"  max_score INTEGER," \
	"  status TEXT NOT NULL CHECK (status IN ('graded', 'error', 'not graded'))," \
	"  message TEXT," \
	"  elapsed_ms INTEGER," \
	"  graded_at TEXT NOT NULL DEFAULT (datetime('now')));"

static const char schema[] =
	"PRAGMA journal_mode = WAL;"
	"PRAGMA foreign_keys = ON;"
	SUBMISSIONS_TABLE("submissions")
	"CREATE TABLE IF NOT EXISTS checks ("
	"  submission TEXT NOT NULL REFERENCES submissions(submission) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  points INTEGER NOT NULL,"
	"  max_points INTEGER NOT NULL,"
	"  message TEXT,"
	"  evidence TEXT,"
	"  fault TEXT,"
	"  elapsed_ms INTEGER,"
	"  PRIMARY KEY (submission, name));";

static int db_fail(struct gradebook *gb, const char *what)
{
	snprintf(gb->err, sizeof(gb->err), "%s: %s", what, sqlite3_errmsg(gb->db));
	return -1;
}

const char *gradebook_error(struct gradebook *gb)
{
	return gb->err;
}

/*
 * Gradebooks made before 'not graded' existed allow status 'graded' or
 * 'error' only: their submissions table is copied into one that allows
 * 'not graded' too, in one transaction (SQLite cannot change a CHECK in
 * place).  Foreign keys are off meanwhile, or dropping the old table
 * would delete every check with it.  0 also when nothing was to be done.
 */
static int migrate(sqlite3 *db)
{
	static const char old_table[] =
		"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'submissions'"
		"   AND sql NOT LIKE '%''not graded''%'";
	static const char copy[] =
		SUBMISSIONS_TABLE("submissions_new")
		"INSERT INTO submissions_new SELECT submission, exercise, score, max_score,"
		"       status, message, elapsed_ms, graded_at FROM submissions;"
		"DROP TABLE submissions;"
		"ALTER TABLE submissions_new RENAME TO submissions;";
	sqlite3_stmt *st;
	bool old = false;
	int rc = -1;

	if (sqlite3_exec(db, "PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE", NULL, NULL,
			 NULL) != SQLITE_OK)
		goto fk_on;
	/* Asked inside the transaction: another grader may have just done it. */
	if (sqlite3_prepare_v2(db, old_table, -1, &st, NULL) != SQLITE_OK)
		goto rollback;
	old = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (old && sqlite3_exec(db, copy, NULL, NULL, NULL) != SQLITE_OK)
		goto rollback;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
		rc = 0;
		goto fk_on;
	}
rollback:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
fk_on:
	sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
	return rc;
}

int gradebook_open(const char *path, struct gradebook **out, char *err,
		   size_t errlen)
{
	struct gradebook *gb = calloc(1, sizeof(*gb));
	char *msg = NULL;

	*out = NULL;
	if (!gb)
		return -1;
	if (sqlite3_open(path, &gb->db) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open the gradebook '%s': %s", path,
			 gb->db ? sqlite3_errmsg(gb->db) : "out of memory");
		gradebook_close(gb);
		return -1;
	}
	/* Parallel graders write in turns; a turn is one short transaction. */
	sqlite3_busy_timeout(gb->db, 30000);
	if (sqlite3_exec(gb->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "'%s' is not an addrlab gradebook: %s", path,
			 msg ? msg : "?");
		sqlite3_free(msg);
		gradebook_close(gb);
		return -1;
	}
	if (migrate(gb->db)) {
		snprintf(err, errlen, "cannot update the gradebook '%s' to this version: %s",
			 path, sqlite3_errmsg(gb->db));
		gradebook_close(gb);
		return -1;
	}
	*out = gb;
	return 0;
}

void gradebook_close(struct gradebook *gb)
{
	if (!gb)
		return;
	sqlite3_close(gb->db);
	free(gb);
}

bool gradebook_has(struct gradebook *gb, const char *submission)
{
	sqlite3_stmt *st;
	bool has = false;

	if (sqlite3_prepare_v2(gb->db, "SELECT 1 FROM submissions WHERE submission = ? "
			       "AND status = 'graded'",
			       -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, submission, -1, SQLITE_STATIC);
	has = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return has;
}

/* One integer from a query; -1 when it fails. */
static int query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

int gradebook_count(struct gradebook *gb)
{
	return query_int(gb->db, "SELECT count(*) FROM submissions WHERE status = 'graded'");
}

int gradebook_size(struct gradebook *gb)
{
	return query_int(gb->db, "SELECT count(*) FROM submissions");
}

unsigned gradebook_shard(const char *submission, unsigned shards)
{
	uint32_t h = 2166136261u;	/* FNV-1a's offset basis and prime */

	for (const unsigned char *p = (const unsigned char *)submission; *p; p++)
		h = (h ^ *p) * 16777619u;
	return shards ? h % shards + 1 : 1;
}

int gradebook_merge(struct gradebook *gb, const char *path, int *taken, int *passed)
{
	/* The records of src to take: those gb lacks or holds an older one of. */
	static const char take[] =
		"CREATE TEMP TABLE take AS SELECT s.submission FROM src.submissions s"
		"  LEFT JOIN main.submissions m ON m.submission = s.submission"
		"  WHERE m.submission IS NULL"
		"     OR (s.status = 'graded') > (m.status = 'graded')"
		"     OR ((s.status = 'graded') = (m.status = 'graded') AND s.graded_at >= m.graded_at);"
		/* REPLACE deletes gb's old row, and ON DELETE CASCADE its checks. */
		"INSERT OR REPLACE INTO main.submissions (submission, exercise, score, max_score,"
		"       status, message, elapsed_ms, graded_at)"
		"  SELECT submission, exercise, score, max_score, status, message, elapsed_ms,"
		"         graded_at FROM src.submissions WHERE submission IN temp.take;"
		"INSERT INTO main.checks (submission, seq, name, outcome, points, max_points,"
		"       message, evidence, fault, elapsed_ms)"
		"  SELECT submission, seq, name, outcome, points, max_points, message, evidence,"
		"         fault, elapsed_ms FROM src.checks WHERE submission IN temp.take;";
	sqlite3_stmt *st;
	int all, rc = -1;

	*taken = *passed = 0;
	if (sqlite3_prepare_v2(gb->db, "ATTACH DATABASE ? AS src", -1, &st, NULL) != SQLITE_OK)
		return db_fail(gb, "cannot attach");
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		snprintf(gb->err, sizeof(gb->err), sqlite3_errcode(gb->db) == SQLITE_NOTADB ?
			 "'%s' is not an addrlab gradebook: %s" : "cannot open the gradebook '%s': %s",
			 path, sqlite3_errmsg(gb->db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (query_int(gb->db, "SELECT count(*) FROM src.sqlite_master WHERE type = 'table'"
		      "   AND name IN ('submissions', 'checks')") != 2) {
		snprintf(gb->err, sizeof(gb->err), "'%s' is not an addrlab gradebook: %s", path,
			 sqlite3_errcode(gb->db) == SQLITE_OK ? "it has no submissions and checks tables" :
			 sqlite3_errmsg(gb->db));
		goto detach;
	}
	all = query_int(gb->db, "SELECT count(*) FROM src.submissions");
	if (sqlite3_exec(gb->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(gb, "cannot start a transaction");
		goto detach;
	}
	if (sqlite3_exec(gb->db, take, NULL, NULL, NULL) != SQLITE_OK ||
	    (*taken = query_int(gb->db, "SELECT count(*) FROM temp.take")) < 0 ||
	    sqlite3_exec(gb->db, "DROP TABLE temp.take; COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(gb->err, sizeof(gb->err), "cannot merge '%s': %s", path, sqlite3_errmsg(gb->db));
		sqlite3_exec(gb->db, "ROLLBACK", NULL, NULL, NULL);
		*taken = 0;
		goto detach;
	}
	*passed = all - *taken;
	rc = 0;
detach:
	sqlite3_exec(gb->db, "DETACH DATABASE src", NULL, NULL, NULL);
	return rc;
}

/* "could not grade N checks: the first one's message" */
static char *ungraded_why(const struct grade *g)
{
	const char *first = "";
	char *s;

	for (size_t i = 0; i < g->nresults && !*first; i++)
		if (g->results[i].outcome == CHECK_ERROR)
			first = g->results[i].message;
	if (asprintf(&s, "could not grade %u check%s: %s", g->ungraded,
		     g->ungraded == 1 ? "" : "s", first) < 0)
		return NULL;
	return s;
}

int gradebook_record(struct gradebook *gb, const char *submission,
		     const char *exercise, const struct grade *g,
		     const char *error)
{
	sqlite3_stmt *sub = NULL, *chk = NULL;
	char *why = NULL;
	int rc = -1;

	if (sqlite3_exec(gb->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(gb, "cannot start a transaction");
	if (sqlite3_prepare_v2(gb->db,
			       "INSERT OR REPLACE INTO submissions (submission, exercise, score, "
			       "max_score, status, message, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
			       -1, &sub, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(gb->db,
			       "INSERT INTO checks (submission, seq, name, outcome, points, max_points, "
			       "message, evidence, fault, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, &chk, NULL) != SQLITE_OK) {
		db_fail(gb, "cannot prepare");
		goto out;
	}
	/* REPLACE deletes the old row, and ON DELETE CASCADE its checks. */
	sqlite3_bind_text(sub, 1, submission, -1, SQLITE_STATIC);
	sqlite3_bind_text(sub, 2, exercise, -1, SQLITE_STATIC);
	if (g && !g->ungraded) {
		sqlite3_bind_int(sub, 3, (int)g->score);
		sqlite3_bind_int(sub, 4, (int)g->max_score);
		sqlite3_bind_text(sub, 5, "graded", -1, SQLITE_STATIC);
		sqlite3_bind_null(sub, 6);
		sqlite3_bind_int(sub, 7, (int)g->elapsed_ms);
	} else if (g) {
		/* Not graded: no score at all, never a zero; the checks are
		 * kept for staff, and the next run grades it again. */
		sqlite3_bind_null(sub, 3);
		sqlite3_bind_int(sub, 4, (int)g->max_score);
		sqlite3_bind_text(sub, 5, "not graded", -1, SQLITE_STATIC);
		if (!(why = ungraded_why(g)))
			goto out;
		sqlite3_bind_text(sub, 6, why, -1, SQLITE_STATIC);
		sqlite3_bind_int(sub, 7, (int)g->elapsed_ms);
	} else {
		sqlite3_bind_null(sub, 3);
		sqlite3_bind_null(sub, 4);
		sqlite3_bind_text(sub, 5, "error", -1, SQLITE_STATIC);
		sqlite3_bind_text(sub, 6, error ? error : "?", -1, SQLITE_STATIC);
		sqlite3_bind_null(sub, 7);
	}
	if (sqlite3_step(sub) != SQLITE_DONE) {
		db_fail(gb, "cannot record the submission");
		goto out;
	}
	for (size_t i = 0; g && i < g->nresults; i++) {
		const struct check_result *r = &g->results[i];

		sqlite3_reset(chk);
		sqlite3_bind_text(chk, 1, submission, -1, SQLITE_STATIC);
		sqlite3_bind_int(chk, 2, (int)i + 1);
		sqlite3_bind_text(chk, 3, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(chk, 4, check_outcome_name(r->outcome), -1, SQLITE_STATIC);
		sqlite3_bind_int(chk, 5, (int)r->points);
		sqlite3_bind_int(chk, 6, (int)r->max_points);
		sqlite3_bind_text(chk, 7, r->message, -1, SQLITE_STATIC);
		sqlite3_bind_text(chk, 8, r->evidence, -1, SQLITE_STATIC);
		sqlite3_bind_text(chk, 9, vm_verdict_name(r->fault), -1, SQLITE_STATIC);
		sqlite3_bind_int(chk, 10, (int)r->elapsed_ms);
		if (sqlite3_step(chk) != SQLITE_DONE) {
			db_fail(gb, "cannot record a check");
			goto out;
		}
	}
	if (sqlite3_exec(gb->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		db_fail(gb, "cannot commit");
		goto out;
	}
	rc = 0;
out:
	if (rc)
		sqlite3_exec(gb->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_finalize(sub);
	sqlite3_finalize(chk);
	free(why);
	return rc;
}

/* RFC 4180: quote a field with a comma, quote or newline; double quotes. */
static void csv_field(FILE *f, const char *s, bool last)
{
	if (s && strpbrk(s, ",\"\n\r")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else if (s) {
		fputs(s, f);
	}
	fputs(last ? "\r\n" : ",", f);
}

int gradebook_export_csv(struct gradebook *gb, const char *path)
{
	static const char q[] =
		"SELECT s.submission, s.exercise, s.score, s.max_score,"
		"       s.status,"
		"       coalesce(s.message, group_concat(c.name, ';'), '')"
		"  FROM submissions s LEFT JOIN checks c"
		"    ON c.submission = s.submission AND c.outcome != 'pass'"
		" GROUP BY s.submission ORDER BY s.submission";
	char tmp[4096];
	sqlite3_stmt *st;
	FILE *f;
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(gb->err, sizeof(gb->err), "cannot write '%s': %m", tmp);
		return -1;
	}
	if (sqlite3_prepare_v2(gb->db, q, -1, &st, NULL) != SQLITE_OK) {
		fclose(f);
		return db_fail(gb, "cannot read the gradebook");
	}
	fputs("submission,exercise,score,max_score,status,failed\r\n", f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int c = 0; c < 6; c++)
			csv_field(f, (const char *)sqlite3_column_text(st, c), c == 5);
	sqlite3_finalize(st);
	if (fclose(f) || rc != SQLITE_DONE) {
		snprintf(gb->err, sizeof(gb->err), "cannot write '%s'", tmp);
		return -1;
	}
	/* Written whole, then renamed: a reader never sees half a file. */
	if (rename(tmp, path)) {
		snprintf(gb->err, sizeof(gb->err), "cannot rename '%s': %m", tmp);
		return -1;
	}
	return 0;
}
