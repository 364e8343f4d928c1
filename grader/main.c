// SPDX-License-Identifier: MIT
/*
 * main.c - `addrlab-grade`: grades submissions with the lessons' checks in
 * the lab VM, one or a whole class, and self-tests lessons.  Option
 * parsing and presentation only; the work is in the grader library
 * (lesson.h, check.h, report.h, gradebook.h, lint.h) and vm.h.
 */
#define _GNU_SOURCE
#include "check.h"
#include "clean.h"
#include "exercise.h"
#include "gradebook.h"
#include "lesson.h"
#include "lint.h"
#include "paths.h"
#include "report.h"
#include "sandbox.h"
#include "vm.h"
#include "workdir.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_FAILED	1	/* graded: some check did not pass (lint: problems) */
#define EXIT_USAGE	2
#define EXIT_GRADER	3	/* could not grade: no lab VM, broken lessons... */

static const char usage[] =
	"usage: addrlab-grade [OPTIONS] DIR                 grade one submission\n"
	"       addrlab-grade batch [-j N] --out DIR [OPTIONS] SUBMISSION...\n"
	"       addrlab-grade lint [-v] [-j N] [LESSON...]   self-test the lessons\n"
	"       addrlab-grade skeleton OUTDIR                write every exercise's skeleton\n"
	"\n"
	"Grades a submission (a folder with the exercise's files) with the checks of\n"
	"its lesson, building it in a sandbox and running it in a fresh lab VM.\n"
	"\n"
	"options:\n"
	"  --exercise EX   the exercise (default: the one whose files DIR holds)\n"
	"  --format F      text (default), json, junit or gradescope\n"
	"  --output FILE   write the report there instead of to stdout\n"
	"  --lang L        en (default) or ko, for check titles\n"
	"  --sandbox S     where builds run: auto (default: the strongest that works),\n"
	"                  bwrap, bwrap-noproc, landlock, or none (only where each\n"
	"                  submission already runs in a container of its own)\n"
	"\n"
	"batch grades many submissions in N parallel lab VMs (default 2) into\n"
	"DIR/gradebook.sqlite and DIR/grades.csv; run it again to resume: graded\n"
	"submissions are kept, the rest are graded.  lint checks that every lesson\n"
	"loads, its live views and quiz answers work, its reference solution scores\n"
	"full marks and so does every alternative solution, its skeleton does not,\n"
	"and every mutant (each of a listed class of bug) is rejected by the check\n"
	"it names.\n"
	"\n"
	"exit status: 0 every check passed; 1 some check failed (lint: problems\n"
	"found); 2 bad command line; 3 could not grade: some check could not be\n"
	"graded for a reason of ours (the build sandbox, the lab VM, a broken\n"
	"lesson), never scored as the submission's (batch: some submission is not\n"
	"graded yet; run it again).\n"
	"ADDRLAB_LESSONS and ADDRLAB_EXERCISES override where lessons and exercises are;\n"
	"ADDRLAB_SANDBOX is the default for --sandbox; ADDRLAB_CACHE_DIR keeps the lab\n"
	"VM's snapshots and the Kbuild lines recorded at an exercise's first build\n"
	"(ADDRLAB_KBUILD=make runs make for every build instead).\n";

