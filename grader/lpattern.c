// SPDX-License-Identifier: MIT
/*
 * lpattern.c - Lua 5.4's string.find, match, gmatch and gsub for the
 * sandbox, with every step of the matcher charged to the instruction
 * budget (see lpattern.h).
 *
 * Lua's own matcher backtracks in C, where the count hook never fires: an
 * ordinary pattern such as "(.-)DONE" is quadratic on a subject without
 * DONE, and a student's program decides the subject (16 MiB of output, say).
 * These functions follow the reference manual's pattern rules (§6.4.1) and
 * its argument conventions, with the same recursive backtracking design as
 * Lua's lstrlib.c; each match step and each character an expansion tries
 * costs one instruction of the lesson's budget.
 */
#define _GNU_SOURCE
#include "lpattern.h"
#include "lrt.h"

#include <ctype.h>
#include <stdbool.h>
#include <lauxlib.h>
#include <stdint.h>
#include <string.h>

#define MAX_CAPTURES	32
#define MAX_DEPTH	200	/* nested match calls, as Lua's MAXCCALLS */
#define CAP_UNFINISHED	(-1)
#define CAP_POSITION	(-2)
#define ESC		'%'
#define SPECIALS	"^$*+?.([%-"
#define CHARGE_EVERY	1024

struct mstate {
	const char *src, *src_end, *pat_end;
	lua_State *L;
	int depth, level;
	unsigned long steps;
	struct {
		const char *init;
		ptrdiff_t len;
	} cap[MAX_CAPTURES];
};

/* One step of work; every CHARGE_EVERY steps the budget pays for them. */
static void step(struct mstate *ms)
{
	if (++ms->steps == CHARGE_EVERY) {
		ms->steps = 0;
		lrt_charge(ms->L, CHARGE_EVERY);
	}
}

static size_t posrelat_start(lua_Integer pos, size_t len)
{
	if (pos > 0)
		return (size_t)pos;
	if (pos == 0)
		return 1;
	if (pos < -(lua_Integer)len)
		return 1;
	return len + (size_t)pos + 1;
}

static const char *class_end(struct mstate *ms, const char *p)
{
	if (*p++ == ESC) {
		if (p == ms->pat_end)
			luaL_error(ms->L, "malformed pattern (ends with '%%')");
		return p + 1;
	}
	if (p[-1] == '[') {
		if (*p == '^')
			p++;
		do {		/* look for a ']' */
			if (p == ms->pat_end)
				luaL_error(ms->L, "malformed pattern (missing ']')");
			if (*(p++) == ESC && p < ms->pat_end)
				p++;	/* skip escapes (e.g. '%]') */
		} while (*p != ']');
		return p + 1;
	}
	return p;
}

static bool class_matches(int c, int cl)
{
	bool res;

	switch (tolower(cl)) {
	case 'a': res = isalpha(c); break;
	case 'c': res = iscntrl(c); break;
	case 'd': res = isdigit(c); break;
	case 'g': res = isgraph(c); break;
	case 'l': res = islower(c); break;
	case 'p': res = ispunct(c); break;
	case 's': res = isspace(c); break;
	case 'u': res = isupper(c); break;
	case 'w': res = isalnum(c); break;
	case 'x': res = isxdigit(c); break;
	case 'z': res = c == 0; break;	/* deprecated, still understood */
	default: return cl == c;
	}
	return isupper(cl) ? !res : res;
}

/* c in the set [p..ec] (p at '[', ec at the closing ']')? */
static bool set_matches(int c, const char *p, const char *ec)
{
	bool want = true;

	if (*(p + 1) == '^') {
		want = false;
		p++;
	}
	while (++p < ec) {
		if (*p == ESC) {
			p++;
			if (class_matches(c, (unsigned char)*p))
				return want;
		} else if (*(p + 1) == '-' && p + 2 < ec) {
			p += 2;
			if ((unsigned char)*(p - 2) <= c && c <= (unsigned char)*p)
				return want;
		} else if ((unsigned char)*p == c) {
			return want;
		}
	}
	return !want;
}

