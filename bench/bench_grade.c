// SPDX-License-Identifier: MIT
/*
 * bench_grade.c - the grader's figures, as medians over repeated runs:
 *
 *   save -> verdict for a module exercise, lab VM warm     target <= 1.0 s
 *   batch throughput, module exercise, -j 2                target >= 100 per minute
 *     (each submission in a VM restored from the snapshot, as batch grades)
 *
 * Usage: bench-grade [RUNS] (default 5).  The exercise is the grader's
 * fixture (tests/grade: a module built, sparse-checked, loaded twice and
 * unloaded), graded with the same code paths as any lesson's.
 */
#define _GNU_SOURCE
#include "check.h"
#include "lesson.h"
#include "paths.h"
#include "vm.h"
#include "bench.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS	32
#define BATCH_SIZE	8

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	char exe[PATH_MAX], root[PATH_MAX + 8], lessons[PATH_MAX + 64], sub[PATH_MAX + 64];
	char work[] = "/tmp/addrlab-bench-XXXXXX", err[1024], *include, *kver;
	double v[MAX_RUNS];
	struct lesson *l;
	struct vm *vm;
	bool all = true;
	ssize_t n;

	if (runs < 1 || runs > MAX_RUNS)
		return fprintf(stderr, "bench-grade: RUNS must be 1 to %d\n", MAX_RUNS), 2;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0 || !mkdtemp(work))
		return 2;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';	/* build/bench */
	*strrchr(exe, '/') = '\0';	/* build */
	snprintf(root, sizeof(root), "%s/..", exe);
	snprintf(lessons, sizeof(lessons), "%s/tests/grade/lessons/hello", root);
	snprintf(sub, sizeof(sub), "%s/tests/grade/submissions/good", root);
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
			.submission = sub, .work_dir = work, .kver = kver,
			.include_dir = include, .lang = LANG_EN, .vm = vm,
		};
		struct grade g;
		double t0 = now_s();

		if (grade_exercise(l, &o, &g, err, sizeof(err)) || g.score != g.max_score) {
			fprintf(stderr, "bench-grade: grading failed: %s\n", err);
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
			     "cp -r %s $t/s$i; done; ADDRLAB_LESSONS=%s/tests/grade/lessons "
			     "%s/bin/addrlab-grade batch -j 2 --out $t/out $t/s* 2>/dev/null",
			     work, BATCH_SIZE, sub, root, exe) < 0)
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

	{
		char *cmd;

		if (asprintf(&cmd, "rm -rf '%s'", work) >= 0) {
			if (system(cmd))
				fprintf(stderr, "bench-grade: could not remove '%s'\n", work);
			free(cmd);
		}
	}
	lesson_free(l);
	free(include);
	free(kver);
	return all ? 0 : 1;
}
