// SPDX-License-Identifier: MIT
/*
 * cmd_ex.c - `addrlab list | check | hint | reset | watch`: the workbook's
 * exercise flow as plain lines, for scripts and screen readers.  Option
 * parsing and presentation only: lessons are lesson.h, grading check.h,
 * the learner's files workspace.h, the record progress.h.
 */
#define _GNU_SOURCE
#include "check.h"
#include "exercise.h"
#include "cli.h"
#include "lesson.h"
#include "paths.h"
#include "progress.h"
#include "report.h"
#include "vm.h"
#include "workspace.h"
#include "workdir.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EX_STATUS \
	"exit status: 0 success (check: every check passed); 1 some check failed,\n" \
	"or the command could not be carried out (the message says why); 2 bad\n" \
	"command line or unknown exercise; 3 some check could not be run, for a\n" \
	"reason of the lab's and not your code's (the build sandbox, the lab VM,\n" \
	"a broken lesson): nothing is recorded, try again; 125 (watch) the lab VM\n" \
	"failed to boot before the first check.\n"
#define EX_OPTIONS \
	"options:\n" \
	"  --lang en|ko   the language of titles and hints (default: the workbook's\n" \
	"                 setting, else en)\n"

/* Everything a subcommand needs, found once. */
struct ex_env {
	struct lesson **ls;
	int n;
	char *lessons_dir, *exercises_dir, *include, *root;
	struct progress *prog;
	enum lang lang;
};

struct subcommand {
	const char *name;
	bool takes_exercise;
	int (*run)(struct ex_env *env, struct lesson *l);
	const char *help;
};

/* ---- list ---- */

static void print_status(struct ex_env *env, const struct lesson_exercise *e)
{
	struct progress_exercise pe;
	char *dir = workspace_dir(env->root, e->id);

	printf("  exercise %s: ", e->id);
	if (progress_exercise(env->prog, e->id, &pe))
		printf("progress unknown (%s)", progress_error(env->prog));
	else if (pe.done)
		printf("done, best %u/%u after %u attempt%s", pe.best_score, pe.max_score,
		       pe.attempts, pe.attempts == 1 ? "" : "s");
	else if (pe.attempts)
		printf("%u attempt%s, best %u/%u", pe.attempts, pe.attempts == 1 ? "" : "s",
		       pe.best_score, pe.max_score);
	else
		printf("not started");
	printf("; work in %s\n", dir ? dir : "?");
	free(dir);
}

static int run_list(struct ex_env *env, struct lesson *unused)
{
	(void)unused;
	for (int i = 0; i < env->n; i++) {
		const struct lesson *l = env->ls[i];
		unsigned int right = 0;

		for (size_t q = 0; q < l->nquizzes; q++) {
			char *answer = NULL;
			bool correct = false;

			if (progress_quiz(env->prog, l->id, l->quizzes[q].id, &answer,
					  &correct) == 0 && correct)
				right++;
			free(answer);
		}
		printf("chapter %d: %s; ", l->number, ltext_get(&l->title, env->lang));
		if (l->nquizzes)
			printf("quiz %u/%zu right\n", right, l->nquizzes);
		else
			printf("no quiz\n");
		if (l->exercise)
			print_status(env, l->exercise);
	}
	return 0;
}

/* ---- check and watch: grading ---- */

/* Progress as each check ends: one plain line on stderr. */
static void on_result(void *ctx, const struct check_result *r)
{
	(void)ctx;
	fprintf(stderr, "  %-5s %s\n", r->outcome == CHECK_PASS ? "pass" :
		r->outcome == CHECK_FAIL ? "FAIL" : "ERROR", r->title);
}

struct grading {
	char work[4096];
	char *kver, *dir;
	struct vm *vm;
};