static bool single_matches(struct mstate *ms, const char *s, const char *p,
			   const char *ep)
{
	int c;

	if (s >= ms->src_end)
		return false;
	c = (unsigned char)*s;
	switch (*p) {
	case '.':
		return true;
	case ESC:
		return class_matches(c, (unsigned char)*(p + 1));
	case '[':
		return set_matches(c, p, ep - 1);
	default:
		return (unsigned char)*p == c;
	}
}

static const char *do_match(struct mstate *ms, const char *s, const char *p);

static const char *match_balance(struct mstate *ms, const char *s, const char *p)
{
	int open, close, depth = 1;

	if (p >= ms->pat_end - 1)
		luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
	open = *p;
	close = *(p + 1);
	if (*s != open)
		return NULL;
	while (++s < ms->src_end) {
		step(ms);
		if (*s == close) {
			if (--depth == 0)
				return s + 1;
		} else if (*s == open) {
			depth++;
		}
	}
	return NULL;
}

/* p* or p+ (greedy): the longest run, then back off. */
static const char *max_expand(struct mstate *ms, const char *s, const char *p,
			      const char *ep)
{
	ptrdiff_t i = 0;

	while (single_matches(ms, s + i, p, ep)) {
		step(ms);
		i++;
	}
	while (i >= 0) {
		const char *r = do_match(ms, s + i, ep + 1);

		if (r)
			return r;
		i--;
	}
	return NULL;
}

/* p- (lazy): the shortest run that lets the rest match. */
static const char *min_expand(struct mstate *ms, const char *s, const char *p,
			      const char *ep)
{
	for (;;) {
		const char *r = do_match(ms, s, ep + 1);

		if (r)
			return r;
		if (!single_matches(ms, s, p, ep))
			return NULL;
		s++;
	}
}

static const char *start_capture(struct mstate *ms, const char *s, const char *p,
				 ptrdiff_t what)
{
	const char *r;

	if (ms->level >= MAX_CAPTURES)
		luaL_error(ms->L, "too many captures");
	ms->cap[ms->level].init = s;
	ms->cap[ms->level].len = what;
	ms->level++;
	r = do_match(ms, s, p);
	if (!r)
		ms->level--;	/* undo */
	return r;
}

static int open_capture(struct mstate *ms)
{
	for (int l = ms->level - 1; l >= 0; l--)
		if (ms->cap[l].len == CAP_UNFINISHED)
			return l;
	return luaL_error(ms->L, "invalid pattern capture");
}

static const char *end_capture(struct mstate *ms, const char *s, const char *p)
{
	int l = open_capture(ms);
	const char *r;

	ms->cap[l].len = s - ms->cap[l].init;
	r = do_match(ms, s, p);
	if (!r)
		ms->cap[l].len = CAP_UNFINISHED;
	return r;
}

static int capture_index(struct mstate *ms, int l)
{
	l -= '1';
	if (l < 0 || l >= ms->level || ms->cap[l].len == CAP_UNFINISHED)
		return luaL_error(ms->L, "invalid capture index %%%d", l + 1);
	return l;
}

static const char *match_capture(struct mstate *ms, const char *s, int l)
{
	size_t len;

	l = capture_index(ms, l);
	len = (size_t)ms->cap[l].len;
	if ((size_t)(ms->src_end - s) >= len && !memcmp(ms->cap[l].init, s, len))
		return s + len;
	return NULL;
}

/* %f[set] at p: a frontier between a character not in set and one in it.
 * The pattern after it, or NULL when s is no such frontier. */
static const char *match_frontier(struct mstate *ms, const char *s, const char *p)
{
	const char *ep;
	int prev, cur;

	p += 2;
	if (*p != '[')
		luaL_error(ms->L, "missing '[' after '%%f' in pattern");
	ep = class_end(ms, p);
	prev = s == ms->src ? '\0' : (unsigned char)*(s - 1);
	cur = s < ms->src_end ? (unsigned char)*s : '\0';
	if (!set_matches(prev, p, ep - 1) && set_matches(cur, p, ep - 1))
		return ep;
	return NULL;
}

