// SPDX-License-Identifier: MIT
/*
 * test_lrt.c - suite "lua sandbox": what a lesson can and cannot do in the
 * runtime of grader/lrt.c, and how its failures read.
 */
#define _GNU_SOURCE
#include "lrt.h"

#include <CUnit/CUnit.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct lrt *rt;

/* Runs `code` as chunk "lesson.lua"; returns 0/-1 and leaves one result. */
static int run(const char *code)
{
	lua_settop(lrt_state(rt), 0);
	return lrt_dostring(rt, code, strlen(code), "lesson.lua", 1);
}

static const char *result_str(void)
{
	return lua_tostring(lrt_state(rt), -1);
}

static int setup(void)
{
	struct lrt_limits lim = { .mem_bytes = 8u << 20, .instructions = 2000000 };

	rt = lrt_new(&lim);
	return rt ? 0 : 1;
}

static int teardown(void)
{
	lrt_free(rt);
	return 0;
}

static void test_returns_a_table(void)
{
	lua_State *L;

	CU_ASSERT_EQUAL_FATAL(run("return { id = 'mmio', number = 3 }"), 0);
	L = lrt_state(rt);
	CU_ASSERT_TRUE(lua_istable(L, -1));
	lua_getfield(L, -1, "id");
	CU_ASSERT_STRING_EQUAL(lua_tostring(L, -1), "mmio");
	lua_getfield(L, -2, "number");
	CU_ASSERT_EQUAL(lua_tointeger(L, -1), 3);
	CU_ASSERT_STRING_EQUAL(lrt_error(rt), "");
}

static void test_allowed_libraries_work(void)
{
	CU_ASSERT_EQUAL(run("return ('ab'):rep(3) .. string.format('%04x', 255) .. "
			    "table.concat({1, 2}, ',') .. math.max(3, 9) .. utf8.char(0xd55c)"), 0);
	CU_ASSERT_STRING_EQUAL(result_str(), "ababab00ff1,29\xed\x95\x9c");
	CU_ASSERT_EQUAL(run("local ok, e = pcall(error, 'x', 0); return tostring(ok) .. e"), 0);
	CU_ASSERT_STRING_EQUAL(result_str(), "falsex");
}

static void test_forbidden_names_are_absent(void)
{
	static const char *const names[] = {
		"io", "os", "load", "loadstring", "dofile", "loadfile", "require",
		"debug", "package", "collectgarbage", "rawset", "string.dump",
		"('').dump", "_G.io", NULL,
	};

	for (int i = 0; names[i]; i++) {
		char code[128];

		snprintf(code, sizeof(code), "return type(%s)", names[i]);
		if (!strncmp(names[i], "_G.", 3))
			snprintf(code, sizeof(code), "return type(_G)");
		CU_ASSERT_EQUAL(run(code), 0);
		CU_ASSERT_STRING_EQUAL(result_str(), "nil");
		if (strcmp(result_str() ? result_str() : "", "nil"))
			fprintf(stderr, "\n%s is reachable: %s\n", names[i], result_str());
	}
	CU_ASSERT_EQUAL(run("return getmetatable('')"), 0);
	CU_ASSERT_STRING_EQUAL(result_str(), "locked");
}

static void test_syntax_error_names_file_and_line(void)
{
	CU_ASSERT_EQUAL(run("local a = 1\nlocal b = = 2\n"), -1);
	CU_ASSERT_STRING_EQUAL(lrt_error(rt), "lesson.lua:2: unexpected symbol near '='");
}

static void test_runtime_error_names_file_and_line(void)
{
	CU_ASSERT_EQUAL(run("local t = {}\n\nerror('boom')\n"), -1);
	CU_ASSERT_STRING_EQUAL(lrt_error(rt), "lesson.lua:3: boom");
	CU_ASSERT_PTR_NOT_NULL(strstr(lrt_traceback(rt), "lesson.lua:3"));
	CU_ASSERT_EQUAL(run("local t = nil\nreturn t.field\n"), -1);
	CU_ASSERT_STRING_EQUAL(lrt_error(rt), "lesson.lua:2: attempt to index a nil value (local 't')");
	/* A call into a forbidden name fails the same way. */
	CU_ASSERT_EQUAL(run("os.execute('true')"), -1);
	CU_ASSERT_STRING_EQUAL(lrt_error(rt), "lesson.lua:1: attempt to index a nil value (global 'os')");
}

