// SPDX-License-Identifier: MIT
/* lint.c - self-test lessons and exercises (see lint.h). */
#define _GNU_SOURCE
#include "lint.h"
#include "check.h"
#include "exercise.h"

#include <dirent.h>
#include <lauxlib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What an exercise needs to show its checks are right: mutants that they
 * reject, and other correct solutions that they pass in full. */
#define MIN_MUTANTS		8
#define MIN_ALTERNATIVES	3

static int problem(const struct lint_opts *o, const struct lesson *l,
		   const char *f, ...)
{
	va_list ap;

	fprintf(o->out, "lint: %s: ", l->dir);
	va_start(ap, f);
	vfprintf(o->out, f, ap);
	va_end(ap);
	fputc('\n', o->out);
	fflush(o->out);
	return 1;
}

static void note(const struct lint_opts *o, const struct lesson *l,
		 const char *f, ...)
{
	va_list ap;

	if (!o->verbose)
		return;
	fprintf(o->out, "lint: %s: ", l->dir);
	va_start(ap, f);
	vfprintf(o->out, f, ap);
	va_end(ap);
	fputc('\n', o->out);
	fflush(o->out);
}

/* Loads the lesson's chapter module (if any) in vm for views and quizzes. */
static int load_module(const struct lint_opts *o, struct vm *vm,
		       struct lesson *l, bool load)
{
	struct vm_result r;
	char *cmd;
	int bad = 0;

	if (!l->module)
		return 0;
	if (asprintf(&cmd, load ? "insmod /lib/modules/$(uname -r)/extra/%s.ko" :
		     "rmmod %s", l->module) < 0)
		return 1;
	if (vm_sh(vm, cmd, 30000, &r))
		bad = problem(o, l, "cannot run '%s': %s", cmd, vm_error(vm));
	else if (r.verdict != VM_OK || r.exit_code)
		bad = problem(o, l, "'%s' failed: %s%s", cmd, r.message, r.err);
	vm_result_free(&r);	/* vm_sh always leaves it freeable */
	free(cmd);
	return bad;
}

/* Does some line of text match the Lua pattern?  Line by line, as the
 * workbook highlights (so ^ and $ anchor to a line), in the lesson's own
 * runtime, so the pattern means what it means there. */
static bool matches(struct lesson *l, const char *text, const char *pattern)
{
	lua_State *L = lrt_state(l->rt);
	bool hit = false;

	for (const char *p = text; *p && !hit;) {
		const char *e = strchrnul(p, '\n');

		lua_settop(L, 0);
		lua_getglobal(L, "string");
		lua_getfield(L, -1, "find");
		lua_pushlstring(L, p, (size_t)(e - p));
		lua_pushstring(L, pattern);
		hit = lua_pcall(L, 2, 1, 0) == LUA_OK && !lua_isnil(L, -1);
		p = *e ? e + 1 : e;
	}
	lua_settop(L, 0);
	return hit;
}

/* The views of one profile, in the VM of that profile. */
static int lint_views(struct lesson *l, const struct lint_opts *o,
		      struct vm *vm, bool iommu)
{
	int bad = 0;

	for (size_t i = 0; i < l->nviews; i++) {
		const struct lesson_view *v = &l->views[i];
		struct vm_result r;

		if (v->iommu != iommu)
			continue;
		if (vm_sh(vm, v->run, v->timeout_ms, &r)) {
			bad += problem(o, l, "view '%s': %s", v->id, vm_error(vm));
			continue;
		}
		if (r.verdict != VM_OK || r.exit_code)
			bad += problem(o, l, "view '%s': '%s' %s (exit %d): %.*s", v->id,
				       v->run, r.verdict == VM_OK ? "failed" : r.message,
				       r.exit_code, (int)strcspn(r.err, "\n"), r.err);
		else if (v->highlight && !matches(l, r.out, v->highlight))
			bad += problem(o, l, "view '%s': no line matches its highlight '%s'",
				       v->id, v->highlight);
		else
			note(o, l, "view '%s' ok", v->id);
		vm_result_free(&r);
	}
	return bad;
}

static int lint_quizzes(struct lesson *l, const struct lint_opts *o,
			struct vm *vm, bool iommu)
{
	int bad = 0;

	for (size_t i = 0; i < l->nquizzes; i++) {
		char err[1024];
		char *a;

		if (l->quizzes[i].iommu != iommu)
			continue;
		a = quiz_answer(l, &l->quizzes[i], vm, err, sizeof(err));

		if (!a)
			bad += problem(o, l, "%s", err);
		else
			note(o, l, "quiz '%s': answer %s", l->quizzes[i].id, a);
		free(a);
	}
	return bad;
}

