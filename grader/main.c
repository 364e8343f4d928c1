// SPDX-License-Identifier: MIT
/*
 * main.c - `addrlab-grade`: grades submissions with the lessons' checks in
 * the lab VM, one or a whole class (batch.c), and self-tests lessons.
 * Option parsing and presentation only; the work is in the grader library
 * (lesson.h, check.h, report.h, gradebook.h, lint.h) and vm.h.
 */
#define _GNU_SOURCE
#include "cli.h"

#include "check.h"
#include "exercise.h"
#include "lesson.h"
#include "lint.h"
#include "paths.h"
#include "report.h"
#include "sandbox.h"
#include "vm.h"
#include "workdir.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage[] =
	"usage: addrlab-grade [OPTIONS] DIR                 grade one submission\n"
	"       addrlab-grade batch [-j N] [--shard I/N] --out DIR [OPTIONS] SUBMISSION...\n"
	"       addrlab-grade merge OUT GRADEBOOK...         one gradebook of shards'\n"
	"       addrlab-grade lint [-v] [-j N] [LESSON...]   self-test the lessons\n"
	"       addrlab-grade skeleton OUTDIR                write every exercise's skeleton\n"
	"       addrlab-grade new lesson NAME | new exercise ID   start one from a template\n"
	"       addrlab-grade gradescope-bundle EXERCISE [--out FILE]   Gradescope's zip\n"
	"\n"
	"Grades a submission (a folder with the exercise's files) with the checks of\n"
	"its lesson, building it in a sandbox and running it in a fresh lab VM.\n"
	"\n"
	"options:\n"
	"  --exercise EX   the exercise (default: the one whose files DIR holds)\n"
	"  --format F      text (default), json, junit, gradescope or markdown\n"
	"  --output FILE   write the report there instead of to stdout\n"
	"  --lang L        en (default) or ko, for check titles\n"
	"  --sandbox S     where builds run: auto (default: the strongest that works),\n"
	"                  bwrap, bwrap-noproc, landlock, or none (only where each\n"
	"                  submission already runs in a container of its own)\n"
	"\n"
	"batch grades many submissions in N parallel lab VMs (default 2) into\n"
	"DIR/gradebook.sqlite and DIR/grades.csv; run it again to resume: graded\n"
	"submissions are kept, the rest are graded.  With --shard I/N it grades only\n"
	"the I-th of N slices of the class (by a hash of each folder's name, the\n"
	"same on every machine), so N machines can share a class; merge then puts\n"
	"their gradebooks (each a batch's --out folder or its gradebook.sqlite)\n"
	"into OUT/gradebook.sqlite and writes OUT/grades.csv: of two records of a\n"
	"submission the newer grade wins, and a grade always beats a submission\n"
	"that could not be graded.\n"
	"\n"
	"lint checks that every lesson loads, its live views and quiz answers work,\n"
	"its reference solution scores full marks and so does every alternative\n"
	"solution, its skeleton does not, and every mutant (each of a listed class\n"
	"of bug) is rejected by the check it names.\n"
	"\n"
	"new writes a lesson or an exercise to start from, which lint clean as they\n"
	"are (addrlab-grade new --help says more).\n"
	"\n"
	"exit status: 0 every check passed; 1 some check failed (lint: problems\n"
	"found); 2 bad command line; 3 could not grade: some check could not be\n"
	"graded for a reason of ours (the build sandbox, the lab VM, a broken\n"
	"lesson), never scored as the submission's (batch, merge: some submission is\n"
	"not graded yet; grade it again).\n"
	"ADDRLAB_LESSONS and ADDRLAB_EXERCISES override where lessons and exercises are\n"
	"(ADDRLAB_LESSONS=public:private: later folders add lessons, and checks to the\n"
	"lessons of earlier ones, e.g. hidden checks the students' copy lacks;\n"
	"ADDRLAB_EXERCISES=a:b: an exercise comes from the first folder that has it);\n"
	"ADDRLAB_SANDBOX is the default for --sandbox; ADDRLAB_CACHE_DIR keeps the lab\n"
	"VM's snapshots and the Kbuild lines recorded at an exercise's first build\n"
	"(ADDRLAB_KBUILD=make runs make for every build instead).\n";

/* argv with every "--name=value" as "--name" "value" (names strndup'd, in
 * a list of their own to free); NULL when out of memory. */
