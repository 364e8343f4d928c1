// SPDX-License-Identifier: MIT
/*
 * test_lpattern.c - suite "bounded patterns": the sandbox's string.find,
 * match, gmatch, gsub and rep give what Lua 5.4's own give (results and
 * error messages, case by case), and a pattern that backtracks over a large
 * subject, or a rep of countless empty strings, ends with the budget error.
 */
#define _GNU_SOURCE
#include "lpattern.h"
#include "lrt.h"

#include <CUnit/CUnit.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Runs in a plain Lua state where `real` is Lua's string library and
 * `ours` has our functions; returns the mismatches, one per line. */
static const char differential[] =
	"local subjects = { '', 'hello world', 'abc123def', '  x = 10, y = 20  ',\n"
	"  'THE (quick) [brown] fox', 'a.b.c', 'aaa', 'x\\0y\\0z', 'f(a(b)c)d',\n"
	"  '한국어 text', 'key=val; k2=v2', '\\n\\t\\r mixed\\n' }\n"
	"local patterns = { '', 'o', 'l+', 'l*', 'l-', 'l?', '^h', 'd$', '^$', '%d+', '%a+',\n"
	"  '(%a+)%s*=%s*(%d+)', '()ll()', '%((%a)%)', '%b()', '%f[%w]%w+', '[%a_][%w_]*',\n"
	"  '[^%s]+', '[a-c]+', '[]]', '[%]]', '.-', '(.-)%s', '(a)(b)?', '((a)(b))', '%1',\n"
	"  '(a)%1', '%', '[a', '(', ')', '%b', '%f', '%fx', '%g+', '%p', '%u%l', '%x+',\n"
	"  '\\0', 'x%zy', '%S+$', '^(%s*).-(%s*)$', '(%w+)=(%w+)', '.', '[%w]-$', '%.' }\n"
	"local function pack(...) return { n = select('#', ...), ... } end\n"
	"local function show(ok, t)\n"
	"  local s = {}\n"
	"  for i = 1, t.n do s[#s + 1] = type(t[i]) .. ':' .. tostring(t[i]) end\n"
	"  return tostring(ok) .. ' ' .. table.concat(s, ',')\n"
	"end\n"
	"local function both(f, ...)\n"
	"  local a = show(pcall(function(...) return real[f](...) end, ...) and true,\n"
	"                 pack(pcall(real[f], ...)))\n"
	"  local b = show(pcall(function(...) return ours[f](...) end, ...) and true,\n"
	"                 pack(pcall(ours[f], ...)))\n"
	"  return a, b\n"
	"end\n"
	"local bad, n = {}, 0\n"
	"local function cmp(what, a, b)\n"
	"  n = n + 1\n"
	"  if a ~= b then bad[#bad + 1] = what .. ': lua ' .. a .. ' | ours ' .. b end\n"
	"end\n"
	"local function iter(lib, s, p, init)\n"
	"  local out = {}\n"
	"  local ok, err = pcall(function()\n"
	"    for a, b, c in lib.gmatch(s, p, init) do out[#out + 1] = tostring(a) .. '/' ..\n"
	"      tostring(b) .. '/' .. tostring(c); if #out > 50 then break end end\n"
	"  end)\n"
	"  return tostring(ok) .. ' ' .. (ok and table.concat(out, ',') or err)\n"
	"end\n"
	"local repls = { '<%0>', '%1-%2', '%%', 'x', function(a, b) return b or a end,\n"
	"  { hello = 'HI', a = false }, function() return nil end, '%9', '%z', 3 }\n"
	"for _, s in ipairs(subjects) do\n"
	"  for _, p in ipairs(patterns) do\n"
	"    for _, init in ipairs({ 1, 3, -2, 0, 50 }) do\n"
	"      local what = string.format('%q %q %d', s, p, init)\n"
	"      cmp('find ' .. what, both('find', s, p, init))\n"
	"      cmp('find plain ' .. what, both('find', s, p, init, true))\n"
	"      cmp('match ' .. what, both('match', s, p, init))\n"
	"      cmp('gmatch ' .. what, iter(real, s, p, init), iter(ours, s, p, init))\n"
	"    end\n"
	"    for i, r in ipairs(repls) do\n"
	"      cmp(string.format('gsub %q %q repl %d', s, p, i), both('gsub', s, p, r))\n"
	"      cmp(string.format('gsub %q %q repl %d max 1', s, p, i), both('gsub', s, p, r, 1))\n"
	"    end\n"
	"  end\n"
	"end\n"
	"for _, args in ipairs({ {'ab', 3}, {'ab', 3, ', '}, {'', 5}, {'x', 0}, {'x', -1},\n"
	"    {'', 3, '-'}, {'ab', 1, 'x'} }) do\n"
	"  cmp('rep ' .. args[1] .. ' ' .. args[2], both('rep', table.unpack(args)))\n"
	"end\n"
	"return n, table.concat(bad, '\\n')\n";

