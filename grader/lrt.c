// SPDX-License-Identifier: MIT
/* lrt.c - the sandboxed Lua runtime (see lrt.h). */
#define _GNU_SOURCE
#include "lrt.h"
#include "lpattern.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MEM		(64u << 20)
#define DEFAULT_INSNS		200000000ul
#define DEFAULT_WALL_MS		60000
/* Instructions between budget checks.  One instruction can take
 * milliseconds (== or .. on strings of megabytes), so the hook comes
 * often enough for the clock to be looked at in time. */
#define HOOK_EVERY		1000

/* Raised (as this exact string) when a budget runs out; sandboxed pcall
 * recognises it and passes it on. */
static const char budget_msg[] = "instruction budget exhausted (an endless loop?)";
static const char clock_msg[] = "time limit exhausted (each call may run %u s; "
				"comparing or joining huge strings?)";

struct lrt {
	lua_State *L;
	size_t mem_cap, mem_used, mem_peak;
	unsigned long insn_budget, insn_left;
	/* Sticky for the rest of a top-level call, whatever the lesson does
	 * with the error (pcall, a <close> handler raising another): once
	 * set, the count hook fires at every instruction and raises again. */
	bool exhausted, mem_failed;
	char where[256];	/* "file:line: " where the budget ran out */
	char why[128];		/* which budget: instructions or time */
	unsigned int wall_ms;	/* per top-level call */
	uint64_t deadline;	/* of the call under way (CLOCK_MONOTONIC ms) */
	char *error, *traceback;
};

/* Every allocation of the state goes through here: the memory cap. */
static void *cap_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct lrt *rt = ud;
	size_t old = ptr ? osize : 0;

	if (nsize == 0) {
		free(ptr);
		rt->mem_used -= old;
		return NULL;
	}
	if (nsize > old && rt->mem_used - old + nsize > rt->mem_cap) {
		rt->mem_failed = true;
		return NULL;	/* Lua raises "not enough memory" */
	}
	ptr = realloc(ptr, nsize);
	if (ptr) {
		rt->mem_used = rt->mem_used - old + nsize;
		if (rt->mem_used > rt->mem_peak)
			rt->mem_peak = rt->mem_used;
	}
	return ptr;
}

static struct lrt *rt_of(lua_State *L)
{
	void *ud;