static int grading_start(struct ex_env *env, struct lesson *l, struct grading *gr)
{
	char err[1024], work[4096];

	memset(gr, 0, sizeof(*gr));
	gr->kver = addrlab_kver();
	if (!gr->kver)
		return cli_error(EXIT_VM, "no guest image in '%s'; run 'make' first",
				 vm_default_guest_dir());
	if (workspace_ensure(env->root, l->exercise, env->exercises_dir, err, sizeof(err)))
		return cli_error(EXIT_FAILED, "%s", err);
	gr->dir = workspace_dir(env->root, l->exercise->id);
	if (!gr->dir)
		return cli_error(EXIT_FAILED, "out of memory");
	if (work_dir_make(work, sizeof(work), "check"))
		return cli_error(EXIT_FAILED, "cannot make a work folder in $TMPDIR or /tmp: %s",
				 strerror(errno));
	snprintf(gr->work, sizeof(gr->work), "%s", work);
	gr->vm = vm_new(NULL);
	if (!gr->vm)
		return cli_error(EXIT_FAILED, "out of memory");
	return 0;
}

static void grading_end(struct grading *gr)
{
	vm_free(gr->vm);
	if (gr->work[0])
		remove_tree(gr->work);
	free(gr->kver);
	free(gr->dir);
}

/* Grades the workspace once and records the attempt: 0 with *g, or an
 * exit status. */
static int grade_once(struct ex_env *env, struct lesson *l, struct grading *gr,
		      bool verbose, struct grade *g)
{
	char err[1024];
	struct grade_opts go = {
		.submission = gr->dir, .work_dir = gr->work, .kver = gr->kver,
		.include_dir = env->include, .lang = env->lang, .vm = gr->vm,
		.on_result = verbose ? on_result : NULL,
		.visible_only = true,	/* the rest are the grader's */
	};

	/* -1: nothing could be checked (no exercise, out of memory): ours.  A
	 * lab VM that does not boot comes back as checks not run (g->ungraded). */
	if (grade_exercise(l, &go, g, err, sizeof(err)))
		return cli_error(EXIT_NOT_CHECKED, "could not check '%s': %s; nothing was "
				 "recorded", l->exercise->id, err);
	/* The grade stands even if it cannot be saved; say so, though. */
	if (progress_record_grade(env->prog, g))
		cli_error(0, "%s", progress_error(env->prog));
	return 0;
}

static int run_check(struct ex_env *env, struct lesson *l)
{
	struct grading gr;
	struct grade g;
	int rc = grading_start(env, l, &gr);

	if (rc)
		goto out;
	fprintf(stderr, "addrlab: checking '%s' in %s\n", l->exercise->id, gr.dir);
	rc = grade_once(env, l, &gr, true, &g);
	if (rc)
		goto out;
	if (report_write(stdout, REPORT_TEXT, &g, gr.dir) || fflush(stdout))
		rc = cli_error(EXIT_FAILED, "cannot write the report: %s", strerror(errno));
	else if (g.ungraded)
		rc = cli_error(EXIT_NOT_CHECKED, "%u check%s could not be run (the lab's failure, "
			       "not your code's); nothing was recorded: try again", g.ungraded,
			       g.ungraded == 1 ? "" : "s");
	else
		rc = g.score == g.max_score ? 0 : EXIT_FAILED;
	grade_free(&g);
out:
	grading_end(&gr);
	return rc;
}

/* Set by SIGINT/SIGTERM; the byte in the pipe wakes poll(). */
static volatile sig_atomic_t stopping;
static int stop_pipe[2] = { -1, -1 };

static void on_stop(int sig)
{
	int saved = errno;

	(void)sig;
	stopping = 1;
	if (write(stop_pipe[1], "", 1) < 0) {
		/* the flag alone will do */
	}
	errno = saved;
}

static int catch_stop_signals(void)
{
	/* One-shot (SA_RESETHAND): the first ^C ends the session after the
	 * grade under way; a second one ends it at once. */
	struct sigaction sa = { .sa_handler = on_stop, .sa_flags = SA_RESETHAND };

	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK))
		return -1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return 0;
}

