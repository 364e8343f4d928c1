// SPDX-License-Identifier: MIT
/*
 * main.c - `addrlab-grade`: grades a submission with the lessons' checks in
 * the lab VM.  Option parsing and presentation only; the work is in the
 * grader library (lesson.h, check.h, report.h) and the VM library.
 */
#define _GNU_SOURCE
#include "check.h"
#include "lesson.h"
#include "paths.h"
#include "report.h"
#include "vm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_FAILED	1	/* graded: some check did not pass */
#define EXIT_USAGE	2
#define EXIT_GRADER	3	/* could not grade: no VM, broken lessons... */

static const char usage[] =
	"usage: addrlab-grade [OPTIONS] DIR\n"
	"\n"
	"Grades the submission in DIR with its exercise's checks, in a fresh lab VM.\n"
	"\n"
	"options:\n"
	"  --exercise EX   the exercise (default: the one whose files DIR holds)\n"
	"  --format F      text (default), json, junit or gradescope\n"
	"  --output FILE   write the report there instead of to stdout\n"
	"  --lang L        en (default) or ko, for check titles\n"
	"  --help          this text\n"
	"\n"
	"exit status: 0 every check passed; 1 some check failed; 2 bad command\n"
	"line; 3 the grader could not grade (no lab VM, broken lesson).\n"
	"Lessons come from ADDRLAB_LESSONS (default: the installed lessons).\n";

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

/* The lesson whose exercise is `id`, or the only one whose files are all in dir. */
static struct lesson *pick(struct lesson **ls, int n, const char *id,
			   const char *dir, char *err, size_t errlen)
{
	struct lesson *found = NULL;
	char *names = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&names, &len);
	int matches = 0;

	for (int i = 0; i < n; i++) {
		struct lesson_exercise *e = ls[i]->exercise;
		bool all = true;

		if (!e)
			continue;
		if (f)
			fprintf(f, "%s%s", ftell(f) ? ", " : "", e->id);
		if (id) {
			if (!strcmp(e->id, id))
				found = ls[i];
			continue;
		}
		for (size_t k = 0; k < e->nfiles && all; k++) {
			char p[4096];

			snprintf(p, sizeof(p), "%s/%s", dir, e->files[k]);
			all = access(p, R_OK) == 0;
		}
		if (all) {
			found = ls[i];
			matches++;
		}
	}
	if (f)
		fclose(f);
	if (id && !found)
		snprintf(err, errlen, "no exercise '%s'; the exercises are: %s", id,
			 names ? names : "");
	else if (!id && matches != 1)
		snprintf(err, errlen, "cannot tell which exercise '%s' is for; name it with --exercise (one of: %s)",
			 dir, names ? names : "");
	free(names);
	return found && (id || matches == 1) ? found : NULL;
}

static void progress(void *ctx, const struct check_result *r)
{
	(void)ctx;
	fprintf(stderr, "  %-5s %s\n", r->outcome == CHECK_PASS ? "pass" :
		r->outcome == CHECK_FAIL ? "FAIL" : "ERROR", r->title);
}

int main(int argc, char **argv)
{
	const char *exercise = NULL, *out_path = NULL, *dir = NULL;
	enum report_format format = REPORT_TEXT;
	enum lang lang = LANG_EN;
	char err[1024], work[] = "/tmp/addrlab-grade-XXXXXX", *lessons_dir;
	char *include, *kver, *errors = NULL;
	struct lesson **ls = NULL, *l;
	struct grade g;
	struct vm *vm;
	struct stat st;
	FILE *out = stdout;
	int n, rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "--exercise") || !strcmp(a, "--format") ||
			   !strcmp(a, "--output") || !strcmp(a, "--lang")) {
			if (i + 1 >= argc)
				return die(EXIT_USAGE, "'%s' needs a value; see --help", a);
			if (!strcmp(a, "--exercise")) {
				exercise = argv[++i];
			} else if (!strcmp(a, "--output")) {
				out_path = argv[++i];
			} else if (!strcmp(a, "--format")) {
				int f = report_format_parse(argv[++i]);

				if (f < 0)
					return die(EXIT_USAGE, "unknown format '%s'; use %s",
						   argv[i], report_format_list());
				format = (enum report_format)f;
			} else {
				int l2 = lang_parse(argv[++i]);

				if (l2 < 0)
					return die(EXIT_USAGE, "unknown language '%s'; use en or ko",
						   argv[i]);
				lang = (enum lang)l2;
			}
		} else if (a[0] == '-') {
			return die(EXIT_USAGE, "unknown option '%s'; see --help", a);
		} else if (dir) {
			return die(EXIT_USAGE, "one submission folder at a time ('%s' and '%s')",
				   dir, a);
		} else {
			dir = a;
		}
	}
	if (!dir)
		return die(EXIT_USAGE, "which submission? addrlab-grade [OPTIONS] DIR");
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return die(EXIT_USAGE, "'%s' is not a folder", dir);

	lessons_dir = addrlab_path("lessons");
	n = lesson_load_all(lessons_dir, &ls, &errors);
	if (n < 0) {
		rc = die(EXIT_GRADER, "%.*s", (int)strcspn(errors, "\n"), errors);
		free(errors);
		free(lessons_dir);
		return rc;
	}
	l = pick(ls, n, exercise, dir, err, sizeof(err));
	if (!l) {
		if (errors && *errors)
			fprintf(stderr, "%s", errors);
		rc = die(EXIT_USAGE, "%s", err);
		goto out_lessons;
	}
	include = addrlab_path("include");
	kver = addrlab_kver();
	if (!kver) {
		rc = die(EXIT_GRADER, "no guest image in '%s'; run 'make' first",
			 vm_default_guest_dir());
		goto out_paths;
	}
	if (out_path) {
		out = fopen(out_path, "w");
		if (!out) {
			rc = die(EXIT_USAGE, "cannot write '%s': %m", out_path);
			goto out_paths;
		}
	}
	if (!mkdtemp(work)) {
		rc = die(EXIT_GRADER, "cannot make a work folder in /tmp: %m");
		goto out_file;
	}
	vm = vm_new(NULL);
	{
		struct grade_opts o = {
			.submission = dir, .work_dir = work, .kver = kver,
			.include_dir = include, .lang = lang, .vm = vm,
			.fresh_vm = true,
			.on_result = isatty(STDERR_FILENO) ? progress : NULL,
		};

		if (!vm || grade_exercise(l, &o, &g, err, sizeof(err))) {
			rc = die(EXIT_GRADER, "%s", vm ? err : "out of memory");
		} else {
			rc = report_write(out, format, &g, dir) ?
			     die(EXIT_GRADER, "cannot write the report") :
			     g.score == g.max_score ? 0 : EXIT_FAILED;
			grade_free(&g);
		}
	}
	vm_free(vm);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
		if (system(cmd) != 0)
			fprintf(stderr, "addrlab-grade: could not remove '%s'\n", work);
	}
out_file:
	if (out != stdout)
		fclose(out);
out_paths:
	free(include);
	free(kver);
out_lessons:
	lesson_free_all(ls, n);
	free(errors);
	free(lessons_dir);
	return rc;
}