static void test_same_as_lua(void)
{
	lua_State *L = luaL_newstate();
	const char *bad;

	luaL_openlibs(L);
	lua_getglobal(L, "string");
	lua_setglobal(L, "real");
	lua_newtable(L);
	lpattern_install(L, -1);
	lua_setglobal(L, "ours");
	/* lrt_charge() needs a runtime; this plain state charges nothing. */
	CU_ASSERT_EQUAL_FATAL(luaL_dostring(L, differential), LUA_OK);
	bad = lua_tostring(L, -1);
	if (bad && *bad)
		fprintf(stderr, "\n%s\n", bad);
	CU_ASSERT_STRING_EQUAL(bad, "");
	CU_ASSERT(lua_tointeger(L, -2) > 20000);
	lua_close(L);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs chunk in a sandbox with a budget of 2 million; the error. */
static char *limited(const char *chunk)
{
	struct lrt_limits lim = { .instructions = 2000000 };
	struct lrt *rt = lrt_new(&lim);
	char *err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	CU_ASSERT_EQUAL(lrt_dostring(rt, chunk, strlen(chunk), "lesson.lua", 0), -1);
	err = strdup(lrt_error(rt));
	lrt_free(rt);
	return err;
}

/* Each of these ran for hours in C, where the count hook never fires. */
static void test_c_work_is_charged(void)
{
	static const char *const chunks[] = {
		"local s = string.rep('a', 200000)\nreturn s:find('.-.-.-b')",
		"local s = string.rep('a', 1 << 20)\nreturn s:match('(.-)DONE')",
		"local s = string.rep('a', 1 << 20)\nfor x in s:gmatch('a-b') do end",
		"local s = string.rep('a', 1 << 20)\nreturn s:gsub('(a*)b', '')",
	};
	struct lrt *rt;

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		double t0 = seconds();
		char *err = limited(chunks[i]);

		CU_ASSERT_PTR_NOT_NULL(strstr(err, "instruction budget exhausted"));
		CU_ASSERT(seconds() - t0 < 30);
		free(err);
	}
	/* 2^50 empty strings are an empty string, at once; 2^50 x's are
	 * refused by the memory cap before any is copied. */
	rt = lrt_new(NULL);
	CU_ASSERT_EQUAL(lrt_dostring(rt, "return string.rep('', 1 << 50) .. ('x'):rep(1 << 50, '')",
				     56, "lesson.lua", 0), -1);
	CU_ASSERT_STRING_EQUAL(lrt_error(rt), "out of memory: the lesson went past its memory cap");
	lrt_free(rt);
}

int register_lpattern_tests(void)
{
	CU_pSuite s = CU_add_suite("bounded patterns", NULL, NULL);

	if (!s || !CU_add_test(s, "find, match, gmatch, gsub, rep: as Lua's own", test_same_as_lua) ||
	    !CU_add_test(s, "backtracking and empty reps are charged", test_c_work_is_charged))
		return -1;
	return 0;
}