static void print_short_report(const struct grade *g)
{
	char when[16];
	time_t t = time(NULL);

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&t));
	if (g->ungraded)
		printf("%s: not checked at %s: %u check%s could not be run (the lab's failure, "
		       "not your code's)\n", g->exercise, when, g->ungraded,
		       g->ungraded == 1 ? "" : "s");
	else
		printf("%s: score %u/%u at %s\n", g->exercise, g->score, g->max_score, when);
	for (size_t i = 0; i < g->nresults; i++) {
		const struct check_result *r = &g->results[i];

		if (r->outcome != CHECK_PASS)
			printf("  %-5s %s: %s\n", r->outcome == CHECK_FAIL ? "FAIL" : "ERROR",
			       r->title, r->message);
	}
	if (!g->ungraded && g->score == g->max_score)
		printf("  every check passed\n");
	if (g->not_run)
		printf("  the grader runs %u more check%s (%u point%s) that only it sees\n",
		       g->not_run, g->not_run == 1 ? "" : "s", g->not_run_points,
		       g->not_run_points == 1 ? "" : "s");
	fflush(stdout);
}

/* Waits for a save (then for the files to settle: editors write in
 * steps); false when asked to stop. */
static bool wait_for_save(struct watch *w)
{
	struct pollfd pfd[2] = {
		{ .fd = stop_pipe[0], .events = POLLIN },
		{ .fd = watch_fd(w), .events = POLLIN },
	};
	nfds_t n = watch_fd(w) >= 0 ? 2 : 1;
	bool saved = false;

	while (!stopping) {
		/* Polling: look once a second; after a save, until quiet. */
		int r = poll(pfd, n, saved ? 200 : n == 2 ? -1 : 1000);

		if (r < 0 && errno != EINTR)
			return false;
		if (stopping)
			break;
		if (watch_changed(w))
			saved = true;
		else if (saved && r == 0)
			return true;
	}
	return false;
}

static int run_watch(struct ex_env *env, struct lesson *l)
{
	struct grading gr;
	struct watch *w = NULL;
	int rc;

	if (catch_stop_signals())
		return cli_error(EXIT_FAILED, "cannot set up signals: %s", strerror(errno));
	rc = grading_start(env, l, &gr);
	if (rc)
		goto out;
	w = watch_open(gr.dir, l->exercise);
	if (!w) {
		rc = cli_error(EXIT_FAILED, "out of memory");
		goto out;
	}
	fprintf(stderr, "addrlab: booting the lab VM...\n");
	if (vm_start(gr.vm)) {
		rc = cli_error(EXIT_VM, "%s", vm_error(gr.vm));
		goto out;
	}
	fprintf(stderr, "addrlab: watching %s (%s); each save is checked; ^C ends\n",
		gr.dir, watch_method(w));
	for (;;) {
		struct grade g;

		rc = grade_once(env, l, &gr, false, &g);
		if (rc)
			break;
		print_short_report(&g);
		grade_free(&g);
		if (!wait_for_save(w))
			break;
		fprintf(stderr, "addrlab: saved; checking again\n");
	}
	if (stopping)
		fprintf(stderr, "addrlab: stopped watching\n");
out:
	watch_close(w);
	grading_end(&gr);
	return rc;
}

/* ---- hint and reset ---- */

static int run_hint(struct ex_env *env, struct lesson *l)
{
	const struct lesson_exercise *e = l->exercise;
	struct progress_exercise pe;
	unsigned int shown;

	if (!e->nhints) {
		printf("exercise %s has no hints\n", e->id);
		return 0;
	}
	if (progress_exercise(env->prog, e->id, &pe))
		return cli_error(EXIT_FAILED, "%s", progress_error(env->prog));
	shown = pe.hints < e->nhints ? pe.hints + 1 : (unsigned int)e->nhints;
	if (shown > pe.hints && progress_reveal_hints(env->prog, e->id, shown))
		return cli_error(EXIT_FAILED, "%s", progress_error(env->prog));
	for (unsigned int i = 0; i < shown; i++)
		printf("hint %u/%zu: %s\n", i + 1, e->nhints, ltext_get(&e->hints[i], env->lang));
	if (shown < e->nhints)
		printf("%zu more: run 'addrlab hint %s' again\n", e->nhints - shown, e->id);
	else
		printf("no more hints\n");
	return 0;
}

