// SPDX-License-Identifier: MIT
/*
 * test_workspace.c - suite "workspace": the grader fixture's "hello"
 * exercise (tests/grade/) made into a workspace, edited, reset and
 * watched: skeletons exactly as skeleton_text() makes them (or copied from
 * ID/skeleton/ where there is no reference), a learner's
 * file never overwritten, every reset kept in .backup/, and the watcher
 * (inotify and polling) seeing saves in place and by rename, and nothing
 * else.
 */
#define _GNU_SOURCE
#include "exercise.h"
#include "lesson.h"
#include "workspace.h"

#include <CUnit/CUnit.h>
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/addrlab-workspace-XXXXXX";
static char exercises[PATH_MAX + 32];
static struct lesson *hello;

static int setup(void)
{
	char exe[PATH_MAX], lessons[PATH_MAX + 32], err[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0 || !mkdtemp(tmp))
		return -1;
	/* build/tests/unit-tests: the source tree is build/.. */
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(exercises, sizeof(exercises), "%s/../tests/grade/exercises", exe);
	snprintf(lessons, sizeof(lessons), "%s/../tests/grade/lessons/hello", exe);
	if (lesson_load(lessons, &hello, err, sizeof(err))) {
		fprintf(stderr, "\n%s\n", err);
		return -1;
	}
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void)
{
	lesson_free(hello);
	return nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh workspace root for each test. */
static char *new_root(const char *name)
{
	char *r;

	return asprintf(&r, "%s/%s", tmp, name) < 0 ? NULL : r;
}

static char *read_at(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_text_file(path, NULL);
}

static void write_at(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CU_ASSERT_EQUAL_FATAL(write_text_file(path, text, strlen(text)), 0);
}

static void assert_text(const char *dir, const char *name, const char *want)
{
	char *got = read_at(dir, name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

/* The skeleton of hello.c, as the grader library makes it. */
static char *skeleton(void)
{
	char path[sizeof(exercises) + 32], err[256], *src, *out = NULL;
	int next = 1;

	snprintf(path, sizeof(path), "%s/hello/solution/hello.c", exercises);
	src = read_text_file(path, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	CU_ASSERT_EQUAL(skeleton_text("hello.c", src, &next, &out, err, sizeof(err)), 0);
	free(src);
	return out;
}

/* The names in dir, sorted, joined with spaces ("." and ".." left out). */
static char *listing(const char *dir)
{
	struct dirent **names;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int n = scandir(dir, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			fprintf(f, "%s%s", ftell(f) ? " " : "", names[i]->d_name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	fclose(f);
	return out;
}

static void assert_listing(const char *dir, const char *want)
{
	char *got = listing(dir);

	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

static void test_ensure(void)
{
	char *root = new_root("ensure"), *dir, *skel = skeleton(), err[512] = "";
	const struct lesson_exercise *e = hello->exercise;
	char path[PATH_MAX];

	dir = workspace_dir(root, "hello");
	CU_ASSERT_EQUAL_FATAL(workspace_ensure(root, e, exercises, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	assert_text(dir, "hello.c", skel);
	/* The skeleton really is one: step 1's code gave way to its TODO. */
	CU_ASSERT_PTR_NOT_NULL(strstr(skel, "/* TODO 1: Take the name to greet as a module "
				      "parameter \"who\". */\nstatic char *who = \"world\";\n"));
	CU_ASSERT_PTR_NULL(strstr(skel, "module_param"));
	assert_listing(dir, "hello.c");		/* no temporary folder left behind */

	/* The learner's work is never touched. */
	write_at(dir, "hello.c", "my work\n");
	CU_ASSERT_EQUAL(workspace_ensure(root, e, exercises, err, sizeof(err)), 0);
	assert_text(dir, "hello.c", "my work\n");
	assert_listing(dir, "hello.c");

	/* A deleted file comes back as the skeleton. */
	write_at(dir, "notes.txt", "mine\n");
	snprintf(path, sizeof(path), "%s/hello.c", dir);
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(workspace_ensure(root, e, exercises, err, sizeof(err)), 0);
	assert_text(dir, "hello.c", skel);
	assert_text(dir, "notes.txt", "mine\n");
	free(dir);
	free(skel);
	free(root);
}

static void test_ensure_error(void)
{
	char *root = new_root("broken"), *dir, err[512] = "", want[PATH_MAX + 128];
	const struct lesson_exercise *e = hello->exercise;
	char nowhere[sizeof(tmp) + 16];

	snprintf(nowhere, sizeof(nowhere), "%s/nowhere", tmp);
	CU_ASSERT_EQUAL(workspace_ensure(root, e, nowhere, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s/hello/solution/hello.c: cannot read the reference solution",
		 nowhere);
	CU_ASSERT_STRING_EQUAL(err, want);
	dir = workspace_dir(root, "hello");
	assert_listing(dir, "");		/* nothing half-made left */
	free(dir);
	free(root);
}

/*
 * TOP/hello/skeleton/hello.c with text (none if NULL): the exercises
 * folder of an installation that ships the skeletons, not the reference
 * solutions (the grading image).  TOP is malloc'd.
 */
static char *shipped_exercises(const char *name, const char *text)
{
	char *top = new_root(name), dir[PATH_MAX];

	CU_ASSERT_PTR_NOT_NULL_FATAL(top);
	snprintf(dir, sizeof(dir), "%s/hello", top);
	CU_ASSERT_EQUAL_FATAL(mkdir(top, 0755), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/hello/skeleton", top);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
	if (text)
		write_at(dir, "hello.c", text);
	return top;
}

static void test_ensure_shipped(void)
{
	char *ex = shipped_exercises("shipped", "shipped skeleton\n"), *dir, *root;
	const struct lesson_exercise *e = hello->exercise;
	char shipped[PATH_MAX], bak[PATH_MAX], err[512] = "";

	root = new_root("shipped-work");
	dir = workspace_dir(root, "hello");
	snprintf(shipped, sizeof(shipped), "%s/hello/skeleton", ex);
	CU_ASSERT_EQUAL_FATAL(workspace_ensure(root, e, ex, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	assert_text(dir, "hello.c", "shipped skeleton\n");
	assert_listing(dir, "hello.c");

	/* A copy, not a link: the learner's work never reaches the shipped file. */
	write_at(dir, "hello.c", "my work\n");
	assert_text(shipped, "hello.c", "shipped skeleton\n");

	/* A reset puts the shipped skeleton back, the work kept. */
	CU_ASSERT_EQUAL(workspace_reset(root, e, ex, NULL, err, sizeof(err)), 0);
	assert_text(dir, "hello.c", "shipped skeleton\n");
	snprintf(bak, sizeof(bak), "%s/.backup", dir);
	assert_text(bak, "hello.c.1", "my work\n");
	free(dir);
	free(root);
	free(ex);
}

static void test_ensure_solution_first(void)
{
	char *ex = shipped_exercises("both", "stale skeleton\n"), *dir, *root, *src;
	char *skel = skeleton(), sol[PATH_MAX], from[sizeof(exercises) + 32], err[512] = "";
	const struct lesson_exercise *e = hello->exercise;

	/* The reference beside a shipped skeleton: generated from the
	 * reference, as where there is no skeleton folder. */
	snprintf(sol, sizeof(sol), "%s/hello/solution", ex);
	CU_ASSERT_EQUAL_FATAL(mkdir(sol, 0755), 0);
	snprintf(from, sizeof(from), "%s/hello/solution/hello.c", exercises);
	src = read_text_file(from, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	write_at(sol, "hello.c", src);
	root = new_root("both-work");
	dir = workspace_dir(root, "hello");
	CU_ASSERT_EQUAL_FATAL(workspace_ensure(root, e, ex, err, sizeof(err)), 0);
	assert_text(dir, "hello.c", skel);
	free(src);
	free(skel);
	free(dir);
	free(root);
	free(ex);
}

static void test_ensure_shipped_missing(void)
{
	char *ex = shipped_exercises("shipped-empty", NULL), *dir, *root;
	const struct lesson_exercise *e = hello->exercise;
	char want[PATH_MAX + 64], err[512] = "";

	root = new_root("shipped-empty-work");
	CU_ASSERT_EQUAL(workspace_ensure(root, e, ex, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s/hello/skeleton/hello.c: cannot read the skeleton", ex);
	CU_ASSERT_STRING_EQUAL(err, want);
	dir = workspace_dir(root, "hello");
	assert_listing(dir, "");		/* nothing half-made left */
	free(dir);
	free(root);
	free(ex);
}

/* ADDRLAB_EXERCISES=a:b: the first root holding the exercise counts. */
static void test_ensure_roots(void)
{
	char *ex = shipped_exercises("second-root", "from the second root\n"), *dir, *root;
	const struct lesson_exercise *e = hello->exercise;
	char roots[2 * PATH_MAX], err[512] = "";

	snprintf(roots, sizeof(roots), "%s/nonexistent:%s", tmp, ex);
	root = new_root("roots-work");
	dir = workspace_dir(root, "hello");
	CU_ASSERT_EQUAL_FATAL(workspace_ensure(root, e, roots, err, sizeof(err)), 0);
	assert_text(dir, "hello.c", "from the second root\n");
	free(dir);
	free(root);
	free(ex);
}

static void test_reset_keeps_backups(void)
{
	char *root = new_root("reset"), *dir, *bak = NULL, *skel = skeleton(), err[512] = "";
	const struct lesson_exercise *e = hello->exercise;
	char want[PATH_MAX], path[PATH_MAX];

	dir = workspace_dir(root, "hello");
	CU_ASSERT_EQUAL_FATAL(workspace_ensure(root, e, exercises, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/.backup", dir);

	write_at(dir, "hello.c", "first try\n");
	CU_ASSERT_EQUAL_FATAL(workspace_reset(root, e, exercises, &bak, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(bak, want);
	assert_text(dir, "hello.c", skel);
	assert_text(want, "hello.c.1", "first try\n");
	free(bak);

	write_at(dir, "hello.c", "second try\n");
	CU_ASSERT_EQUAL_FATAL(workspace_reset(root, e, exercises, NULL, err, sizeof(err)), 0);
	assert_text(dir, "hello.c", skel);
	assert_text(want, "hello.c.1", "first try\n");
	assert_text(want, "hello.c.2", "second try\n");
	assert_listing(want, "hello.c.1 hello.c.2");
	assert_listing(dir, ".backup hello.c");

	/* Nothing to keep: no backup, the skeleton all the same. */
	snprintf(path, sizeof(path), "%s/hello.c", dir);
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(workspace_reset(root, e, exercises, NULL, err, sizeof(err)), 0);
	assert_text(dir, "hello.c", skel);
	assert_listing(want, "hello.c.1 hello.c.2");
	free(dir);
	free(skel);
	free(root);
}

static void set_watch_env(const char *how)
{
	if (how)
		setenv("ADDRLAB_WATCH", how, 1);
	else
		unsetenv("ADDRLAB_WATCH");
}

static bool readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

static void watch_case(const char *how, const char *method)
{
	char *root = new_root(method), *dir, err[512] = "", from[PATH_MAX], to[PATH_MAX];
	const struct lesson_exercise *e = hello->exercise;
	char *saved = getenv("ADDRLAB_WATCH");
	struct watch *w;

	saved = saved ? strdup(saved) : NULL;
	dir = workspace_dir(root, "hello");
	CU_ASSERT_EQUAL_FATAL(workspace_ensure(root, e, exercises, err, sizeof(err)), 0);
	set_watch_env(how);
	w = watch_open(dir, e);
	set_watch_env(saved);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_STRING_EQUAL(watch_method(w), method);
	CU_ASSERT_EQUAL(watch_fd(w) >= 0, !strcmp(method, "inotify"));
	CU_ASSERT_FALSE(watch_changed(w));

	/* Another file in the folder is not a save. */
	write_at(dir, "notes.txt", "unrelated\n");
	CU_ASSERT_FALSE(watch_changed(w));

	/* A save in place, seen once.  (A new size: polling compares sizes
	 * and times, and two writes can share a clock tick.) */
	write_at(dir, "hello.c", "saved in place\n");
	if (watch_fd(w) >= 0)
		CU_ASSERT_TRUE(readable(watch_fd(w)));
	CU_ASSERT_TRUE(watch_changed(w));
	CU_ASSERT_FALSE(watch_changed(w));
	if (watch_fd(w) >= 0)
		CU_ASSERT_FALSE(readable(watch_fd(w)));

	/* vim's way: write a new file, rename it over the old one. */
	write_at(dir, "4913", "");
	snprintf(from, sizeof(from), "%s/hello.c.new", dir);
	snprintf(to, sizeof(to), "%s/hello.c", dir);
	CU_ASSERT_EQUAL(write_text_file(from, "saved by rename", 15), 0);
	CU_ASSERT_EQUAL(rename(from, to), 0);
	CU_ASSERT_TRUE(watch_changed(w));
	CU_ASSERT_FALSE(watch_changed(w));
	assert_text(dir, "hello.c", "saved by rename");

	/* Deleted is changed too: the next check says the file is missing. */
	CU_ASSERT_EQUAL(unlink(to), 0);
	CU_ASSERT_TRUE(watch_changed(w));
	CU_ASSERT_FALSE(watch_changed(w));

	watch_close(w);
	free(saved);
	free(dir);
	free(root);
}

static void test_watch_inotify(void)
{
	watch_case(NULL, "inotify");
}

static void test_watch_polling(void)
{
	watch_case("poll", "polling");
}

static void test_root(void)
{
	static const struct {
		const char *env, *home;		/* ADDRLAB_WORKSPACE (NULL: unset), HOME */
		const char *want;
	} cases[] = {
		{ "/srv/work", "/home/u", "/srv/work" },
		{ NULL, "/home/u", "/home/u/addrlab-work" },
		{ "", "/home/u", "/home/u/addrlab-work" },
	};
	char *saved_env = getenv("ADDRLAB_WORKSPACE"), *saved_home = getenv("HOME"), *d;

	saved_env = saved_env ? strdup(saved_env) : NULL;
	saved_home = saved_home ? strdup(saved_home) : NULL;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got;

		if (cases[i].env)
			setenv("ADDRLAB_WORKSPACE", cases[i].env, 1);
		else
			unsetenv("ADDRLAB_WORKSPACE");
		setenv("HOME", cases[i].home, 1);
		got = workspace_root();
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_STRING_EQUAL(got, cases[i].want);
		free(got);
	}
	if (saved_env)
		setenv("ADDRLAB_WORKSPACE", saved_env, 1);
	else
		unsetenv("ADDRLAB_WORKSPACE");
	if (saved_home)
		setenv("HOME", saved_home, 1);
	free(saved_env);
	free(saved_home);
	d = workspace_dir("/srv/work", "edu-id");
	CU_ASSERT_STRING_EQUAL(d, "/srv/work/edu-id");
	free(d);
}

int register_workspace_tests(void)
{
	CU_pSuite s = CU_add_suite("workspace", setup, teardown);

	if (!s || !CU_add_test(s, "ensure: the skeleton, never over the learner's work", test_ensure) ||
	    !CU_add_test(s, "ensure: a missing reference leaves nothing behind", test_ensure_error) ||
	    !CU_add_test(s, "ensure: no solution folder: ID/skeleton/ copied", test_ensure_shipped) ||
	    !CU_add_test(s, "ensure: the reference first, beside ID/skeleton/",
			 test_ensure_solution_first) ||
	    !CU_add_test(s, "ensure: a missing shipped skeleton leaves nothing behind",
			 test_ensure_shipped_missing) ||
	    !CU_add_test(s, "ensure: the first exercise root holding it", test_ensure_roots) ||
	    !CU_add_test(s, "reset: .backup/FILE.1, then .2, then the skeleton", test_reset_keeps_backups) ||
	    !CU_add_test(s, "watch (inotify): saves in place and by rename, nothing else",
			 test_watch_inotify) ||
	    !CU_add_test(s, "watch (polling): saves in place and by rename, nothing else",
			 test_watch_polling) ||
	    !CU_add_test(s, "the root: ADDRLAB_WORKSPACE, then ~/addrlab-work", test_root))
		return CU_get_error();
	return CUE_SUCCESS;
}
