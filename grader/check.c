// SPDX-License-Identifier: MIT
/* check.c - the check context `t` and the check runner (see check.h). */
#define _GNU_SOURCE
#include "check.h"
#include "build.h"
#include "clean.h"
#include "exercise.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CTX_META		"addrlab.check"
#define FAIL_SENTINEL		"addrlab: the check failed"
#define EVIDENCE_MAX		(16u << 10)
#define READ_MAX		(1u << 20)
#define GUEST_DIR		"/tmp/addrlab"
#define TRACE_MAX		8

static const char *const outcome_names[] = {
#define X(e, name, words) [e] = name,
	CHECK_OUTCOMES(X)
#undef X
};

const char *check_outcome_name(enum check_outcome o)
{
	return o <= CHECK_ERROR ? outcome_names[o] : "?";
}

/*
 * One build per submission answers every build question: module builds run
 * sparse on each file as it is compiled (C=1), so "does it build", "without
 * warnings" and "is it sparse-clean" all come from the same log.
 */
enum { B_PLAIN, B_COUNT };

struct ctx {
	struct lesson *l;
	const struct grade_opts *o;
	struct vm *vm;
	bool quiz;		/* a quiz answer: no build, no module */
	char name[64];		/* module or program name */

	struct build_result build[B_COUNT];
	bool built[B_COUNT];
	struct vm *vm_plain, *vm_iommu;	/* vm is one of these */
	bool own_iommu;		/* we made vm_iommu, we free it */
	/* Per VM: its boot count when the build was pushed, +1; 0: not. */
	unsigned int pushed_plain, pushed_iommu;
	bool build_log_shown;	/* later checks need not repeat it */

	/* The check being run. */
	uint64_t start, deadline;
	unsigned int timeout_ms;
	bool vm_entered;	/* the check has used the lab VM (enter_vm()) */
	uint64_t kmsg_cursor;
	unsigned int kmsg_boot;
	bool module_loaded;
	char *clean_state;	/* the guest's resources before the check */
	char *known_clean;	/* ...and after the last clean one, in */
	struct vm *known_vm;	/* this VM, on its boot number known_boot: */
	unsigned int known_boot;	/* the next check's "before" */
	/* Set once, then every later check fails at once with it: a check
	 * found the submission stuck in the kernel, or the budget is gone. */
	char *stuck;
	uint64_t budget_end;	/* now_ms() when the submission's time is up */
	bool failed;
	bool ungraded;		/* the failure is ours, not the submission's */
	/* The last command's result, kept here rather than in a C frame a
	 * Lua error may unwind: freed before the next and after the check. */
	struct vm_result r;
	char *held;		/* data on its way into Lua (the same reason) */
	struct ctx **box;	/* `t`: emptied when the check ends */
	char *message, *evidence;
	enum vm_verdict fault;
	/* QEMU trace events the check turned on (t:trace) in its VM, and
	 * where in QEMU's log they start. */
	char *traced[TRACE_MAX];
	unsigned int ntraced;
	off_t trace_from;
	/* QEMU's log when the check began (on boot kmsg_boot). */
	off_t qemu_from;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* The first n lines of text (evidence stays readable). */
static char *head_lines(const char *text, int n)
{
	const char *p = text;

	while (*p && n > 0) {
		p = strchrnul(p, '\n');
		if (*p)
			p++;
		n--;
	}
	return strndup(text, (size_t)(p - text) < EVIDENCE_MAX ?
		       (size_t)(p - text) : EVIDENCE_MAX);
}

static struct ctx *get_ctx(lua_State *L)
{
	struct ctx *c = *(struct ctx **)luaL_checkudata(L, 1, CTX_META);

	if (!c)
		luaL_error(L, "the check context 't' is used after its check ended; "
			   "use the 't' each check or quiz answer is given");
	return c;
}

/* Pushes len bytes of malloc'd data as a Lua string and frees them; held
 * in the ctx meanwhile, so a memory error while pushing leaks nothing. */
static void push_and_free(lua_State *L, struct ctx *c, char *data, size_t len)
{
	free(c->held);
	c->held = data;
	lua_pushlstring(L, data, len);
	c->held = NULL;
	free(data);
}

/* c->r, emptied for the next command. */
static struct vm_result *fresh_result(struct ctx *c)
{
	vm_result_free(&c->r);
	return &c->r;
}

/*
 * Ends the check as failed: message and evidence are kept (the first
 * failure wins) and a sentinel error unwinds the Lua code.  Never returns.
 */
static int t_failure(lua_State *L, struct ctx *c, char *message, char *evidence)
{
	if (!c->failed) {
		c->failed = true;
		c->message = message ? message : strdup("failed");
		c->evidence = evidence ? evidence : strdup("");
	} else {
		free(message);
		free(evidence);
	}
	lua_pushliteral(L, FAIL_SENTINEL);
	return lua_error(L);
}

/*
 * Ends the check as could-not-grade: the grader's own failure (the build
 * sandbox, the lab VM not booting or not reachable, memory), never the
 * submission's.  Sticky like t_failure().  Never returns.
 */
static int t_ungraded(lua_State *L, struct ctx *c, char *message, char *evidence)
{
	if (!c->failed)
		c->ungraded = true;
	return t_failure(L, c, message, evidence);
}

/*
 * A request to the lab VM failed without a verdict.  If the guest fell
 * over (it crashed under the submission) that is the submission's doing;
 * a VM that will not boot or answer otherwise is ours.
 */
static int t_vm_trouble(lua_State *L, struct ctx *c, char *message)
{
	if (vm_state(c->vm) == VM_CRASHED)
		return t_failure(L, c, message, NULL);
	return t_ungraded(L, c, message, NULL);
}

static void enter_vm(lua_State *L, struct ctx *c);

/* The words for a submission whose checks, together, took all its time. */
static char *budget_spent(const struct ctx *c)
{
	return fmt("the submission used up the %u s its checks may take together "
		   "(the exercise's budget); the checks after this one are not run",
		   c->l->exercise->budget_ms / 1000);
}

static unsigned int remaining_ms(lua_State *L, struct ctx *c)
{
	uint64_t now = now_ms();

	if (c->deadline && now >= c->deadline)
		t_failure(L, c, c->budget_end && c->deadline == c->budget_end ?
			  budget_spent(c) :
			  fmt("the check ran past its %u s limit", c->timeout_ms / 1000), NULL);
	return c->deadline ? (unsigned int)(c->deadline - now) : 60000;
}

/* ---- building ---- */

static struct build_result *need_build(lua_State *L, struct ctx *c, int which)
{
	struct build_result *b = &c->build[which];
	struct lesson_exercise *e = c->l->exercise;
	struct build_opts bo;