/* What follows a single-character class: ?, +, *, - or nothing. */
static const char *match_single(struct mstate *ms, const char *s, const char *p,
				bool *go_on, const char **next_s, const char **next_p)
{
	const char *ep = class_end(ms, p);
	bool m = single_matches(ms, s, p, ep);
	const char *r;

	*go_on = false;
	if (!m && (*ep == '*' || *ep == '-')) {	/* none: go on past it */
		*next_p = ep + 1;
		*next_s = s;
		*go_on = true;
		return NULL;
	}
	switch (*ep) {
	case '?':
		if (m && (r = do_match(ms, s + 1, ep + 1)))
			return r;
		*next_p = ep + 1;
		*next_s = s;
		*go_on = true;
		return NULL;
	case '+':
		return m ? max_expand(ms, s + 1, p, ep) : NULL;
	case '*':
		return max_expand(ms, s, p, ep);
	case '-':
		return min_expand(ms, s, p, ep);
	default:
		if (!m)
			return NULL;
		*next_s = s + 1;
		*next_p = ep;
		*go_on = true;
		return NULL;
	}
}

static const char *do_match(struct mstate *ms, const char *s, const char *p)
{
	const char *r = NULL;

	if (++ms->depth > MAX_DEPTH)
		luaL_error(ms->L, "pattern too complex");
	for (;;) {
		bool go_on = false;

		step(ms);
		if (p == ms->pat_end) {
			r = s;
			break;
		}
		if (*p == '(') {
			r = *(p + 1) == ')' ? start_capture(ms, s, p + 2, CAP_POSITION) :
			    start_capture(ms, s, p + 1, CAP_UNFINISHED);
			break;
		}
		if (*p == ')') {
			r = end_capture(ms, s, p + 1);
			break;
		}
		if (*p == '$' && p + 1 == ms->pat_end) {
			r = s == ms->src_end ? s : NULL;
			break;
		}
		if (*p == ESC && *(p + 1) == 'b') {
			s = match_balance(ms, s, p + 2);
			if (!s)
				break;
			p += 4;
			continue;
		}
		if (*p == ESC && *(p + 1) == 'f') {
			p = match_frontier(ms, s, p);
			if (!p)
				break;
			continue;
		}
		if (*p == ESC && isdigit((unsigned char)*(p + 1))) {
			s = match_capture(ms, s, (unsigned char)*(p + 1));
			if (!s)
				break;
			p += 2;
			continue;
		}
		r = match_single(ms, s, p, &go_on, &s, &p);
		if (!go_on)
			break;
	}
	ms->depth--;
	return r;
}

/* ---- captures onto the Lua stack ---- */

static void push_capture(struct mstate *ms, int i, const char *s, const char *e)
{
	if (i >= ms->level) {
		if (i != 0)
			luaL_error(ms->L, "invalid capture index %%%d", i + 1);
		lua_pushlstring(ms->L, s, (size_t)(e - s));	/* the whole match */
		return;
	}
	if (ms->cap[i].len == CAP_UNFINISHED)
		luaL_error(ms->L, "unfinished capture");
	if (ms->cap[i].len == CAP_POSITION)
		lua_pushinteger(ms->L, ms->cap[i].init - ms->src + 1);
	else
		lua_pushlstring(ms->L, ms->cap[i].init, (size_t)ms->cap[i].len);
}

static int push_captures(struct mstate *ms, const char *s, const char *e)
{
	int n = ms->level == 0 && s ? 1 : ms->level;

	luaL_checkstack(ms->L, n, "too many captures");
	for (int i = 0; i < n; i++)
		push_capture(ms, i, s, e);
	return n;
}

static void prepare(struct mstate *ms, lua_State *L, const char *s, size_t ls,
		    const char *p, size_t lp)
{
	ms->L = L;
	ms->src = s;
	ms->src_end = s + ls;
	ms->pat_end = p + lp;
	ms->depth = 0;
	ms->level = 0;
	ms->steps = 0;
}

static bool no_specials(const char *p, size_t lp)
{
	for (size_t i = 0; i < lp; i++)
		if (strchr(SPECIALS, p[i]) && p[i])
			return false;
	return true;
}

