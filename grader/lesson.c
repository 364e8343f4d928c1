// SPDX-License-Identifier: MIT
/* lesson.c - load and validate lessons/NAME/lesson.lua (see lesson.h). */
#define _GNU_SOURCE
#include "lesson.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_VIEW_MS		10000
#define DEFAULT_CHECK_MS	30000
#define MAX_CHECK_MS		600000
#define DEFAULT_BUDGET_MS	180000	/* a submission's checks, all together */

/* Loading state: the Lua stack holds the table being read at the top. */
struct ld {
	lua_State *L;
	const char *file;
	char path[256];		/* "exercise.checks[2]" */
	char *err;
	size_t errlen;
};

static const char *const lang_codes[LANG_COUNT] = { "en", "ko" };

const char *lang_code(enum lang l)
{
	return l < LANG_COUNT ? lang_codes[l] : "?";
}

int lang_parse(const char *code)
{
	for (int i = 0; i < LANG_COUNT; i++)
		if (code && !strcmp(code, lang_codes[i]))
			return i;
	return -1;
}

const char *ltext_get(const struct ltext *t, enum lang l)
{
	if (l < LANG_COUNT && t->s[l])
		return t->s[l];
	return t->s[LANG_EN] ? t->s[LANG_EN] : "";
}

/* A whole integer in s (trimmed): 0x hex or decimal, no sign. */
static bool whole_number(const char *s, size_t len, unsigned long long *v)
{
	char buf[64], *end;

	if (!len || len >= sizeof(buf) || !isxdigit((unsigned char)s[0]))
		return false;
	memcpy(buf, s, len);
	buf[len] = 0;
	errno = 0;
	*v = strtoull(buf, &end, buf[0] == '0' && (buf[1] | 0x20) == 'x' ? 16 : 10);
	return !errno && *end == 0;
}

