/* SPDX-License-Identifier: MIT */
/*
 * progress.h - a learner's progress, kept in SQLite at
 * $XDG_STATE_HOME/addrlab/progress.db (~/.local/state/addrlab/progress.db):
 * every check attempt with its per-check results, hints revealed, quiz
 * answers, and settings such as the language.
 *
 * Every write is one transaction in WAL mode, committed before the call
 * returns: whatever the workbook has shown as saved survives a killed
 * process.  A database from a newer addrlab, or a file that is not one,
 * is refused with a one-line error naming the file (never overwritten).
 *
 *	struct progress *p;
 *	if (progress_open(NULL, &p, err, sizeof(err))) ... err ...
 *	progress_record_grade(p, &grade);
 *	progress_close(p);
 *
 * Not thread-safe: one thread uses one handle.
 */
#ifndef ADDRLAB_PROGRESS_H
#define ADDRLAB_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"

struct progress;

/* The default database path (malloc'd): $XDG_STATE_HOME/addrlab/progress.db,
 * or $HOME/.local/state/addrlab/progress.db. */
char *progress_default_path(void);

/* Opens (creating it and its folders if needed) path, or the default when
 * path is NULL.  0, or -1 with one line in err. */
int progress_open(const char *path, struct progress **out, char *err,
		  size_t errlen);
void progress_close(struct progress *p);
const char *progress_path(const struct progress *p);
/* The last error as one line (after a -1). */
const char *progress_error(const struct progress *p);

/* Settings ("lang", "last_lesson"...): *val malloc'd, or NULL if unset. */
int progress_get(struct progress *p, const char *key, char **val);
int progress_set(struct progress *p, const char *key, const char *val);

/* One attempt at an exercise: the grade with every check's result.  A grade
 * that could not be graded (g->ungraded) is not the learner's attempt and
 * is not recorded (0: nothing to do). */
int progress_record_grade(struct progress *p, const struct grade *g);

struct progress_exercise {
	unsigned int attempts;
	unsigned int best_score, max_score;	/* max_score 0: never checked */
	bool done;			/* some attempt scored max_score */
	unsigned int hints;		/* hints revealed so far */
	int64_t last_time;		/* unix seconds of the last attempt, 0 */
};

int progress_exercise(struct progress *p, const char *exercise,
		      struct progress_exercise *out);

/* The last attempt's grade, rebuilt (free with grade_free()); 1 if the
 * exercise was never checked, 0 on success, -1 on error. */
int progress_last_grade(struct progress *p, const char *exercise,
			struct grade *g);

/* Hints: records that the first n are revealed (never lowers the count). */
int progress_reveal_hints(struct progress *p, const char *exercise,
			  unsigned int n);

/* Quiz answers: the last answer given and whether it was right. */
int progress_record_quiz(struct progress *p, const char *lesson,
			 const char *quiz, const char *answer, bool correct);
/* 0 with *answer (malloc'd) and *correct, 1 if never answered, -1. */
int progress_quiz(struct progress *p, const char *lesson, const char *quiz,
		  char **answer, bool *correct);

/* Forgets an exercise's attempts and hints (after a reset).  Quiz answers
 * and settings stay. */
int progress_forget_exercise(struct progress *p, const char *exercise);

#endif /* ADDRLAB_PROGRESS_H */