static int find_aux(lua_State *L, bool find)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t init = posrelat_start(luaL_optinteger(L, 3, 1), ls) - 1;
	struct mstate ms;
	bool anchor;

	if (init > ls) {
		luaL_pushfail(L);
		return 1;
	}
	if (find && (lua_toboolean(L, 4) || no_specials(p, lp))) {
		const char *at = lp == 0 ? s + init : memmem(s + init, ls - init, p, lp);

		lrt_charge(L, (ls - init) / 64);	/* memmem is linear */
		if (at) {
			lua_pushinteger(L, at - s + 1);
			lua_pushinteger(L, at - s + (lua_Integer)lp);
			return 2;
		}
		luaL_pushfail(L);
		return 1;
	}
	anchor = lp > 0 && *p == '^';
	if (anchor) {
		p++;
		lp--;
	}
	prepare(&ms, L, s, ls, p, lp);
	for (const char *s1 = s + init;; s1++) {
		const char *e;

		ms.level = 0;
		if ((e = do_match(&ms, s1, p))) {
			if (!find)
				return push_captures(&ms, s1, e);
			lua_pushinteger(L, s1 - s + 1);
			lua_pushinteger(L, e - s);
			return push_captures(&ms, NULL, NULL) + 2;
		}
		if (anchor || s1 >= ms.src_end)
			break;
	}
	luaL_pushfail(L);
	return 1;
}

static int lp_find(lua_State *L)
{
	return find_aux(L, true);
}

static int lp_match(lua_State *L)
{
	return find_aux(L, false);
}

/* gmatch's state: subject, pattern, position, last match (upvalues). */
struct gmatch_state {
	const char *src, *p, *lastmatch;
	struct mstate ms;
};

static int gmatch_aux(lua_State *L)
{
	struct gmatch_state *gm = lua_touserdata(L, lua_upvalueindex(3));

	gm->ms.L = L;
	for (const char *src = gm->src; src <= gm->ms.src_end; src++) {
		const char *e;

		gm->ms.level = 0;
		gm->ms.depth = 0;
		if ((e = do_match(&gm->ms, src, gm->p)) && e != gm->lastmatch) {
			gm->src = gm->lastmatch = e;
			return push_captures(&gm->ms, src, e);
		}
	}
	return 0;
}

static int lp_gmatch(lua_State *L)
{
	size_t ls, lp;
	const char *s = luaL_checklstring(L, 1, &ls);
	const char *p = luaL_checklstring(L, 2, &lp);
	size_t init = posrelat_start(luaL_optinteger(L, 3, 1), ls) - 1;
	struct gmatch_state *gm;

	lua_settop(L, 2);	/* the subject and pattern stay alive as upvalues */
	gm = lua_newuserdatauv(L, sizeof(*gm), 0);
	if (init > ls)
		init = ls + 1;	/* start past the end: no match */
	prepare(&gm->ms, L, s, ls, p, lp);
	gm->src = s + init;
	gm->p = p;
	gm->lastmatch = NULL;
	lua_pushcclosure(L, gmatch_aux, 3);
	return 1;
}

/* ---- gsub ---- */

static void add_string(struct mstate *ms, luaL_Buffer *b, const char *s,
		       const char *e)
{
	size_t l;
	lua_State *L = ms->L;
	const char *news = lua_tolstring(L, 3, &l);
	const char *p;

	while ((p = memchr(news, ESC, l))) {
		luaL_addlstring(b, news, (size_t)(p - news));
		p++;
		if (*p == ESC) {
			luaL_addchar(b, *p);
		} else if (*p == '0') {
			luaL_addlstring(b, s, (size_t)(e - s));
		} else if (isdigit((unsigned char)*p)) {
			const char *cap;
			size_t cl;

			push_capture(ms, *p - '1', s, e);
			cap = luaL_tolstring(L, -1, &cl);
			lua_remove(L, -2);	/* the capture, keep its string */
			luaL_addvalue(b);
			(void)cap;
			(void)cl;
		} else {
			luaL_error(L, "invalid use of '%c' in replacement string", ESC);
		}
		l -= (size_t)(p + 1 - news);
		news = p + 1;
		step(ms);
	}
	luaL_addlstring(b, news, l);
}

