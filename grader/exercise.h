/* SPDX-License-Identifier: MIT */
/*
 * exercise.h - an exercise's files on disk: the reference solution with its
 * step markers, the student skeleton generated from it, and the mutants
 * that prove the checks can fail.
 *
 *	exercises/ID/solution/FILE.c	the reference, which builds and passes
 *	exercises/ID/mutants.lua	known-bad variants, each naming the
 *					check that must reject it
 *
 * Step markers are C comments on lines of their own, so the reference
 * builds as it is:
 *
 *	/" STEP 1: Turn the device on with pci_enable_device(). "/
 *	ret = pci_enable_device(pdev);
 *	if (ret)
 *		return ret;
 *	/" SKELETON: ret = 0; "/
 *	/" END STEP 1 "/
 *
 * (with * for ").  The skeleton keeps everything outside the steps, and
 * puts in each step's place "/" TODO 1: Turn the device on... "/" at the
 * marker's indentation, followed by the step's SKELETON lines as code (so
 * the skeleton can still build where that helps).  Steps are numbered
 * 1, 2, 3... in order across an exercise's files.
 *
 *	exercises/ID/alternatives/NAME/	other correct solutions, each
 *					graded to full marks by lint
 *
 * mutants.lua returns the classes of bug a reviewer looks for in the
 * exercise, then the mutants, each of one class; a mutant replaces one
 * exact piece of text:
 *	classes = { { id = "enable", what = "the device used before it is enabled" } },
 *	{ name = "no-enable", class = "enable", check = "reads-id", file = "edu_id.c",
 *	  from = "ret = pci_enable_device(pdev);", to = "ret = 0;",
 *	  why = "the BAR is not decoded until the device is enabled" }
 * `from` must occur exactly once in the reference, so a mutant cannot
 * silently drift away from the code it breaks; every class has a mutant.
 */
#ifndef ADDRLAB_EXERCISE_H
#define ADDRLAB_EXERCISE_H

#include <stddef.h>

#include "lesson.h"

struct bug_class {
	char *id;
	char *what;
};

struct mutant {
	char *name;
	char *bug_class;	/* one of the classes' ids */
	char *check;		/* the check that must fail */
	char *file;
	char *from, *to;
	char *why;
};

/*
 * Writes the skeleton of src (a reference file's text) to *out (malloc'd)
 * and the number of steps it had to *steps; *first_step is the number the
 * file's first step must have (steps continue across files) and is
 * advanced.  0, or -1 with "FILE:LINE: problem" in err.
 */
int skeleton_text(const char *name, const char *src, int *next_step,
		  char **out, char *err, size_t errlen);

/*
 * Generates the skeleton of every file of exercise e from solution_dir
 * into out_dir (made if needed).  *steps gets the total step count.
 */
int skeleton_generate(const struct lesson_exercise *e, const char *solution_dir,
		      const char *out_dir, int *steps, char *err, size_t errlen);

struct mutants {
	struct bug_class *classes;
	size_t nclasses;
	struct mutant *m;
	size_t n;
};

/* Loads exercises/ID/mutants.lua (path given); validates each mutant
 * against the exercise (file is one of its files, check exists, class is
 * listed) and that every class has a mutant. */
int mutants_load(const char *path, const struct lesson *l, struct mutants *out,
		 char *err, size_t errlen);
void mutants_free(struct mutants *ms);

/* Copies solution_dir's files to out_dir with mutant m applied. */
int mutant_apply(const struct lesson_exercise *e, const char *solution_dir,
		 const struct mutant *m, const char *out_dir, char *err,
		 size_t errlen);

/* Reads a whole file (malloc'd, NUL-terminated) or NULL. */
char *read_text_file(const char *path, size_t *len);
/* Writes text to path; 0 or -1. */
int write_text_file(const char *path, const char *text, size_t len);
/* Removes dir and everything under it, never following a link; 0, or -1
 * if something could not be removed (what could be is removed). */
int remove_tree(const char *dir);
/* mkdir -p path (mode 0755); 0, or -1 with errno and, when failed is not
 * NULL, the folder that could not be made in it. */
int make_tree(const char *path, char *failed, size_t n);

#endif /* ADDRLAB_EXERCISE_H */
