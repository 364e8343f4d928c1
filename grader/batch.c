// SPDX-License-Identifier: MIT
/*
 * batch.c - `addrlab-grade batch`: a class graded in parallel lab VMs into
 * a gradebook, resumable, optionally one shard of it; and `merge`, which
 * makes one gradebook of the shards'.
 */
#define _GNU_SOURCE
#include "cli.h"

#include "check.h"
#include "clean.h"
#include "exercise.h"
#include "gradebook.h"
#include "vm.h"
#include "workdir.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

/*
 * A worker: its own lab VM and work folder; takes the next submission off
 * the shared work list, grades it, records it in the gradebook in one
 * transaction, and reports a line on the result pipe.
 */
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

/*
 * Checks batch's command line; with --shard I/N keeps in o->args only the
 * I-th slice of the class.  Names are checked over the whole class, so
 * every shard refuses the same clash.  0 or an exit status.
 */
static int batch_args(struct opts *o)
{
	int kept = 0;

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
	if (!o->shards)
		return 0;
	for (int i = 0; i < o->nargs; i++)
		if (gradebook_shard(sub_name(o->args[i]), o->shards) == o->shard)
			o->args[kept++] = o->args[i];
	fprintf(stderr, "addrlab-grade: shard %u/%u: %d of the %d submissions\n",
		o->shard, o->shards, kept, o->nargs);
	o->nargs = kept;
	return 0;
}

int batch(struct opts *o)
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

	rc = batch_args(o);
	if (rc)
		return rc;
	if (make_tree(o->out_dir, NULL, 0))
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

/* ---- merge ---- */

/* A shard's gradebook: the file itself, or the --out folder holding it. */
static const char *gradebook_in(const char *arg, char *buf, size_t size)
{
	struct stat st;

	if (stat(arg, &st))
		return NULL;
	if (!S_ISDIR(st.st_mode))
		return arg;
	snprintf(buf, size, "%s/gradebook.sqlite", arg);
	return stat(buf, &st) ? NULL : buf;
}

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;

	return !stat(a, &x) && !stat(b, &y) && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/*
 * merge OUT GRADEBOOK...: every submission of the gradebooks into
 * OUT/gradebook.sqlite (see gradebook_merge() for which record wins), then
 * OUT/grades.csv written whole.
 */
int merge(struct opts *o)
{
	char db_path[4096], csv_path[4096], err[4608];
	struct gradebook *gb;
	int rc = 0, taken = 0, kept = 0, graded, all;

	if (o->nargs < 2)
		return die(EXIT_USAGE, "usage: addrlab-grade merge OUT GRADEBOOK... (each a gradebook.sqlite or a batch's --out folder)");
	for (int i = 1; i < o->nargs; i++) {
		char buf[4096];

		if (!gradebook_in(o->args[i], buf, sizeof(buf)))
			return die(EXIT_USAGE, "'%s' is not a gradebook: give a batch's --out folder or its gradebook.sqlite",
				   o->args[i]);
	}
	if (make_tree(o->args[0], NULL, 0))
		return die(EXIT_USAGE, "cannot make '%s': %s", o->args[0], strerror(errno));
	snprintf(db_path, sizeof(db_path), "%s/gradebook.sqlite", o->args[0]);
	snprintf(csv_path, sizeof(csv_path), "%s/grades.csv", o->args[0]);
	if (gradebook_open(db_path, &gb, err, sizeof(err)))
		return die(EXIT_GRADER, "%s", err);
	for (int i = 1; !rc && i < o->nargs; i++) {
		char buf[4096];
		const char *in = gradebook_in(o->args[i], buf, sizeof(buf));
		int t, k;

		if (same_file(in, db_path))
			continue;	/* OUT's own gradebook is already in */
		if (gradebook_merge(gb, in, &t, &k))
			rc = die(EXIT_GRADER, "%s", gradebook_error(gb));
		taken += t;
		kept += k;
	}
	if (!rc && gradebook_export_csv(gb, csv_path))
		rc = die(EXIT_GRADER, "%s", gradebook_error(gb));
	graded = gradebook_count(gb);
	all = gradebook_size(gb);
	gradebook_close(gb);
	if (rc)
		return rc;
	fprintf(stderr, "addrlab-grade: merged %d gradebook%s: %d record%s taken, %d passed over for a newer one; "
		"%d submission%s, %d graded; %s written\n", o->nargs - 1, o->nargs == 2 ? "" : "s",
		taken, taken == 1 ? "" : "s", kept, all, all == 1 ? "" : "s", graded, csv_path);
	if (graded < all)
		return die(EXIT_GRADER, "%d submission%s not graded; grade %s again with 'addrlab-grade batch'",
			   all - graded, all - graded == 1 ? " is" : "s are", all - graded == 1 ? "it" : "them");
	return 0;
}