static char **split_equals(int *argc, char **argv, char ***names)
{
	char **out = calloc((size_t)*argc * 2 + 1, sizeof(*out));
	int n = 0, k = 0;

	*names = calloc((size_t)*argc + 1, sizeof(**names));
	if (!out || !*names) {
		free(out);
		return NULL;
	}
	for (int i = 0; i < *argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!strncmp(argv[i], "--", 2) && eq && eq > argv[i] + 2 &&
		    ((*names)[k] = strndup(argv[i], (size_t)(eq - argv[i])))) {
			out[n++] = (*names)[k++];
			out[n++] = eq + 1;
		} else {
			out[n++] = argv[i];
		}
	}
	*argc = n;
	return out;
}

/* Parses options anywhere among the arguments; 0 or an exit status. */
static int parse(int argc, char **argv, struct opts *o, bool batch, bool lint)
{
	o->args = calloc((size_t)argc + 1, sizeof(*o->args));
	if (!o->args)
		return EXIT_GRADER;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool takes = !strcmp(a, "--exercise") || !strcmp(a, "--format") ||
			     !strcmp(a, "--output") || !strcmp(a, "--lang") ||
			     !strcmp(a, "--sandbox") ||
			     (batch && (!strcmp(a, "--out") || !strcmp(a, "--shard"))) ||
			     ((batch || lint) && !strcmp(a, "-j"));

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			exit(0);
		}
		if (lint && !strcmp(a, "-v")) {
			o->verbose = true;
			continue;
		}
		if (!takes) {
			if (a[0] == '-' && a[1])
				return die(EXIT_USAGE, "unknown option '%s'; see --help", a);
			o->args[o->nargs++] = argv[i];
			continue;
		}
		if (i + 1 >= argc)
			return die(EXIT_USAGE, "'%s' needs a value; see --help", a);
		a = argv[++i];
		if (!strcmp(argv[i - 1], "--exercise")) {
			o->exercise = a;
		} else if (!strcmp(argv[i - 1], "--output")) {
			o->output = a;
		} else if (!strcmp(argv[i - 1], "--sandbox")) {
			if (sandbox_parse(a) < 0)
				return die(EXIT_USAGE, "unknown sandbox '%s'; use auto, bwrap, bwrap-noproc, landlock or none", a);
			o->sandbox = a;
		} else if (!strcmp(argv[i - 1], "--out")) {
			o->out_dir = a;
		} else if (!strcmp(argv[i - 1], "--shard")) {
			unsigned k, n;
			int end = 0;

			if (sscanf(a, "%u/%u%n", &k, &n, &end) != 2 || a[end] || n < 1 ||
			    n > 100000 || k < 1 || k > n)
				return die(EXIT_USAGE, "'--shard %s': I/N, the I-th of N slices, 1 <= I <= N (e.g. 2/4)", a);
			o->shard = k;
			o->shards = n;
		} else if (!strcmp(argv[i - 1], "-j")) {
			char *end;
			long n = strtol(a, &end, 10);

			if (*end || n < 1 || n > 64)
				return die(EXIT_USAGE, "'-j %s': the number of parallel VMs, 1 to 64", a);
			o->jobs = (int)n;
		} else if (!strcmp(argv[i - 1], "--format")) {
			int f = report_format_parse(a);

			if (f < 0)
				return die(EXIT_USAGE, "unknown format '%s'; use %s", a,
					   report_format_list());
			o->format = (enum report_format)f;
		} else {
			int l = lang_parse(a);

			if (l < 0)
				return die(EXIT_USAGE, "unknown language '%s'; use en or ko", a);
			o->lang = (enum lang)l;
		}
	}
	return 0;
}

static void progress(void *ctx, const struct check_result *r)
{
	(void)ctx;
	fprintf(stderr, "  %-5s %s\n", r->outcome == CHECK_PASS ? "pass" :
		r->outcome == CHECK_FAIL ? "FAIL" : "ERROR", r->title);
}

