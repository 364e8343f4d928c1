/* SPDX-License-Identifier: MIT */
/*
 * lab.h - the workbook's lab VM, driven by a worker thread so that no
 * screen ever waits for it.
 *
 * The worker owns the VM sessions (vm.h is not thread-safe) and the
 * lessons' Lua runtimes: quiz answers, highlight patterns and checks all
 * run on it.  The screens post jobs and read events:
 *
 *	struct lab *lab = lab_new(&opts);	boots the VM in the background
 *	poll lab_fd(lab) for POLLIN, then
 *	while (lab_next(lab, &ev)) { ...; lab_event_free(&ev); }
 *	lab_free(lab);				stops the worker and the VMs
 *
 * Jobs run one at a time, in order.  Each job's events carry the `tag`
 * given when it was posted, so a screen can tell a stale answer (a view of
 * a page it has left) from the one it waits for.  Lesson structures are
 * only read by the caller; nothing but the worker calls into a lesson's
 * Lua runtime once lab_new() has returned.
 */
#ifndef ADDRLAB_LAB_H
#define ADDRLAB_LAB_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"
#include "lesson.h"

/* X(enum, what the status bar says) */
#define LAB_STATES(X) \
	X(LAB_BOOTING,  "booting") \
	X(LAB_READY,    "ready") \
	X(LAB_BUSY,     "busy") \
	X(LAB_CHECKING, "checking") \
	X(LAB_CRASHED,  "crashed, restarting") \
	X(LAB_FAILED,   "cannot boot")

enum lab_state {
#define X(e, words) e,
	LAB_STATES(X)
#undef X
};

const char *lab_state_words(enum lab_state s);

struct lab_opts {
	const char *kver;		/* guest kernel headers, for builds */
	const char *include_dir;	/* kmod/ (edu.h) */
	struct vm_options vm;		/* the plain lab VM */
};

enum lab_event_kind {
	LEV_STATE,	/* state changed: ev.state, ev.text (an error when failed) */
	LEV_VIEW,	/* a view ran: ev.text (output), ev.hl, ev.ok */
	LEV_QUIZ,	/* a quiz answer: ev.text (the answer) or ev.ok false + error */
	LEV_RESULT,	/* one check finished: ev.result */
	LEV_GRADE,	/* a check run ended: ev.grade (owned by the event), or ev.ok false + error */
	LEV_KMSG,	/* new kernel messages were appended (lab_kmsg()) */
};

struct lab_event {
	enum lab_event_kind kind;
	unsigned int tag;
	bool ok;
	enum lab_state state;
	char *text;		/* malloc'd or NULL */
	unsigned char *hl;	/* LEV_VIEW: one flag per output line (1: highlight) */
	size_t nhl;
	unsigned int elapsed_ms;
	struct check_result result;	/* LEV_RESULT (a deep copy) */
	struct grade grade;		/* LEV_GRADE */
};

/* Starts the worker and the boot.  NULL only when out of memory. */
struct lab *lab_new(const struct lab_opts *opts);
/* Stops the worker (the running job is waited for) and the VMs. */
void lab_free(struct lab *lab);

/* Readable (POLLIN) when events are waiting. */
int lab_fd(const struct lab *lab);
/* The next event, false when there is none. */
bool lab_next(struct lab *lab, struct lab_event *ev);
void lab_event_free(struct lab_event *ev);

enum lab_state lab_state(struct lab *lab);
/* Milliseconds since the current boot began, or the last boot took. */
unsigned int lab_boot_ms(struct lab *lab);
/* Accelerator ("tcg", "kvm") once booted, else "". */
const char *lab_accel(struct lab *lab);
/* How many jobs are waiting or running. */
unsigned int lab_pending(struct lab *lab);

/* Runs view i of l (with l's chapter module loaded). */
void lab_view(struct lab *lab, struct lesson *l, size_t i, unsigned int tag);
/* Computes quiz i's answer in the live VM. */
void lab_quiz(struct lab *lab, struct lesson *l, size_t i, unsigned int tag);
/* Grades the files in dir against l's exercise; a LEV_RESULT per check,
 * then LEV_GRADE. */
void lab_check(struct lab *lab, struct lesson *l, const char *dir,
	       enum lang lang, unsigned int tag);

/*
 * An interactive shell in the lab VM on this process's terminal.  Blocks
 * until the shell exits; the caller has ended curses and put the terminal
 * in raw mode.  0, or -1 with a one-line reason in err.
 */
int lab_shell(struct lab *lab, char *err, size_t errlen);

/* The kernel messages collected so far (the last 2000 lines), as one
 * malloc'd text; *restarts counts the reboots seen, for a header. */
char *lab_kmsg(struct lab *lab, unsigned int *restarts);

#endif /* ADDRLAB_LAB_H */
