// SPDX-License-Identifier: MIT
/* lab.c - the lab VM on a worker thread (lab.h). */
#define _GNU_SOURCE
#include "lab.h"
#include "exercise.h"
#include "workdir.h"

#include <errno.h>
#include <fcntl.h>
#include <lauxlib.h>
#include <lua.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KMSG_LINES	2000
#define KMSG_POLL_MS	1000

enum job_kind { JOB_VIEW, JOB_QUIZ, JOB_CHECK, JOB_SHELL };

/* A lab VM and the chapter module loaded in it. */
struct lab_vm {
	struct vm *vm;
	char *module;			/* the chapter module loaded, or NULL */
	unsigned int module_boot;	/* vm_restarts() when it was loaded */
};

struct job {
	enum job_kind kind;
	struct lesson *l;
	size_t i;
	char *dir;
	enum lang lang;
	unsigned int tag;
	struct job *next;
};

struct lab {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* a job was posted, or stop */
	pthread_cond_t shell_cv;	/* the shell ended */
	struct job *head, *tail;
	unsigned int pending;
	bool stop, running;

	struct lab_event *evs;		/* a FIFO: evs[ev_head..ev_n) */
	size_t ev_head, ev_n, ev_cap;
	int pipe[2];

	enum lab_state state;
	struct timespec boot_start;
	unsigned int boot_ms;
	const char *accel;		/* vm_accel_name(): a static string */

	char *kver, *include_dir;
	struct vm_options vm_opts;
	struct vm *vm;			/* worker only, like the rest below */
	struct lab_vm plain, iommu;	/* .vm: the plain one is vm */

	char *kmsg[KMSG_LINES];		/* a ring of the last lines */
	size_t kmsg_start, kmsg_n;
	uint64_t kmsg_cursor;
	unsigned int kmsg_restarts;


	bool shell_done;
	int shell_rc;
	char shell_err[256];
};

static const char *const state_words[] = {
#define X(e, words) words,
	LAB_STATES(X)
#undef X
};

const char *lab_state_words(enum lab_state s)
{
	return state_words[s];
}