	if (c->quiz)
		luaL_error(L, "building is not available in a quiz answer");
	if (c->built[which])
		return b;
	bo = (struct build_opts){
		.kind = e->kind == EX_MODULE ? BUILD_MODULE : BUILD_USER,
		.src_dir = c->o->submission, .files = e->files,
		.nfiles = e->nfiles, .work_dir = c->o->work_dir,
		.name = c->name, .kver = c->o->kver,
		.include_dir = c->o->include_dir,
		.sparse = e->kind == EX_MODULE,
	};
	bo.timeout_ms = remaining_ms(L, c);
	if (build_run(&bo, b))
		t_ungraded(L, c, strdup("the grader ran out of memory building the submission"), NULL);
	c->built[which] = true;
	return b;
}

static void build_or_fail(lua_State *L, struct ctx *c, bool werror)
{
	struct build_result *b = need_build(L, c, B_PLAIN);

	if (b->status == BUILD_ERROR)	/* the sandbox, not the submission */
		t_ungraded(L, c, fmt("could not build the submission: %s", b->message),
			   strdup(b->log ? b->log : ""));
	if (b->status != BUILD_OK) {
		char *ev = c->build_log_shown ? strdup("(the build log is with the first check that built)") :
			   head_lines(b->log ? b->log : "", 60);

		c->build_log_shown = true;
		t_failure(L, c, fmt("the submission does not build: %s", b->message), ev);
	}
	if (werror && b->warnings) {
		const char *w = strstr(b->log, "warning:");
		const char *s = w;

		while (s > b->log && s[-1] != '\n')
			s--;
		t_failure(L, c, fmt("the submission builds with %u warning%s: %.*s",
				    b->warnings, b->warnings == 1 ? "" : "s",
				    (int)strcspn(s, "\n"), s),
			  head_lines(b->log, 60));
	}
}

/* t:build{ werror = bool } -> the number of compiler warnings */
static int t_build(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	int werror = 0;

	if (lua_istable(L, 2)) {
		lua_getfield(L, 2, "werror");
		werror = lua_toboolean(L, -1);
		lua_pop(L, 1);
	}
	build_or_fail(L, c, werror);
	lua_pushinteger(L, c->build[B_PLAIN].warnings);
	return 1;
}

/* t:sparse(): fails listing sparse's warnings, if any. */
static int t_sparse(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	struct build_result *b;
	char *lines = NULL;
	size_t len = 0;
	FILE *f;
	int n = 0;

	if (c->quiz || !c->l->exercise || c->l->exercise->kind != EX_MODULE)
		return luaL_error(L, "t:sparse is for module exercises");
	build_or_fail(L, c, false);
	b = need_build(L, c, B_PLAIN);
	/* gcc tags its warnings "[-W...]"; the rest are sparse's. */
	f = open_memstream(&lines, &len);
	for (const char *p = b->log; f && p && *p;) {
		const char *e = strchrnul(p, '\n');
		size_t l = (size_t)(e - p);

		if ((memmem(p, l, "warning:", 8) || memmem(p, l, "error:", 6)) &&
		    !memmem(p, l, "[-W", 3)) {
			fprintf(f, "%.*s\n", (int)(e - p), p);
			n++;
		}
		p = *e ? e + 1 : e;
	}
	if (f)
		fclose(f);
	if (n) {
		char *msg = fmt("sparse finds %d problem%s: %.*s", n, n == 1 ? "" : "s",
				(int)strcspn(lines, "\n"), lines);

		t_failure(L, c, msg, lines);
	}
	free(lines);
	return 0;
}

/* ---- the lab VM ---- */

/*
 * The result as Lua sees it: at most the first READ_MAX bytes of each
 * stream (as the guest keeps the first 16 MiB), `truncated` saying so.  A program that floods its output
 * (16 MiB a stream are kept) must not be able to push a lesson's Lua past
 * its memory cap: that would end the check as could-not-grade, a grade
 * the student could dodge a zero with.
 */
static void result_table(lua_State *L, const struct vm_result *r)
{
	size_t out = r->out_len > READ_MAX ? READ_MAX : r->out_len;
	size_t err = r->err_len > READ_MAX ? READ_MAX : r->err_len;

	lua_createtable(L, 0, 5);
	lua_pushlstring(L, r->out, out);
	lua_setfield(L, -2, "out");
	lua_pushlstring(L, r->err, err);
	lua_setfield(L, -2, "err");
	lua_pushinteger(L, r->exit_code);
	lua_setfield(L, -2, "status");
	lua_pushinteger(L, r->signal);
	lua_setfield(L, -2, "signal");
	lua_pushboolean(L, r->truncated || out < r->out_len || err < r->err_len);
	lua_setfield(L, -2, "truncated");
}

/*
 * Runs cmd in the VM; a VM fault or a time-out fails the check.  The result
 * is c->r (the ctx owns it, so a Lua error unwinding from here on leaks
 * nothing).
 */
static struct vm_result *vm_run_or_fail(lua_State *L, struct ctx *c, const char *cmd,
					unsigned int timeout_ms)
{
	unsigned int left = remaining_ms(L, c);
	struct vm_result *r = fresh_result(c);

	if (!timeout_ms || timeout_ms > left)
		timeout_ms = left;
	enter_vm(L, c);
	/* No verdict at all: t_vm_trouble() tells a guest that fell over under
	 * the submission (theirs) from a VM we could not reach (ours). */
	if (vm_sh(c->vm, cmd, timeout_ms, r))
		t_vm_trouble(L, c, fmt("the lab VM could not run '%s': %s", cmd,
				       vm_error(c->vm)));
	if (r->verdict == VM_BOOT_FAIL)	/* a fresh VM that does not boot: ours */
		t_ungraded(L, c, fmt("the lab VM did not boot again: %s", r->message),
			   strdup(r->evidence));
	if (vm_verdict_is_fault(r->verdict)) {
		c->fault = r->verdict;
		c->module_loaded = false;	/* the VM is gone */
		t_failure(L, c, fmt("%s (while running '%s')", r->message, cmd),
			  strdup(r->evidence));
	}
	if (r->oom_killed)	/* named, whatever the lesson expects of the status */
		t_failure(L, c, fmt("'%s' was killed for running out of memory: a command may use "
				    "128 MiB in the lab VM%s (does it allocate, or fork, without end?)", cmd,
				    r->pids_limit ? ", and it also hit the limit on processes" : ""),
			  fmt("%s%s", r->out, r->err));
	if (r->verdict == VM_TIMEOUT && r->stuck) {
		/* Nothing can kill it: that VM is gone, and every later
		 * check would only wait for the same thing again. */
		free(c->stuck);
		c->stuck = fmt("'%s' did not end within its %u s limit and could not be killed: "
			       "it is stuck in the kernel (does an init or exit function wait for "
			       "something that never comes?)", cmd, (timeout_ms + 999) / 1000);
		t_failure(L, c, strdup(c->stuck ? c->stuck : "stuck in the kernel"),
			  fmt("%s%s", r->out, r->err));
	}
	if (r->verdict == VM_TIMEOUT)	/* say what it was doing, where the guest saw it */
		t_failure(L, c, fmt("'%s' ran past its %u s limit%s%s", cmd,
				    (timeout_ms + 999) / 1000,
				    r->pids_limit ? "; it hit the limit on processes (does it fork without end?)" : "",
				    r->truncated ? "; it printed more output than is kept (16 MiB per stream)" : ""),
			  fmt("%s%s", r->out, r->err));
	/* The guest agent refused the command: mostly for want of something
	 * in a guest the submission runs in as root (fork, pipes, memory), so
	 * theirs.  A malformed request would be a bug of ours that every
	 * submission and lint would show. */
	if (r->verdict == VM_ERROR)
		t_failure(L, c, strdup(r->message), NULL);
	return r;
}

/* The built artifact in the guest, pushed once per VM boot. */
static const char *pushed(lua_State *L, struct ctx *c)
{
	static char guest[256];
	struct build_result *b;

	build_or_fail(L, c, false);
	b = &c->build[B_PLAIN];
	unsigned int *pushed = c->vm == c->vm_iommu ? &c->pushed_iommu :
			       &c->pushed_plain;

	snprintf(guest, sizeof(guest), GUEST_DIR "/%s%s", c->name,
		 c->l->exercise->kind == EX_MODULE ? ".ko" : "");
	enter_vm(L, c);
	if (*pushed != vm_restarts(c->vm) + 1 || vm_state(c->vm) != VM_READY) {
		if (vm_push(c->vm, b->artifact, guest, 0755))
			t_vm_trouble(L, c, fmt("cannot copy the build into the lab VM: %s",
					       vm_error(c->vm)));
		*pushed = vm_restarts(c->vm) + 1;
	}
	return guest;
}

/* t:insmod("param=value ...") */
static int t_insmod(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	const char *args = luaL_optstring(L, 2, "");
	struct vm_result *r;
	const char *cmd;

	if (c->quiz || !c->l->exercise || c->l->exercise->kind != EX_MODULE)
		return luaL_error(L, "t:insmod is for module exercises");
	/* Lua-owned: a failure below unwinds without leaking it. */
	cmd = lua_pushfstring(L, "insmod %s %s", pushed(L, c), args);
	c->module_loaded = true;	/* even a failed init may leave traces */
	r = vm_run_or_fail(L, c, cmd, 0);
	if (r->exit_code != 0) {
		c->module_loaded = false;
		t_failure(L, c, fmt("insmod %s.ko %s failed: %.*s", c->name, args,
				    (int)strcspn(r->err, "\n"), r->err),
			  fmt("%s%s", r->out, r->err));
	}
	return 0;
}

/* t:rmmod() */
static int t_rmmod(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	struct vm_result *r;

	if (c->quiz)
		return luaL_error(L, "t:rmmod is not available in a quiz answer");
	r = vm_run_or_fail(L, c, lua_pushfstring(L, "rmmod %s", c->name), 0);
	if (r->exit_code != 0)
		t_failure(L, c, fmt("rmmod %s failed: %.*s", c->name,
				    (int)strcspn(r->err, "\n"), r->err), strdup(r->err));
	c->module_loaded = false;
	return 0;
}

static unsigned int opt_timeout(lua_State *L, int idx)
{
	lua_Integer s = 0;

	if (lua_istable(L, idx)) {
		lua_getfield(L, idx, "timeout");
		s = luaL_optinteger(L, -1, 0);
		lua_pop(L, 1);
	}
	return s > 0 ? (unsigned int)s * 1000 : 0;
}

/* t:run("shell command", { timeout = seconds }) -> { out, err, status, signal } */
static int t_run(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	const char *cmd = luaL_checkstring(L, 2);

	result_table(L, vm_run_or_fail(L, c, cmd, opt_timeout(L, 3)));
	return 1;
}

/* t:exec("args", { timeout = s }): runs the built program in the VM. */
static int t_exec(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	const char *args = luaL_optstring(L, 2, "");
	const char *cmd;

	if (c->quiz || !c->l->exercise || c->l->exercise->kind != EX_USER)
		return luaL_error(L, "t:exec is for user-space exercises");
	cmd = lua_pushfstring(L, "%s %s", pushed(L, c), args);
	result_table(L, vm_run_or_fail(L, c, cmd, opt_timeout(L, 3)));
	return 1;
}

/* t:dmesg(): kernel messages since the check began. */
static int t_dmesg(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	uint64_t cursor;
	char *text;

	enter_vm(L, c);
	cursor = c->kmsg_boot == vm_restarts(c->vm) ? c->kmsg_cursor : 0;
	if (vm_kmsg(c->vm, &cursor, &text))
		t_vm_trouble(L, c, fmt("cannot read kernel messages: %s", vm_error(c->vm)));
	push_and_free(L, c, text, strlen(text));
	return 1;
}

/* t:read("/guest/path") */
static int t_read(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	const char *path = luaL_checkstring(L, 2);
	char *data;
	size_t len;

	enter_vm(L, c);
	if (vm_pull(c->vm, path, READ_MAX, &data, &len))
		t_failure(L, c, strdup(vm_error(c->vm)), NULL);
	push_and_free(L, c, data, len);
	return 1;
}

/* t:phys(addr, len): guest physical memory, read by QEMU (the oracle). */
static int t_phys(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	lua_Integer addr = luaL_checkinteger(L, 2);
	lua_Integer len = luaL_checkinteger(L, 3);
	char *buf;

	luaL_argcheck(L, addr >= 0, 2, "a physical address is not negative");
	luaL_argcheck(L, len > 0 && len <= READ_MAX, 3, "1 byte to 1 MiB");
	enter_vm(L, c);
	buf = malloc((size_t)len);
	if (!buf)
		return luaL_error(L, "out of memory");
	if (vm_state(c->vm) != VM_READY || vm_read_phys(c->vm, (uint64_t)addr, buf,
							(size_t)len)) {
		free(buf);
		t_vm_trouble(L, c, fmt("cannot read guest physical memory at 0x%llx: %s",
				       (unsigned long long)addr, vm_error(c->vm)));
	}
	push_and_free(L, c, buf, (size_t)len);
	return 1;
}

/* t:qemu_log(): what QEMU itself printed (edu complains there). */
static int t_qemu_log(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	size_t n = 0;
	char *text = read_text_file(vm_qemu_log_path(c->vm), &n);

	/* No file (no QEMU run yet) reads as nothing; no FILE stays open if
	 * pushing raises; a log the submission flooded (a clamp message per
	 * DMA, say) gives its last READ_MAX bytes only. */
	if (!text) {
		lua_pushliteral(L, "");
	} else if (n > READ_MAX) {
		memmove(text, text + n - READ_MAX, READ_MAX);
		push_and_free(L, c, text, READ_MAX);
	} else {
		push_and_free(L, c, text, n);
	}
	return 1;
}

/* t:source("file.c"): the text of one of the exercise's files, as the
 * submission has it (for what only the source shows). */
static int t_source(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	const char *name = luaL_checkstring(L, 2);
	const struct lesson_exercise *e = c->l->exercise;
	struct build_result br;
	char *text;
	size_t len = 0;
	bool ok = false;

	for (size_t i = 0; e && i < e->nfiles; i++)
		ok |= !strcmp(e->files[i], name);
	if (!ok || c->quiz)
		return luaL_error(L, "t:source: '%s' is not one of the exercise's files", name);
	/* As the build reads it: no link followed, no pipe waited on. */
	memset(&br, 0, sizeof(br));
	if (build_read_source(c->o->submission, name, &text, &len, &br)) {
		char *why = fmt("cannot read the submission's %s: %s", name,
				br.message ? br.message : "out of memory");
		bool ours = br.status == BUILD_ERROR;

		build_result_free(&br);		/* the calls below do not return */
		if (ours)
			t_ungraded(L, c, why, NULL);
		t_failure(L, c, why, NULL);
	}
	push_and_free(L, c, text, len);
	return 1;
}

/* t:trace("event", ...): QEMU records these trace events until the check
 * ends; t:traces() returns the lines recorded so far. */
static int t_trace(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	int n = lua_gettop(L);

	if (c->quiz)
		return luaL_error(L, "t:trace is not available in a quiz answer");
	for (int i = 2; i <= n; i++) {
		const char *ev = luaL_checkstring(L, i);

		luaL_argcheck(L, *ev && strlen(ev) < 64 && !ev[strspn(ev, "abcdefghijklmnopqrstuvwxyz0123456789_")],
			      i, "a trace event's name, e.g. \"pci_cfg_write\"");
	}
	enter_vm(L, c);
	if (!c->ntraced)
		c->trace_from = vm_qemu_log_size(c->vm);
	for (int i = 2; i <= n; i++) {
		const char *ev = lua_tostring(L, i);

		if (c->ntraced == TRACE_MAX)
			return luaL_error(L, "t:trace: at most %d events a check", TRACE_MAX);
		if (vm_state(c->vm) != VM_READY || vm_trace(c->vm, ev, true)) {
			if (vm_state(c->vm) == VM_READY)	/* no such event: the lesson's */
				return luaL_error(L, "t:trace('%s'): %s", ev, vm_error(c->vm));
			t_vm_trouble(L, c, fmt("cannot turn on QEMU's trace event %s: %s",
					       ev, vm_error(c->vm)));
		}
		c->traced[c->ntraced++] = strdup(ev);
	}
	return 0;
}

/* Is the line one of the events traced?  QEMU may put "PID@SEC.USEC:"
 * before the event's name. */
static bool traced_line(const struct ctx *c, const char *line, size_t len)
{
	const char *at = memchr(line, '@', len), *colon;

	if (at && (colon = memchr(at, ':', len - (size_t)(at - line))) &&
	    strspn(line, "0123456789") == (size_t)(at - line)) {
		len -= (size_t)(colon + 1 - line);
		line = colon + 1;
	}
	for (unsigned int i = 0; i < c->ntraced; i++) {
		size_t k = strlen(c->traced[i]);

		if (len > k && !strncmp(line, c->traced[i], k) && line[k] == ' ')
			return true;
	}
	return false;
}

static int t_traces(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	luaL_Buffer b;
	char *text;

	if (!c->ntraced)
		return luaL_error(L, "t:traces: no event is traced (call t:trace first)");
	/* What QEMU logged since t:trace (all of a restarted VM's log). */
	text = vm_qemu_log_since(c->vm, c->trace_from, READ_MAX);
	if (!text)
		return luaL_error(L, "out of memory");
	free(c->held);
	c->held = text;
	luaL_buffinit(L, &b);
	for (const char *p = text; *p;) {
		const char *e = strchrnul(p, '\n');

		if (traced_line(c, p, (size_t)(e - p))) {
			luaL_addlstring(&b, p, (size_t)(e - p));
			luaL_addchar(&b, '\n');
		}
		p = *e ? e + 1 : e;
	}
	luaL_pushresult(&b);
	c->held = NULL;
	free(text);
	return 1;
}

/* Turns off what t:trace turned on. */
static void untrace(struct ctx *c)
{
	for (unsigned int i = 0; i < c->ntraced; i++) {
		if (vm_state(c->vm) == VM_READY)
			vm_trace(c->vm, c->traced[i], false);
		free(c->traced[i]);
	}
	c->ntraced = 0;
}

/* ---- expectations ---- */

/* The value at idx as people read it (strings quoted, at most 300 bytes,
 * line ends and tabs written \n and \t: a message is one line, and "1 2"
 * must not read the same as "1\n2"), pushed as a Lua string: a
 * __tostring that raises leaks nothing. */
static const char *show(lua_State *L, int idx)
{
	size_t n;
	const char *s = luaL_tolstring(L, idx, &n);	/* stack: ..., s */

	if (lua_type(L, idx) == LUA_TSTRING) {
		luaL_Buffer b;

		luaL_buffinit(L, &b);
		luaL_addchar(&b, '"');
		for (size_t i = 0; i < n && i < 300; i++) {
			if (s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
				luaL_addchar(&b, '\\');
				luaL_addchar(&b, s[i] == '\n' ? 'n' : s[i] == '\t' ? 't' : 'r');
			} else {
				luaL_addchar(&b, s[i]);
			}
		}
		luaL_addchar(&b, '"');
		luaL_pushresult(&b);			/* stack: ..., s, "s" */
		lua_remove(L, -2);
	}
	return lua_tostring(L, -1);
}

/* t:expect(ok, "message") */
static int t_expect(lua_State *L)
{
	struct ctx *c = get_ctx(L);

	if (!lua_toboolean(L, 2))
		t_failure(L, c, strdup(luaL_optstring(L, 3, "an expectation failed")),
			  NULL);
	return 0;
}

/* t:eq(got, want, "what") */
static int t_eq(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	const char *what = luaL_optstring(L, 4, "value");
	bool same;

	if (lua_type(L, 2) == LUA_TNUMBER && lua_type(L, 3) == LUA_TNUMBER)
		same = lua_compare(L, 2, 3, LUA_OPEQ);
	else
		same = lua_rawequal(L, 2, 3);
	if (!same) {
		const char *got = show(L, 2), *want = show(L, 3);

		t_failure(L, c, fmt("%s: expected %s, got %s", what, want, got),
			  fmt("expected: %s\ngot:      %s\n", want, got));
	}
	return 0;
}

/* At most max characters of text on one line: newlines shown as \n. */
static char *one_line(const char *text, size_t max)
{
	char *out = malloc(max * 2 + 4), *w = out;

	if (!out)
		return NULL;
	for (size_t i = 0; text[i] && (size_t)(w - out) < max * 2; i++) {
		if (text[i] == '\n') {
			*w++ = '\\';
			*w++ = 'n';
		} else {
			*w++ = text[i];
		}
		if (i + 1 == max && text[i + 1]) {
			strcpy(w, "...");
			return out;
		}
	}
	*w = '\0';
	return out;
}

/* t:match(text, pattern, "what") -> the captures (or the whole match) */
static int t_match(lua_State *L)
{
	struct ctx *c = get_ctx(L);
	const char *what = luaL_optstring(L, 4, "output");
	int top;

	luaL_checkstring(L, 2);
	luaL_checkstring(L, 3);
	/* The sandbox's string.match: its work is charged to the budget. */
	lua_getfield(L, LUA_REGISTRYINDEX, "lrt.allow");
	lua_getfield(L, -1, "string");
	lua_getfield(L, -1, "match");
	lua_replace(L, -3);
	lua_pop(L, 1);
	top = lua_gettop(L);
	lua_pushvalue(L, 2);
	lua_pushvalue(L, 3);
	lua_call(L, 2, LUA_MULTRET);
	if (lua_isnil(L, top)) {
		const char *text = lua_tostring(L, 2);
		size_t n = strlen(text);
		char *flat = one_line(text, 120);
		char *msg = fmt("%s: expected to match '%s', got \"%s\"", what,
				lua_tostring(L, 3), flat ? flat : "");

		free(flat);
		t_failure(L, c, msg, fmt("pattern: %s\ntext:\n%.*s\n", lua_tostring(L, 3),
					 (int)(n > EVIDENCE_MAX ? EVIDENCE_MAX : n), text));
	}
	return lua_gettop(L) - top + 1;
}

/* t:fail("message") */
static int t_fail(lua_State *L)
{
	struct ctx *c = get_ctx(L);

	return t_failure(L, c, strdup(luaL_optstring(L, 2, "failed")), NULL);
}

static const luaL_Reg ctx_methods[] = {
	{ "build", t_build }, { "sparse", t_sparse }, { "insmod", t_insmod },
	{ "rmmod", t_rmmod }, { "run", t_run }, { "exec", t_exec },
	{ "dmesg", t_dmesg }, { "read", t_read }, { "phys", t_phys },
	{ "qemu_log", t_qemu_log }, { "source", t_source }, { "trace", t_trace },
	{ "traces", t_traces }, { "expect", t_expect }, { "eq", t_eq },
	{ "match", t_match }, { "fail", t_fail }, { NULL, NULL },
};

/* Pushes the userdata `t` for c (its metatable made once per state). */
static void push_ctx(lua_State *L, struct ctx *c)
{
	struct ctx **box = lua_newuserdatauv(L, sizeof(*box), 0);

	*box = c;
	c->box = box;	/* end_ctx() empties it: a `t` kept past its call is refused */
	if (luaL_newmetatable(L, CTX_META)) {		/* stack: box, meta */
		luaL_newlib(L, ctx_methods);		/* stack: box, meta, methods */
		lua_setfield(L, -2, "__index");
		lua_pushliteral(L, "locked");
		lua_setfield(L, -2, "__metatable");
	}
	lua_setmetatable(L, -2);			/* stack: box */
}

/* ---- the runner ---- */

/* The call that got `t` is over: `t` is refused from now on, and what the
 * last command left is freed. */
static void end_ctx(struct ctx *c)
{
	if (c->box)
		*c->box = NULL;
	c->box = NULL;
	vm_result_free(&c->r);
	free(c->held);
	c->held = NULL;
}

static void reset_check(struct ctx *c)
{
	free(c->message);
	free(c->evidence);
	c->message = c->evidence = NULL;
	c->failed = false;
	c->ungraded = false;
	c->fault = VM_OK;
	c->module_loaded = false;
	c->vm_entered = false;
}

/* What a module can leave behind: claimed regions, misc devices,
 * interrupt lines, or itself (an rmmod that failed). */
#define RESOURCES "cat /proc/iomem /proc/misc; awk 'NR > 1 { print $1, $NF }' /proc/interrupts; " \
		  "cut -d' ' -f1 /proc/modules"

static char *guest_resources(struct vm *vm)
{
	struct vm_result r;
	char *out = NULL;

	if (vm_state(vm) != VM_READY || vm_sh(vm, RESOURCES, 10000, &r))
		return NULL;
	if (r.verdict == VM_OK && r.exit_code == 0) {
		out = r.out;
		r.out = NULL;
	}
	vm_result_free(&r);
	return out;
}

/*
 * The check's first use of the lab VM: a fresh one if the last check left
 * none (a fault ended it), and what "since the check began" means there:
 * the end of the kernel log, and the guest's resources for cleanup_check()
 * to compare.  A check that never uses the VM (a build, sparse) costs it
 * nothing.  A VM that does not start is ours: nothing of the submission has
 * run in it yet.
 */
static void enter_vm(lua_State *L, struct ctx *c)
{
	uint64_t cursor = UINT64_MAX;
	char *ignored = NULL;

	if (c->quiz || c->vm_entered)
		return;
	c->vm_entered = true;
	if (vm_state(c->vm) != VM_READY && vm_start(c->vm))
		t_ungraded(L, c, strdup(vm_error(c->vm)), strdup(""));
	c->kmsg_cursor = vm_kmsg(c->vm, &cursor, &ignored) == 0 ? cursor : 0;
	free(ignored);
	c->kmsg_boot = vm_restarts(c->vm);
	c->qemu_from = vm_qemu_log_size(c->vm);
	if (c->l->exercise->kind != EX_MODULE)
		return;
	/* Nothing runs between checks: the last check's clean end is this
	 * one's start, if it was in this VM and on this boot. */
	if (c->known_clean && c->known_vm == c->vm && c->known_boot == vm_restarts(c->vm))
		c->clean_state = strdup(c->known_clean);
	else
		c->clean_state = guest_resources(c->vm);
}

/*
 * Unloads what the check loaded.  A module that will not go, or that went
 * but left a region, a misc device or an interrupt behind, means a dirty
 * kernel: the next check (and the next submission) gets a fresh VM, so one
 * student's leak never fails another's check.
 */
/*
 * The module's exit function is the submission's code too: an oops, a QEMU
 * abort or an rmmod stuck in it (r, the rmmod after the check) is the
 * verdict of a check that had passed until then.
 */
static void judge_unload(struct ctx *c, const struct vm_result *r,
			 struct check_result *out)
{
	if (r->stuck && !c->stuck)
		c->stuck = fmt("'rmmod %s' after a check did not end within 10 s and could "
			       "not be killed: it is stuck in the kernel (does the exit "
			       "function wait for something that never comes?)", c->name);
	if ((!vm_verdict_is_fault(r->verdict) && !r->stuck) || out->outcome != CHECK_PASS)
		return;
	out->outcome = CHECK_FAIL;
	out->points = 0;
	free(out->message);
	free(out->evidence);
	out->message = r->stuck ? strdup(c->stuck) :
		       fmt("%s (while unloading the module after the check: 'rmmod %s')",
			   r->message, c->name);
	out->evidence = strdup(r->evidence);
	out->fault = r->verdict;
	clean_in_place(&out->message, CHECK_MESSAGE_MAX, true);
	clean_in_place(&out->evidence, CHECK_EVIDENCE_MAX, false);
}

/*
 * An edu DMA outside the device's buffer aborts QEMU before 8.0 (a fault,
 * judged like an oops); from 8.0 on QEMU only logs it, as a guest error,
 * and skips the transfer.  So that the same bug fails on every QEMU, a
 * check that passed fails when QEMU logged one since it began (`unload`:
 * where the log stood before the module's exit function ran).
 */
static void judge_edu_dma(struct ctx *c, off_t unload, struct check_result *out)
{
	unsigned int v = vm_qemu_version(c->vm);
	char *log, *after, *at, *line;
	bool unloading;

	if (out->outcome != CHECK_PASS || !c->vm_entered || c->quiz ||
	    vm_state(c->vm) != VM_READY || c->kmsg_boot != vm_restarts(c->vm))
		return;
	log = vm_qemu_log_since(c->vm, c->qemu_from, READ_MAX);
	at = log ? strstr(log, "EDU: DMA range") : NULL;
	if (!at) {
		free(log);
		return;
	}
	after = vm_qemu_log_since(c->vm, unload, READ_MAX);
	unloading = after && strstr(after, "EDU: DMA range") &&
		    (size_t)(at - log) >= strlen(log) - strlen(after);
	line = strndup(at, strcspn(at, "\n"));
	out->outcome = CHECK_FAIL;
	out->points = 0;
	free(out->message);
	free(out->evidence);
	out->message = fmt("edu refused a DMA outside its buffer: %s (a transfer must stay within "
			   "the 4096 bytes at 0x40000%s; QEMU %u.%u.%u logs this and skips the "
			   "transfer, QEMU before 8.0 aborts)%s%s%s",
			   line ? line : "", vm_edu_dma_max(v) < 4096 ? " and end below 0x41000" : "",
			   v / 10000, v / 100 % 100, v % 100,
			   unloading ? " (while unloading the module after the check: 'rmmod " : "",
			   unloading ? c->name : "", unloading ? "')" : "");
	out->evidence = line ? line : strdup("");
	clean_in_place(&out->message, CHECK_MESSAGE_MAX, true);
	free(log);
	free(after);
}

static void cleanup_check(struct ctx *c, struct check_result *out)
{
	struct vm_result r;
	char *cmd, *now;
	bool dirty = false;
	off_t unload = c->vm_entered ? vm_qemu_log_size(c->vm) : 0;

	/* rmmod on its own (the shell execs it as its last command): the
	 * agent's stuck test watches the job's own process. */
	if (c->module_loaded && vm_state(c->vm) == VM_READY) {
		/* Exit status 0 only if it is not loaded, or unloads now. */
		cmd = fmt("if grep -q '^%s ' /proc/modules; then rmmod %s; fi",
			  c->name, c->name);
		if (cmd && vm_sh(c->vm, cmd, 10000, &r) == 0) {
			dirty = r.verdict != VM_OK || r.exit_code != 0;
			judge_unload(c, &r, out);
			vm_result_free(&r);
		} else if (cmd) {
			dirty = true;
		}
		free(cmd);
	}
	c->module_loaded = false;
	judge_edu_dma(c, unload, out);
	untrace(c);
	if (!dirty && c->clean_state && vm_state(c->vm) == VM_READY) {
		now = guest_resources(c->vm);
		dirty = !now || strcmp(now, c->clean_state);
		if (!dirty) {
			free(c->known_clean);
			c->known_clean = now;
			c->known_vm = c->vm;
			c->known_boot = vm_restarts(c->vm);
			now = NULL;
		}
		free(now);
	}
	if (dirty)
		vm_stop(c->vm);
	free(c->clean_state);
	c->clean_state = NULL;
}

static void run_check(struct ctx *c, const struct lesson_check *k,
		      struct check_result *out)
{
	struct lrt *rt = k->rt ? k->rt : c->l->rt;	/* added by a later root? */
	lua_State *L = lrt_state(rt);
	int status;

