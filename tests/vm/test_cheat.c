// SPDX-License-Identifier: MIT
/*
 * test_cheat.c - suite "nothing to steal": a submission whose every file
 * is one #include of the reference solution's, by absolute path, from the
 * source tree and from a real `make install` under /usr.  Graded by the
 * real addrlab-grade, each must fail to build; with --sandbox=none (where
 * the operator vouches for a container per submission) the same cheat
 * scores full marks, which shows what the sandbox is holding back.
 */
#define _GNU_SOURCE
#include "common.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char src_root[PATH_MAX];
static char prefix[PATH_MAX];		/* the installation */
static char work[] = "/tmp/addrlab-cheat-XXXXXX";

/* Writes a submission for exercise id in dir whose files #include the
 * reference's files under solutions/ID/solution. */
static int write_cheat(const char *dir, const char *solutions, const char *id)
{
	char sol[PATH_MAX * 2], p[PATH_MAX * 3];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(sol, sizeof(sol), "%s/%s/solution", solutions, id);
	d = opendir(sol);
	if (!d || mkdir(dir, 0755))
		return -1;
	while ((e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		f = fopen(p, "w");
		if (!f)
			break;
		fprintf(f, "#include \"%s/%s\"\n", sol, e->d_name);
		fclose(f);
		n++;
	}
	closedir(d);
	return n;
}

/* Grades dir with the addrlab-grade at bin; the JSON report, or NULL. */
static json_t *grade(const char *bin, const char *id, const char *dir,
		     const char *extra, int *rc)
{
	char *cmd, *out;
	json_t *doc;

	if (asprintf(&cmd, "%s --format json --exercise %s %s %s 2>/dev/null", bin, id,
		     extra, dir) < 0)
		return NULL;
	*rc = tv_capture(cmd, &out);
	doc = json_loads(out, 0, NULL);
	if (!doc)
		fprintf(stderr, "\n    %s gave no JSON (exit %d): %s\n", cmd, *rc, out);
	free(cmd);
	free(out);
	return doc;
}

/* Every check failed because the build could not find the included file. */
static void assert_build_refused(json_t *doc, const char *what)
{
	json_t *checks = json_object_get(doc, "checks"), *c;
	size_t i;

	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "score")), 0);
	CU_ASSERT(json_array_size(checks) > 0);
	json_array_foreach(checks, i, c) {
		const char *msg = json_string_value(json_object_get(c, "message"));

		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(c, "outcome")), "fail");
		if (i == 0 && (!strstr(msg, "the submission does not build: ") ||
			       !strstr(msg, ": No such file or directory")))
			fprintf(stderr, "\n    %s: %s\n", what, msg);
		if (i == 0)
			CU_ASSERT(strstr(msg, "the submission does not build: ") &&
				  strstr(msg, ": No such file or directory"));
	}
}

static void cheat_every_exercise(const char *bin, const char *solutions, const char *tag)
{
	char exdir[PATH_MAX + 16], dir[PATH_MAX * 2];
	struct dirent *e;
	DIR *d;
	int graded = 0;

	snprintf(exdir, sizeof(exdir), "%s/exercises", src_root);
	d = opendir(exdir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d))) {
		json_t *doc;
		int rc;

		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s-%s", work, tag, e->d_name);
		CU_ASSERT_FATAL(write_cheat(dir, solutions, e->d_name) > 0);
		doc = grade(bin, e->d_name, dir, "", &rc);
		CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
		CU_ASSERT_EQUAL(rc, 1);
		assert_build_refused(doc, dir);
		json_decref(doc);
		graded++;
	}
	closedir(d);
	CU_ASSERT_EQUAL(graded, 6);
}

static void test_source_tree(void)
{
	char bin[PATH_MAX + 32], sol[PATH_MAX + 16], dir[PATH_MAX + 32];
	json_t *doc;
	int rc;

	snprintf(bin, sizeof(bin), "%s/bin/addrlab-grade", tv_build);
	snprintf(sol, sizeof(sol), "%s/exercises", src_root);
	cheat_every_exercise(bin, sol, "src");
	/* The control: without a sandbox the cheat is worth full marks. */
	snprintf(dir, sizeof(dir), "%s/src-edu-id", work);
	doc = grade(bin, "edu-id", dir, "--sandbox=none", &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "score")),
			json_integer_value(json_object_get(doc, "max_score")));
	json_decref(doc);
}

static void test_installed(void)
{
	char bin[PATH_MAX + 32], sol[PATH_MAX + 32];

	snprintf(bin, sizeof(bin), "%s/bin/addrlab-grade", prefix);
	snprintf(sol, sizeof(sol), "%s/share/addrlab/exercises", prefix);
	CU_ASSERT_EQUAL_FATAL(access(bin, X_OK), 0);
	cheat_every_exercise(bin, sol, "inst");
}

static int cheat_init(void)
{
	char *cmd, *out;
	int rc;

	if (!realpath(tv_build, src_root) || !mkdtemp(work))
		return 1;
	*strrchr(src_root, '/') = '\0';
	/* Where packagers put it: under /usr (a folder of our own there,
	 * removed afterwards), when this user may write there. */
	snprintf(prefix, sizeof(prefix), "%s", access("/usr/lib", W_OK) ?
		 "/tmp/addrlab-prefix-XXXXXX" : "/usr/lib/addrlab-prefix-XXXXXX");
	if (!mkdtemp(prefix))
		return 1;
	if (asprintf(&cmd, "make -s -C %s install PREFIX=%s 2>&1", src_root, prefix) < 0)
		return 1;
	rc = tv_capture(cmd, &out);
	if (rc)
		fprintf(stderr, "%s: %s\n", cmd, out);
	free(cmd);
	free(out);
	return rc != 0;
}

static int cheat_cleanup(void)
{
	char *cmd;
	int rc;

	if (asprintf(&cmd, "rm -rf '%s' '%s'", work, prefix) < 0)
		return 1;
	rc = system(cmd);
	free(cmd);
	return rc != 0;
}

void register_cheat_tests(void)
{
	CU_pSuite s = CU_add_suite("nothing to steal", cheat_init, cheat_cleanup);

	CU_add_test(s, "#include of each reference solution, from the source tree", test_source_tree);
	CU_add_test(s, "#include of each reference solution, installed under /usr", test_installed);
}
