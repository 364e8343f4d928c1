// SPDX-License-Identifier: MIT
/*
 * test_kbuild.c - suite "Kbuild, replayed": a module built from Kbuild's
 * recorded lines (grader/kbuild.c) is the module make builds, byte for
 * byte, with the same log, warnings, findings and verdict, for every kind
 * of source a student hands in: clean, warning, error, sparse finding,
 * exported and wrongly exported symbols, no licence, two files.
 */
#define _GNU_SOURCE
#include "build.h"
#include "paths.h"

#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/addrlab-kbuild-XXXXXX";
static char src[256], cache[256], kver[128], *old_cache;

static const char hello_c[] =
	"#include <linux/module.h>\n"
	"static int __init hello_init(void) { pr_info(\"hello\\n\"); return 0; }\n"
	"module_init(hello_init);\n"
	"MODULE_LICENSE(\"GPL\");\n";

static void put(const char *name, const char *text)
{
	char p[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", src, name);
	f = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static struct build_result build_in(const char *work, char **files, size_t nfiles,
				    bool werror, enum sandbox_kind kind)
{
	char inc[600];
	struct build_opts o = {
		.kind = BUILD_MODULE, .src_dir = src, .files = files, .nfiles = nfiles,
		.work_dir = work, .name = "hello", .kver = kver, .include_dir = inc,
		.werror = werror, .sparse = true, .sandbox = kind,
	};
	struct build_result r;

	snprintf(inc, sizeof(inc), "%s/inc", root);
	CU_ASSERT_EQUAL(build_run(&o, &r), 0);
	return r;
}

/* The log without make's own lines ("make[1]: *** [...] Error 1"). */
static char *without_make(const char *log)
{
	char *out = strdup(log ? log : ""), *w = out;

	for (const char *p = log ? log : ""; *p;) {
		size_t n = strcspn(p, "\n") + (p[strcspn(p, "\n")] ? 1 : 0);

		if (strncmp(p, "make: ", 6) && strncmp(p, "make[", 5)) {
			memcpy(w, p, n);
			w += n;
		}
		p += n;
	}
	*w = '\0';
	return out;
}

/* A cache folder of the test's own (recordings and objects start empty). */
static void use_cache(const char *name, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", root, name);
	mkdir(out, 0700);
	setenv("ADDRLAB_CACHE_DIR", out, 1);
}

static bool same_file(const char *a, const char *b)
{
	char cmd[1300];

	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	return system(cmd) == 0;
}

/*
 * Two modules the same but for .BTF: pahole writes the BTF of a module of
 * several objects in any order (6.12: two plain makes of one two-file
 * module differ there, and only there).
 */
static bool same_module(const char *a, const char *b)
{
	char cmd[2200];

	snprintf(cmd, sizeof(cmd), "objcopy --remove-section=.BTF '%s' '%s.nobtf' && "
		 "objcopy --remove-section=.BTF '%s' '%s.nobtf' && cmp -s '%s.nobtf' '%s.nobtf'",
		 a, a, b, b, a, b);
	return system(cmd) == 0;
}

static bool exists(const char *dir, const char *name)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

/* How many entries of dir start with prefix and end with suffix. */
static int count(const char *dir, const char *prefix, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name), s = strlen(suffix);

		n += !strncmp(e->d_name, prefix, strlen(prefix)) && l >= s &&
		     !strcmp(e->d_name + l - s, suffix);
	}
	if (d)
		closedir(d);
	return n;
}