static void test_bytecode_is_refused(void)
{
	static const char bc[] = "\x1bLua\x54\x00 pretend bytecode";

	lua_settop(lrt_state(rt), 0);
	CU_ASSERT_EQUAL(lrt_dostring(rt, bc, sizeof(bc) - 1, "evil.luac", 1), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(lrt_error(rt), "attempt to load a binary chunk"));
}

static void test_instruction_budget(void)
{
	time_t t0 = time(NULL);

	CU_ASSERT_EQUAL(run("while true do end"), -1);
	CU_ASSERT_STRING_EQUAL(lrt_error(rt), "lesson.lua:1: instruction budget exhausted (an endless loop?)");
	/* pcall inside the sandbox cannot swallow it. */
	CU_ASSERT_EQUAL(run("while true do pcall(function() while true do end end) end"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(lrt_error(rt), "instruction budget exhausted"));
	CU_ASSERT(time(NULL) - t0 < 10);
	/* The runtime is still usable, with a fresh budget. */
	CU_ASSERT_EQUAL(run("local n = 0 for i = 1, 1000 do n = n + i end return n"), 0);
	CU_ASSERT_EQUAL(lua_tointeger(lrt_state(rt), -1), 500500);
}

/*
 * Sticky: the budget error survives a pcall whose error is then replaced,
 * a <close> handler raising an error of its own, and a function that
 * catches it and returns normally; the message is the budget's, with
 * where it ran out.
 */
static void test_budget_is_sticky(void)
{
	static const char *const chunks[] = {
		/* caught, then replaced by an error of the catcher's */
		"local ok = pcall(function() while true do end end)\nerror('not the budget')",
		/* a to-be-closed variable whose handler raises instead */
		"local x <close> = setmetatable({}, { __close = function() error('replaced') end })\n"
		"while true do end",
		/* caught and swallowed: the call returns as if nothing happened */
		"local ok = pcall(function() while true do end end)\nreturn 'escaped'",
		/* an error object that is not a string */
		"local x <close> = setmetatable({}, { __close = function() error({}) end })\n"
		"for i = 1, math.huge do end",
		/* caught, then an endless loop again */
		"local ok = pcall(function() while true do end end)\nwhile true do end",
		/* xpcall whose message handler itself loops (it would run
		 * inside the count hook, where hooks are off) */
		"xpcall(function() while true do end end,\n function() while true do end end)",
		/* the handler loops on an error of the lesson's own */
		"return xpcall(function() error('mine') end,\n function() while true do end end)",
	};
	time_t t0 = time(NULL);

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		CU_ASSERT_EQUAL(run(chunks[i]), -1);
		CU_ASSERT_STRING_EQUAL(lrt_error(rt), i == 1 || i == 3 || i == 6 ?
				       "lesson.lua:2: instruction budget exhausted (an endless loop?)" :
				       "lesson.lua:1: instruction budget exhausted (an endless loop?)");
	}
	CU_ASSERT(time(NULL) - t0 < 20);
	CU_ASSERT_EQUAL(run("return 1 + 1"), 0);	/* a fresh budget after */
	lua_settop(lrt_state(rt), 0);
}

/* xpcall: like Lua's for the lesson's own errors. */
static void test_xpcall(void)
{
	CU_ASSERT_EQUAL(run("local ok, m = xpcall(function(a) error('e' .. a, 0) end,\n"
			    "  function(m) return 'handled ' .. m end, 7)\n"
			    "return tostring(ok) .. ' ' .. m"), 0);
	CU_ASSERT_STRING_EQUAL(result_str(), "false handled e7");
	CU_ASSERT_EQUAL(run("return select('#', xpcall(function() return 1, 2 end, print))"), 0);
	CU_ASSERT_EQUAL(lua_tointeger(lrt_state(rt), -1), 3);
	lua_settop(lrt_state(rt), 0);
}