	reset_check(c);
	if (k->iommu && !c->vm_iommu) {
		struct vm_options vo = { .iommu = true };

		c->vm_iommu = vm_new(&vo);
		c->own_iommu = true;
	}
	c->vm = k->iommu && c->vm_iommu ? c->vm_iommu : c->vm_plain;
	c->start = now_ms();
	c->timeout_ms = k->timeout_ms;
	c->deadline = c->start + k->timeout_ms;
	if (c->budget_end && c->deadline > c->budget_end)
		c->deadline = c->budget_end;
	if (c->stuck || (c->budget_end && c->start >= c->budget_end)) {
		out->outcome = CHECK_FAIL;
		out->message = c->stuck ? fmt("not run: an earlier check found this: %s", c->stuck) :
			       fmt("not run: the submission used up the %u s its checks may take "
				   "together (the exercise's budget)",
				   c->l->exercise->budget_ms / 1000);
		out->evidence = strdup("");
		goto done;
	}
	lua_settop(L, 0);
	lua_rawgeti(L, LUA_REGISTRYINDEX, k->fn_ref);
	push_ctx(L, c);
	/* The check's Lua may take as long as the check, and no longer. */
	lrt_set_wall_ms(rt, k->timeout_ms + 10000);
	status = lrt_pcall(rt, 1, 0);
	lrt_set_wall_ms(rt, 0);
	if (status == 0 && !c->failed) {
		out->outcome = CHECK_PASS;
		out->points = k->points;
		out->message = strdup("");
		out->evidence = strdup("");
	} else if (c->failed) {
		out->outcome = c->ungraded ? CHECK_ERROR : CHECK_FAIL;
		out->message = c->message;
		out->evidence = c->evidence;
		c->message = c->evidence = NULL;
	} else {
		/* A bug in the check itself (or its Lua budget ran out): the
		 * lesson's failure, so ours too. */
		out->outcome = CHECK_ERROR;
		out->message = fmt("the check itself failed: %s", lrt_error(rt));
		out->evidence = strdup(lrt_traceback(rt));
	}
done:
	/* Whatever the submission printed: valid UTF-8, no escapes, bounded. */
	clean_in_place(&out->message, CHECK_MESSAGE_MAX, true);
	clean_in_place(&out->evidence, CHECK_EVIDENCE_MAX, false);
	/* A check that did not pass always says why (a lesson's t:fail("")
	 * or a cause we did not name would leave the student guessing). */
	if (out->outcome != CHECK_PASS && out->message && !*out->message) {
		free(out->message);
		out->message = fmt("the check '%s' %s without saying why (a bug of the lesson: tell "
				   "your instructor)", k->name,
				   out->outcome == CHECK_FAIL ? "failed" : "could not run");
	}
	out->fault = c->fault;
	lua_settop(L, 0);
	end_ctx(c);
	cleanup_check(c, out);
	out->elapsed_ms = (unsigned int)(now_ms() - c->start);
}

static void module_name(const struct lesson_exercise *e, char *out, size_t n)
{
	const char *first = e->files[0];

	for (size_t i = 0; i < e->nfiles; i++) {
		size_t l = strlen(e->files[i]);

		if (l > 2 && !strcmp(e->files[i] + l - 2, ".c")) {
			first = e->files[i];
			break;
		}
	}
	snprintf(out, n, "%.*s", (int)strcspn(first, "."), first);
}

/* Why no check can run, if none can: the submission's files cannot be
 * built (said at once, before a VM boots for it), or the lab VM does not
 * start (ours).  NULL when checks can run. */
static char *cannot_run(const struct lesson_exercise *e, const struct grade_opts *o,
			enum check_outcome *as)
{
	struct build_result br;
	char *why = NULL;