static int die(int status, const char *f, ...)
{
	va_list ap;

	fputs("addrlab-grade: ", stderr);
	va_start(ap, f);
	vfprintf(stderr, f, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

struct opts {
	const char *exercise, *output, *out_dir;
	enum report_format format;
	enum lang lang;
	const char *sandbox;	/* NULL: ADDRLAB_SANDBOX, or auto */
	int jobs;
	bool verbose;
	char **args;		/* positional arguments */
	int nargs;
};

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
			     (batch && !strcmp(a, "--out")) ||
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

/* Everything grading needs, found once. */
struct env {
	struct lesson **ls;
	int n;
	char *errors;		/* lessons that did not load, one line each */
	char *lessons_dir, *exercises_dir, *include, *kver;
};

static int env_load(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->lessons_dir = addrlab_path("lessons");
	e->exercises_dir = addrlab_path("exercises");
	e->include = addrlab_path("include");
	e->kver = addrlab_kver();
	e->n = lesson_load_all(e->lessons_dir, &e->ls, &e->errors);
	if (e->n < 0)
		return die(EXIT_GRADER, "%.*s", (int)strcspn(e->errors, "\n"), e->errors);
	if (!e->kver)
		return die(EXIT_GRADER, "no guest image in '%s'; run 'make' first",
			   vm_default_guest_dir());
	return 0;
}

static void env_free(struct env *e)
{
	lesson_free_all(e->ls, e->n > 0 ? e->n : 0);
	free(e->errors);
	free(e->lessons_dir);
	free(e->exercises_dir);
	free(e->include);
	free(e->kver);
}

/* The lesson whose exercise is `id`, or the only one whose files are all in dir. */
static struct lesson *pick(const struct env *env, const char *id,
			   const char *dir, char *err, size_t errlen)
{
	struct lesson *found = NULL;
	char *names = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&names, &len);
	int matches = 0;

	for (int i = 0; i < env->n; i++) {
		struct lesson_exercise *e = env->ls[i]->exercise;
		bool all = true;

		if (!e)
			continue;
		if (f)
			fprintf(f, "%s%s", ftell(f) ? ", " : "", e->id);
		if (id) {
			if (!strcmp(e->id, id))
				found = env->ls[i];
			continue;
		}
		for (size_t k = 0; k < e->nfiles && all; k++) {
			char p[4096];

			snprintf(p, sizeof(p), "%s/%s", dir, e->files[k]);
			all = access(p, R_OK) == 0;
		}
		if (all) {
			found = env->ls[i];
			matches++;
		}
	}
	if (f)
		fclose(f);
	if (id && !found)
		snprintf(err, errlen, "no exercise '%s'; the exercises are: %s", id,
			 names && *names ? names : "(none)");
	else if (!id && matches != 1)
		snprintf(err, errlen, "cannot tell which exercise '%s' is for; name it with --exercise (one of: %s)",
			 dir, names && *names ? names : "(none)");
	free(names);
	return found && (id || matches == 1) ? found : NULL;
}

static void progress(void *ctx, const struct check_result *r)
{
	(void)ctx;
	fprintf(stderr, "  %-5s %s\n", r->outcome == CHECK_PASS ? "pass" :
		r->outcome == CHECK_FAIL ? "FAIL" : "ERROR", r->title);
}

/* A work folder is ours to remove; if that fails, say where it is. */
static void remove_work(const char *dir)
{
	if (remove_tree(dir))
		fprintf(stderr, "addrlab-grade: could not remove '%s'\n", dir);
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

/* ---- batch ---- */

struct name_buf {
	char s[4096];
};

/* The gradebook's name for a submission: its folder's own name. */
#define sub_name(path) sub_name_in((path), &(struct name_buf){ 0 })

static const char *sub_name_in(const char *path, struct name_buf *nb)
{
	char *buf = nb->s;
	size_t n;
	const char *slash;

	snprintf(buf, sizeof(nb->s), "%s", path);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	slash = strrchr(buf, '/');
	return slash ? slash + 1 : buf;
}

/*
 * A worker: its own lab VM and work folder; takes submission indexes from
 * the shared job pipe (4-byte records, atomic), grades each, records it in
 * the gradebook in one transaction, and reports a line on the result pipe.
 */
/* The first reason a check of g could not be graded. */
static const char *first_ungraded(const struct grade *g)
{
	for (size_t i = 0; i < g->nresults; i++)
		if (g->results[i].outcome == CHECK_ERROR)
			return g->results[i].message;
	return "?";
}

/*
 * A worker's line for the parent: "IDX WHAT WHY\n", WHY made one line of
 * valid UTF-8 and cut (on a character) to fit, so that the line always
 * ends in its newline.  The length written.
 */
static int result_line(char *line, size_t size, int idx, const char *what,
		       const char *why)
{
	int n = snprintf(line, size, "%d %s", idx, what);
	char *clean = clean_text(why, strlen(why), size - (size_t)n - 2, true);

	n += snprintf(line + n, size - (size_t)n, "%s\n", clean ? clean : "out of memory");
	free(clean);
	return n;
}

/*
 * The batch's work list, shared by the workers: each takes the next index
 * with one atomic add, so no pipe has to hold the whole list (a pipe holds
 * 16,384 indexes; a class past that deadlocked on it).
 */
struct work_list {
	int next;		/* in shared memory */
	int n;
	int idx[];		/* into o->args */
};

static int worker(struct opts *o, struct env *env, const char *db_path,
		  struct work_list *wl, int results_fd)
{
	char work[4096], err[1024];
	struct gradebook *gb;
	struct vm *vm;
	int k;

	if (work_dir_make(work, sizeof(work), "batch") ||
	    gradebook_open(db_path, &gb, err, sizeof(err)))
		return EXIT_GRADER;
	vm = vm_new(NULL);
	while (vm && (k = __atomic_fetch_add(&wl->next, 1, __ATOMIC_SEQ_CST)) < wl->n) {
		int idx = wl->idx[k];
		const char *path = o->args[idx], *name = sub_name(path);
		struct lesson *l = pick(env, o->exercise, path, err, sizeof(err));
		struct grade g = { 0 };
		char line[512];
		int n;

		if (!l) {
			gradebook_record(gb, name, o->exercise ? o->exercise : "?", NULL, err);
			n = result_line(line, sizeof(line), idx, "error ", err);
		} else {
			struct grade_opts go = {
				.submission = path, .work_dir = work, .kver = env->kver,
				.include_dir = env->include, .lang = o->lang, .vm = vm,
				.fresh_vm = true,
			};

			if (grade_exercise(l, &go, &g, err, sizeof(err))) {
				/* Ours (no exercise, out of memory): not graded. */
				gradebook_record(gb, name, l->exercise->id, NULL, err);
				n = result_line(line, sizeof(line), idx, "could not grade: ", err);
			} else if (gradebook_record(gb, name, l->exercise->id, &g, NULL)) {
				n = result_line(line, sizeof(line), idx, "error ",
						gradebook_error(gb));
			} else if (g.ungraded) {
				n = result_line(line, sizeof(line), idx, "could not grade: ",
						first_ungraded(&g));
			} else {
				n = snprintf(line, sizeof(line), "%d %u/%u %.1f s\n", idx,
					     g.score, g.max_score, g.elapsed_ms / 1000.0);
			}
			grade_free(&g);
		}
		/* Lines stay under PIPE_BUF: one write is one whole line. */
		if (write(results_fd, line, (size_t)(n < (int)sizeof(line) ? n : (int)sizeof(line) - 1)) < 0)
			break;
	}
	vm_free(vm);
	gradebook_close(gb);
	remove_work(work);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	int c = strcmp(sub_name(*x), sub_name(*y));

	return c ? c : strcmp(*x, *y);
}

/* Two different folders of one name would share a gradebook row: said,
 * and true returned.  Sorted, not compared pairwise: a class of 17,000
 * took 20 s of strcmp. */
static bool same_names(const struct opts *o)
{
	char **v = malloc((size_t)o->nargs * sizeof(*v));
	bool same = false;

	if (!v)
		return die(EXIT_GRADER, "out of memory"), true;
	memcpy(v, o->args, (size_t)o->nargs * sizeof(*v));
	qsort(v, (size_t)o->nargs, sizeof(*v), by_name);
	for (int i = 1; i < o->nargs && !same; i++)
		if (!strcmp(sub_name(v[i - 1]), sub_name(v[i])) && strcmp(v[i - 1], v[i])) {
			die(EXIT_USAGE, "two submissions are named '%s' ('%s' and '%s'); the gradebook keys them by folder name",
			    sub_name(v[i]), v[i - 1], v[i]);
			same = true;
		}
	free(v);
	return same;
}

static int batch(struct opts *o)
{
	char db_path[4096], csv_path[4096], err[1024];
	int results[2], todo = 0, done = 0, left = 0, workers;
	struct work_list *wl;
	size_t wl_size;
	pid_t parent = getpid();
	struct gradebook *gb;
	struct env env;
	pid_t *pids;
	FILE *rf;
	char line[1024];
	int rc;

	if (!o->out_dir)
		return die(EXIT_USAGE, "batch needs --out DIR (where gradebook.sqlite and grades.csv go)");
	if (!o->nargs)
		return die(EXIT_USAGE, "batch needs submission folders: addrlab-grade batch --out DIR SUBMISSION...");
	for (int i = 0; i < o->nargs; i++) {
		struct stat st;

		if (stat(o->args[i], &st) || !S_ISDIR(st.st_mode))
			return die(EXIT_USAGE, "'%s' is not a folder", o->args[i]);
	}
	if (same_names(o))
		return EXIT_USAGE;
	if (mkdir(o->out_dir, 0755) && errno != EEXIST)
		return die(EXIT_USAGE, "cannot make '%s': %s", o->out_dir, strerror(errno));
	snprintf(db_path, sizeof(db_path), "%s/gradebook.sqlite", o->out_dir);
	snprintf(csv_path, sizeof(csv_path), "%s/grades.csv", o->out_dir);
	rc = env_load(&env);
	if (rc) {
		env_free(&env);
		return rc;
	}
	if (gradebook_open(db_path, &gb, err, sizeof(err))) {
		env_free(&env);
		return die(EXIT_GRADER, "%s", err);
	}
	wl_size = sizeof(*wl) + (size_t)o->nargs * sizeof(int);
	wl = mmap(NULL, wl_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (wl == MAP_FAILED || pipe2(results, O_CLOEXEC)) {
		gradebook_close(gb);
		env_free(&env);
		return die(EXIT_GRADER, "cannot share the work list: %s", strerror(errno));
	}
	/* Resume: what the gradebook holds is done. */
	wl->next = 0;
	for (int i = 0; i < o->nargs; i++)
		if (!gradebook_has(gb, sub_name(o->args[i])))
			wl->idx[todo++] = i;
	wl->n = todo;
	/* No SQLite connection crosses a fork: the workers open their own,
	 * and this one is opened again for the export. */
	gradebook_close(gb);
	gb = NULL;
	fprintf(stderr, "addrlab-grade: %d submission%s to grade, %d already in %s\n",
		todo, todo == 1 ? "" : "s", o->nargs - todo, db_path);
	workers = o->jobs ? o->jobs : 2;
	if (workers > todo)
		workers = todo;
	pids = calloc((size_t)workers + 1, sizeof(*pids));
	for (int w = 0; pids && w < workers; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			/* A grader killed outright takes its workers along
			 * (and they their QEMUs): none grades on unseen, or
			 * records what the resumed batch grades again. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(EXIT_GRADER);
			close(results[0]);
			_exit(worker(o, &env, db_path, wl, results[1]));
		}
	}
	close(results[1]);
	rf = fdopen(results[0], "r");
	while (rf && fgets(line, sizeof(line), rf)) {
		int idx = atoi(line);
		const char *what = strchr(line, ' ');

		done++;
		fprintf(stderr, "[%d/%d] %s:%s", done, todo,
			idx >= 0 && idx < o->nargs ? sub_name(o->args[idx]) : "?",
			what ? what : "\n");
	}
	if (rf)
		fclose(rf);
	for (int w = 0; pids && w < workers; w++)
		waitpid(pids[w], NULL, 0);
	free(pids);
	munmap(wl, wl_size);
	if (gradebook_open(db_path, &gb, err, sizeof(err))) {
		env_free(&env);
		return die(EXIT_GRADER, "%s", err);
	}
	rc = 0;
	if (gradebook_export_csv(gb, csv_path))
		rc = die(EXIT_GRADER, "%s", gradebook_error(gb));
	else
		fprintf(stderr, "addrlab-grade: %d done now, %d graded in the gradebook; %s written\n",
			done, gradebook_count(gb), csv_path);
	for (int i = 0; i < o->nargs; i++)
		left += !gradebook_has(gb, sub_name(o->args[i]));
	if (!rc && done < todo)
		rc = die(EXIT_GRADER, "%d submission%s not graded (a worker died); run again to finish",
			 todo - done, todo - done == 1 ? " was" : "s were");
	else if (!rc && left)
		rc = die(EXIT_GRADER, "%d submission%s not graded; run again to grade %s",
			 left, left == 1 ? " is" : "s are", left == 1 ? "it" : "them");
	gradebook_close(gb);
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
	char work[4096];
	struct vm *vm = vm_new(NULL);
	int problems;

	if (!vm || work_dir_make(work, sizeof(work), "lint")) {
		vm_free(vm);
		fprintf(out, "lint: %s: out of memory, or no /tmp\n", l->dir);
		return 1;
	}
	{
		struct lint_opts lo = {
			.exercises_dir = env->exercises_dir, .include_dir = env->include,
			.kver = env->kver, .work_dir = work, .vm = vm, .out = out,
			.verbose = o->verbose,
		};

		problems = lint_lesson(l, &lo);
	}
	vm_free(vm);
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
		char sol[4096], out[4096], err[1024];
		int steps;

		if (!e)
			continue;
		snprintf(sol, sizeof(sol), "%s/%s/solution", env.exercises_dir, e->id);
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
	bool is_skel = !strcmp(cmd, "skeleton");
	int first = is_batch || is_lint || is_skel ? 2 : 1;
	int rc;

	char **names = NULL, **args;
	int nargs = argc - first;

	signal(SIGPIPE, SIG_IGN);
	args = split_equals(&nargs, argv + first, &names);
	rc = args ? parse(nargs, args, &o, is_batch, is_lint) : die(EXIT_GRADER, "out of memory");
	if (rc)
		goto out;
	if (!is_skel && o.sandbox) {
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
