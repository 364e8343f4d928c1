/* SPDX-License-Identifier: MIT */
/*
 * lesson.h - the lesson model: a lessons/NAME/lesson.lua file, loaded in
 * the sandboxed runtime (lrt.h), validated, and turned into C structures.
 *
 * The format is documented for instructors in lessons/README.md.  Loading
 * never trusts the file: every field is type-checked and a problem is
 * reported as one line naming the file and the field, e.g.
 *	lessons/ch3/lesson.lua: exercise.checks[2].points: expected a positive integer
 *
 * Functions in the lesson (quiz answers computed live, exercise checks)
 * stay in the lesson's runtime; the structures hold registry references to
 * them, valid until lesson_free().  Invariants: strings are never NULL
 * except where a comment says so; for per-language text, the English
 * version is always there and the Korean one falls back to it.
 */
#ifndef ADDRLAB_LESSON_H
#define ADDRLAB_LESSON_H

#include <stdbool.h>
#include <stddef.h>

#include "lrt.h"

enum lang { LANG_EN, LANG_KO, LANG_COUNT };

const char *lang_code(enum lang l);		/* "en", "ko" */
/* LANG_EN/LANG_KO for "en"/"ko"; -1 otherwise. */
int lang_parse(const char *code);

/* Text in each language; s[LANG_KO] falls back to s[LANG_EN]. */
struct ltext {
	char *s[LANG_COUNT];
};

struct lesson_view {
	char *id;
	struct ltext title;
	char *run;		/* shell command run in the lab VM */
	char *highlight;	/* Lua pattern of the interesting lines, or NULL */
	unsigned int timeout_ms;
	bool iommu;		/* run in the IOMMU profile (profile = "iommu") */
};

enum quiz_kind { QUIZ_CHOICE, QUIZ_NUMBER, QUIZ_TEXT };

struct lesson_quiz {
	char *id;
	enum quiz_kind kind;
	struct ltext question;
	struct ltext *choices;	/* QUIZ_CHOICE only */
	size_t nchoices;
	char *answer;		/* a fixed answer, or NULL when computed live */
	int answer_ref;		/* LUA_NOREF, or function(vm) returning the answer */
	struct ltext explain;
	bool iommu;		/* computed in the IOMMU profile (profile = "iommu") */
};

/* Who sees a check (Gradescope's words): everyone; students once the due
 * date is past; staff only.  Students' own runs (addrlab check, the
 * workbook) run visible checks only. */
#define CHECK_VISIBILITIES(X) \
	X(VIS_VISIBLE,        "visible") \
	X(VIS_AFTER_DUE_DATE, "after_due_date") \
	X(VIS_HIDDEN,         "hidden")

enum check_visibility {
#define X(e, name) e,
	CHECK_VISIBILITIES(X)
#undef X
};

const char *check_visibility_name(enum check_visibility v);	/* "hidden" */

struct lesson_check {
	char *name;		/* unique in the exercise; mutants name it */
	struct ltext title;
	unsigned int points;
	unsigned int timeout_ms;
	bool iommu;		/* run in the IOMMU profile (profile = "iommu") */
	enum check_visibility visibility;
	int fn_ref;		/* function(t), in rt */
	struct lrt *rt;		/* NULL: the lesson's; else the runtime of the
				 * later root's file that added the check */
};

enum exercise_kind { EX_MODULE, EX_USER };

struct lesson_exercise {
	char *id;		/* also the folder exercises/ID */
	enum exercise_kind kind;
	struct ltext title;
	char **files;		/* what the student edits, e.g. "edu_id.c" */
	size_t nfiles;
	struct ltext *hints;	/* in order: revealed one at a time */
	size_t nhints;
	struct lesson_check *checks;
	size_t nchecks;
	unsigned int total_points;
	unsigned int budget_ms;	/* all checks of one submission (budget = s;
				 * default 180 s) */
};

struct lesson {
	char *dir;		/* lessons/NAME */
	char *file;		/* lessons/NAME/lesson.lua */
	char *id;
	int number;
	struct ltext title;
	char *text_path[LANG_COUNT];	/* Markdown files; KO falls back to EN */
	char *module;		/* chapter module loaded for live views, or NULL */
	struct lesson_view *views;
	size_t nviews;
	struct lesson_quiz *quizzes;
	size_t nquizzes;
	struct lesson_exercise *exercise;	/* NULL if the lesson has none */
	struct lrt *rt;		/* the lesson's own runtime */
	struct lrt **ext_rt;	/* those of the files that added checks */
	size_t next_rt;
};

/*
 * Loads dir/lesson.lua.  0 with *out set, or -1 with one line in err
 * ("FILE: FIELD: problem" or "FILE:LINE: message" for Lua errors).
 */
int lesson_load(const char *dir, struct lesson **out, char *err, size_t errlen);
/*
 * The same, with the lesson.lua given as text (len bytes, shown in errors
 * as dir/lesson.lua; text NULL: read the file) and the runtime's limits
 * (NULL: the defaults).  The text files it names are looked for in dir.
 */
int lesson_load_text(const char *dir, const char *text, size_t len,
		     const struct lrt_limits *lim, struct lesson **out,
		     char *err, size_t errlen);
void lesson_free(struct lesson *l);

/* Text in a language, with the fallback. */
const char *ltext_get(const struct ltext *t, enum lang l);

/*
 * Is `given` (what a learner typed) the quiz's `answer`?  Both are trimmed.
 * When both read as whole integers (decimal, or hex with 0x) they compare
 * as numbers, so 0x01000000, 0x1000000 and 16777216 are one answer; else
 * they compare as text, ignoring ASCII case and runs of spaces.  For a
 * choice, `given` is the choice's number.
 */
bool quiz_matches(const struct lesson_quiz *q, const char *given,
		  const char *answer);

/* A check by name, or NULL. */
const struct lesson_check *lesson_find_check(const struct lesson *l,
					     const char *name);

/*
 * Loads every NAME/lesson.lua under roots, sorted by number.  roots is one
 * folder or several joined by ':' (ADDRLAB_LESSONS=public:private), read
 * in order: each may add lessons, and a lesson.lua that returns
 * { extends = "ID", checks = { ... } } adds its checks to lesson ID's
 * exercise (a course keeps hidden checks out of the students' copy so).
 * A lesson that fails to load is skipped, and so is a lesson whose added
 * checks fail to (it is never graded without them); each error is one
 * line appended to *errors (malloc'd, "" if none).  Returns the count, -1
 * when a root cannot be read.
 */
int lesson_load_all(const char *roots, struct lesson ***out, char **errors);
void lesson_free_all(struct lesson **ls, int n);

#endif /* ADDRLAB_LESSON_H */