	if (build_check_submission(o->submission, e->files, e->nfiles, &br)) {
		/* BUILD_ERROR: we could not look at the files (ours); anything
		 * else is the files themselves (theirs). */
		*as = br.status == BUILD_ERROR ? CHECK_ERROR : CHECK_FAIL;
		why = fmt(*as == CHECK_ERROR ? "could not read the submission: %s" :
			  "the submission cannot be built: %s", br.message);
		build_result_free(&br);
		goto out;
	}
	build_result_free(&br);
	/* A pristine VM (a snapshot's restore) for each submission: nothing
	 * the last one did (a sysctl, a moved BAR, a daemon) is left. */
	if (o->fresh_vm) {
		vm_stop(o->vm);
		if (o->vm_iommu)
			vm_stop(o->vm_iommu);
	}
	if (vm_state(o->vm) != VM_READY && vm_start(o->vm)) {
		/* Nothing of the submission has run in it: ours. */
		*as = CHECK_ERROR;
		why = strdup(vm_error(o->vm));	/* "the lab VM did not boot: ..." */
		goto out;
	}
	return NULL;
out:
	/* Made into every check's message: the same invariant (check.h). */
	clean_in_place(&why, CHECK_MESSAGE_MAX, true);
	return why ? why : strdup("out of memory");
}

int grade_exercise(struct lesson *l, const struct grade_opts *o,
		   struct grade *g, char *err, size_t errlen)
{
	struct lesson_exercise *e = l->exercise;
	struct ctx c = { .l = l, .o = o, .vm = o->vm, .vm_plain = o->vm,
			 .vm_iommu = o->vm_iommu };
	enum check_outcome refused_as = CHECK_FAIL;
	uint64_t t0 = now_ms();
	char *refused;

