// SPDX-License-Identifier: MIT
/*
 * bundle.c - `addrlab-grade gradescope-bundle EXERCISE`: the autograder zip
 * Gradescope takes for one exercise, written from templates/gradescope/
 * with the exercise's id and first file filled in (@EXERCISE@,
 * @FIRST_FILE@).  run_autograder grades /autograder/submission in the
 * addrlab image and writes /autograder/results/results.json; the
 * Dockerfile makes the custom image that holds it.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "exercise.h"
#include "lesson.h"
#include "paths.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

static const char bundle_usage[] =
	"usage: addrlab-grade gradescope-bundle EXERCISE [--out FILE]\n"
	"\n"
	"Writes Gradescope's autograder zip for EXERCISE (default FILE:\n"
	"EXERCISE-gradescope.zip): run_autograder, which grades\n"
	"/autograder/submission with the exercise's checks and writes\n"
	"/autograder/results/results.json, and a Dockerfile for the custom image\n"
	"that holds it (the addrlab image, `make image`).  deploy/README.md in\n"
	"addrlab's source says how to set up the assignment.\n";

/* The exercise's first file (what run_autograder looks for); NULL with
 * a message said and *status set when it is not one of the lessons'. */
static char *first_file(const char *exercise, int *status)
{
	char *roots = addrlab_path("lessons"), *errors = NULL, *first = NULL;
	struct lesson **ls = NULL;
	int n = roots ? lesson_load_all(roots, &ls, &errors) : -1;

	for (int i = 0; i < n && !first; i++)
		if (ls[i]->exercise && !strcmp(ls[i]->exercise->id, exercise))
			first = strdup(ls[i]->exercise->files[0]);
	if (n < 0)
		*status = die(EXIT_GRADER, "%.*s", errors ? (int)strcspn(errors, "\n") : 13,
		    errors ? errors : "out of memory");
	else if (!first)
		*status = die(EXIT_USAGE, "no lesson has an exercise '%s' (in '%s'); addrlab list names them",
		    exercise, roots);
	lesson_free_all(ls, n > 0 ? n : 0);
	free(errors);
	free(roots);
	return first;
}

/* Adds template file dir/name, filled in, to the zip; 0 or -1. */
static int add_file(zip_t *z, const char *dir, const char *name, const char *const vals[])
{
	static const char *const keys[] = { "@EXERCISE@", "@FIRST_FILE@" };
	char path[4096 + 256], *text, *filled;
	zip_source_t *src;
	struct stat st;
	zip_int64_t idx;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = read_text_file(path, NULL);
	if (!text || stat(path, &st)) {
		free(text);
		return -1;
	}
	filled = template_fill(text, keys, vals, 2);
	free(text);
	src = filled ? zip_source_buffer(z, filled, strlen(filled), 1) : NULL;
	if (!src) {
		free(filled);
		return -1;
	}
	idx = zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8);
	if (idx < 0) {
		zip_source_free(src);
		return -1;
	}
	/* Unix modes in the external attributes: run_autograder runs as is. */
	return zip_file_set_external_attributes(z, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
						(zip_uint32_t)(S_IFREG | (st.st_mode & 0755)) << 16);
}

/* Every file of templates/gradescope into out, whole or not at all. */
static int write_zip(const char *out, const char *const vals[])
{
	char *templates = addrlab_path("templates"), dir[4096], tmp[4096 + 16];
	struct dirent **names = NULL;
	int n, rc = 0, zerr = 0;
	zip_t *z;

	snprintf(dir, sizeof(dir), "%s/gradescope", templates ? templates : "templates");
	free(templates);
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return die(EXIT_GRADER, "no Gradescope templates in '%s'; reinstall addrlab "
			   "(make install)", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	z = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	for (int i = 0; i < n; i++) {
		if (z && !rc && names[i]->d_name[0] != '.' &&
		    add_file(z, dir, names[i]->d_name, vals))
			rc = die(EXIT_GRADER, "cannot add '%s/%s' to '%s': %s", dir,
				 names[i]->d_name, out, zip_strerror(z));
		free(names[i]);
	}
	free(names);
	if (!z)
		return die(EXIT_USAGE, "cannot write '%s': %s", tmp, strerror(errno));
	if (rc) {
		zip_discard(z);
	} else if (zip_close(z)) {
		rc = die(EXIT_USAGE, "cannot write '%s': %s", tmp, zip_strerror(z));
		zip_discard(z);
	} else if (rename(tmp, out)) {
		rc = die(EXIT_USAGE, "cannot write '%s': %s", out, strerror(errno));
	}
	if (rc)
		unlink(tmp);
	return rc;
}

int bundle_main(int argc, char **argv)
{
	const char *exercise = argc > 0 ? argv[0] : NULL, *out = NULL;
	char deflt[256], *first;
	int rc;

	if (exercise && (!strcmp(exercise, "-h") || !strcmp(exercise, "--help"))) {
		fputs(bundle_usage, stdout);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--out"))
		out = argv[2];
	else if (argc != 1 || exercise[0] == '-')
		return die(EXIT_USAGE, "usage: addrlab-grade gradescope-bundle EXERCISE [--out FILE]");
	first = first_file(exercise, &rc);
	if (!first)
		return rc;
	if (!out) {
		snprintf(deflt, sizeof(deflt), "%.200s-gradescope.zip", exercise);
		out = deflt;
	}
	rc = write_zip(out, (const char *const[]){ exercise, first });
	if (!rc)
		printf("wrote %s: for the assignment's Configure Autograder page "
		       "(addrlab's deploy/README.md says how)\n", out);
	free(first);
	return rc;
}