static void trim(const char **s, size_t *len)
{
	while (*len && isspace((unsigned char)**s))
		(*s)++, (*len)--;
	while (*len && isspace((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

bool quiz_matches(const struct lesson_quiz *q, const char *given,
		  const char *answer)
{
	const char *g = given, *a = answer;
	size_t gl = strlen(given), al = strlen(answer);
	unsigned long long gv, av;

	(void)q;	/* every kind compares the same way today */
	trim(&g, &gl);
	trim(&a, &al);
	if (whole_number(g, gl, &gv) && whole_number(a, al, &av))
		return gv == av;
	while (gl && al) {
		if (isspace((unsigned char)*g) && isspace((unsigned char)*a)) {
			while (gl && isspace((unsigned char)*g))
				g++, gl--;
			while (al && isspace((unsigned char)*a))
				a++, al--;
			continue;
		}
		if (tolower((unsigned char)*g) != tolower((unsigned char)*a))
			return false;
		g++, gl--;
		a++, al--;
	}
	return !gl && !al;
}

static int bad(struct ld *d, const char *field, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(d->err, d->errlen, "%s: %s%s%s: %s", d->file, d->path,
		 d->path[0] && field[0] ? "." : "", field, what);
	return -1;
}

/* Path bookkeeping: push ".name" or "[i]", pop back to a saved length. */
static size_t path_push(struct ld *d, const char *name, int index)
{
	size_t old = strlen(d->path);

	if (index > 0)
		snprintf(d->path + old, sizeof(d->path) - old, "%s%s[%d]",
			 old ? "." : "", name, index);
	else
		snprintf(d->path + old, sizeof(d->path) - old, "%s%s",
			 old ? "." : "", name);
	return old;
}

static void path_pop(struct ld *d, size_t old)
{
	d->path[old] = '\0';
}

/* Pushes t[name] (t at the top); returns its Lua type. */
static int get(struct ld *d, const char *name)
{
	return lua_getfield(d->L, -1, name);
}

static int get_string(struct ld *d, const char *name, bool required,
		      char **out)
{
	int t = get(d, name);

	*out = NULL;
	if (t == LUA_TNIL && !required) {
		lua_pop(d->L, 1);
		return 0;
	}
	if (t != LUA_TSTRING) {
		lua_pop(d->L, 1);
		return bad(d, name, t == LUA_TNIL ? "missing (a string)" :
			   "expected a string, got a %s", lua_typename(d->L, t));
	}
	*out = strdup(lua_tostring(d->L, -1));
	lua_pop(d->L, 1);
	return 0;
}

static int get_uint(struct ld *d, const char *name, bool required,
		    unsigned int def, unsigned int min, unsigned int max,
		    unsigned int *out)
{
	int t = get(d, name), isint = 0;
	lua_Integer v;

	if (t == LUA_TNIL && !required) {
		lua_pop(d->L, 1);
		*out = def;
		return 0;
	}
	v = lua_tointegerx(d->L, -1, &isint);
	lua_pop(d->L, 1);
	if (t != LUA_TNUMBER || !isint || v < min || v > max)
		return bad(d, name, "expected an integer from %u to %u", min, max);
	*out = (unsigned int)v;
	return 0;
}

static int check_id(struct ld *d, const char *field, const char *id)
{
	if (!id[0])
		return bad(d, field, "must not be empty");
	for (const char *p = id; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '-' && *p != '_')
			return bad(d, field, "'%s': use a-z, 0-9, '-' and '_' only", id);
	return 0;
}

/* Frees the texts and leaves none (NULL), so freeing twice is harmless. */
static void ltext_free(struct ltext *t)
{
	for (int i = 0; i < LANG_COUNT; i++) {
		free(t->s[i]);
		t->s[i] = NULL;
	}
}

/* A per-language text: a plain string (English only) or { en = ..., ko = ... }.
 * On an error nothing is left in *out. */
static int get_ltext(struct ld *d, const char *name, bool required,
		     struct ltext *out)
{
	int t = get(d, name);

	memset(out, 0, sizeof(*out));
	if (t == LUA_TNIL && !required) {
		lua_pop(d->L, 1);
		return 0;
	}
	if (t == LUA_TSTRING) {
		out->s[LANG_EN] = strdup(lua_tostring(d->L, -1));
		lua_pop(d->L, 1);
		return 0;
	}
	if (t != LUA_TTABLE) {
		lua_pop(d->L, 1);
		return bad(d, name, t == LUA_TNIL ?
			   "missing (a string, or { en = ..., ko = ... })" :
			   "expected a string or { en = ..., ko = ... }, got a %s",
			   lua_typename(d->L, t));
	}
	/* Unknown language keys are a typo worth reporting. */
	lua_pushnil(d->L);
	while (lua_next(d->L, -2)) {
		const char *k = lua_type(d->L, -2) == LUA_TSTRING ?
				lua_tostring(d->L, -2) : NULL;
		int l = lang_parse(k);

		if (l < 0 || lua_type(d->L, -1) != LUA_TSTRING) {
			lua_pop(d->L, 3);
			ltext_free(out);
			return bad(d, name, l < 0 ?
				   "unknown language key (use en and ko)" :
				   "each language's text must be a string");
		}
		free(out->s[l]);
		out->s[l] = strdup(lua_tostring(d->L, -1));
		lua_pop(d->L, 1);
	}
	lua_pop(d->L, 1);
	if (!out->s[LANG_EN]) {
		ltext_free(out);
		return bad(d, name, "needs an English text (en = ...)");
	}
	return 0;
}

/*
 * Iterates the array t[name] (sequence 1..n) with the element at the top;
 * fn(d, i, ctx) reads it.  Returns n via *count.
 */
static int get_array(struct ld *d, const char *name, bool required,
		     size_t *count, size_t elem_size, void **arr,
		     int (*fn)(struct ld *d, void *elem))
{
	int t = get(d, name);
	lua_Integer n;
	char *a;

	*count = 0;
	*arr = NULL;
	if (t == LUA_TNIL && !required) {
		lua_pop(d->L, 1);
		return 0;
	}
	if (t != LUA_TTABLE) {
		lua_pop(d->L, 1);
		return bad(d, name, t == LUA_TNIL ? "missing (a list)" :
			   "expected a list, got a %s", lua_typename(d->L, t));
	}
	n = (lua_Integer)lua_rawlen(d->L, -1);
	if (n == 0 && required) {
		lua_pop(d->L, 1);
		return bad(d, name, "must not be empty");
	}
	a = calloc((size_t)n + 1, elem_size);
	if (!a) {
		lua_pop(d->L, 1);
		return bad(d, name, "out of memory");
	}
	*arr = a;
	for (lua_Integer i = 1; i <= n; i++) {
		size_t old = path_push(d, name, (int)i);
		int et = lua_rawgeti(d->L, -1, i);
		int rc;

		if (fn && et != LUA_TTABLE) {
			bad(d, "", "expected a table, got a %s",
			    lua_typename(d->L, et));
			lua_pop(d->L, 2);
			path_pop(d, old);
			return -1;
		}
		*count = (size_t)i;
		rc = fn ? fn(d, a + (size_t)(i - 1) * elem_size) : 0;
		lua_pop(d->L, 1);
		path_pop(d, old);
		if (rc) {
			lua_pop(d->L, 1);
			return -1;
		}
	}
	lua_pop(d->L, 1);
	return 0;
}

static int get_function_ref(struct ld *d, const char *name, bool required,
			    int *ref)
{
	int t = get(d, name);

	*ref = LUA_NOREF;
	if (t == LUA_TNIL && !required) {
		lua_pop(d->L, 1);
		return 0;
	}
	if (t != LUA_TFUNCTION) {
		lua_pop(d->L, 1);
		return bad(d, name, t == LUA_TNIL ? "missing (a function)" :
			   "expected a function, got a %s",
			   lua_typename(d->L, t));
	}
	*ref = luaL_ref(d->L, LUA_REGISTRYINDEX);
	return 0;
}

/*
 * The library every lesson finds as the global `addrlab` (documented in
 * lessons/README.md, "Ready-made checks" and "Helpers for checks"): the
 * checks most exercises share, with their titles in both languages (each
 * takes a table of fields that replace the defaults:
 * addrlab.sparse{ points = 2 }), and the helpers the edu driver
 * exercises share.
 */
static const char lesson_library[] =
	"local function check(defaults, fields)\n"
	"  local c = {}\n"
	"  for k, v in pairs(defaults) do c[k] = v end\n"
	"  for k, v in pairs(fields or {}) do c[k] = v end\n"
	"  return c\n"
	"end\n"
	"-- What the kernel says when a module corrupts it or frees what it\n"
	"-- does not have.\n"
	"local COMPLAINTS = { 'BUG:', 'WARNING:', 'Oops', 'Bad page state', 'refcount_t',\n"
	"  'Trying to free nonexistent resource', 'iounmap: bad address',\n"
	"  'Trying to vunmap', 'Trying to vfree' }\n"
	"return {\n"
	"  builds = function(fields)\n"
	"    return check({ name = 'builds', points = 1, timeout = 120,\n"
	"      title = { en = 'builds without warnings', ko = '경고 없이 빌드된다' },\n"
	"      run = function(t) t:build{ werror = true } end }, fields)\n"
	"  end,\n"
	"  sparse = function(fields)\n"
	"    return check({ name = 'sparse', points = 1, timeout = 120,\n"
	"      title = { en = 'sparse finds nothing', ko = 'sparse 경고가 없다' },\n"
	"      run = function(t) t:sparse() end }, fields)\n"
	"  end,\n"
	"  bar0 = function(t)\n"
	"    local dev = '/sys/bus/pci/devices/0000:00:02.0'\n"
	"    local line = t:read(dev .. '/resource'):match('^[^\\n]*')\n"
	"    local s, e = line:match('^(0x%x+) (0x%x+)')\n"
	"    t:expect(s, 'cannot read BAR0 from ' .. dev .. '/resource: ' .. line)\n"
	"    return tonumber(s), tonumber(e)\n"
	"  end,\n"
	"  reg = function(t, base, off)\n"
	"    local b1, b2, b3, b4 = t:phys(base + off, 4):byte(1, 4)\n"
	"    return b1 | b2 << 8 | b3 << 16 | b4 << 24\n"
	"  end,\n"
	"  leaked = function(t, why)\n"
	"    t:fail(why .. ' (the grader sees what was left behind and gives the next check a fresh lab VM)')\n"
	"  end,\n"
	"  code = function(src)\n"
	"    return (src:gsub('/%*.-%*/', ' '):gsub('//[^\\n]*', ''):gsub('\"[^\"\\n]*\"', '\"\"'))\n"
	"  end,\n"
	"  probe_error = function(log, driver)\n"
	"    local d = driver:gsub('%W', '%%%0')\n"
	"    for line in log:gmatch('[^\\n]+') do\n"
	"      local e = line:match(d .. ': probe of %S+ failed with error (%-?%d+)')\n"
	"        or line:match(d .. ' %S+: probe with driver ' .. d .. ' failed with error (%-?%d+)')\n"
	"      if e then return e, line:match(d .. '.*') end\n"
	"    end\n"
	"  end,\n"
	"  complaint = function(t)\n"
	"    for line in t:dmesg():gmatch('[^\\n]+') do\n"
	"      for _, c in ipairs(COMPLAINTS) do\n"
	"        if line:find(c, 1, true) then return line end\n"
	"      end\n"
	"    end\n"
	"  end,\n"
	"  claimable = function(t)\n"
	"    local r = t:run('insmod /lib/modules/$(uname -r)/extra/edu_mmio.ko;'\n"
	"                    .. ' if [ -e /sys/bus/pci/drivers/edu_mmio/0000:00:02.0 ]; then echo free; else echo busy; fi;'\n"
	"                    .. ' rmmod edu_mmio')\n"
	"    return r.out:match('free') ~= nil\n"
	"  end,\n"
	"}\n";

/* ---- the parts ---- */

/* profile = "plain" (the default) or "iommu": which lab VM runs it. */
static int get_profile(struct ld *d, bool *iommu)
{
	char *profile = NULL;

	if (get_string(d, "profile", false, &profile))
		return -1;
	if (profile && strcmp(profile, "iommu") && strcmp(profile, "plain")) {
		bad(d, "profile", "'%s': use plain (the default) or iommu", profile);
		free(profile);
		return -1;
	}
	*iommu = profile && !strcmp(profile, "iommu");
	free(profile);
	return 0;
}

static int read_view(struct ld *d, void *elem)
{
	struct lesson_view *v = elem;

	if (get_string(d, "id", true, &v->id) || check_id(d, "id", v->id) ||
	    get_ltext(d, "title", true, &v->title) ||
	    get_string(d, "run", true, &v->run) ||
	    get_string(d, "highlight", false, &v->highlight) ||
	    get_uint(d, "timeout", false, DEFAULT_VIEW_MS / 1000, 1, 600,
		     &v->timeout_ms) ||
	    get_profile(d, &v->iommu))
		return -1;
	v->timeout_ms *= 1000;
	return 0;
}

/*
 * Reads the list at the top of the stack (`name` in error paths) as n
 * per-language texts, each a string or { en = ..., ko = ... }.  *out is
 * calloc'd with n + 1 entries and set even on failure (for freeing).
 */
static int read_ltext_items(struct ld *d, const char *name, size_t n,
			    struct ltext **out)
{
	*out = calloc(n + 1, sizeof(**out));
	if (!*out)
		return bad(d, name, "out of memory");
	for (size_t i = 0; i < n; i++) {
		size_t old = path_push(d, name, (int)i + 1);
		int rc;

		/* get_ltext reads a field: wrap the item as { text = item }. */
		lua_newtable(d->L);			/* stack: list, wrap */
		lua_rawgeti(d->L, -2, (lua_Integer)i + 1);
		lua_setfield(d->L, -2, "text");
		rc = get_ltext(d, "text", true, &(*out)[i]);
		lua_pop(d->L, 1);			/* stack: list */
		path_pop(d, old);
		if (rc)
			return -1;
	}
	return 0;
}

static int read_quiz(struct ld *d, void *elem)
{
	struct lesson_quiz *q = elem;
	char *kind = NULL;
	int t;

	q->answer_ref = LUA_NOREF;
	if (get_string(d, "id", true, &q->id) || check_id(d, "id", q->id) ||
	    get_profile(d, &q->iommu) ||
	    get_ltext(d, "question", true, &q->question) ||
	    get_string(d, "kind", true, &kind))
		goto fail;
	if (!strcmp(kind, "choice"))
		q->kind = QUIZ_CHOICE;
	else if (!strcmp(kind, "number"))
		q->kind = QUIZ_NUMBER;
	else if (!strcmp(kind, "text"))
		q->kind = QUIZ_TEXT;
	else {
		bad(d, "kind", "'%s': use choice, number or text", kind);
		goto fail;
	}
	if (q->kind == QUIZ_CHOICE) {
		void *arr;
		size_t n;
		int rc;

		/* choices = { "a", { en = "b", ko = "..." }, ... } */
		if (get_array(d, "choices", true, &n, sizeof(struct ltext), &arr,
			      NULL))
			goto fail;
		free(arr);	/* only the checks were wanted: read them below */
		get(d, "choices");		/* stack: quiz, choices */
		rc = read_ltext_items(d, "choices", n, &q->choices);
		q->nchoices = n;
		lua_pop(d->L, 1);
		if (rc)
			goto fail;
		if (n < 2) {
			bad(d, "choices", "a choice quiz needs two choices or more");
			goto fail;
		}
	}
	t = get(d, "answer");
	if (t == LUA_TFUNCTION) {
		q->answer_ref = luaL_ref(d->L, LUA_REGISTRYINDEX);
	} else if (t == LUA_TSTRING || t == LUA_TNUMBER) {
		q->answer = strdup(lua_tostring(d->L, -1));
		lua_pop(d->L, 1);
		if (q->kind == QUIZ_CHOICE) {
			char *end;
			long k = strtol(q->answer, &end, 10);

			if (*end || k < 1 || (size_t)k > q->nchoices) {
				bad(d, "answer", "a choice quiz's answer is the number of the right choice (1 to %zu)",
				    q->nchoices);
				goto fail;
			}
		}
	} else {
		lua_pop(d->L, 1);
		bad(d, "answer", "expected a string, a number, or function(vm) computing it from the live VM");
		goto fail;
	}
	if (get_ltext(d, "explain", false, &q->explain))
		goto fail;
	free(kind);
	return 0;
fail:
	free(kind);
	return -1;
}

static const char *const visibility_names[] = {
#define X(e, name) [e] = name,
	CHECK_VISIBILITIES(X)
#undef X
};

const char *check_visibility_name(enum check_visibility v)
{
	return v <= VIS_HIDDEN ? visibility_names[v] : "?";
}

/* visibility = "visible" (the default), "after_due_date" or "hidden". */
static int get_visibility(struct ld *d, enum check_visibility *v)
{
	char *name = NULL;

	*v = VIS_VISIBLE;
	if (get_string(d, "visibility", false, &name))
		return -1;
	for (int i = VIS_VISIBLE; name && i <= VIS_HIDDEN; i++)
		if (!strcmp(name, visibility_names[i])) {
			*v = (enum check_visibility)i;
			free(name);
			return 0;
		}
	if (!name)
		return 0;
	bad(d, "visibility", "'%s': use visible (the default), after_due_date or hidden", name);
	free(name);
	return -1;
}

static int read_check(struct ld *d, void *elem)
{
	struct lesson_check *c = elem;

	c->fn_ref = LUA_NOREF;
	if (get_string(d, "name", true, &c->name) ||
	    check_id(d, "name", c->name) ||
	    get_ltext(d, "title", false, &c->title) ||
	    get_uint(d, "points", true, 0, 1, 1000, &c->points) ||
	    get_uint(d, "timeout", false, DEFAULT_CHECK_MS / 1000, 1,
		     MAX_CHECK_MS / 1000, &c->timeout_ms) ||
	    get_profile(d, &c->iommu) ||
	    get_visibility(d, &c->visibility) ||
	    get_function_ref(d, "run", true, &c->fn_ref))
		return -1;
	c->timeout_ms *= 1000;
	if (!c->title.s[LANG_EN])
		c->title.s[LANG_EN] = strdup(c->name);
	return 0;
}

static int read_exercise(struct ld *d, struct lesson_exercise *e)
{
	char *kind = NULL;
	void *arr;
	size_t n;
	int t;

	if (get_string(d, "id", true, &e->id) || check_id(d, "id", e->id) ||
	    get_ltext(d, "title", true, &e->title) ||
	    get_string(d, "kind", true, &kind))
		goto fail;
	if (get_uint(d, "budget", false, DEFAULT_BUDGET_MS / 1000, 10, 3600,
		     &e->budget_ms))
		goto fail;
	e->budget_ms *= 1000;
	if (!strcmp(kind, "module"))
		e->kind = EX_MODULE;
	else if (!strcmp(kind, "user"))
		e->kind = EX_USER;
	else {
		bad(d, "kind", "'%s': use module or user", kind);
		goto fail;
	}
	/* files = { "edu_id.c", ... }: plain names, no paths. */
	t = get(d, "files");
	if (t != LUA_TTABLE || lua_rawlen(d->L, -1) == 0) {
		lua_pop(d->L, 1);
		bad(d, "files", "expected a list of the file names the student edits");
		goto fail;
	}
	e->nfiles = lua_rawlen(d->L, -1);
	e->files = calloc(e->nfiles + 1, sizeof(*e->files));
	for (size_t i = 0; e->files && i < e->nfiles; i++) {
		const char *f;

		lua_rawgeti(d->L, -1, (lua_Integer)i + 1);
		f = lua_tostring(d->L, -1);
		if (lua_type(d->L, -1) != LUA_TSTRING || !f[0] || strchr(f, '/') ||
		    f[0] == '.') {
			lua_pop(d->L, 2);
			bad(d, "files", "entry %zu: a plain file name, no '/' and no leading '.'",
			    i + 1);
			goto fail;
		}
		e->files[i] = strdup(f);
		lua_pop(d->L, 1);
	}
	lua_pop(d->L, 1);

	/* hints = { "first", { en = "second", ko = "..." }, ... } */
	t = get(d, "hints");
	if (t == LUA_TTABLE) {
		e->nhints = lua_rawlen(d->L, -1);
		if (read_ltext_items(d, "hints", e->nhints, &e->hints)) {
			lua_pop(d->L, 1);
			goto fail;
		}
	} else if (t != LUA_TNIL) {
		lua_pop(d->L, 1);
		bad(d, "hints", "expected a list");
		goto fail;
	}
	lua_pop(d->L, 1);

	if (get_array(d, "checks", true, &n, sizeof(struct lesson_check), &arr,
		      read_check)) {
		e->checks = arr;
		e->nchecks = n;
		goto fail;
	}
	e->checks = arr;
	e->nchecks = n;
	for (size_t i = 0; i < n; i++) {
		e->total_points += e->checks[i].points;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(e->checks[i].name, e->checks[k].name)) {
				bad(d, "checks", "two checks are named '%s'",
				    e->checks[i].name);
				goto fail;
			}
	}
	free(kind);
	return 0;
fail:
	free(kind);
	return -1;
}

static char *text_file(struct ld *d, const char *dir, const char *name)
{
	char *p;

	if (strchr(name, '/') || name[0] == '.') {
		bad(d, "text", "'%s': a file name in the lesson's folder", name);
		return NULL;
	}
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	if (access(p, R_OK)) {
		bad(d, "text", "'%s' does not exist", p);
		free(p);
		return NULL;
	}
	return p;
}

static int read_lesson(struct ld *d, struct lesson *l)
{
	struct ltext text;
	unsigned int number;
	size_t old;
	void *arr;
	size_t n;
	int t;

	if (get_string(d, "id", true, &l->id) || check_id(d, "id", l->id) ||
	    get_uint(d, "number", true, 0, 1, 99, &number) ||
	    get_ltext(d, "title", true, &l->title) ||
	    get_ltext(d, "text", true, &text))
		return -1;
	l->number = (int)number;
	for (int i = 0; i < LANG_COUNT; i++) {
		if (!text.s[i])
			continue;
		l->text_path[i] = text_file(d, l->dir, text.s[i]);
		if (!l->text_path[i]) {
			ltext_free(&text);
			return -1;
		}
	}
	ltext_free(&text);
	if (get_string(d, "module", false, &l->module))
		return -1;
	if (get_array(d, "views", false, &n, sizeof(struct lesson_view), &arr,
		      read_view)) {
		l->views = arr;
		l->nviews = n;
		return -1;
	}
	l->views = arr;
	l->nviews = n;
	if (get_array(d, "quizzes", false, &n, sizeof(struct lesson_quiz), &arr,
		      read_quiz)) {
		l->quizzes = arr;
		l->nquizzes = n;
		return -1;
	}
	l->quizzes = arr;
	l->nquizzes = n;
	t = get(d, "exercise");
	if (t == LUA_TNIL) {
		lua_pop(d->L, 1);
		return 0;
	}
	if (t != LUA_TTABLE) {
		lua_pop(d->L, 1);
		return bad(d, "exercise", "expected a table");
	}
	l->exercise = calloc(1, sizeof(*l->exercise));
	if (!l->exercise) {
		lua_pop(d->L, 1);
		return bad(d, "exercise", "out of memory");
	}
	old = path_push(d, "exercise", 0);
	t = read_exercise(d, l->exercise);
	path_pop(d, old);
	lua_pop(d->L, 1);
	return t;
}

int lesson_load(const char *dir, struct lesson **out, char *err, size_t errlen)
{
	return lesson_load_text(dir, NULL, 0, NULL, out, err, errlen);
}

/*
 * A course's own helpers: library.lua beside the lessons (in the lesson
 * folder's parent, its root) runs after the built-in library and before
 * the lesson, and may add to the `addrlab` table.  0, or -1 with d->err
 * (l freed).
 */
static int course_library(struct lesson *l, struct ld *d)
{
	char *path = NULL, *slash = strrchr(l->dir, '/');

	if (asprintf(&path, "%.*s/library.lua", slash ? (int)(slash - l->dir) : 1,
		     slash ? l->dir : ".") < 0) {
		snprintf(d->err, d->errlen, "%s: out of memory", l->file);
		lesson_free(l);
		return -1;
	}
	if (access(path, F_OK) == 0 && lrt_dofile(l->rt, path, 0)) {
		snprintf(d->err, d->errlen, "%s", lrt_error(l->rt));
		free(path);
		lesson_free(l);
		return -1;
	}
	free(path);
	return 0;
}

/*
 * Runs dir/lesson.lua (or text) in a new runtime with the addrlab library:
 * 0 with *out (its dir, file and rt set) and the returned table on top of
 * d->L's stack, or -1 with err.
 */
static int lesson_open(const char *dir, const char *text, size_t len,
		       const struct lrt_limits *lim, struct lesson **out,
		       struct ld *d)
{
	struct lesson *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (!l || asprintf(&l->dir, "%s", dir) < 0 ||
	    asprintf(&l->file, "%s/lesson.lua", dir) < 0) {
		snprintf(d->err, d->errlen, "%s: out of memory", dir);
		lesson_free(l);
		return -1;
	}
	l->rt = lrt_new(lim);
	if (!l->rt || lrt_provide(l->rt, "addrlab", lesson_library,
				  sizeof(lesson_library) - 1, "addrlab library")) {
		snprintf(d->err, d->errlen, "%s: %s", l->file,
			 l->rt ? lrt_error(l->rt) : "out of memory");
		lesson_free(l);
		return -1;
	}
	d->L = lrt_state(l->rt);
	d->file = l->file;
	if (course_library(l, d))
		return -1;
	if (text ? lrt_dostring(l->rt, text, len, l->file, 1) :
		   lrt_dofile(l->rt, l->file, 1)) {
		snprintf(d->err, d->errlen, "%s", lrt_error(l->rt));
		lesson_free(l);
		return -1;
	}
	if (!lua_istable(d->L, -1)) {
		snprintf(d->err, d->errlen, "%s: must return a table (return { id = ..., ... })",
			 l->file);
		lesson_free(l);
		return -1;
	}
	*out = l;
	return 0;
}

/* Does the table on top of the stack extend another lesson? */
static bool extends_another(struct ld *d)
{
	bool ext = get(d, "extends") != LUA_TNIL;

	lua_pop(d->L, 1);
	return ext;
}

int lesson_load_text(const char *dir, const char *text, size_t len,
		     const struct lrt_limits *lim, struct lesson **out,
		     char *err, size_t errlen)
{
	struct ld d = { .err = err, .errlen = errlen };
	struct lesson *l;

	*out = NULL;
	if (lesson_open(dir, text, len, lim, &l, &d))
		return -1;
	if (extends_another(&d)) {
		bad(&d, "extends", "a file that adds checks to another lesson is read with "
		    "every lesson (lesson_load_all), not alone");
		lesson_free(l);
		return -1;
	}
	if (read_lesson(&d, l)) {
		lesson_free(l);
		return -1;
	}
	lua_settop(d.L, 0);
	*out = l;
	return 0;
}

void lesson_free(struct lesson *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nviews; i++) {
		free(l->views[i].id);
		ltext_free(&l->views[i].title);
		free(l->views[i].run);
		free(l->views[i].highlight);
	}
	free(l->views);
	for (size_t i = 0; i < l->nquizzes; i++) {
		struct lesson_quiz *q = &l->quizzes[i];

		free(q->id);
		ltext_free(&q->question);
		for (size_t k = 0; k < q->nchoices; k++)
			ltext_free(&q->choices[k]);
		free(q->choices);
		free(q->answer);
		ltext_free(&q->explain);
	}
	free(l->quizzes);
	if (l->exercise) {
		struct lesson_exercise *e = l->exercise;

		free(e->id);
		ltext_free(&e->title);
		for (size_t i = 0; i < e->nfiles; i++)
			free(e->files[i]);
		free(e->files);
		for (size_t i = 0; i < e->nhints; i++)
			ltext_free(&e->hints[i]);
		free(e->hints);
		for (size_t i = 0; i < e->nchecks; i++) {
			free(e->checks[i].name);
			ltext_free(&e->checks[i].title);
		}
		free(e->checks);
		free(e);
	}
	ltext_free(&l->title);
	for (int i = 0; i < LANG_COUNT; i++)
		free(l->text_path[i]);
	free(l->module);
	free(l->id);
	free(l->dir);
	free(l->file);
	lrt_free(l->rt);	/* drops every registry reference with the state */
	for (size_t i = 0; i < l->next_rt; i++)
		lrt_free(l->ext_rt[i]);
	free(l->ext_rt);
	free(l);
}

const struct lesson_check *lesson_find_check(const struct lesson *l,
					     const char *name)
{
	if (!l->exercise)
		return NULL;
	for (size_t i = 0; i < l->exercise->nchecks; i++)
		if (!strcmp(l->exercise->checks[i].name, name))
			return &l->exercise->checks[i];
	return NULL;
}

static int by_number(const void *a, const void *b)
{
	const struct lesson *x = *(struct lesson *const *)a;
	const struct lesson *y = *(struct lesson *const *)b;

	return x->number - y->number;
}

/*
 * Adds the checks of x (a file returning { extends = "ID", checks = {...} },
 * its table on top of the stack) to lesson ID among ls[0..n), moving x's
 * runtime to it.  0, or -1 with d->err.
 */
static int read_extension(struct ld *d, struct lesson *x, struct lesson **ls, int n,
			  struct lesson **target)
{
	struct lesson_exercise *e;
	struct lesson_check *grown;
	struct lrt **rts;
	char *id = NULL;
	size_t count;
	void *arr;

	*target = NULL;
	if (get_string(d, "extends", true, &id))
		return -1;
	for (int i = 0; i < n && !*target; i++)
		if (!strcmp(ls[i]->id, id))
			*target = ls[i];
	if (!*target || !(*target)->exercise) {
		bad(d, "extends", *target ? "'%s': that lesson has no exercise to add checks to" :
		    "'%s': no lesson has this id", id);
		free(id);
		return -1;
	}
	free(id);
	e = (*target)->exercise;
	if (get_array(d, "checks", true, &count, sizeof(struct lesson_check), &arr, read_check)) {
		for (size_t i = 0; arr && i < count; i++) {
			free(((struct lesson_check *)arr)[i].name);
			ltext_free(&((struct lesson_check *)arr)[i].title);
		}
		free(arr);
		return -1;
	}
	grown = realloc(e->checks, (e->nchecks + count) * sizeof(*grown));
	rts = realloc((*target)->ext_rt, ((*target)->next_rt + 1) * sizeof(*rts));
	if (grown)
		e->checks = grown;
	if (rts)
		(*target)->ext_rt = rts;
	if (!grown || !rts)
		bad(d, "checks", "out of memory");
	for (size_t i = 0; grown && rts && i < count; i++) {
		struct lesson_check *c = &((struct lesson_check *)arr)[i];

		if (lesson_find_check(*target, c->name)) {
			bad(d, "checks", "'%s': lesson '%s' already has a check of this name",
			    c->name, (*target)->id);
			grown = NULL;
			break;
		}
		c->rt = x->rt;
		e->checks[e->nchecks++] = *c;
		e->total_points += c->points;
		c->name = NULL;		/* moved */
		memset(&c->title, 0, sizeof(c->title));
	}
	for (size_t i = 0; i < count; i++) {
		free(((struct lesson_check *)arr)[i].name);
		ltext_free(&((struct lesson_check *)arr)[i].title);
	}
	free(arr);
	if (!grown || !rts)
		return -1;
	(*target)->ext_rt[(*target)->next_rt++] = x->rt;
	x->rt = NULL;
	return 0;
}

struct loading {
	struct lesson **ls, **ext;	/* lessons; files that add checks */
	int n, next;
	FILE *errs;
};

static int keep(struct lesson ***v, int *n, struct lesson *l)
{
	struct lesson **grown = realloc(*v, (size_t)(*n + 1) * sizeof(**v));

	if (!grown)
		return -1;
	*v = grown;
	(*v)[(*n)++] = l;
	return 0;
}

/* Every NAME/lesson.lua in one root: lessons into ld->ls, files that add
 * checks into ld->ext (applied once every root is read).  -1 when the
 * root cannot be read. */
static int load_root(const char *root, struct loading *ld)
{
	DIR *dir = opendir(root);
	struct dirent *e;

	if (!dir) {
		fprintf(ld->errs, "%s: cannot open the lessons folder: %m\n", root);
		return -1;
	}
	while ((e = readdir(dir))) {
		char path[4096], err[1024];
		struct ld d = { .err = err, .errlen = sizeof(err) };
		struct lesson *l;
		bool ext;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/lesson.lua", root, e->d_name);
		if (access(path, F_OK))
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, e->d_name);
		if (lesson_open(path, NULL, 0, NULL, &l, &d)) {
			fprintf(ld->errs, "%s\n", err);
			continue;
		}
		ext = extends_another(&d);
		if (!ext && read_lesson(&d, l)) {
			fprintf(ld->errs, "%s\n", err);
			lesson_free(l);
			continue;
		}
		if (!ext)
			lua_settop(d.L, 0);	/* an extension keeps its table */
		if (ext ? keep(&ld->ext, &ld->next, l) : keep(&ld->ls, &ld->n, l)) {
			lesson_free(l);
			break;
		}
	}
	closedir(dir);
	return 0;
}

/* Drops ls[i] (freed), keeping the order. */
static void drop(struct loading *ld, int i)
{
	lesson_free(ld->ls[i]);
	memmove(&ld->ls[i], &ld->ls[i + 1], (size_t)(ld->n - i - 1) * sizeof(*ld->ls));
	ld->n--;
}

/* Two lessons of one id would make an exercise ambiguous: both go. */
static void drop_duplicates(struct loading *ld)
{
	for (int i = 0; i < ld->n; i++)
		for (int k = i + 1; k < ld->n; k++)
			if (!strcmp(ld->ls[i]->id, ld->ls[k]->id)) {
				fprintf(ld->errs, "%s and %s: two lessons have the id '%s'; "
					"to add checks to one, return { extends = \"%s\", checks = ... }\n",
					ld->ls[i]->file, ld->ls[k]->file, ld->ls[i]->id,
					ld->ls[i]->id);
				drop(ld, k);
				drop(ld, i);
				i = -1;
				break;
			}
}

static void apply_extensions(struct loading *ld)
{
	for (int i = 0; i < ld->next; i++) {
		struct lesson *x = ld->ext[i], *target;
		char err[1024];
		struct ld d = { .L = lrt_state(x->rt), .file = x->file, .err = err,
				.errlen = sizeof(err) };

		if (read_extension(&d, x, ld->ls, ld->n, &target)) {
			fprintf(ld->errs, "%s\n", err);
			/* Never graded without the checks it was meant to have. */
			for (int k = 0; target && k < ld->n; k++)
				if (ld->ls[k] == target) {
					fprintf(ld->errs, "%s: left out, because %s did not load\n",
						target->file, x->file);
					drop(ld, k);
					break;
				}
		}
		lesson_free(x);
	}
	free(ld->ext);
	ld->ext = NULL;
	ld->next = 0;
}

int lesson_load_all(const char *roots, struct lesson ***out, char **errors)
{
	struct loading ld = { 0 };
	size_t errlen = 0;
	char *copy = strdup(roots), *next = copy, *root;
	int rc = 0;

	*out = NULL;
	ld.errs = open_memstream(errors, &errlen);
	if (!ld.errs || !copy) {
		if (ld.errs)
			fclose(ld.errs);
		free(copy);
		return -1;
	}
	while (!rc && (root = strsep(&next, ":"))) {
		if (*root) {
			rc = load_root(root, &ld);
		} else {
			fprintf(ld.errs, "'%s': an empty folder name among the lessons folders\n",
				roots);
			rc = -1;
		}
	}
	if (rc) {
		lesson_free_all(ld.ls, ld.n);
		lesson_free_all(ld.ext, ld.next);
		fclose(ld.errs);
		free(copy);
		return -1;
	}
	drop_duplicates(&ld);
	apply_extensions(&ld);
	fclose(ld.errs);
	free(copy);
	if (ld.n)
		qsort(ld.ls, (size_t)ld.n, sizeof(*ld.ls), by_number);
	*out = ld.ls;
	return ld.n;
}

void lesson_free_all(struct lesson **ls, int n)
{
	for (int i = 0; i < n; i++)
		lesson_free(ls[i]);
	free(ls);
}