static const struct {
	const char *what, *file1, *file2;	/* file2: a second C file, or NULL */
	const char *text;
	bool werror;
	enum build_status status;
	const char *message;		/* the whole message, or its start */
	unsigned int warnings, checker;
	const char *message612;		/* where 6.12's words differ */
} cases[] = {
	{ "clean", "hello.c", NULL, hello_c, true, BUILD_OK, "built hello with 0 warnings", 0, 0, NULL },
	{ "a warning", "hello.c", NULL,
	  "#include <linux/module.h>\nstatic int __init h(void) { int x; return 0; }\n"
	  "module_init(h);\nMODULE_LICENSE(\"GPL\");\n", false, BUILD_OK,
	  "built hello with 1 warning", 1, 0, NULL },
	{ "a warning under -Werror", "hello.c", NULL,
	  "#include <linux/module.h>\nstatic int __init h(void) { int x; return 0; }\n"
	  "module_init(h);\nMODULE_LICENSE(\"GPL\");\n", true, BUILD_FAILED,
	  "/build/hello.c:2:33: error: unused variable 'x' [-Werror=unused-variable]", 0, 0, NULL },
	{ "an error", "hello.c", NULL, "#include <linux/module.h>\nint x = y;\nMODULE_LICENSE(\"GPL\");\n",
	  false, BUILD_FAILED,
	  "/build/hello.c:2:9: error: 'y' undeclared here (not in a function)", 0, 0, NULL },
	{ "a sparse finding", "hello.c", NULL,
	  "#include <linux/module.h>\n#include <linux/io.h>\nstatic void __iomem *p;\n"
	  "static int __init h(void) { int *q = (int *)p; return q ? 1 : 0; }\n"
	  "module_init(h);\nMODULE_LICENSE(\"GPL\");\n", true, BUILD_OK,
	  "built hello with 0 warnings", 0, 1, NULL },
	{ "an exported symbol (genksyms)", "hello.c", NULL,
	  "#include <linux/module.h>\nint hello_value(void);\nint hello_value(void) { return 3; }\n"
	  "EXPORT_SYMBOL(hello_value);\nMODULE_LICENSE(\"GPL\");\n", true, BUILD_OK,
	  "built hello with 0 warnings", 0, 0, NULL },
	{ "a static symbol exported", "hello.c", NULL,
	  "#include <linux/module.h>\nstatic int hello_value(void) { return 3; }\n"
	  "EXPORT_SYMBOL(hello_value);\nMODULE_LICENSE(\"GPL\");\n", true, BUILD_FAILED,
	  "/build/hello.o: error: local symbol hello_value was exported", 0, 0,
	  "ERROR: modpost: /build/hello: local symbol 'hello_value' was exported" },
	{ "no licence", "hello.c", NULL, "#include <linux/module.h>\nint hello_value;\n", true,
	  BUILD_FAILED, "ERROR: modpost: missing MODULE_LICENSE() in /build/hello.o", 0, 1, NULL },
	{ "two files", "main.c", "two.c",
	  "#include <linux/module.h>\nint two(void);\n"
	  "static int __init h(void) { return two(); }\nmodule_init(h);\n"
	  "MODULE_LICENSE(\"GPL\");\n", true, BUILD_OK, "built hello with 0 warnings", 0, 0, NULL },
};

static void test_replay_is_make(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char wm[300], wr[300], km[320], kr[320], *lm, *lr;
		char *files[] = { (char *)cases[i].file1, (char *)cases[i].file2, NULL };
		size_t nfiles = cases[i].file2 ? 2 : 1;
		struct build_result m, r;

		snprintf(src, sizeof(src), "%s/src%zu", root, i);
		mkdir(src, 0755);
		put(cases[i].file1, cases[i].text);
		if (cases[i].file2)
			put(cases[i].file2, "int two(void);\nint two(void) { return 0; }\n");
		snprintf(wm, sizeof(wm), "%s/make%zu", root, i);
		snprintf(wr, sizeof(wr), "%s/replay%zu", root, i);
		setenv("ADDRLAB_KBUILD", "make", 1);
		m = build_in(wm, files, nfiles, cases[i].werror, SANDBOX_AUTO);
		unsetenv("ADDRLAB_KBUILD");
		r = build_in(wr, files, nfiles, cases[i].werror, SANDBOX_AUTO);
		printf("\n    %s: %s", cases[i].what, r.message);
		CU_ASSERT_FALSE(m.replayed);
		CU_ASSERT_TRUE(r.replayed);
		CU_ASSERT_EQUAL(m.status, cases[i].status);
		CU_ASSERT_EQUAL(r.status, cases[i].status);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r.message);
		CU_ASSERT(!strncmp(r.message, cases[i].message, strlen(cases[i].message)) ||
			  (cases[i].message612 &&
			   !strncmp(r.message, cases[i].message612, strlen(cases[i].message612))));
		CU_ASSERT_STRING_EQUAL(m.message, r.message);
		CU_ASSERT_EQUAL(m.warnings, cases[i].warnings);
		CU_ASSERT_EQUAL(r.warnings, cases[i].warnings);
		CU_ASSERT_EQUAL(m.checker, cases[i].checker);
		CU_ASSERT_EQUAL(r.checker, cases[i].checker);
		lm = without_make(m.log);
		lr = without_make(r.log);
		CU_ASSERT_STRING_EQUAL(lm, lr);
		CU_ASSERT_STRING_EQUAL(lr, r.log ? r.log : "");	/* no make lines at all */
		if (cases[i].status == BUILD_OK) {
			snprintf(km, sizeof(km), "%s/hello.ko", wm);
			snprintf(kr, sizeof(kr), "%s/hello.ko", wr);
			CU_ASSERT_TRUE(same_module(km, kr));
		}
		free(lm);
		free(lr);
		build_result_free(&m);
		build_result_free(&r);
	}
}