static unsigned int ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned int)((t.tv_sec - t0->tv_sec) * 1000 +
			      (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* ---- events (any thread posts with the lock held by post()) ---- */

static void post(struct lab *lab, struct lab_event *ev)
{
	pthread_mutex_lock(&lab->mu);
	if (lab->ev_head + lab->ev_n == lab->ev_cap) {
		if (lab->ev_head) {
			memmove(lab->evs, lab->evs + lab->ev_head,
				lab->ev_n * sizeof(*lab->evs));
			lab->ev_head = 0;
		} else {
			size_t cap = lab->ev_cap ? lab->ev_cap * 2 : 16;
			struct lab_event *grown = realloc(lab->evs, cap * sizeof(*grown));

			if (!grown) {
				pthread_mutex_unlock(&lab->mu);
				lab_event_free(ev);
				return;
			}
			lab->evs = grown;
			lab->ev_cap = cap;
		}
	}
	lab->evs[lab->ev_head + lab->ev_n++] = *ev;
	pthread_mutex_unlock(&lab->mu);
	/* The pipe only wakes the screen's poll(); a full pipe already does. */
	if (write(lab->pipe[1], "", 1) < 0 && errno != EAGAIN)
		return;
}

bool lab_next(struct lab *lab, struct lab_event *ev)
{
	bool got = false;
	char buf[64];

	pthread_mutex_lock(&lab->mu);
	if (lab->ev_n) {
		*ev = lab->evs[lab->ev_head++];
		lab->ev_n--;
		got = true;
	}
	if (!lab->ev_n) {
		lab->ev_head = 0;
		while (read(lab->pipe[0], buf, sizeof(buf)) > 0)
			;
	}
	pthread_mutex_unlock(&lab->mu);
	return got;
}

void lab_event_free(struct lab_event *ev)
{
	free(ev->text);
	free(ev->hl);
	free(ev->result.name);
	free(ev->result.title);
	free(ev->result.message);
	free(ev->result.evidence);
	if (ev->kind == LEV_GRADE && ev->ok)
		grade_free(&ev->grade);
	memset(ev, 0, sizeof(*ev));
}

static void set_state(struct lab *lab, enum lab_state s, const char *why)
{
	struct lab_event ev = { .kind = LEV_STATE, .state = s, .ok = s != LAB_FAILED };

	pthread_mutex_lock(&lab->mu);
	if (s == LAB_BOOTING || s == LAB_CRASHED)
		clock_gettime(CLOCK_MONOTONIC, &lab->boot_start);
	if (lab->state == s && !why) {
		pthread_mutex_unlock(&lab->mu);
		return;
	}
	lab->state = s;
	pthread_mutex_unlock(&lab->mu);
	ev.text = why ? strdup(why) : NULL;
	post(lab, &ev);
}

/* ---- the VM ---- */

/* Boots the VM if it is not up; false (state failed) if it cannot. */
static bool ensure_vm(struct lab *lab)
{
	enum vm_state vs = vm_state(lab->vm);

	if (vs == VM_READY)
		return true;
	set_state(lab, vs == VM_CRASHED ? LAB_CRASHED : LAB_BOOTING, NULL);
	if (vm_start(lab->vm)) {
		set_state(lab, LAB_FAILED, vm_error(lab->vm));
		return false;
	}
	pthread_mutex_lock(&lab->mu);
	lab->boot_ms = vm_boot_ms(lab->vm);
	lab->accel = vm_accel_name(lab->vm);
	pthread_mutex_unlock(&lab->mu);
	set_state(lab, LAB_READY, NULL);
	return true;
}

/* The chapter module the lesson's views and quizzes need, and no other
 * (two chapter modules would compete for the one edu device). */
static int ensure_module(struct lab_vm *lv, const char *module, char *err,
			 size_t errlen)
{
	struct vm_result r;
	char *cmd = NULL;
	int rc = 0;

	if (lv->module && vm_restarts(lv->vm) != lv->module_boot) {
		free(lv->module);	/* gone with the VM it was loaded in */
		lv->module = NULL;
	}
	if ((!module && !lv->module) ||
	    (module && lv->module && !strcmp(module, lv->module)))
		return 0;
	if (lv->module && asprintf(&cmd, "rmmod %s", lv->module) >= 0) {
		if (vm_sh(lv->vm, cmd, 10000, &r) == 0)
			vm_result_free(&r);
		free(cmd);
		cmd = NULL;
	}
	free(lv->module);
	lv->module = NULL;
	if (!module)
		return 0;
	if (asprintf(&cmd, "grep -q '^%s ' /proc/modules || insmod /lib/modules/$(uname -r)/extra/%s.ko",
		     module, module) < 0)
		return -1;
	if (vm_sh(lv->vm, cmd, 20000, &r)) {
		snprintf(err, errlen, "cannot load '%s': %s", module, vm_error(lv->vm));
		rc = -1;
	} else {
		if (r.verdict != VM_OK || r.exit_code) {
			snprintf(err, errlen, "cannot load '%s': %s%.*s", module,
				 r.message, (int)strcspn(r.err, "\n"), r.err);
			rc = -1;
		} else {
			lv->module = strdup(module);
			lv->module_boot = vm_restarts(lv->vm);
		}
		vm_result_free(&r);
	}
	free(cmd);
	return rc;
}

/* The VM of a profile, booted, with the lesson's module: NULL with err. */
static struct lab_vm *vm_for(struct lab *lab, bool iommu, struct lesson *l,
			     char *err, size_t errlen)
{
	struct lab_vm *lv = iommu ? &lab->iommu : &lab->plain;

	if (!iommu) {
		if (!ensure_vm(lab)) {
			snprintf(err, errlen, "%s", vm_error(lab->vm));
			return NULL;
		}
	} else {
		if (!lv->vm) {
			struct vm_options o = lab->vm_opts;

			o.iommu = true;
			lv->vm = vm_new(&o);
			if (!lv->vm) {
				snprintf(err, errlen, "out of memory");
				return NULL;
			}
		}
		/* The IOMMU VM boots on first use, as the grader's does. */
		if (vm_state(lv->vm) != VM_READY && vm_start(lv->vm)) {
			snprintf(err, errlen, "the IOMMU lab VM: %s", vm_error(lv->vm));
			return NULL;
		}
	}
	if (ensure_module(lv, l ? l->module : NULL, err, errlen))
		return NULL;
	return lv;
}

/* Which lines of text match the view's Lua pattern, matched in the
 * lesson's own runtime so the pattern means what it means there (and
 * what lint checked). */
static void highlight(struct lesson *l, const char *text, const char *pattern,
		      unsigned char **hl, size_t *n)
{
	lua_State *L = lrt_state(l->rt);
	size_t lines = 0, i = 0;

	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	lines++;
	*hl = calloc(lines, 1);
	*n = *hl ? lines : 0;
	if (!*hl || !pattern)
		return;
	for (const char *p = text; i < lines; i++) {
		const char *e = strchrnul(p, '\n');

		lua_settop(L, 0);
		lua_getglobal(L, "string");	/* stack: string */
		lua_getfield(L, -1, "find");	/* stack: string, find */
		lua_pushlstring(L, p, (size_t)(e - p));
		lua_pushstring(L, pattern);
		(*hl)[i] = lua_pcall(L, 2, 1, 0) == LUA_OK && !lua_isnil(L, -1);
		if (!*e)
			break;
		p = e + 1;
	}
	lua_settop(L, 0);
}

static void do_view(struct lab *lab, struct job *j)
{
	const struct lesson_view *v = &j->l->views[j->i];
	struct lab_event ev = { .kind = LEV_VIEW, .tag = j->tag };
	struct lab_vm *lv;
	struct vm_result r;
	char err[512];

	lv = vm_for(lab, v->iommu, j->l, err, sizeof(err));
	if (!lv) {
		ev.text = strdup(err);
	} else if (vm_sh(lv->vm, v->run, v->timeout_ms, &r)) {
		ev.text = strdup(vm_error(lv->vm));
	} else {
		ev.ok = r.verdict == VM_OK && r.exit_code == 0;
		ev.elapsed_ms = r.elapsed_ms;
		if (ev.ok) {
			ev.text = strdup(r.out);
			highlight(j->l, r.out, v->highlight, &ev.hl, &ev.nhl);
		} else if (asprintf(&ev.text, "%s%s%s (exit %d)", r.out, r.err,
				    r.verdict == VM_OK ? "the command failed" : r.message,
				    r.exit_code) < 0) {
			ev.text = NULL;
		}
		vm_result_free(&r);
	}
	post(lab, &ev);
}

static void do_quiz(struct lab *lab, struct job *j)
{
	const struct lesson_quiz *q = &j->l->quizzes[j->i];
	struct lab_event ev = { .kind = LEV_QUIZ, .tag = j->tag };
	struct lab_vm *lv;
	char err[1024];

	lv = vm_for(lab, q->iommu, j->l, err, sizeof(err));
	if (!lv) {
		ev.text = strdup(err);
	} else {
		ev.text = quiz_answer(j->l, q, lv->vm, err, sizeof(err));
		ev.ok = ev.text != NULL;
		if (!ev.ok)
			ev.text = strdup(err);
	}
	post(lab, &ev);
}

static struct check_result copy_result(const struct check_result *r)
{
	struct check_result c = *r;

	c.name = strdup(r->name);
	c.title = strdup(r->title);
	c.message = strdup(r->message);
	c.evidence = strdup(r->evidence);
	return c;
}

struct check_ctx {
	struct lab *lab;
	unsigned int tag;
};

static void on_result(void *ctx, const struct check_result *r)
{
	struct check_ctx *c = ctx;
	struct lab_event ev = { .kind = LEV_RESULT, .tag = c->tag, .ok = true };

	ev.result = copy_result(r);
	post(c->lab, &ev);
	/* A fault reboots the VM before the next check: say so. */
	if (r->fault != VM_OK)
		set_state(c->lab, LAB_CRASHED, NULL);
}

static void do_check(struct lab *lab, struct job *j)
{
	struct lab_event ev = { .kind = LEV_GRADE, .tag = j->tag };
	struct check_ctx ctx = { lab, j->tag };
	char work[4096], err[1024];

	if (!ensure_vm(lab)) {
		ev.text = strdup(vm_error(lab->vm));
		post(lab, &ev);
		return;
	}
	/* The exercise drives edu itself: no chapter module in its way. */
	ensure_module(&lab->plain, NULL, err, sizeof(err));
	if (lab->iommu.vm && vm_state(lab->iommu.vm) == VM_READY)
		ensure_module(&lab->iommu, NULL, err, sizeof(err));
	if (!lab->iommu.vm) {
		struct vm_options o = lab->vm_opts;

		o.iommu = true;
		lab->iommu.vm = vm_new(&o);
	}
	if (work_dir_make(work, sizeof(work), "check")) {
		ev.text = strdup("cannot make a work folder in $TMPDIR or /tmp");
		post(lab, &ev);
		return;
	}
	set_state(lab, LAB_CHECKING, NULL);
	{
		struct grade_opts go = {
			.submission = j->dir, .work_dir = work, .kver = lab->kver,
			.include_dir = lab->include_dir, .lang = j->lang,
			.vm = lab->vm, .vm_iommu = lab->iommu.vm,
			.on_result = on_result, .ctx = &ctx,
			.visible_only = true,	/* the rest are the grader's */
		};

		ev.ok = grade_exercise(j->l, &go, &ev.grade, err, sizeof(err)) == 0;
		if (!ev.ok)
			ev.text = strdup(err);
	}
	remove_tree(work);
	post(lab, &ev);
}

/* ---- the shell ---- */

static volatile sig_atomic_t shell_winch;

static void on_winch(int sig)
{
	(void)sig;
	shell_winch = 1;
}

static void do_shell(struct lab *lab)
{
	const char *argv[] = { "/bin/sh", "-l", NULL };
	struct vm_exec_opts o = {
		.stdin_fd = STDIN_FILENO, .pty = true, .on_output = vm_output_to_stdio,
		.winch = &shell_winch,
	};
	struct vm_result r;
	int rc = -1;
	char err[256] = "";

	if (!ensure_vm(lab)) {
		snprintf(err, sizeof(err), "%s", vm_error(lab->vm));
	} else if (vm_exec(lab->vm, argv, &o, &r)) {
		snprintf(err, sizeof(err), "%s", vm_error(lab->vm));
	} else {
		rc = 0;
		if (r.verdict != VM_OK) {
			rc = -1;
			snprintf(err, sizeof(err), "%s", r.message);
		}
		vm_result_free(&r);
	}
	pthread_mutex_lock(&lab->mu);
	lab->shell_rc = rc;
	snprintf(lab->shell_err, sizeof(lab->shell_err), "%s", err);
	lab->shell_done = true;
	pthread_cond_broadcast(&lab->shell_cv);
	pthread_mutex_unlock(&lab->mu);
}

/* ---- kernel messages ---- */

static void kmsg_add(struct lab *lab, const char *line, size_t len)
{
	char *s = strndup(line, len);
	size_t at;

	if (!s)
		return;
	pthread_mutex_lock(&lab->mu);
	at = (lab->kmsg_start + lab->kmsg_n) % KMSG_LINES;
	if (lab->kmsg_n == KMSG_LINES) {
		free(lab->kmsg[at]);
		lab->kmsg_start = (lab->kmsg_start + 1) % KMSG_LINES;
	} else {
		lab->kmsg_n++;
	}
	lab->kmsg[at] = s;
	pthread_mutex_unlock(&lab->mu);
}

static void poll_kmsg(struct lab *lab)
{
	struct lab_event ev = { .kind = LEV_KMSG, .ok = true };
	char *text = NULL;

	/* Not a request: a request to a dead QEMU would quietly boot a new
	 * one, and the learner would never see that the VM had crashed. */
	if (!vm_alive(lab->vm))
		return;
	if (vm_restarts(lab->vm) != lab->kmsg_restarts) {
		static const char mark[] = "--- the lab VM restarted ---";

		lab->kmsg_restarts = vm_restarts(lab->vm);
		lab->kmsg_cursor = 0;
		kmsg_add(lab, mark, sizeof(mark) - 1);
	}
	if (vm_kmsg(lab->vm, &lab->kmsg_cursor, &text) || !text)
		return;
	if (*text) {
		for (const char *p = text; *p;) {
			const char *e = strchrnul(p, '\n');

			kmsg_add(lab, p, (size_t)(e - p));
			p = *e ? e + 1 : e;
		}
		post(lab, &ev);
	}
	free(text);
}

char *lab_kmsg(struct lab *lab, unsigned int *restarts)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	pthread_mutex_lock(&lab->mu);
	for (size_t i = 0; i < lab->kmsg_n; i++)
		fprintf(f, "%s\n", lab->kmsg[(lab->kmsg_start + i) % KMSG_LINES]);
	if (restarts)
		*restarts = lab->kmsg_restarts;
	pthread_mutex_unlock(&lab->mu);
	fclose(f);
	return out;
}

/* ---- the worker ---- */

/* A guest that crashed (in a job, or on its own while idle: QEMU killed,
 * a panic) is booted again now, so the learner sees "crashed,
 * restarting" turn into "ready" without asking for anything. */
static void recover(struct lab *lab, bool idle)
{
	if (vm_state(lab->vm) == VM_CRASHED) {
		/* A job's crash is told by its result; an idle one by this. */
		set_state(lab, LAB_CRASHED, idle ? vm_error(lab->vm) : NULL);
		ensure_vm(lab);
	} else if (vm_state(lab->vm) == VM_READY) {
		set_state(lab, LAB_READY, NULL);
	}
}

static void *worker(void *arg)
{
	struct lab *lab = arg;

	ensure_vm(lab);
	pthread_mutex_lock(&lab->mu);
	while (!lab->stop) {
		struct job *j = lab->head;

		if (!j) {
			struct timespec t;

			clock_gettime(CLOCK_REALTIME, &t);
			t.tv_sec += KMSG_POLL_MS / 1000;
			if (pthread_cond_timedwait(&lab->cv, &lab->mu, &t) == ETIMEDOUT &&
			    !lab->head && !lab->stop) {
				pthread_mutex_unlock(&lab->mu);
				poll_kmsg(lab);
				recover(lab, true);
				pthread_mutex_lock(&lab->mu);
			}
			continue;
		}
		pthread_mutex_unlock(&lab->mu);

		if (j->kind != JOB_SHELL && lab->state != LAB_CHECKING)
			set_state(lab, LAB_BUSY, NULL);
		switch (j->kind) {
		case JOB_VIEW:
			do_view(lab, j);
			break;
		case JOB_QUIZ:
			do_quiz(lab, j);
			break;
		case JOB_CHECK:
			do_check(lab, j);
			break;
		case JOB_SHELL:
			do_shell(lab);
			break;
		}
		poll_kmsg(lab);
		recover(lab, false);

		pthread_mutex_lock(&lab->mu);
		lab->head = j->next;
		if (!lab->head)
			lab->tail = NULL;
		lab->pending--;
		free(j->dir);
		free(j);
	}
	pthread_mutex_unlock(&lab->mu);
	return NULL;
}

static void enqueue(struct lab *lab, struct job *j)
{
	if (!j)
		return;
	pthread_mutex_lock(&lab->mu);
	if (lab->tail)
		lab->tail->next = j;
	else
		lab->head = j;
	lab->tail = j;
	lab->pending++;
	pthread_cond_signal(&lab->cv);
	pthread_mutex_unlock(&lab->mu);
}

static struct job *job(enum job_kind kind, struct lesson *l, size_t i,
		       unsigned int tag)
{
	struct job *j = calloc(1, sizeof(*j));

	if (j) {
		j->kind = kind;
		j->l = l;
		j->i = i;
		j->tag = tag;
	}
	return j;
}

void lab_view(struct lab *lab, struct lesson *l, size_t i, unsigned int tag)
{
	enqueue(lab, job(JOB_VIEW, l, i, tag));
}

void lab_quiz(struct lab *lab, struct lesson *l, size_t i, unsigned int tag)
{
	enqueue(lab, job(JOB_QUIZ, l, i, tag));
}

void lab_check(struct lab *lab, struct lesson *l, const char *dir,
	       enum lang lang, unsigned int tag)
{
	struct job *j = job(JOB_CHECK, l, 0, tag);

	if (j) {
		j->lang = lang;
		j->dir = strdup(dir);
		if (!j->dir) {
			free(j);
			return;
		}
	}
	enqueue(lab, j);
}

int lab_shell(struct lab *lab, char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = on_winch }, old;
	int rc;

	sigaction(SIGWINCH, &sa, &old);
	shell_winch = 1;	/* send our size first */
	pthread_mutex_lock(&lab->mu);
	lab->shell_done = false;
	pthread_mutex_unlock(&lab->mu);
	enqueue(lab, job(JOB_SHELL, NULL, 0, 0));
	pthread_mutex_lock(&lab->mu);
	while (!lab->shell_done)
		pthread_cond_wait(&lab->shell_cv, &lab->mu);
	rc = lab->shell_rc;
	snprintf(err, errlen, "%s", lab->shell_err);
	pthread_mutex_unlock(&lab->mu);
	sigaction(SIGWINCH, &old, NULL);
	return rc;
}