static int grade_one(struct opts *o)
{
	char err[1024], work[4096];
	struct env env;
	struct lesson *l;
	struct grade g;
	struct stat st;
	struct vm *vm;
	FILE *out = stdout;
	int rc;

	if (o->nargs != 1)
		return die(EXIT_USAGE, o->nargs ? "one submission folder at a time; for many, use 'addrlab-grade batch'" :
			   "which submission? addrlab-grade [OPTIONS] DIR");
	if (stat(o->args[0], &st) || !S_ISDIR(st.st_mode))
		return die(EXIT_USAGE, "'%s' is not a folder", o->args[0]);
	rc = env_load(&env);
	if (rc)
		goto out_env;
	l = pick(&env, o->exercise, o->args[0], err, sizeof(err));
	if (!l) {
		rc = die(EXIT_USAGE, "%s", err);
		goto out_env;
	}
	if (o->output && !(out = fopen(o->output, "w"))) {
		rc = die(EXIT_USAGE, "cannot write '%s': %s", o->output, strerror(errno));
		goto out_env;
	}
	if (work_dir_make(work, sizeof(work), "grade")) {
		rc = die(EXIT_GRADER, "cannot make a work folder in $TMPDIR or /tmp: %s", strerror(errno));
		goto out_file;
	}
	vm = vm_new(NULL);
	{
		struct grade_opts go = {
			.submission = o->args[0], .work_dir = work, .kver = env.kver,
			.include_dir = env.include, .lang = o->lang, .vm = vm,
			.fresh_vm = true,
			.on_result = isatty(STDERR_FILENO) ? progress : NULL,
		};

		if (!vm || grade_exercise(l, &go, &g, err, sizeof(err))) {
			rc = die(EXIT_GRADER, "%s", vm ? err : "out of memory");
		} else {
			rc = report_write(out, o->format, &g, o->args[0]) ?
			     die(EXIT_GRADER, "cannot write the report") :
			     g.ungraded ? die(EXIT_GRADER, "%u check%s could not be graded (the grader's "
					      "failure, not the submission's); grade it again later",
					      g.ungraded, g.ungraded == 1 ? "" : "s") :
			     g.score == g.max_score ? 0 : EXIT_FAILED;
			grade_free(&g);
		}
	}
	vm_free(vm);
	remove_work(work);
out_file:
	if (out != stdout)
		fclose(out);
out_env:
	env_free(&env);
	return rc;
}

/* ---- lint and skeleton ---- */

static bool wanted(const struct lesson *l, const struct opts *o)
{
	if (!o->nargs)
		return true;
	for (int i = 0; i < o->nargs; i++)
		if (!strcmp(o->args[i], l->id) || !strcmp(sub_name(l->dir), sub_name(o->args[i])))
			return true;
	return false;
}

/* Lints one lesson in its own lab VM and work folder; output to out. */
static int lint_one(struct env *env, struct lesson *l, struct opts *o, FILE *out)
{
	char work[4096], *ex_root = exercise_root(env->exercises_dir,
						   l->exercise ? l->exercise->id : "");
	struct vm *vm = ex_root ? vm_new(NULL) : NULL;
	int problems;

	if (!vm || work_dir_make(work, sizeof(work), "lint")) {
		vm_free(vm);
		free(ex_root);
		fprintf(out, "lint: %s: out of memory, or no /tmp\n", l->dir);
		return 1;
	}
	{
		struct lint_opts lo = {
			.exercises_dir = ex_root, .include_dir = env->include,
			.kver = env->kver, .work_dir = work, .vm = vm, .out = out,
			.verbose = o->verbose,
		};

		problems = lint_lesson(l, &lo);
	}
	vm_free(vm);
	free(ex_root);
	remove_work(work);
	return problems;
}

/*
 * With -j N, N lessons at a time, each in a child process with its own VM;
 * their reports are kept in files and printed in lesson order.
 */