/* modpost writes the same NAME.mod.c for modules importing the same
 * symbols; its object is compiled once and copied after. */
static void test_mod_o_reused(void)
{
	char *files[] = { "hello.c", NULL };
	char objects[600], own[300], w1[300], w2[300], w3[300], wm[300], k2[320], km[320];
	struct build_result r;

	use_cache("cache-reuse", own, sizeof(own));
	snprintf(src, sizeof(src), "%s/reuse", root);
	mkdir(src, 0755);
	snprintf(w1, sizeof(w1), "%s/reuse1", root);
	snprintf(w2, sizeof(w2), "%s/reuse2", root);
	snprintf(w3, sizeof(w3), "%s/reuse3", root);
	snprintf(wm, sizeof(wm), "%s/reusem", root);
	put("hello.c", "#include <linux/module.h>\nstatic int __init h(void) "
	    "{ pr_info(\"one\\n\"); return 0; }\nmodule_init(h);\nMODULE_LICENSE(\"GPL\");\n");
	r = build_in(w1, files, 1, true, SANDBOX_AUTO);
	CU_ASSERT_EQUAL(r.status, BUILD_OK);
	CU_ASSERT_TRUE(r.replayed);
	CU_ASSERT_TRUE(exists(w1, ".hello.mod.o.cmd"));	/* compiled */
	build_result_free(&r);

	/* Another body, the same imports (_printk): copied, not compiled. */
	put("hello.c", "#include <linux/module.h>\nstatic int __init h(void) "
	    "{ pr_info(\"two, %d\\n\", 2); return 0; }\nmodule_init(h);\nMODULE_LICENSE(\"GPL\");\n");
	r = build_in(w2, files, 1, true, SANDBOX_AUTO);
	CU_ASSERT_EQUAL(r.status, BUILD_OK);
	CU_ASSERT_FALSE(exists(w2, ".hello.mod.o.cmd"));
	build_result_free(&r);
	setenv("ADDRLAB_KBUILD", "make", 1);
	r = build_in(wm, files, 1, true, SANDBOX_AUTO);
	unsetenv("ADDRLAB_KBUILD");
	build_result_free(&r);
	snprintf(k2, sizeof(k2), "%s/hello.ko", w2);
	snprintf(km, sizeof(km), "%s/hello.ko", wm);
	CU_ASSERT_TRUE(same_file(k2, km));

	/* Another import (msleep): compiled again; two objects kept. */
	put("hello.c", "#include <linux/module.h>\n#include <linux/delay.h>\n"
	    "static int __init h(void) { msleep(1); return 0; }\nmodule_init(h);\n"
	    "MODULE_LICENSE(\"GPL\");\n");
	r = build_in(w3, files, 1, true, SANDBOX_AUTO);
	CU_ASSERT_EQUAL(r.status, BUILD_OK);
	CU_ASSERT_TRUE(exists(w3, ".hello.mod.o.cmd"));
	build_result_free(&r);
	{
		DIR *d = opendir(own);
		struct dirent *e;

		objects[0] = '\0';
		while (d && (e = readdir(d)))
			if (strstr(e->d_name, ".mod.o"))
				snprintf(objects, sizeof(objects), "%s/%s", own, e->d_name);
		if (d)
			closedir(d);
	}
	CU_ASSERT_EQUAL(count(objects, "", ""), 2 + 2);	/* with . and .. */
	setenv("ADDRLAB_CACHE_DIR", cache, 1);
}

/* One recording per layout; an unreadable one is recorded anew, and the
 * build in between is make's; rootless sandboxes replay too. */
