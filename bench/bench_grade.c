// SPDX-License-Identifier: MIT
/*
 * bench_grade.c - the grader's figures, as medians over repeated runs:
 *
 *   save -> verdict for a module exercise, lab VM warm     target <= 1.0 s
 *   batch throughput, module exercise, -j 2                target >= 100 per minute
 *     (each submission in a VM restored from the snapshot, as batch grades)
 *
 * and, for the record, the module build alone both ways: Kbuild's lines
 * replayed (what the grader does, grader/kbuild.h) and `make` (ADDRLAB_KBUILD=make).
 *
 * Usage: bench-grade [RUNS] (default 5).  The exercise is the grader's
 * fixture (tests/grade: a module built, sparse-checked, loaded twice and
 * unloaded), graded with the same code paths as any lesson's.  Every save
 * and every submission of the batch is a different file (its last line a
 * comment of its own), so nothing of the student's is built twice; their
 * imports are the same, as in a class, so modpost's NAME.mod.o is compiled
 * once and copied after.
 */
#define _GNU_SOURCE
#include "build.h"
#include "check.h"
#include "lesson.h"
#include "exercise.h"	/* remove_tree() */
#include "paths.h"
#include "vm.h"
#include "workdir.h"
#include "bench.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS	32
#define BATCH_SIZE	8

/* dir/hello.c: the fixture's text and a last line saying which copy it is. */
static int write_copy(const char *fixture, const char *dir, const char *tag)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16], buf[8192];
	FILE *in, *out;
	size_t n;

	snprintf(from, sizeof(from), "%s/hello.c", fixture);
	snprintf(to, sizeof(to), "%s/hello.c", dir);
	in = fopen(from, "r");
	out = fopen(to, "w");
	while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (out)
		fprintf(out, "/* %s */\n", tag);
	if (in)
		fclose(in);
	return out && !fclose(out) && in ? 0 : -1;
}

/* The module build alone, median of runs, each of a changed file. */
static bool bench_build(const char *sub, const char *work, const char *kver,
			const char *include, int runs)
{
	char *files[] = { "hello.c", NULL }, src[PATH_MAX + 16], dir[PATH_MAX + 16];
	double v[2][MAX_RUNS];

	snprintf(src, sizeof(src), "%s/build-src", work);
	snprintf(dir, sizeof(dir), "%s/build-work", work);
	mkdir(src, 0755);
	for (int way = 0; way < 2; way++) {
		if (way)
			setenv("ADDRLAB_KBUILD", "make", 1);
		for (int r = 0; r < runs; r++) {
			struct build_opts o = {
				.kind = BUILD_MODULE, .src_dir = src, .files = files, .nfiles = 1,
				.work_dir = dir, .name = "hello", .kver = kver,
				.include_dir = include, .werror = true, .sparse = true,
			};
			struct build_result b;
			char tag[64];
			double t0;

			snprintf(tag, sizeof(tag), "build %d of %d", r, way);
			if (write_copy(sub, src, tag))
				return false;
			t0 = now_s();
			if (build_run(&o, &b) || b.status != BUILD_OK || b.replayed == !!way) {
				fprintf(stderr, "bench-grade: the build failed: %s\n", b.message);
				return false;
			}
			v[way][r] = now_s() - t0;
			build_result_free(&b);
		}
		unsetenv("ADDRLAB_KBUILD");
	}
	bench_report("module build, Kbuild's lines replayed", v[0], runs, "s", NULL, 0);
	bench_report("module build, make (ADDRLAB_KBUILD=make)", v[1], runs, "s", NULL, 0);
	return true;
}

static char work[PATH_MAX];	/* the bench's folder, removed however it ends */

