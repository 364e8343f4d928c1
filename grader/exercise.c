// SPDX-License-Identifier: MIT
/* exercise.c - skeletons from step markers, and mutants (see exercise.h). */
#define _GNU_SOURCE
#include "exercise.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	/* Keep going after a failure: remove what can be removed.  Whether
	 * everything went shows in the end: the folder is gone or not. */
	remove(path);
	return 0;
}

int make_tree(const char *path, char *failed, size_t n)
{
	char buf[PATH_MAX];
	char *p = buf;

	if (!*path || snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = *path ? ENAMETOOLONG : ENOENT;
		return -1;
	}
	do {
		char c;

		p = strchrnul(p + 1, '/');
		c = *p;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST) {
			if (failed)
				snprintf(failed, n, "%s", buf);
			return -1;
		}
		*p = c;
	} while (*p);
	return 0;
}

int remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return access(dir, F_OK) != 0 && errno == ENOENT ? 0 : -1;
}

char *read_text_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			char *b = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int write_text_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (fwrite(text, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

/* If line (up to its end) is a comment "/" KEYWORD rest "/", returns rest's
 * start and sets *rest_len; the indentation is measured into *indent. */
static const char *marker(const char *line, size_t len, const char *keyword,
			  size_t *indent, size_t *rest_len)
{
	size_t i = 0, k = strlen(keyword);
	const char *p, *end = line + len;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	*indent = i;
	p = line + i;
	if (end - p < 4 || strncmp(p, "/* ", 3))
		return NULL;
	p += 3;
	if ((size_t)(end - p) < k || strncmp(p, keyword, k))
		return NULL;
	p += k;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	if (end - p < 2 || strncmp(end - 2, "*/", 2))
		return NULL;
	end -= 2;
	while (p < end && *p == ' ')
		p++;
	while (end > p && end[-1] == ' ')
		end--;
	*rest_len = (size_t)(end - p);
	return p;
}

int skeleton_text(const char *name, const char *src, int *next_step,
		  char **out, char *err, size_t errlen)
{
	size_t outlen = 0, indent, rlen;
	FILE *o = open_memstream(out, &outlen);
	int in_step = 0, step_line = 0, lineno = 0;
	const char *p = src;

	if (!o)
		return -1;
	while (*p) {
		const char *e = strchrnul(p, '\n');
		size_t len = (size_t)(e - p);
		const char *rest;

		lineno++;
		if ((rest = marker(p, len, "STEP ", &indent, &rlen))) {
			char *colon;
			long n = strtol(rest, &colon, 10);

			if (in_step) {
				snprintf(err, errlen, "%s:%d: STEP %ld starts inside step %d (opened on line %d)",
					 name, lineno, n, in_step, step_line);
				goto fail;
			}
			if (n != *next_step || *colon != ':') {
				snprintf(err, errlen, "%s:%d: expected '/* STEP %d: what to do */'",
					 name, lineno, *next_step);
				goto fail;
			}
			colon++;
			while (*colon == ' ')
				colon++;
			fprintf(o, "%.*s/* TODO %ld: %.*s */\n", (int)indent, p, n,
				(int)(rlen - (size_t)(colon - rest)), colon);
			in_step = (int)n;
			step_line = lineno;
			(*next_step)++;
		} else if ((rest = marker(p, len, "END STEP", &indent, &rlen))) {
			if (!in_step || atoi(rest) != in_step) {
				snprintf(err, errlen, "%s:%d: 'END STEP %.*s' without its STEP",
					 name, lineno, (int)rlen, rest);
				goto fail;
			}
			in_step = 0;
		} else if (in_step &&
			   (rest = marker(p, len, "SKELETON:", &indent, &rlen))) {
			fprintf(o, "%.*s%.*s\n", (int)indent, p, (int)rlen, rest);
		} else if (!in_step) {
			fprintf(o, "%.*s%s", (int)len, p, *e ? "\n" : "");
		}
		p = *e ? e + 1 : e;
	}
	if (in_step) {
		snprintf(err, errlen, "%s:%d: STEP %d has no '/* END STEP %d */'",
			 name, step_line, in_step, in_step);
		goto fail;
	}
	fclose(o);
	return 0;
fail:
	fclose(o);
	free(*out);
	*out = NULL;
	return -1;
}

int skeleton_generate(const struct lesson_exercise *e, const char *solution_dir,
		      const char *out_dir, int *steps, char *err, size_t errlen)
{
	int next = 1;

	if (mkdir(out_dir, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "cannot make '%s': %s", out_dir, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < e->nfiles; i++) {
		char in[4096], out[4096], *src, *skel;
		size_t len;

		snprintf(in, sizeof(in), "%s/%s", solution_dir, e->files[i]);
		snprintf(out, sizeof(out), "%s/%s", out_dir, e->files[i]);
		src = read_text_file(in, &len);
		if (!src) {
			snprintf(err, errlen, "%s: cannot read the reference solution", in);
			return -1;
		}
		if (skeleton_text(in, src, &next, &skel, err, errlen)) {
			free(src);
			return -1;
		}
		free(src);
		if (write_text_file(out, skel, strlen(skel))) {
			snprintf(err, errlen, "cannot write '%s'", out);
			free(skel);
			return -1;
		}
		free(skel);
	}
	*steps = next - 1;
	return 0;
}

void mutants_free(struct mutants *ms)
{
	for (size_t i = 0; i < ms->n; i++) {
		free(ms->m[i].name);
		free(ms->m[i].bug_class);
		free(ms->m[i].check);
		free(ms->m[i].file);
		free(ms->m[i].from);
		free(ms->m[i].to);
		free(ms->m[i].why);
	}
	for (size_t i = 0; i < ms->nclasses; i++) {
		free(ms->classes[i].id);
		free(ms->classes[i].what);
	}
	free(ms->m);
	free(ms->classes);
	memset(ms, 0, sizeof(*ms));
}

static char *field_str(lua_State *L, const char *k)
{
	char *s = NULL;

	if (lua_getfield(L, -1, k) == LUA_TSTRING)
		s = strdup(lua_tostring(L, -1));
	lua_pop(L, 1);
	return s;
}

static const struct bug_class *class_find(const struct mutants *ms, const char *id)
{
	for (size_t i = 0; i < ms->nclasses; i++)
		if (!strcmp(ms->classes[i].id, id))
			return &ms->classes[i];
	return NULL;
}

/* The `classes` list (table at the top of L's stack) into ms. */
static int classes_load(lua_State *L, const char *path, struct mutants *ms,
			char *err, size_t errlen)
{
	size_t n = 0;
	int rc = 0;

	if (lua_getfield(L, -1, "classes") != LUA_TTABLE || !(n = lua_rawlen(L, -1))) {
		snprintf(err, errlen, "%s: needs classes = { { id = \"...\", what = \"...\" }, ... }: "
			 "the classes of bug a reviewer looks for in this exercise", path);
		rc = -1;
	} else if (!(ms->classes = calloc(n, sizeof(*ms->classes)))) {
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct bug_class *c = &ms->classes[i];

		ms->nclasses = i + 1;
		lua_rawgeti(L, -1, (lua_Integer)i + 1);
		if (lua_istable(L, -1)) {
			c->id = field_str(L, "id");
			c->what = field_str(L, "what");
		}
		lua_pop(L, 1);
		if (!c->id || !c->what) {
			snprintf(err, errlen, "%s: classes[%zu]: needs id and what (strings)", path, i + 1);
			rc = -1;
		} else if (class_find(ms, c->id) != c) {
			snprintf(err, errlen, "%s: class '%s' is listed twice", path, c->id);
			rc = -1;
		}
	}
	lua_pop(L, 1);
	return rc;
}

/* The mutant at the top of L's stack into x; 0, or -1 with err. */
static int mutant_load(lua_State *L, const char *path, size_t i, const struct lesson *l,
		       const struct mutants *ms, struct mutant *x, char *err, size_t errlen)
{
	bool file_ok = false;

	if (!lua_istable(L, -1)) {
		snprintf(err, errlen, "%s: mutant %zu: expected a table", path, i + 1);
		return -1;
	}
	x->name = field_str(L, "name");
	x->bug_class = field_str(L, "class");
	x->check = field_str(L, "check");
	x->file = field_str(L, "file");
	x->from = field_str(L, "from");
	x->to = field_str(L, "to");
	x->why = field_str(L, "why");
	if (!x->name || !x->bug_class || !x->check || !x->file || !x->from || !x->to || !x->why) {
		snprintf(err, errlen, "%s: mutant %zu: needs name, class, check, file, from, to and why (strings)",
			 path, i + 1);
		return -1;
	}
	for (size_t k = 0; k < l->exercise->nfiles; k++)
		file_ok |= !strcmp(l->exercise->files[k], x->file);
	if (!file_ok) {
		snprintf(err, errlen, "%s: mutant '%s': '%s' is not one of the exercise's files",
			 path, x->name, x->file);
		return -1;
	}
	if (!lesson_find_check(l, x->check)) {
		snprintf(err, errlen, "%s: mutant '%s': the exercise has no check '%s'",
			 path, x->name, x->check);
		return -1;
	}
	if (!class_find(ms, x->bug_class)) {
		snprintf(err, errlen, "%s: mutant '%s': its class '%s' is not in the classes list",
			 path, x->name, x->bug_class);
		return -1;
	}
	return 0;
}

int mutants_load(const char *path, const struct lesson *l, struct mutants *ms,
		 char *err, size_t errlen)
{
	struct lrt *rt = lrt_new(NULL);
	lua_State *L;
	size_t count;

	memset(ms, 0, sizeof(*ms));
	if (!rt)
		return -1;
	L = lrt_state(rt);
	if (lrt_dofile(rt, path, 1)) {
		snprintf(err, errlen, "%s", lrt_error(rt));
		goto fail;
	}
	if (!lua_istable(L, -1)) {
		snprintf(err, errlen, "%s: must return the classes and a list of mutants", path);
		goto fail;
	}
	if (classes_load(L, path, ms, err, errlen))
		goto fail;
	count = lua_rawlen(L, -1);
	ms->m = calloc(count + 1, sizeof(*ms->m));
	if (!ms->m)
		goto fail;
	for (size_t i = 0; i < count; i++) {
		int rc;

		lua_rawgeti(L, -1, (lua_Integer)i + 1);
		ms->n = i + 1;
		rc = mutant_load(L, path, i, l, ms, &ms->m[i], err, errlen);
		lua_pop(L, 1);
		if (rc)
			goto fail;
	}
	for (size_t c = 0; c < ms->nclasses; c++) {
		bool used = false;

		for (size_t i = 0; i < ms->n; i++)
			used |= !strcmp(ms->m[i].bug_class, ms->classes[c].id);
		if (!used) {
			snprintf(err, errlen, "%s: class '%s' (%s) has no mutant: add one that the checks must reject",
				 path, ms->classes[c].id, ms->classes[c].what);
			goto fail;
		}
	}
	lrt_free(rt);
	return 0;
fail:
	mutants_free(ms);
	lrt_free(rt);
	return -1;
}

int mutant_apply(const struct lesson_exercise *e, const char *solution_dir,
		 const struct mutant *m, const char *out_dir, char *err,
		 size_t errlen)
{
	if (mkdir(out_dir, 0755) && errno != EEXIST) {
		snprintf(err, errlen, "cannot make '%s': %s", out_dir, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < e->nfiles; i++) {
		char in[4096], out[4096], *src, *hit, *res = NULL;
		size_t len;

		snprintf(in, sizeof(in), "%s/%s", solution_dir, e->files[i]);
		snprintf(out, sizeof(out), "%s/%s", out_dir, e->files[i]);
		src = read_text_file(in, &len);
		if (!src) {
			snprintf(err, errlen, "%s: cannot read the reference solution", in);
			return -1;
		}
		if (!strcmp(e->files[i], m->file)) {
			hit = strstr(src, m->from);
			if (!hit || strstr(hit + 1, m->from)) {
				snprintf(err, errlen, "mutant '%s': its 'from' text occurs %s in %s; it must occur exactly once",
					 m->name, hit ? "more than once" : "nowhere", in);
				free(src);
				return -1;
			}
			if (asprintf(&res, "%.*s%s%s", (int)(hit - src), src, m->to,
				     hit + strlen(m->from)) < 0)
				res = NULL;
			free(src);
			src = res;
			if (!src)
				return -1;
		}
		if (write_text_file(out, src, strlen(src))) {
			snprintf(err, errlen, "cannot write '%s'", out);
			free(src);
			return -1;
		}
		free(src);
	}
	return 0;
}