static void test_recorded_once(void)
{
	char *files[] = { "hello.c", NULL }, recipe[600] = "", w[300], fresh[300];
	struct build_result r;
	DIR *d;
	struct dirent *e;
	FILE *f;

	use_cache("cache-once", fresh, sizeof(fresh));
	snprintf(src, sizeof(src), "%s/once", root);
	mkdir(src, 0755);
	snprintf(w, sizeof(w), "%s/once1", root);
	put("hello.c", hello_c);
	r = build_in(w, files, 1, true, SANDBOX_AUTO);
	CU_ASSERT_TRUE(r.replayed);
	build_result_free(&r);
	r = build_in(w, files, 1, true, SANDBOX_AUTO);
	CU_ASSERT_TRUE(r.replayed);
	build_result_free(&r);
	CU_ASSERT_EQUAL(count(fresh, "kbuild-", ".recipe"), 1);	/* once for both */

	d = opendir(fresh);
	while (d && (e = readdir(d)))
		if (strstr(e->d_name, ".recipe"))
			snprintf(recipe, sizeof(recipe), "%s/%s", fresh, e->d_name);
	if (d)
		closedir(d);
	CU_ASSERT_FATAL(recipe[0] != '\0');
	f = fopen(recipe, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("not a recipe", f);
	fclose(f);
	r = build_in(w, files, 1, true, SANDBOX_AUTO);
	CU_ASSERT_EQUAL(r.status, BUILD_OK);
	CU_ASSERT_FALSE(r.replayed);	/* make built it; the recipe is gone */
	build_result_free(&r);
	r = build_in(w, files, 1, true, SANDBOX_AUTO);
	CU_ASSERT_EQUAL(r.status, BUILD_OK);
	CU_ASSERT_TRUE(r.replayed);	/* recorded anew */
	build_result_free(&r);

	r = build_in(w, files, 1, true, SANDBOX_LANDLOCK);
	CU_ASSERT_EQUAL(r.status, BUILD_OK);
	CU_ASSERT_EQUAL(r.sandbox, SANDBOX_LANDLOCK);
	CU_ASSERT_TRUE(r.replayed);
	build_result_free(&r);
	put("hello.c", "#include <linux/module.h>\nint x = y;\nMODULE_LICENSE(\"GPL\");\n");
	r = build_in(w, files, 1, true, SANDBOX_LANDLOCK);
	CU_ASSERT_TRUE(r.replayed);
	CU_ASSERT_STRING_EQUAL(r.message,
			       "/build/hello.c:2:9: error: 'y' undeclared here (not in a function)");
	CU_ASSERT_PTR_NULL(strstr(r.log, root));	/* paths read /build/... */
	build_result_free(&r);
	CU_ASSERT_EQUAL(count(fresh, "kbuild-", ".recipe"), 2);	/* bwrap's, landlock's */
	setenv("ADDRLAB_CACHE_DIR", cache, 1);
}

static int setup(void)
{
	char *k = addrlab_kver();
	const char *c = getenv("ADDRLAB_CACHE_DIR");

	if (!k || !mkdtemp(root))
		return 1;
	snprintf(kver, sizeof(kver), "%s", k);
	free(k);
	old_cache = c ? strdup(c) : NULL;
	snprintf(cache, sizeof(cache), "%s/cache", root);
	mkdir(cache, 0700);
	setenv("ADDRLAB_CACHE_DIR", cache, 1);
	snprintf(src, sizeof(src), "%s/inc", root);
	return mkdir(src, 0755);
}

static int teardown(void)
{
	char cmd[600];

	if (old_cache)
		setenv("ADDRLAB_CACHE_DIR", old_cache, 1);
	else
		unsetenv("ADDRLAB_CACHE_DIR");
	free(old_cache);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : 1;
}

int register_kbuild_tests(void)
{
	CU_pSuite s = CU_add_suite("Kbuild, replayed", setup, teardown);

	if (!s ||
	    !CU_add_test(s, "a replayed build is make's: same verdict, log and module", test_replay_is_make) ||
	    !CU_add_test(s, "modpost's NAME.mod.c is compiled once per text", test_mod_o_reused) ||
	    !CU_add_test(s, "recorded once per layout, anew when unreadable, in every sandbox", test_recorded_once))
		return -1;
	return 0;
}