static int run_reset(struct ex_env *env, struct lesson *l)
{
	const struct lesson_exercise *e = l->exercise;
	char err[1024], *backup = NULL, *dir = workspace_dir(env->root, e->id);
	bool had_files = false;

	if (!dir)
		return cli_error(EXIT_FAILED, "out of memory");
	for (size_t i = 0; i < e->nfiles; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, e->files[i]);
		had_files |= access(path, F_OK) == 0;
	}
	if (workspace_reset(env->root, e, env->exercises_dir, &backup, err, sizeof(err))) {
		free(dir);
		return cli_error(EXIT_FAILED, "%s", err);
	}
	if (had_files)
		printf("%s has the skeleton again; your files are in %s\n", dir, backup);
	else
		printf("%s has the skeleton; there were no files to keep\n", dir);
	free(dir);
	free(backup);
	if (progress_forget_exercise(env->prog, l->exercise->id))
		return cli_error(EXIT_FAILED, "%s", progress_error(env->prog));
	return 0;
}

/* ---- the table, and the set-up they share ---- */

static const struct subcommand subcommands[] = {
	{ "list", false, run_list,
	  "usage: addrlab list [--lang en|ko]\n"
	  "\n"
	  "Lists every chapter with its quiz score (answers right out of the\n"
	  "questions) and its exercise: status and where its files are.\n" },
	{ "check", true, run_check,
	  "usage: addrlab check [--lang en|ko] EXERCISE\n"
	  "\n"
	  "Checks your files for EXERCISE (made from the skeleton if missing) in a\n"
	  "fresh lab VM, once: each check's outcome on stderr as it ends, then the\n"
	  "report on stdout.  The attempt is recorded in your progress, unless a\n"
	  "check could not be run (exit 3: the lab's failure, not yours).\n" },
	{ "hint", true, run_hint,
	  "usage: addrlab hint [--lang en|ko] EXERCISE\n"
	  "\n"
	  "Reveals EXERCISE's next hint and prints every hint revealed so far.\n" },
	{ "reset", true, run_reset,
	  "usage: addrlab reset EXERCISE\n"
	  "\n"
	  "Puts EXERCISE's skeleton back.  Your files are kept in the exercise's\n"
	  ".backup folder (FILE.1, FILE.2, ...); its attempts and hints are forgotten.\n" },
	{ "watch", true, run_watch,
	  "usage: addrlab watch [--lang en|ko] EXERCISE\n"
	  "\n"
	  "Boots the lab VM once, checks EXERCISE now and again each time you save\n"
	  "one of its files, printing a short report each time.  ^C (or SIGTERM)\n"
	  "ends it after the check under way; a second ^C ends it at once.\n" },
};

static const struct subcommand *find_subcommand(const char *name)
{
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(subcommands[i].name, name))
			return &subcommands[i];
	return NULL;
}

static void env_free(struct ex_env *env)
{
	progress_close(env->prog);
	lesson_free_all(env->ls, env->n > 0 ? env->n : 0);
	free(env->lessons_dir);
	free(env->exercises_dir);
	free(env->include);
	free(env->root);
}

/* Loads the lessons (a broken one is skipped with its error) and opens
 * the progress database.  0 or an exit status. */