/* Adds the replacement of match [s, e); false when the match stays. */
static bool add_value(struct mstate *ms, luaL_Buffer *b, const char *s,
		      const char *e, int tr)
{
	lua_State *L = ms->L;

	switch (tr) {
	case LUA_TFUNCTION:
		lua_pushvalue(L, 3);
		lua_call(L, push_captures(ms, s, e), 1);
		break;
	case LUA_TTABLE:
		push_capture(ms, 0, s, e);
		lua_gettable(L, 3);
		break;
	default:
		add_string(ms, b, s, e);
		return true;
	}
	if (!lua_toboolean(L, -1)) {
		lua_pop(L, 1);
		luaL_addlstring(b, s, (size_t)(e - s));	/* keep the original */
		return false;
	}
	if (!lua_isstring(L, -1))
		return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
	luaL_addvalue(b);
	return true;
}

static int lp_gsub(lua_State *L)
{
	size_t srcl, lp;
	const char *src = luaL_checklstring(L, 1, &srcl);
	const char *p = luaL_checklstring(L, 2, &lp);
	const char *lastmatch = NULL;
	int tr = lua_type(L, 3);
	lua_Integer max_s = luaL_optinteger(L, 4, (lua_Integer)srcl + 1), n = 0;
	bool anchor = lp > 0 && *p == '^';
	struct mstate ms;
	luaL_Buffer b;

	luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING ||
			 tr == LUA_TFUNCTION || tr == LUA_TTABLE, 3,
			 "string/function/table");
	luaL_buffinit(L, &b);
	if (anchor) {
		p++;
		lp--;
	}
	prepare(&ms, L, src, srcl, p, lp);
	while (n < max_s) {
		const char *e;

		ms.level = 0;
		ms.depth = 0;
		if ((e = do_match(&ms, src, p)) && e != lastmatch) {
			n++;
			add_value(&ms, &b, src, e, tr);
			src = lastmatch = e;
		} else if (src < ms.src_end) {
			luaL_addchar(&b, *src++);
		} else {
			break;
		}
		if (anchor)
			break;
	}
	luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
	luaL_pushresult(&b);
	lua_pushinteger(L, n);
	return 2;
}

/* ---- string.rep ---- */

/* Lua's rep loops n times even when every copy is empty: 1e15 copies of ""
 * would run for days in C.  The result's size is checked, and paid for. */
static int lp_rep(lua_State *L)
{
	size_t l, lsep;
	const char *s = luaL_checklstring(L, 1, &l);
	lua_Integer n = luaL_checkinteger(L, 2);
	const char *sep = luaL_optlstring(L, 3, "", &lsep);
	luaL_Buffer b;
	char *out;
	size_t total;

	if (n <= 0 || (l == 0 && lsep == 0)) {
		lua_pushliteral(L, "");
		return 1;
	}
	if (l + lsep < l || l + lsep > (SIZE_MAX / 2) / (size_t)n)
		return luaL_error(L, "resulting string too large");
	total = (size_t)n * l + (size_t)(n - 1) * lsep;
	out = luaL_buffinitsize(L, &b, total);	/* the memory cap applies */
	lrt_charge(L, (unsigned long)(total / 64 + (size_t)n / 64));
	while (n-- > 1) {
		memcpy(out, s, l);
		out += l;
		if (lsep) {
			memcpy(out, sep, lsep);
			out += lsep;
		}
	}
	memcpy(out, s, l);
	luaL_pushresultsize(&b, total);
	return 1;
}

static const luaL_Reg bounded[] = {
	{ "find", lp_find }, { "match", lp_match }, { "gmatch", lp_gmatch },
	{ "gsub", lp_gsub }, { "rep", lp_rep }, { NULL, NULL },
};

void lpattern_install(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	for (const luaL_Reg *r = bounded; r->name; r++) {
		lua_pushcfunction(L, r->func);
		lua_setfield(L, idx, r->name);
	}
}