/*
 * Work a library function does in C, where the count hook never fires, is
 * charged to the budget: each of these took seconds to hours with two
 * million instructions to spend.  Errors still say where.
 */
static void test_c_work_is_charged(void)
{
	static const char *const chunks[] = {
		"table.move({}, 1, 1 << 40, 1)",
		"local t = {} for i = 1, 2e5 do t[i] = i end\n"
		"while true do table.insert(t, 1, 0) table.remove(t, 1) end",
		"local t = {} for i = 1, 1e5 do t[i] = -i end\nwhile true do table.sort(t) end",
		"local s = ('x'):rep(1 << 20)\nwhile true do local u = s:upper() end",
		"local s = ('x'):rep(1 << 20)\nwhile true do local n = utf8.len(s) end",
		"local t = {} for i = 1, 1000 do t[i] = ('x'):rep(1000) end\n"
		"while true do local s = table.concat(t) end",
		/* a length of its own: the shift walks __index, no Lua code */
		"local t = setmetatable({}, { __len = function() return 1 << 40 end, __index = {} })\n"
		"table.insert(t, 1, 0)",
	};
	time_t t0 = time(NULL);

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		CU_ASSERT_EQUAL(run(chunks[i]), -1);
		CU_ASSERT_STRING_EQUAL(lrt_error(rt), i == 0 ?
				       "lesson.lua:1: instruction budget exhausted (an endless loop?)" :
				       "lesson.lua:2: instruction budget exhausted (an endless loop?)");
	}
	CU_ASSERT(time(NULL) - t0 < 20);
	CU_ASSERT_EQUAL(run("return string.upper()"), -1);
	CU_ASSERT_STRING_EQUAL(lrt_error(rt), "lesson.lua:1: bad argument #1 to 'string.upper' "
			       "(string expected, got no value)");
	CU_ASSERT_EQUAL(run("local t = { 3, 1, 2 } table.sort(t) table.insert(t, 1, 0)\n"
			    "return table.concat(t, ',') .. ('%5.1f'):format(2) .. ('ab'):upper()\n"
			    "  .. utf8.char(72, 105) .. #table.move({ 1, 2 }, 1, 2, 3)"), 0);
	CU_ASSERT_STRING_EQUAL(result_str(), "0,1,2,3  2.0ABHi4");
	lua_settop(lrt_state(rt), 0);
}

/* One instruction can hide much work (== on strings of megabytes, which
 * nothing charges): the clock bounds a call too. */