static int env_load(struct ex_env *env, const char *lang)
{
	char err[1024], *errors = NULL;

	env->lessons_dir = addrlab_path("lessons");
	env->exercises_dir = addrlab_path("exercises");
	env->include = addrlab_path("include");
	env->root = workspace_root();
	if (!env->lessons_dir || !env->exercises_dir || !env->include || !env->root)
		return cli_error(EXIT_FAILED, "out of memory");
	env->n = lesson_load_all(env->lessons_dir, &env->ls, &errors);
	for (const char *p = errors; p && *p;) {
		size_t len = strcspn(p, "\n");

		if (env->n >= 0)
			fprintf(stderr, "addrlab: %.*s (lesson skipped)\n", (int)len, p);
		else
			cli_error(0, "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
	}
	free(errors);
	if (env->n < 0)
		return EXIT_FAILED;
	if (progress_open(NULL, &env->prog, err, sizeof(err)))
		return cli_error(EXIT_FAILED, "%s", err);
	if (lang) {
		env->lang = (enum lang)lang_parse(lang);
	} else {
		char *saved = NULL;

		if (progress_get(env->prog, "lang", &saved) == 0 && saved &&
		    lang_parse(saved) >= 0)
			env->lang = (enum lang)lang_parse(saved);
		free(saved);
	}
	return 0;
}

static struct lesson *find_exercise(struct ex_env *env, const char *id)
{
	for (int i = 0; i < env->n; i++)
		if (env->ls[i]->exercise && !strcmp(env->ls[i]->exercise->id, id))
			return env->ls[i];
	return NULL;
}

static int unknown_exercise(struct ex_env *env, const char *id)
{
	char *names = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&names, &len);

	for (int i = 0; f && i < env->n; i++)
		if (env->ls[i]->exercise)
			fprintf(f, "%s%s", ftell(f) ? ", " : "", env->ls[i]->exercise->id);
	if (f)
		fclose(f);
	cli_error(0, "no exercise '%s'; the exercises are: %s", id,
		  names && *names ? names : "(none)");
	free(names);
	return EXIT_USAGE;
}

int cmd_ex(int argc, char **argv)
{
	const struct subcommand *sc = find_subcommand(argv[0]);
	const char *lang = NULL, *id = NULL;
	struct ex_env env = { 0 };
	struct lesson *l = NULL;
	int rc;

	if (!sc)
		return cli_error(EXIT_USAGE, "unknown command '%s'; see 'addrlab --help'", argv[0]);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			printf("%s\n%s\n%s", sc->help, sc->run == run_reset ? "" : EX_OPTIONS,
			       EX_STATUS);
			return 0;
		}
		if (!strcmp(a, "--lang") || !strncmp(a, "--lang=", 7)) {
			lang = a[6] == '=' ? a + 7 : i + 1 < argc ? argv[++i] : NULL;
			if (!lang)
				return cli_error(EXIT_USAGE, "'--lang' needs en or ko");
			if (lang_parse(lang) < 0)
				return cli_error(EXIT_USAGE, "unknown language '%s'; use en or ko", lang);
		} else if (a[0] == '-' && a[1]) {
			return cli_error(EXIT_USAGE, "unknown option '%s'; see 'addrlab %s --help'",
					 a, sc->name);
		} else if (!sc->takes_exercise || id) {
			return cli_error(EXIT_USAGE, "'addrlab %s' takes %s; see 'addrlab %s --help'",
					 sc->name, sc->takes_exercise ? "one exercise" : "no arguments",
					 sc->name);
		} else {
			id = a;
		}
	}
	if (sc->takes_exercise && !id)
		return cli_error(EXIT_USAGE, "which exercise? 'addrlab %s EXERCISE' "
				 "('addrlab list' shows them)", sc->name);
	rc = env_load(&env, lang);
	if (rc)
		goto out;
	if (id && !(l = find_exercise(&env, id))) {
		rc = unknown_exercise(&env, id);
		goto out;
	}
	rc = sc->run(&env, l);
out:
	env_free(&env);
	return rc;
}
