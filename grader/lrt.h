/* SPDX-License-Identifier: MIT */
/*
 * lrt.h - the sandboxed Lua runtime that lessons and their checks run in.
 *
 * One `struct lrt` owns one lua_State.  Lesson code is instructor-written
 * but still untrusted in the ways that matter to a grader running 300
 * submissions unattended: it must not reach the file system or the
 * process, loop forever, or eat the machine's memory.  So, by construction:
 *
 * - each chunk runs with its own _ENV, a fresh table whose __index is the
 *   allow-list below (no io, os, load, require, debug, string.dump...);
 * - chunks are loaded as text only (mode "t"): no precompiled bytecode;
 * - every call into Lua has an instruction budget (a count hook) and the
 *   whole state a memory cap (its allocator refuses past it);
 * - every call is protected, with a traceback; errors read
 *   "lessons/ch1/lesson.lua:12: message";
 * - the budget and the memory cap are sticky: once one is spent, pcall
 *   inside the sandbox re-raises, every further instruction raises again
 *   (so a <close> handler that raises an error of its own cannot replace
 *   it), and lrt_pcall() reports it whatever error value arrives;
 * - work done in C where the count hook cannot see it (pattern matching,
 *   string.rep) is charged to the budget as it goes (lpattern.h);
 * - setmetatable refuses finalizers (__gc), and no Lua code runs while
 *   the state is closed.
 *
 * Invariants: lrt_error() is never NULL ("" when nothing failed).  Not
 * thread-safe; one thread per runtime.
 */
#ifndef ADDRLAB_LRT_H
#define ADDRLAB_LRT_H

#include <lua.h>
#include <stddef.h>

struct lrt_limits {
	size_t mem_bytes;		/* 0: 64 MiB for the whole state */
	unsigned long instructions;	/* per top-level call; 0: 200 million */
	unsigned int wall_ms;		/* per top-level call, by the clock, for
					 * the work one instruction can hide
					 * (== on huge strings); 0: 60 s */
};

struct lrt;

/* A new sandboxed runtime, or NULL when out of memory. */
struct lrt *lrt_new(const struct lrt_limits *lim);
void lrt_free(struct lrt *rt);

lua_State *lrt_state(struct lrt *rt);

/* The clock limit of the calls from now on (a check's own time limit, with
 * a margin); 0: the runtime's default. */
void lrt_set_wall_ms(struct lrt *rt, unsigned int ms);

/*
 * Loads the text file `path` (its name as given is what errors show) in a
 * fresh sandbox environment and runs it; leaves nresults values on the
 * stack.  0, or -1 with lrt_error() set.
 */
int lrt_dofile(struct lrt *rt, const char *path, int nresults);

/* Same, from a buffer; `name` is what errors show ("lesson.lua"). */
int lrt_dostring(struct lrt *rt, const char *text, size_t len,
		 const char *name, int nresults);

/*
 * Runs `text` like lrt_dostring() and offers the one value it returns to
 * every chunk loaded afterwards, as the global `global` (through the
 * allow-list, like `string`: a chunk that assigns the name changes only
 * its own environment).  How the grader gives lessons a library of its
 * own, written in Lua.  0, or -1 with lrt_error() set.
 */
int lrt_provide(struct lrt *rt, const char *global, const char *text,
		size_t len, const char *name);

/*
 * Calls the function below its nargs arguments on the stack, protected,
 * with a fresh instruction budget.  0, or -1 with lrt_error() set; on
 * error nothing is left on the stack.
 */
int lrt_pcall(struct lrt *rt, int nargs, int nresults);

/*
 * Charges n instructions of work done in C to the budget of the call under
 * way; raises the budget error (never returns) when it is spent.  For C
 * functions the sandbox offers that can loop where the count hook cannot
 * see them.
 */
void lrt_charge(lua_State *L, unsigned long n);

/* "file:line: message" of the last failure, or "". */
const char *lrt_error(const struct lrt *rt);
/* The Lua traceback of the last failure, or "". */
const char *lrt_traceback(const struct lrt *rt);

/* Bytes the state holds now, and its peak. */
size_t lrt_mem_used(const struct lrt *rt);
size_t lrt_mem_peak(const struct lrt *rt);

/* Pushes a fresh sandbox environment table (for callers that load chunks
 * themselves). */
void lrt_push_env(struct lrt *rt);

#endif /* ADDRLAB_LRT_H */