	lua_getallocf(L, &ud);
	return ud;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The budget is spent: from now on every instruction raises the error. */
static int exhaust(lua_State *L, struct lrt *rt, lua_Debug *ar)
{
	if (!rt->exhausted) {
		if (rt->deadline && now_ms() >= rt->deadline)
			snprintf(rt->why, sizeof(rt->why), clock_msg, rt->wall_ms / 1000);
		else
			snprintf(rt->why, sizeof(rt->why), "%s", budget_msg);
		rt->exhausted = true;
		rt->insn_left = 0;
		rt->where[0] = '\0';
		/* Say where the lesson was when its time ran out. */
		if (ar && lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
			snprintf(rt->where, sizeof(rt->where), "%s:%d: ", ar->short_src,
				 ar->currentline);
		lua_sethook(L, lua_gethook(L), LUA_MASKCOUNT, 1);
	}
	return luaL_error(L, "%s%s", rt->where, rt->why);
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
	struct lrt *rt = rt_of(L);

	if (!rt->exhausted && rt->insn_left > HOOK_EVERY &&
	    (!rt->deadline || now_ms() < rt->deadline)) {
		rt->insn_left -= HOOK_EVERY;
		return;
	}
	exhaust(L, rt, ar);
}

void lrt_charge(lua_State *L, unsigned long n)
{
	void *ud;
	struct lrt *rt = lua_getallocf(L, &ud) == cap_alloc ? ud : NULL;
	lua_Debug ar;

	if (!rt)
		return;		/* not a sandbox: nothing to charge */

	if (!rt->exhausted && n < rt->insn_left) {
		rt->insn_left -= n;
		return;
	}
	exhaust(L, rt, lua_getstack(L, 1, &ar) ? &ar : NULL);
}

static int is_fatal(lua_State *L, int status)
{
	struct lrt *rt = rt_of(L);

	return status == LUA_ERRMEM || rt->exhausted || rt->mem_failed;
}

/* pcall for sandboxed code: like the real one, except that the budget and
 * memory errors keep unwinding to our own protected call. */
static int sandbox_pcall(lua_State *L)
{
	int status;

	luaL_checkany(L, 1);
	status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
	if (status != LUA_OK) {
		if (is_fatal(L, status))
			return lua_error(L);
		lua_pushboolean(L, 0);
		lua_insert(L, -2);
		return 2;	/* false, message */
	}
	lua_pushboolean(L, 1);
	lua_insert(L, 1);
	return lua_gettop(L);
}

/*
 * The lesson's message handler, called only for its own errors: the budget
 * error is raised inside the count hook, where hooks are off, so a handler
 * that loops there would never be stopped.
 */
static int xpcall_handler(lua_State *L)
{
	struct lrt *rt = rt_of(L);

	if (rt->exhausted || rt->mem_failed)
		return 1;	/* the limit's error, as it is */
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

/* xpcall for sandboxed code: as pcall, the handler as xpcall_handler(). */
static int sandbox_xpcall(lua_State *L)
{
	int n = lua_gettop(L), status;

	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 2);
	lua_pushcclosure(L, xpcall_handler, 1);
	lua_replace(L, 2);
	lua_pushboolean(L, 1);			/* stack: f, msgh, args..., true */
	lua_pushvalue(L, 1);
	lua_rotate(L, 3, 2);			/* stack: f, msgh, true, f, args... */
	status = lua_pcall(L, n - 2, LUA_MULTRET, 2);
	if (status != LUA_OK) {
		if (is_fatal(L, status))
			return lua_error(L);
		lua_pushboolean(L, 0);
		lua_pushvalue(L, -2);
		return 2;	/* false, what the handler made of the error */
	}
	return lua_gettop(L) - 2;
}

/* What a value costs a C function to read or write: one, plus its bytes
 * over 64 for a string (memcpy-like loops). */
static unsigned long values_work(lua_State *L, int from, int to)
{
	unsigned long w = 0;

	for (int i = from; i <= to; i++)
		w += 1 + (lua_type(L, i) == LUA_TSTRING ? lua_rawlen(L, i) / 64 : 0);
	return w;
}

/* "file:line: ..." already? */
static bool has_where(const char *msg)
{
	const char *colon = strchr(msg, ':');
	size_t digits;

	if (!colon || colon == msg)
		return false;
	digits = strspn(colon + 1, "0123456789");
	return digits > 0 && colon[1 + digits] == ':';
}

/* Elements a table function walks: move's count, insert's and remove's
 * shift, sort's n log n, unpack's and concat's range. */
static unsigned long table_work(lua_State *L, const char *name, int n)
{
	lua_Integer len = 0, a, b;
	unsigned long w = 0;

	if (!strcmp(name, "move") && n >= 3) {
		a = luaL_optinteger(L, 2, 1);
		b = luaL_optinteger(L, 3, 0);
		return b >= a ? (unsigned long)((lua_Unsigned)b - (lua_Unsigned)a) + 1 : 0;
	}
	if (lua_type(L, 1) != LUA_TTABLE)
		return 0;
	len = luaL_len(L, 1);	/* a __len of the lesson's counts as well */
	if ((!strcmp(name, "insert") && n >= 3) || (!strcmp(name, "remove") && n >= 2)) {
		a = luaL_optinteger(L, 2, len);
		return a >= 1 && a <= len ? (unsigned long)(len - a) + 1 : 0;
	}
	if (!strcmp(name, "sort")) {
		for (lua_Integer k = len; k > 1; k >>= 1)
			w += (unsigned long)len;
		return w;
	}
	if (!strcmp(name, "unpack") || !strcmp(name, "concat")) {
		int at = !strcmp(name, "concat") ? 3 : 2;

		a = luaL_optinteger(L, at, 1);
		b = lua_isnoneornil(L, at + 1) ? len : luaL_checkinteger(L, at + 1);
		return b >= a ? (unsigned long)((lua_Unsigned)b - (lua_Unsigned)a) + 1 : 0;
	}
	return 0;
}

/*
 * A library function as the sandbox offers it (upvalues: the function, its
 * library, its name): the work it does in C, where the count hook cannot
 * see it, is charged to the budget: its arguments and its table walk
 * before, its results after.
 */
static int charged(lua_State *L)
{
	int n = lua_gettop(L);
	unsigned long w = values_work(L, 1, n);

	if (!strcmp(lua_tostring(L, lua_upvalueindex(2)), "table"))
		w += table_work(L, lua_tostring(L, lua_upvalueindex(3)), n);
	lrt_charge(L, w);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	if (lua_pcall(L, n, LUA_MULTRET, 0) != LUA_OK) {
		const char *msg = lua_tostring(L, -1);

		/* Raised by the library function itself: say where, as it
		 * would have if the lesson had called it directly. */
		if (!is_fatal(L, LUA_ERRRUN) && lua_type(L, -1) == LUA_TSTRING &&
		    !has_where(msg)) {
			luaL_where(L, 1);
			lua_insert(L, -2);
			lua_concat(L, 2);
		}
		return lua_error(L);
	}
	n = lua_gettop(L);
	lrt_charge(L, values_work(L, 1, n));
	return n;
}

/* setmetatable without finalizers: a __gc runs where no budget holds it
 * (at the latest in lua_close, when the lesson is freed). */
static int sandbox_setmetatable(lua_State *L)
{
	if (lua_istable(L, 2) && lua_getfield(L, 2, "__gc") != LUA_TNIL)
		return luaL_error(L, "finalizers (__gc) are not available in lessons");
	lua_settop(L, 2);
	lua_getfield(L, LUA_REGISTRYINDEX, "lrt.setmetatable");
	lua_insert(L, 1);
	lua_call(L, 2, 1);
	return 1;
}

/* print() in a lesson goes to stderr, prefixed, never to our stdout
 * (which may carry a JSON report). */
static int sandbox_print(lua_State *L)
{
	int n = lua_gettop(L);

	fputs("lesson: ", stderr);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			fputc('\t', stderr);
		fputs(luaL_tolstring(L, i, NULL), stderr);
		lua_pop(L, 1);
	}
	fputc('\n', stderr);
	return 0;
}

/* The allow-list: what a lesson may use. */
static const char *const base_names[] = {
	"assert", "error", "ipairs", "next", "pairs", "rawequal", "rawget",
	"rawlen", "select", "tonumber", "tostring", "type", "getmetatable",
	"setmetatable", "_VERSION", NULL,
};

static const struct {
	const char *lib;
	const char *const *names;	/* NULL: the whole library */
} libs[] = {
	{ "string", (const char *const[]){ "byte", "char", "find", "format",
		"gmatch", "gsub", "len", "lower", "match", "rep", "reverse",
		"sub", "upper", NULL } },
	{ "table", NULL },
	{ "math", NULL },
	{ "utf8", NULL },
};

/* Every C function of the library copy on top: charged(). */
static void charge_library(lua_State *L, const char *lib)
{
	lua_pushnil(L);
	while (lua_next(L, -2)) {			/* stack: copy, name, fn */
		if (lua_iscfunction(L, -1) && lua_type(L, -2) == LUA_TSTRING &&
		    strcmp(lib, "math")) {
			lua_pushvalue(L, -1);
			lua_pushstring(L, lib);
			lua_pushvalue(L, -4);		/* stack: copy, name, fn, fn, lib, name */
			lua_pushcclosure(L, charged, 3);
			lua_pushvalue(L, -3);
			lua_insert(L, -2);		/* stack: copy, name, fn, name, closure */
			lua_settable(L, -5);
		}
		lua_pop(L, 1);
	}
}

/*
 * Builds the allow-list table once (registry field "lrt.allow").  The
 * library tables in it are copies, so a lesson that assigns
 * string.format = nil changes only its own view... of the copy it shares
 * with other lessons in this state; each lesson gets its own state in
 * practice (one runtime per lesson load).
 */
static void build_allow(lua_State *L)
{
	lua_newtable(L);				/* stack: allow */
	lua_pushglobaltable(L);				/* stack: allow, _G */
	for (int i = 0; base_names[i]; i++) {
		lua_getfield(L, -1, base_names[i]);
		lua_setfield(L, -3, base_names[i]);
	}
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		lua_getfield(L, -1, libs[i].lib);	/* stack: allow, _G, lib */
		lua_newtable(L);			/* stack: allow, _G, lib, copy */
		if (libs[i].names) {
			for (int k = 0; libs[i].names[k]; k++) {
				lua_getfield(L, -2, libs[i].names[k]);
				lua_setfield(L, -2, libs[i].names[k]);
			}
		} else {
			lua_pushnil(L);
			while (lua_next(L, -3)) {
				lua_pushvalue(L, -2);
				lua_insert(L, -2);
				lua_settable(L, -4);
			}
		}
		charge_library(L, libs[i].lib);
		lua_setfield(L, -4, libs[i].lib);	/* stack: allow, _G, lib */
		lua_pop(L, 1);
	}
	lua_pop(L, 1);					/* stack: allow */
	lua_pushcfunction(L, sandbox_pcall);
	lua_setfield(L, -2, "pcall");
	lua_pushcfunction(L, sandbox_xpcall);
	lua_setfield(L, -2, "xpcall");
	lua_pushcfunction(L, sandbox_print);
	lua_setfield(L, -2, "print");
	lua_getfield(L, -1, "setmetatable");
	lua_setfield(L, LUA_REGISTRYINDEX, "lrt.setmetatable");
	lua_pushcfunction(L, sandbox_setmetatable);
	lua_setfield(L, -2, "setmetatable");
	lua_getfield(L, -1, "string");			/* stack: allow, string */
	lpattern_install(L, -1);
	lua_pop(L, 1);
	lua_setfield(L, LUA_REGISTRYINDEX, "lrt.allow");
}

