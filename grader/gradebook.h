/* SPDX-License-Identifier: MIT */
/*
 * gradebook.h - a class's grades in SQLite (gradebook.sqlite).
 *
 *	submissions(submission PRIMARY KEY, exercise, score, max_score,
 *		    status 'graded'|'not graded'|'error', message, elapsed_ms,
 *		    graded_at)
 *	checks(submission, seq, name, outcome, points, max_points, message,
 *	       evidence, fault, elapsed_ms)
 *
 * status 'not graded': some check could not be graded (the grader's
 * failure, never the submission's); 'error': the grade could not even
 * start (no lesson for it, out of memory).  Either row has no score (NULL,
 * an empty field in grades.csv, never a zero), its message says why, and
 * the next batch run grades it again.  A gradebook from before 'not graded'
 * is updated in place when opened.
 *
 * A submission's row and all its checks are written in one transaction,
 * so a batch killed at any moment (even SIGKILL) leaves every submission
 * either fully recorded or absent: a rerun grades exactly the absent ones.
 * Several processes may write at once (WAL mode, a busy timeout).
 */
#ifndef ADDRLAB_GRADEBOOK_H
#define ADDRLAB_GRADEBOOK_H

#include <stdbool.h>

#include "check.h"

struct gradebook;

/* Opens (creating if needed) the gradebook at path.  0, or -1 with err. */
int gradebook_open(const char *path, struct gradebook **out, char *err,
		   size_t errlen);
void gradebook_close(struct gradebook *gb);

/* Has this submission been graded already (not graded does not count)? */
bool gradebook_has(struct gradebook *gb, const char *submission);

/* Records a grade, or (g NULL) an error message for the submission. */
int gradebook_record(struct gradebook *gb, const char *submission,
		     const char *exercise, const struct grade *g,
		     const char *error);

/* Writes grades.csv: submission,exercise,score,max_score,status,failed. */
int gradebook_export_csv(struct gradebook *gb, const char *path);

/* How many submissions are graded; how many it holds in all. */
int gradebook_count(struct gradebook *gb);
int gradebook_size(struct gradebook *gb);

/*
 * Which of `shards` slices of a class a submission is in, 1 to shards:
 * FNV-1a (32 bits) of its name, modulo shards, plus one.  It depends on
 * the name alone, never on the order or the number of submissions, so
 * every shard of a class computes the same slicing; it must never change.
 */
unsigned gradebook_shard(const char *submission, unsigned shards);

/*
 * Takes into gb every submission of the gradebook at path (with its
 * checks) that is newer than gb's record of it: a grade beats a record
 * that is not one (not graded, error), whatever their times; otherwise
 * the later graded_at wins, and a tie goes to path's (the later merged).
 * *taken and *passed count its records taken and those gb's newer ones
 * beat.  One transaction: a merge killed midway leaves gb as it was.
 * 0, or -1 with gradebook_error().
 */
int gradebook_merge(struct gradebook *gb, const char *path, int *taken, int *passed);

const char *gradebook_error(struct gradebook *gb);

#endif /* ADDRLAB_GRADEBOOK_H */
