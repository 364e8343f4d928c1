/* SPDX-License-Identifier: MIT */
/*
 * lint.h - an instructor's self-test of lessons and exercises, run by
 * `addrlab-grade lint` and by `make check`:
 *
 * - every lesson loads (its errors read "file: field: problem");
 * - every live view runs in the lab VM (with the chapter module loaded),
 *   exits 0, and its highlight pattern matches some line;
 * - every quiz answer computed from the live VM comes out;
 * - every exercise has its reference solution, one hint per step, and at
 *   least three mutants;
 * - the reference scores full marks, the generated skeleton does not, and
 *   every mutant is rejected by the check it names.
 */
#ifndef ADDRLAB_LINT_H
#define ADDRLAB_LINT_H

#include <stdio.h>

#include "lesson.h"
#include "vm.h"

struct lint_opts {
	const char *exercises_dir;	/* exercises/ */
	const char *include_dir;	/* kmod/ */
	const char *kver;
	const char *work_dir;		/* scratch space (emptied as needed) */
	struct vm *vm;
	FILE *out;			/* one line per finding */
	bool verbose;			/* also say what passed */
};

/* Lints one lesson; returns the number of problems found (0: clean). */
int lint_lesson(struct lesson *l, const struct lint_opts *o);

#endif /* ADDRLAB_LINT_H */