/*
 * The string metatable's __index is the real string library: "x":rep()
 * must keep working, but ("").dump must not exist.  Point it at the
 * allow-listed copy.
 */
static void restrict_string_meta(lua_State *L)
{
	lua_pushliteral(L, "");
	if (lua_getmetatable(L, -1)) {			/* stack: "", meta */
		lua_getfield(L, LUA_REGISTRYINDEX, "lrt.allow");
		lua_getfield(L, -1, "string");		/* stack: "", meta, allow, string */
		lua_setfield(L, -3, "__index");
		/* getmetatable("") yields this, not the shared table. */
		lua_pushliteral(L, "locked");
		lua_setfield(L, -3, "__metatable");
		lua_pop(L, 2);
	} else {
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

void lrt_push_env(struct lrt *rt)
{
	lua_State *L = rt->L;

	lua_newtable(L);				/* stack: env */
	lua_newtable(L);				/* stack: env, meta */
	lua_getfield(L, LUA_REGISTRYINDEX, "lrt.allow");
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);			/* stack: env */
}

struct lrt *lrt_new(const struct lrt_limits *lim)
{
	struct lrt *rt = calloc(1, sizeof(*rt));

	if (!rt)
		return NULL;
	rt->mem_cap = lim && lim->mem_bytes ? lim->mem_bytes : DEFAULT_MEM;
	rt->wall_ms = lim && lim->wall_ms ? lim->wall_ms : DEFAULT_WALL_MS;
	rt->insn_budget = lim && lim->instructions ? lim->instructions :
			  DEFAULT_INSNS;
	rt->error = strdup("");
	rt->traceback = strdup("");
	rt->L = lua_newstate(cap_alloc, rt);
	if (!rt->L || !rt->error || !rt->traceback) {
		lrt_free(rt);
		return NULL;
	}
	/* Only these libraries are opened at all. */
	luaL_requiref(rt->L, LUA_GNAME, luaopen_base, 1);
	luaL_requiref(rt->L, LUA_STRLIBNAME, luaopen_string, 1);
	luaL_requiref(rt->L, LUA_TABLIBNAME, luaopen_table, 1);
	luaL_requiref(rt->L, LUA_MATHLIBNAME, luaopen_math, 1);
	luaL_requiref(rt->L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
	lua_settop(rt->L, 0);
	build_allow(rt->L);
	restrict_string_meta(rt->L);
	return rt;
}

void lrt_free(struct lrt *rt)
{
	if (!rt)
		return;
	if (rt->L) {
		/* Nothing of a lesson's may run unbounded while the state
		 * closes: any Lua code from here on raises at once. */
		rt->exhausted = true;
		snprintf(rt->why, sizeof(rt->why), "%s", budget_msg);
		lua_sethook(rt->L, count_hook, LUA_MASKCOUNT, 1);
		lua_close(rt->L);
	}
	free(rt->error);
	free(rt->traceback);
	free(rt);
}

void lrt_set_wall_ms(struct lrt *rt, unsigned int ms)
{
	rt->wall_ms = ms ? ms : DEFAULT_WALL_MS;
}

lua_State *lrt_state(struct lrt *rt)
{
	return rt->L;
}

const char *lrt_error(const struct lrt *rt)
{
	return rt->error;
}

const char *lrt_traceback(const struct lrt *rt)
{
	return rt->traceback;
}

size_t lrt_mem_used(const struct lrt *rt)
{
	return rt->mem_used;
}

size_t lrt_mem_peak(const struct lrt *rt)
{
	return rt->mem_peak;
}

static void set_error(struct lrt *rt, const char *msg, const char *tb)
{
	char *m = strdup(msg ? msg : "unknown error");
	char *t = strdup(tb ? tb : "");

	if (m) {
		free(rt->error);
		rt->error = m;
	}
	if (t) {
		free(rt->traceback);
		rt->traceback = t;
	}
}

/* Message handler: keeps the message, stores a traceback beside it. */
static int msghandler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (!msg) {
		if (luaL_callmeta(L, 1, "__tostring") &&
		    lua_type(L, -1) == LUA_TSTRING)
			msg = lua_tostring(L, -1);
		else
			msg = lua_pushfstring(L, "(error object is a %s value)",
					      luaL_typename(L, 1));
	}
	luaL_traceback(L, L, NULL, 1);
	lua_setfield(L, LUA_REGISTRYINDEX, "lrt.traceback");
	lua_pushstring(L, msg);
	return 1;
}

int lrt_pcall(struct lrt *rt, int nargs, int nresults)
{
	lua_State *L = rt->L;
	int base = lua_gettop(L) - nargs;	/* the function's index */
	int status;

	set_error(rt, "", "");
	lua_pushcfunction(L, msghandler);
	lua_insert(L, base);
	rt->insn_left = rt->insn_budget;
	rt->deadline = now_ms() + rt->wall_ms;
	rt->exhausted = rt->mem_failed = false;
	lua_sethook(L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
	status = lua_pcall(L, nargs, nresults, base);
	lua_sethook(L, NULL, 0, 0);
	lua_remove(L, base);
	if (status == LUA_OK && !rt->exhausted && !rt->mem_failed)
		return 0;
	if (status == LUA_OK) {
		/* A lesson function that swallowed a limit and returned. */
		lua_pop(L, nresults == LUA_MULTRET ? lua_gettop(L) - base + 1 : nresults);
		lua_pushnil(L);
	}
	if (rt->exhausted) {
		/* Whatever error value reached us: the budget ended it. */
		char msg[sizeof(rt->where) + sizeof(rt->why)];

		snprintf(msg, sizeof(msg), "%s%s", rt->where, rt->why);
		lua_getfield(L, LUA_REGISTRYINDEX, "lrt.traceback");
		set_error(rt, msg, status == LUA_OK ? "" : lua_tostring(L, -1));
		lua_pop(L, 1);
	} else if (status == LUA_ERRMEM || rt->mem_failed) {
		set_error(rt, "out of memory: the lesson went past its memory cap", "");
	} else {
		const char *tb;

		lua_getfield(L, LUA_REGISTRYINDEX, "lrt.traceback");
		tb = lua_tostring(L, -1);
		set_error(rt, lua_tostring(L, -2), tb);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return -1;
}

int lrt_dostring(struct lrt *rt, const char *text, size_t len,
		 const char *name, int nresults)
{
	lua_State *L = rt->L;
	char chunk[512];
	int status;

	snprintf(chunk, sizeof(chunk), "@%s", name);
	/* "t": text only.  Precompiled bytecode can break out of any sandbox. */
	status = luaL_loadbufferx(L, text, len, chunk, "t");
	if (status != LUA_OK) {
		set_error(rt, status == LUA_ERRMEM ?
			  "out of memory: the lesson went past its memory cap" :
			  lua_tostring(L, -1), "");
		lua_pop(L, 1);
		return -1;
	}
	lrt_push_env(rt);			/* stack: chunk, env */
	if (!lua_setupvalue(L, -2, 1))		/* the chunk's first upvalue is _ENV */
		lua_pop(L, 1);
	return lrt_pcall(rt, 0, nresults);
}

int lrt_provide(struct lrt *rt, const char *global, const char *text,
		size_t len, const char *name)
{
	lua_State *L = rt->L;

	if (lrt_dostring(rt, text, len, name, 1))
		return -1;
	lua_getfield(L, LUA_REGISTRYINDEX, "lrt.allow");	/* stack: value, allow */
	lua_insert(L, -2);					/* stack: allow, value */
	lua_setfield(L, -2, global);				/* stack: allow */
	lua_pop(L, 1);
	return 0;
}

int lrt_dofile(struct lrt *rt, const char *path, int nresults)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, msg[600];
	size_t len = 0, cap = 0, n;
	int rc;

	if (!f) {
		snprintf(msg, sizeof(msg), "%s: cannot open: %m", path);
		set_error(rt, msg, "");
		return -1;
	}
	do {
		if (len + 65536 > cap) {
			char *b = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!b) {
				free(buf);
				fclose(f);
				set_error(rt, "out of memory", "");
				return -1;
			}
			buf = b;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	rc = lrt_dostring(rt, buf, len, path, nresults);
	free(buf);
	return rc;
}