static void test_wall_clock(void)
{
	struct lrt_limits lim = { .wall_ms = 1000 };
	struct lrt *w = lrt_new(&lim);
	static const char chunk[] =
		"local a, b = ('x'):rep(8 << 20) .. 'a', ('x'):rep(8 << 20) .. 'b'\n"
		"local n = 0\n"
		"while true do if a == b then n = n + 1 end end";
	time_t t0 = time(NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(lrt_dostring(w, chunk, sizeof(chunk) - 1, "lesson.lua", 0), -1);
	CU_ASSERT_STRING_EQUAL(lrt_error(w), "lesson.lua:3: time limit exhausted (each call may run 1 s; "
			       "comparing or joining huge strings?)");
	CU_ASSERT(time(NULL) - t0 < 10);
	lrt_free(w);
}

/* No finalizers: they would run unbounded when the lesson is freed. */
static void test_no_finalizers(void)
{
	CU_ASSERT_EQUAL(run("setmetatable({}, { __gc = function() while true do end end })"), -1);
	CU_ASSERT_STRING_EQUAL(lrt_error(rt), "lesson.lua:1: finalizers (__gc) are not available in lessons");
	CU_ASSERT_EQUAL(run("return getmetatable(setmetatable({}, { __index = { v = 7 } })).__index.v"), 0);
	CU_ASSERT_EQUAL(lua_tointeger(lrt_state(rt), -1), 7);
	lua_settop(lrt_state(rt), 0);
}

static void test_memory_cap(void)
{
	CU_ASSERT_EQUAL(run("local t = {} for i = 1, 1e7 do t[i] = ('x'):rep(64) .. i end"), -1);
	CU_ASSERT_STRING_EQUAL(lrt_error(rt), "out of memory: the lesson went past its memory cap");
	CU_ASSERT(lrt_mem_peak(rt) <= 8u << 20);
	CU_ASSERT(lrt_mem_peak(rt) > 4u << 20);
	/* pcall cannot swallow it either. */
	CU_ASSERT_EQUAL(run("pcall(function() local s = 'x' while true do s = s .. s end end) return 'escaped'"), -1);
	CU_ASSERT_STRING_EQUAL(lrt_error(rt), "out of memory: the lesson went past its memory cap");
	lua_settop(lrt_state(rt), 0);
	lua_gc(lrt_state(rt), LUA_GCCOLLECT);
	CU_ASSERT(lrt_mem_used(rt) < 1u << 20);
	CU_ASSERT_EQUAL(run("return 'still alive'"), 0);
	CU_ASSERT_STRING_EQUAL(result_str(), "still alive");
}

static void test_each_chunk_has_its_own_env(void)
{
	CU_ASSERT_EQUAL(run("leaked = 42; string.upper = nil; return leaked"), 0);
	CU_ASSERT_EQUAL(lua_tointeger(lrt_state(rt), -1), 42);
	CU_ASSERT_EQUAL(run("return type(leaked)"), 0);
	CU_ASSERT_STRING_EQUAL(result_str(), "nil");
}

static void test_dofile(void)
{
	char path[] = "/tmp/addrlab-lesson-XXXXXX";
	int fd = mkstemp(path);
	char expect[128];

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "return {\n  id = 1 +\n}\n", 23), 23);
	close(fd);
	lua_settop(lrt_state(rt), 0);
	CU_ASSERT_EQUAL(lrt_dofile(rt, path, 1), -1);
	snprintf(expect, sizeof(expect), "%s:3: unexpected symbol near '}'", path);
	CU_ASSERT_STRING_EQUAL(lrt_error(rt), expect);
	unlink(path);
	CU_ASSERT_EQUAL(lrt_dofile(rt, "/no/such/lesson.lua", 1), -1);
	CU_ASSERT_STRING_EQUAL(lrt_error(rt), "/no/such/lesson.lua: cannot open: No such file or directory");
}

int register_lrt_tests(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "a lesson returns a table", test_returns_a_table },
		{ "allowed libraries work", test_allowed_libraries_work },
		{ "forbidden names are absent", test_forbidden_names_are_absent },
		{ "syntax error: file:line: message", test_syntax_error_names_file_and_line },
		{ "runtime error: file:line: message and traceback", test_runtime_error_names_file_and_line },
		{ "bytecode is refused", test_bytecode_is_refused },
		{ "instruction budget, even through pcall", test_instruction_budget },
		{ "the budget is sticky: pcall, <close>, swallowed", test_budget_is_sticky },
		{ "setmetatable refuses __gc", test_no_finalizers },
		{ "a call is bounded by the clock too", test_wall_clock },
		{ "xpcall as in Lua", test_xpcall },
		{ "C work is charged: table, string, utf8", test_c_work_is_charged },
		{ "memory cap, even through pcall", test_memory_cap },
		{ "each chunk has its own environment", test_each_chunk_has_its_own_env },
		{ "lrt_dofile", test_dofile },
	};
	CU_pSuite s = CU_add_suite("lua sandbox", setup, teardown);

	if (!s)
		return -1;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(s, tests[i].name, tests[i].fn))
			return -1;
	return 0;
}