struct lab *lab_new(const struct lab_opts *opts)
{
	struct lab *lab = calloc(1, sizeof(*lab));

	if (!lab)
		return NULL;
	pthread_mutex_init(&lab->mu, NULL);
	pthread_cond_init(&lab->cv, NULL);
	pthread_cond_init(&lab->shell_cv, NULL);
	lab->pipe[0] = lab->pipe[1] = -1;
	lab->vm_opts = opts->vm;
	lab->kver = opts->kver ? strdup(opts->kver) : NULL;
	lab->include_dir = opts->include_dir ? strdup(opts->include_dir) : NULL;
	lab->state = LAB_BOOTING;
	clock_gettime(CLOCK_MONOTONIC, &lab->boot_start);
	if (pipe2(lab->pipe, O_CLOEXEC | O_NONBLOCK))
		goto fail;
	lab->vm = vm_new(&lab->vm_opts);
	if (!lab->vm)
		goto fail;
	lab->plain.vm = lab->vm;
	if (pthread_create(&lab->thread, NULL, worker, lab))
		goto fail;
	lab->running = true;
	return lab;
fail:
	lab_free(lab);
	return NULL;
}

void lab_free(struct lab *lab)
{
	if (!lab)
		return;
	if (lab->running) {
		struct timespec t;

		pthread_mutex_lock(&lab->mu);
		lab->stop = true;
		pthread_cond_broadcast(&lab->cv);
		pthread_mutex_unlock(&lab->mu);
		/* A check can run for half a minute: do not keep a learner
		 * who quit waiting for it.  QEMU dies with the process
		 * (PR_SET_PDEATHSIG) and its folder is swept by the next run. */
		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_sec += 3;
		if (pthread_timedjoin_np(lab->thread, NULL, &t))
			return;
	}
	vm_free(lab->vm);
	vm_free(lab->iommu.vm);
	while (lab->head) {
		struct job *j = lab->head;

		lab->head = j->next;
		free(j->dir);
		free(j);
	}
	for (size_t i = 0; i < lab->ev_n; i++)
		lab_event_free(&lab->evs[lab->ev_head + i]);
	free(lab->evs);
	for (size_t i = 0; i < lab->kmsg_n; i++)
		free(lab->kmsg[(lab->kmsg_start + i) % KMSG_LINES]);
	if (lab->pipe[0] >= 0)
		close(lab->pipe[0]);
	if (lab->pipe[1] >= 0)
		close(lab->pipe[1]);
	free(lab->plain.module);
	free(lab->iommu.module);
	free(lab->kver);
	free(lab->include_dir);
	pthread_cond_destroy(&lab->shell_cv);
	pthread_cond_destroy(&lab->cv);
	pthread_mutex_destroy(&lab->mu);
	free(lab);
}

int lab_fd(const struct lab *lab)
{
	return lab->pipe[0];
}

enum lab_state lab_state(struct lab *lab)
{
	enum lab_state s;

	pthread_mutex_lock(&lab->mu);
	s = lab->state;
	pthread_mutex_unlock(&lab->mu);
	return s;
}

unsigned int lab_boot_ms(struct lab *lab)
{
	unsigned int ms;

	pthread_mutex_lock(&lab->mu);
	ms = lab->state == LAB_BOOTING || lab->state == LAB_CRASHED ?
	     ms_since(&lab->boot_start) : lab->boot_ms;
	pthread_mutex_unlock(&lab->mu);
	return ms;
}

const char *lab_accel(struct lab *lab)
{
	const char *a;

	pthread_mutex_lock(&lab->mu);
	a = lab->accel ? lab->accel : "";
	pthread_mutex_unlock(&lab->mu);
	return a;
}

unsigned int lab_pending(struct lab *lab)
{
	unsigned int n;

	pthread_mutex_lock(&lab->mu);
	n = lab->pending;
	pthread_mutex_unlock(&lab->mu);
	return n;
}
