/* SPDX-License-Identifier: MIT */
/*
 * check.h - runs an exercise's checks against one submission.
 *
 * Each check is a Lua function(t) from the lesson; `t` is the check
 * context, whose methods (documented for instructors in lessons/README.md)
 * build the submission in the sandbox, load it in the lab VM, run commands,
 * read kernel messages and guest memory, and state expectations:
 *
 *	t:build{werror = true}	t:sparse()	t:insmod("args")  t:rmmod()
 *	t:run("cmd", {timeout = 5})  t:exec("args")  t:dmesg()  t:read(path)
 *	t:phys(addr, len)  t:qemu_log()  t:expect(ok, msg)  t:eq(got, want, what)
 *	t:match(text, pattern, what)  t:fail(msg)
 *
 * A failed expectation ends the check with a one-line message and its
 * evidence (expected versus got, the build log, the console excerpt).  A
 * failure is sticky: a check that catches it with pcall still fails.  A
 * lab VM fault during a check (oops, panic, hang, QEMU abort) fails that
 * check with the fault in words; the next check gets a fresh VM.
 *
 * Three outcomes.  A check passes, fails (the submission's doing), or could
 * not be graded (CHECK_ERROR: ours - the build sandbox did not start, the
 * lab VM could not boot or be reached, the check's own Lua is broken, the
 * grader ran out of memory).  Could-not-grade is sticky like a failure,
 * never scores, and makes the whole grade "not graded": front ends say so
 * and grade it again later instead of recording a zero.
 *
 * A check with profile = "iommu" runs in a second lab VM with an Intel
 * IOMMU (q35), where DMA addresses are IOVAs and a mapping's direction is
 * enforced: the place to catch a wrong DMA direction.
 *
 * Checks run in order; points are all or nothing per check.  Modules a
 * check loaded are unloaded after it, so checks do not depend on each other
 * (except through the build, which is done once per set of options).
 */
#ifndef ADDRLAB_CHECK_H
#define ADDRLAB_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "lesson.h"
#include "vm.h"

#define CHECK_OUTCOMES(X) \
	X(CHECK_PASS,  "pass",  "passed") \
	X(CHECK_FAIL,  "fail",  "failed") \
	X(CHECK_ERROR, "error", "could not grade (the grader's failure, not the submission's)")

enum check_outcome {
#define X(e, name, words) e,
	CHECK_OUTCOMES(X)
#undef X
};

const char *check_outcome_name(enum check_outcome o);

#define CHECK_MESSAGE_MAX	1024
#define CHECK_EVIDENCE_MAX	(16u << 10)

struct check_result {
	char *name;		/* the check's name */
	char *title;		/* in the run's language */
	enum check_outcome outcome;
	unsigned int points, max_points;
	char *message;		/* one line; "" when it passed */
	char *evidence;		/* may be "" */
	/* message and evidence are valid UTF-8 (anything else became U+FFFD),
	 * at most CHECK_MESSAGE_MAX and CHECK_EVIDENCE_MAX bytes, and say
	 * "[cut: N more bytes]" at their end when they were cut. */
	enum vm_verdict fault;	/* VM_OK unless the lab VM failed during it */
	enum check_visibility visibility;	/* the check's, for reports */
	unsigned int elapsed_ms;
};

struct grade_opts {
	const char *submission;	/* the folder with the student's files */
	const char *work_dir;	/* where builds happen (emptied) */
	const char *kver;	/* kernel headers version */
	const char *include_dir;	/* kmod/ (edu.h) */
	enum lang lang;
	struct vm *vm;		/* the lab VM to use; started when needed */
	struct vm *vm_iommu;	/* for checks with profile = "iommu"; NULL:
				 * made (and freed) by grade_exercise if needed */
	bool fresh_vm;		/* a pristine VM (restored) before the first check */
	/* Run only the check of this name (NULL: all).  Checks do not depend
	 * on each other, so one can be run alone: lint runs a mutant's named
	 * check only. */
	const char *only;
	/* A student's own run: only the checks everyone sees (visibility
	 * "visible"); the others are counted in the grade, not run. */
	bool visible_only;
	/* Called as each check ends (progress); may be NULL. */
	void (*on_result)(void *ctx, const struct check_result *r);
	void *ctx;
};

struct grade {
	char *exercise;		/* id */
	struct check_result *results;
	size_t nresults;
	unsigned int score, max_score;
	unsigned int ungraded;	/* checks that could not be graded: when
				 * any, the grade as a whole is not graded */
	unsigned int not_run, not_run_points;	/* visible_only: the grader's
						 * other checks, and their points */
	const char *sandbox;	/* the build sandbox used ("bwrap"...), or
				 * "" when nothing was built */
	unsigned int elapsed_ms;
};

/*
 * Runs every check of l's exercise on o->submission.  0 with *g filled, or
 * -1 with a one-line reason in err (the lesson has no exercise, out of
 * memory).  Files that cannot be built (a FIFO, an oversized file...) fail
 * every check at once, before a lab VM is booted; a lab VM that does not
 * start makes every check could-not-grade (g->ungraded).
 */
int grade_exercise(struct lesson *l, const struct grade_opts *o,
		   struct grade *g, char *err, size_t errlen);
void grade_free(struct grade *g);

/*
 * Computes a quiz answer in the live VM: a fixed answer is returned as is;
 * a function(vm) is called with a context that can run commands and read
 * the guest.  A malloc'd string, or NULL with err set.
 */
char *quiz_answer(struct lesson *l, const struct lesson_quiz *q, struct vm *vm,
		  char *err, size_t errlen);

#endif /* ADDRLAB_CHECK_H */