static int lint_parallel(struct env *env, struct opts *o, int *linted)
{
	int n = env->n, next = 0, running = 0, problems = 0;
	pid_t *pid = calloc((size_t)n + 1, sizeof(*pid));
	FILE **outs = calloc((size_t)n + 1, sizeof(*outs));

	if (!pid || !outs) {
		free(pid);
		free(outs);
		return 1;
	}
	while (next < n || running) {
		int st;
		pid_t done;

		if (next < n && running < o->jobs) {
			int i = next++;

			if (!wanted(env->ls[i], o))
				continue;
			outs[i] = tmpfile();
			fflush(stdout);
			pid[i] = outs[i] ? fork() : -1;
			if (pid[i] == 0) {
				int p = lint_one(env, env->ls[i], o, outs[i]);

				fflush(outs[i]);
				_exit(p > 250 ? 250 : p);
			}
			if (pid[i] < 0)
				problems++;
			else
				running++;
			(*linted)++;
			continue;
		}
		done = wait(&st);
		if (done < 0)
			break;
		running--;
		for (int i = 0; i < n; i++)
			if (pid[i] == done)
				problems += WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	for (int i = 0; i < n; i++) {
		char buf[4096];
		size_t got;

		if (!outs[i])
			continue;
		rewind(outs[i]);
		while ((got = fread(buf, 1, sizeof(buf), outs[i])) > 0)
			fwrite(buf, 1, got, stdout);
		fclose(outs[i]);
	}
	free(pid);
	free(outs);
	return problems;
}

static int lint(struct opts *o)
{
	int problems = 0, linted = 0;
	struct env env;
	int rc = env_load(&env);

	if (rc) {
		env_free(&env);
		return rc;
	}
	/* Lessons that do not even load are problems too. */
	for (const char *p = env.errors; p && *p; p = strchrnul(p, '\n'), p += *p != 0) {
		fprintf(stdout, "lint: %.*s\n", (int)strcspn(p, "\n"), p);
		problems++;
	}
	if (o->jobs > 1) {
		problems += lint_parallel(&env, o, &linted);
	} else {
		for (int i = 0; i < env.n; i++) {
			if (!wanted(env.ls[i], o))
				continue;
			problems += lint_one(&env, env.ls[i], o, stdout);
			linted++;
		}
	}
	printf("lint: %d lesson%s, %d problem%s\n", linted, linted == 1 ? "" : "s",
	       problems, problems == 1 ? "" : "s");
	env_free(&env);
	if (o->nargs && !linted)
		return die(EXIT_USAGE, "no lesson is named '%s'", o->args[0]);
	return problems ? EXIT_FAILED : 0;
}

/* Writes OUT/ID/FILE for every exercise: what a student starts from. */
static int skeleton(struct opts *o)
{
	struct env env;
	int rc;

	if (o->nargs != 1)
		return die(EXIT_USAGE, "usage: addrlab-grade skeleton OUTDIR");
	rc = env_load(&env);
	if (rc) {
		env_free(&env);
		return rc;
	}
	if (mkdir(o->args[0], 0755) && errno != EEXIST)
		rc = die(EXIT_USAGE, "cannot make '%s': %s", o->args[0], strerror(errno));
	for (int i = 0; !rc && i < env.n; i++) {
		struct lesson_exercise *e = env.ls[i]->exercise;
		char sol[4096], out[4096], err[1024], *root;
		int steps;

		if (!e)
			continue;
		root = exercise_root(env.exercises_dir, e->id);
		snprintf(sol, sizeof(sol), "%s/%s/solution", root ? root : "?", e->id);
		free(root);
		snprintf(out, sizeof(out), "%s/%s", o->args[0], e->id);
		if (skeleton_generate(e, sol, out, &steps, err, sizeof(err)))
			rc = die(EXIT_FAILED, "%s", err);
	}
	env_free(&env);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { .format = REPORT_TEXT, .lang = LANG_EN };
	const char *cmd = argc > 1 ? argv[1] : "";
	bool is_batch = !strcmp(cmd, "batch"), is_lint = !strcmp(cmd, "lint");
	bool is_skel = !strcmp(cmd, "skeleton"), is_merge = !strcmp(cmd, "merge");
	int first = is_batch || is_lint || is_skel || is_merge ? 2 : 1;
	int rc;

	char **names = NULL, **args;
	int nargs = argc - first;

	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(cmd, "new"))
		return new_main(argc - 2, argv + 2);
	if (!strcmp(cmd, "gradescope-bundle"))
		return bundle_main(argc - 2, argv + 2);
	args = split_equals(&nargs, argv + first, &names);
	rc = args ? parse(nargs, args, &o, is_batch, is_lint) : die(EXIT_GRADER, "out of memory");
	if (rc)
		goto out;
	if (!is_skel && !is_merge && o.sandbox) {
		char err[2048];

		/* The operator's word, tried once; auto is probed on first use. */
		if (sandbox_choose((enum sandbox_kind)sandbox_parse(o.sandbox), err, sizeof(err))) {
			rc = die(EXIT_GRADER, "%s", err);
			goto out;
		}
	}
	if (is_batch)
		rc = batch(&o);
	else if (is_lint)
		rc = lint(&o);
	else if (is_skel)
		rc = skeleton(&o);
	else if (is_merge)
		rc = merge(&o);
	else
		rc = grade_one(&o);
out:
	for (int i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
	free(args);
	free(o.args);
	return rc;
}