/* Grades dir; with `only`, just that check. */
static int grade_dir(struct lesson *l, const struct lint_opts *o,
		     const char *dir, const char *only, struct grade *g)
{
	char err[1024], build[4096];
	struct grade_opts go = {
		.submission = dir, .work_dir = build, .kver = o->kver,
		.include_dir = o->include_dir, .lang = LANG_EN, .vm = o->vm,
		.only = only,
	};

	/* Builds empty their folder: keep it apart from the copies graded. */
	snprintf(build, sizeof(build), "%s/build", o->work_dir);
	if (grade_exercise(l, &go, g, err, sizeof(err))) {
		problem(o, l, "cannot grade '%s': %s", dir, err);
		return -1;
	}
	return 0;
}

static const struct check_result *result_of(const struct grade *g,
					    const char *name)
{
	for (size_t i = 0; i < g->nresults; i++)
		if (!strcmp(g->results[i].name, name))
			return &g->results[i];
	return NULL;
}

/* Each mutant is rejected by the check it names (run alone: checks do not
 * depend on each other). */
static int lint_mutants(struct lesson *l, const struct lint_opts *o,
			const char *sol, const struct mutants *ms)
{
	struct lesson_exercise *e = l->exercise;
	char mdir[4096], err[1024];
	int bad = 0;

	snprintf(mdir, sizeof(mdir), "%s/mutant-%s", o->work_dir, e->id);
	for (size_t i = 0; i < ms->n; i++) {
		const struct mutant *m = &ms->m[i];
		const struct check_result *r;
		struct grade g;

		if (mutant_apply(e, sol, m, mdir, err, sizeof(err))) {
			bad += problem(o, l, "exercise '%s': %s", e->id, err);
			continue;
		}
		if (grade_dir(l, o, mdir, m->check, &g)) {
			bad++;
			continue;
		}
		r = result_of(&g, m->check);
		if (!r || r->outcome == CHECK_PASS)
			bad += problem(o, l, "exercise '%s': mutant '%s' (%s: %s) passes check '%s', which should reject it",
				       e->id, m->name, m->bug_class, m->why, m->check);
		else if (r->outcome == CHECK_ERROR)	/* not rejected: not graded */
			bad += problem(o, l, "exercise '%s': mutant '%s': check '%s' could not grade it: %s",
				       e->id, m->name, m->check, r->message);
		else
			note(o, l, "exercise '%s': mutant '%s' (%s) rejected by '%s': %s",
			     e->id, m->name, m->bug_class, m->check, r->message);
		grade_free(&g);
	}
	return bad;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every alternative correct solution gets full marks. */
static int lint_alternatives(struct lesson *l, const struct lint_opts *o)
{
	struct lesson_exercise *e = l->exercise;
	struct dirent **names = NULL;
	char dir[4096], alt[4096 + 256];
	int n, bad = 0;

	snprintf(dir, sizeof(dir), "%s/%s/alternatives", o->exercises_dir, e->id);
	n = scandir(dir, &names, not_hidden, by_name);
	if (n < 0)
		n = 0;
	if (n < MIN_ALTERNATIVES)
		bad += problem(o, l, "exercise '%s': %d alternative solution%s in '%s'; at least %d "
			       "(correct, written the way strong students differ) show the checks pass "
			       "what they should", e->id, n, n == 1 ? "" : "s", dir, MIN_ALTERNATIVES);
	for (int i = 0; i < n; i++) {
		struct grade g;

		snprintf(alt, sizeof(alt), "%s/%s", dir, names[i]->d_name);
		if (grade_dir(l, o, alt, NULL, &g) == 0) {
			for (size_t k = 0; k < g.nresults; k++)
				if (g.results[k].outcome != CHECK_PASS)
					bad += problem(o, l, "exercise '%s': alternative '%s' is correct but %s '%s': %s",
						       e->id, names[i]->d_name,
						       g.results[k].outcome == CHECK_FAIL ? "fails" : "could not be graded by",
						       g.results[k].name, g.results[k].message);
			if (g.score == g.max_score && !g.ungraded)
				note(o, l, "exercise '%s': alternative '%s' %u/%u", e->id,
				     names[i]->d_name, g.score, g.max_score);
			grade_free(&g);
		} else {
			bad++;
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return bad;
}

static int lint_exercise(struct lesson *l, const struct lint_opts *o)
{
	struct lesson_exercise *e = l->exercise;
	char sol[4096], skel[4096], mpath[4096], err[1024];
	struct mutants ms;
	struct grade g;
	int steps = 0, bad = 0;

	snprintf(sol, sizeof(sol), "%s/%s/solution", o->exercises_dir, e->id);
	snprintf(skel, sizeof(skel), "%s/skeleton-%s", o->work_dir, e->id);
	snprintf(mpath, sizeof(mpath), "%s/%s/mutants.lua", o->exercises_dir, e->id);
	if (access(sol, R_OK))
		return problem(o, l, "exercise '%s': no reference solution in '%s'",
			       e->id, sol);
	if (skeleton_generate(e, sol, skel, &steps, err, sizeof(err)))
		return problem(o, l, "exercise '%s': %s", e->id, err);
	if (steps == 0)
		bad += problem(o, l, "exercise '%s': the reference has no STEP markers, so the skeleton is the solution",
			       e->id);
	if ((size_t)steps != e->nhints)
		bad += problem(o, l, "exercise '%s': %d steps but %zu hints (one hint per step)",
			       e->id, steps, e->nhints);
	if (mutants_load(mpath, l, &ms, err, sizeof(err)))
		return bad + problem(o, l, "exercise '%s': %s", e->id, err);
	if (ms.n < MIN_MUTANTS)
		bad += problem(o, l, "exercise '%s': %zu mutants; at least %d, across the classes of bug "
			       "a reviewer looks for, show the checks can fail", e->id, ms.n, MIN_MUTANTS);

	/* The reference passes everything. */
	if (grade_dir(l, o, sol, NULL, &g) == 0) {
		for (size_t i = 0; i < g.nresults; i++)
			if (g.results[i].outcome != CHECK_PASS)
				bad += problem(o, l, "exercise '%s': the reference fails '%s': %s",
					       e->id, g.results[i].name, g.results[i].message);
		if (g.score == g.max_score)
			note(o, l, "exercise '%s': reference %u/%u", e->id, g.score, g.max_score);
		grade_free(&g);
	} else {
		bad++;
	}
	bad += lint_alternatives(l, o);
	/* The skeleton does not. */
	if (grade_dir(l, o, skel, NULL, &g) == 0) {
		if (g.score == g.max_score)
			bad += problem(o, l, "exercise '%s': the skeleton scores full marks (%u/%u); the steps remove nothing the checks need",
				       e->id, g.score, g.max_score);
		else if (g.ungraded)
			bad += problem(o, l, "exercise '%s': %u check%s could not grade the skeleton",
				       e->id, g.ungraded, g.ungraded == 1 ? "" : "s");
		else
			note(o, l, "exercise '%s': skeleton %u/%u", e->id, g.score, g.max_score);
		grade_free(&g);
	} else {
		bad++;
	}
	bad += lint_mutants(l, o, sol, &ms);
	note(o, l, "exercise '%s': %zu mutants in %zu classes of bug", e->id, ms.n, ms.nclasses);
	mutants_free(&ms);
	return bad;
}

/* Views and quizzes of the IOMMU profile, in a q35 + IOMMU VM of their own. */
static int lint_iommu(struct lesson *l, const struct lint_opts *o)
{
	struct vm_options vo = { .iommu = true };
	bool any = false;
	struct vm *vm;
	int bad = 0;

	for (size_t i = 0; i < l->nviews; i++)
		any |= l->views[i].iommu;
	for (size_t i = 0; i < l->nquizzes; i++)
		any |= l->quizzes[i].iommu;
	if (!any)
		return 0;
	vm = vm_new(&vo);
	if (!vm)
		return problem(o, l, "out of memory");
	if (vm_start(vm)) {
		bad = problem(o, l, "cannot start the IOMMU lab VM: %s", vm_error(vm));
	} else if (!(bad = load_module(o, vm, l, true))) {
		bad += lint_views(l, o, vm, true);
		bad += lint_quizzes(l, o, vm, true);
	}
	vm_free(vm);
	return bad;
}

int lint_lesson(struct lesson *l, const struct lint_opts *o)
{
	int bad = 0;

	if (vm_state(o->vm) != VM_READY && vm_start(o->vm))
		return problem(o, l, "cannot start the lab VM: %s", vm_error(o->vm));
	if (load_module(o, o->vm, l, true))
		return 1;
	bad += lint_views(l, o, o->vm, false);
	bad += lint_quizzes(l, o, o->vm, false);
	if (vm_state(o->vm) == VM_READY)
		bad += load_module(o, o->vm, l, false);
	bad += lint_iommu(l, o);
	if (l->exercise)
		bad += lint_exercise(l, o);
	if (!bad)
		note(o, l, "clean");
	return bad;
}