	memset(g, 0, sizeof(*g));
	g->sandbox = "";
	if (!e) {
		snprintf(err, errlen, "%s: the lesson has no exercise", l->file);
		return -1;
	}
	module_name(e, c.name, sizeof(c.name));
	refused = cannot_run(e, o, &refused_as);
	/* From here: the VM is up, the submission's time runs. */
	c.budget_end = now_ms() + e->budget_ms;
	g->exercise = strdup(e->id);
	g->results = calloc(e->nchecks, sizeof(*g->results));
	if (!g->exercise || !g->results) {
		snprintf(err, errlen, "out of memory");
		free(refused);
		grade_free(g);
		return -1;
	}
	for (size_t i = 0; i < e->nchecks; i++) {
		struct check_result *r = &g->results[g->nresults];

		if (o->only && strcmp(o->only, e->checks[i].name))
			continue;
		if (o->visible_only && e->checks[i].visibility != VIS_VISIBLE) {
			g->not_run++;
			g->not_run_points += e->checks[i].points;
			continue;
		}
		r->name = strdup(e->checks[i].name);
		r->visibility = e->checks[i].visibility;
		r->title = strdup(ltext_get(&e->checks[i].title, o->lang));
		r->max_points = e->checks[i].points;
		if (refused) {
			r->outcome = refused_as;
			r->message = strdup(refused);
			r->evidence = strdup("");
		} else {
			run_check(&c, &e->checks[i], r);
		}
		g->score += r->points;
		g->max_score += r->max_points;
		g->ungraded += r->outcome == CHECK_ERROR;
		g->nresults++;
		if (o->on_result)
			o->on_result(o->ctx, r);
	}
	if (c.built[B_PLAIN] && c.build[B_PLAIN].sandbox != SANDBOX_AUTO)
		g->sandbox = sandbox_name(c.build[B_PLAIN].sandbox);
	for (int i = 0; i < B_COUNT; i++)
		build_result_free(&c.build[i]);
	if (c.own_iommu)
		vm_free(c.vm_iommu);
	reset_check(&c);
	free(c.known_clean);
	free(c.stuck);
	free(refused);
	g->elapsed_ms = (unsigned int)(now_ms() - t0);
	return 0;
}

void grade_free(struct grade *g)
{
	for (size_t i = 0; i < g->nresults; i++) {
		free(g->results[i].name);
		free(g->results[i].title);
		free(g->results[i].message);
		free(g->results[i].evidence);
	}
	free(g->results);
	free(g->exercise);
	memset(g, 0, sizeof(*g));
}

char *quiz_answer(struct lesson *l, const struct lesson_quiz *q, struct vm *vm,
		  char *err, size_t errlen)
{
	lua_State *L = lrt_state(l->rt);
	struct ctx c = { .l = l, .vm = vm, .quiz = true };
	char *answer = NULL;

	if (q->answer)
		return strdup(q->answer);
	lua_settop(L, 0);
	lua_rawgeti(L, LUA_REGISTRYINDEX, q->answer_ref);
	push_ctx(L, &c);
	c.timeout_ms = 30000;
	c.deadline = now_ms() + c.timeout_ms;
	if (lrt_pcall(l->rt, 1, 1) != 0)
		snprintf(err, errlen, "%s: quiz '%s': %s", l->file, q->id,
			 c.failed ? c.message : lrt_error(l->rt));
	else if (lua_isnil(L, -1))
		snprintf(err, errlen, "%s: quiz '%s': the answer function returned nothing",
			 l->file, q->id);
	else
		answer = strdup(luaL_tolstring(L, -1, NULL));
	end_ctx(&c);
	free(c.message);
	free(c.evidence);
	lua_settop(L, 0);
	return answer;
}