static void remove_work(void)
{
	if (work[0] && remove_tree(work))
		fprintf(stderr, "bench-grade: could not remove '%s'\n", work);
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	char exe[PATH_MAX], root[PATH_MAX + 8], lessons[PATH_MAX + 64], sub[PATH_MAX + 64],
	     fixture[PATH_MAX + 64], gwork[PATH_MAX + 64];
	char err[1024], *include, *kver;
	double v[MAX_RUNS];
	struct lesson *l;
	struct vm *vm;
	bool all = true;
	ssize_t n;

	if (runs < 1 || runs > MAX_RUNS)
		return fprintf(stderr, "bench-grade: RUNS must be 1 to %d\n", MAX_RUNS), 2;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	/* Named after this process: one killed outright is swept by the next. */
	if (n <= 0 || work_dir_make(work, sizeof(work), "bench"))
		return 2;
	atexit(remove_work);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';	/* build/bench */
	*strrchr(exe, '/') = '\0';	/* build */
	snprintf(root, sizeof(root), "%s/..", exe);
	snprintf(lessons, sizeof(lessons), "%s/tests/grade/lessons/hello", root);
	snprintf(fixture, sizeof(fixture), "%s/tests/grade/submissions/good", root);
	snprintf(sub, sizeof(sub), "%s/save", work);
	snprintf(gwork, sizeof(gwork), "%s/grade", work);	/* emptied by each build */
	mkdir(sub, 0755);
	include = addrlab_path("include");
	kver = addrlab_kver();
	if (!kver || lesson_load(lessons, &l, err, sizeof(err))) {
		fprintf(stderr, "bench-grade: %s\n", kver ? err : "no guest image; run make");
		return 2;
	}

	/* save -> verdict: the VM is up (the TUI keeps one warm), the file
	 * changes, everything after that is timed: build, sparse, checks. */
	vm = vm_new(NULL);
	if (!vm || vm_start(vm)) {
		fprintf(stderr, "bench-grade: %s\n", vm ? vm_error(vm) : "out of memory");
		return 2;
	}
	for (int r = 0; r < runs; r++) {
		struct grade_opts o = {
			.submission = sub, .work_dir = gwork, .kver = kver,
			.include_dir = include, .lang = LANG_EN, .vm = vm,
		};
		struct grade g;
		char tag[32];
		double t0;

		snprintf(tag, sizeof(tag), "save %d", r);
		if (write_copy(fixture, sub, tag))	/* the learner saves */
			return 2;
		t0 = now_s();
		if (grade_exercise(l, &o, &g, err, sizeof(err)) || g.score != g.max_score) {
			fprintf(stderr, "bench-grade: grading failed: %s\n", err);
			for (size_t i = 0; i < g.nresults; i++)
				if (g.results[i].points != g.results[i].max_points)
					fprintf(stderr, "  %s: %s\n", g.results[i].name,
						g.results[i].message);
			return 2;
		}
		v[r] = now_s() - t0;
		grade_free(&g);
	}
	all &= bench_report("save -> verdict, module exercise, warm VM", v, runs, "s", "<=", 1.0);
	vm_free(vm);

	/* Batch: BATCH_SIZE submissions graded by the real command, -j 2. */
	for (int r = 0; r < runs; r++) {
		char *cmd;
		double t0;
		int st;

		if (asprintf(&cmd, "t=%s/batch; rm -rf $t; mkdir -p $t; for i in $(seq %d); do "
			     "mkdir $t/s$i; { cat %s/hello.c; echo \"/* run %d, student $i */\"; } "
			     "> $t/s$i/hello.c; done; ADDRLAB_LESSONS=%s/tests/grade/lessons "
			     "%s/bin/addrlab-grade batch -j 2 --out $t/out $t/s* 2>/dev/null",
			     work, BATCH_SIZE, fixture, r, root, exe) < 0)
			return 2;
		t0 = now_s();
		st = system(cmd);
		free(cmd);
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "bench-grade: the batch failed\n");
			return 2;
		}
		v[r] = BATCH_SIZE * 60.0 / (now_s() - t0);
	}
	all &= bench_report("batch, module exercise, -j 2 (8 submissions)", v, runs, "per min", ">=", 100);
	if (!bench_build(fixture, work, kver, include, runs))
		return 2;

	lesson_free(l);
	free(include);
	free(kver);
	return all ? 0 : 1;
}
