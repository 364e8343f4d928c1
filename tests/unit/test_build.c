// SPDX-License-Identifier: MIT
/*
 * test_build.c - suite "sandbox build": submissions built with the
 * grader's recipe under bubblewrap (grader/build.c), against the packaged
 * kernel headers.  Each case is a real build.
 */
#define _GNU_SOURCE
#include "build.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/addrlab-build-XXXXXX";
static char src[256], work[256], kver[128];

static const char hello_c[] =
	"#include <linux/module.h>\n"
	"static int __init hello_init(void) { return 0; }\n"
	"static void __exit hello_exit(void) { }\n"
	"module_init(hello_init);\n"
	"module_exit(hello_exit);\n"
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

static void reset_src(void)
{
	char cmd[640];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", src, src);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static struct build_result build(enum build_kind kind, const char *name,
				 const char *file, bool werror, unsigned int timeout_ms,
				 size_t log_cap)
{
	char *files[] = { (char *)file, NULL };
	char inc[600];
	struct build_opts o = {
		.kind = kind, .src_dir = src, .files = files, .nfiles = 1,
		.work_dir = work, .name = name, .kver = kver,
		.include_dir = inc, .werror = werror, .timeout_ms = timeout_ms,
		.log_cap = log_cap,
	};
	struct build_result r;

	snprintf(inc, sizeof(inc), "%s/inc", root);
	CU_ASSERT_EQUAL(build_run(&o, &r), 0);
	return r;
}

static void test_module_ok(void)
{
	struct build_result r;

	reset_src();
	put("hello.c", hello_c);
	r = build(BUILD_MODULE, "hello", "hello.c", true, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_OK);
	CU_ASSERT_STRING_EQUAL(r.message, "built hello with 0 warnings");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.artifact);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.artifact, "/work/hello.ko"));
	CU_ASSERT_EQUAL(access(r.artifact, R_OK), 0);
	CU_ASSERT_EQUAL(r.warnings, 0);
	build_result_free(&r);
}

static void test_module_compile_error(void)
{
	struct build_result r;

	reset_src();
	put("hello.c", "#include <linux/module.h>\nint x = y;\nMODULE_LICENSE(\"GPL\");\n");
	r = build(BUILD_MODULE, "hello", "hello.c", false, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_FAILED);
	CU_ASSERT_STRING_EQUAL(r.message, "/build/hello.c:2:9: error: 'y' undeclared here (not in a function)");
	CU_ASSERT_PTR_NULL(r.artifact);
	CU_ASSERT_NOT_EQUAL(r.exit_code, 0);
	build_result_free(&r);
}

static void test_warnings_and_werror(void)
{
	static const char warn_c[] =
		"#include <linux/module.h>\n"
		"static int __init hello_init(void) { int unused; return 0; }\n"
		"module_init(hello_init);\n"
		"MODULE_LICENSE(\"GPL\");\n";
	struct build_result r;

	reset_src();
	put("hello.c", warn_c);
	r = build(BUILD_MODULE, "hello", "hello.c", false, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_OK);
	CU_ASSERT_EQUAL(r.warnings, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.log, "unused variable 'unused'"));
	build_result_free(&r);
	r = build(BUILD_MODULE, "hello", "hello.c", true, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "unused variable 'unused'"));
	build_result_free(&r);
}

static void test_student_makefile_ignored(void)
{
	struct build_result r;

	reset_src();
	put("hello.c", hello_c);
	put("Makefile", "$(error the student's Makefile ran)\n");
	put("Kbuild", "obj-m := evil.o\n$(error the student's Kbuild ran)\n");
	r = build(BUILD_MODULE, "hello", "hello.c", true, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_OK);
	CU_ASSERT_PTR_NULL(strstr(r.log, "student"));
	build_result_free(&r);
}

static void test_bad_inputs(void)
{
	char target[600], link[600];
	struct build_result r;

	reset_src();
	r = build(BUILD_MODULE, "hello", "hello.c", true, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_BAD_INPUT);
	CU_ASSERT_STRING_EQUAL(r.message, "the submission has no 'hello.c'");
	build_result_free(&r);

	snprintf(target, sizeof(target), "%s/elsewhere.c", root);
	snprintf(link, sizeof(link), "%s/hello.c", src);
	CU_ASSERT_EQUAL(symlink(target, link), 0);
	r = build(BUILD_MODULE, "hello", "hello.c", true, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_BAD_INPUT);
	CU_ASSERT_STRING_EQUAL(r.message, "'hello.c' is a symbolic link; submit the file itself");
	build_result_free(&r);
}

static void test_sandbox_hides_the_host(void)
{
	struct build_result r;

	reset_src();
	put("prog.c", "#include \"/etc/passwd\"\nint main(void) { return 0; }\n");
	r = build(BUILD_USER, "prog", "prog.c", false, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_FAILED);
	CU_ASSERT_STRING_EQUAL(r.message, "/build/prog.c:1:10: fatal error: /etc/passwd: No such file or directory");
	build_result_free(&r);
}

static void test_user_program(void)
{
	char cmd[700], out[64] = "";
	struct build_result r;
	FILE *f;

	reset_src();
	put("prog.c", "#include <stdio.h>\n#include \"edu.h\"\n"
	    "int main(void) { printf(\"%#x\\n\", EDU_ID_VALUE); return 0; }\n");
	r = build(BUILD_USER, "prog", "prog.c", true, 0, 0);
	CU_ASSERT_EQUAL_FATAL(r.status, BUILD_OK);
	snprintf(cmd, sizeof(cmd), "%s", r.artifact);
	f = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(out, sizeof(out), f));
	pclose(f);
	CU_ASSERT_STRING_EQUAL(out, "0x10000ed\n");
	build_result_free(&r);
}

static void test_time_limit_and_log_cap(void)
{
	struct build_result r;
	char many[20000] = "#include <linux/module.h>\n";

	reset_src();
	put("hello.c", hello_c);
	r = build(BUILD_MODULE, "hello", "hello.c", true, 50, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_TIMEOUT);
	CU_ASSERT_STRING_EQUAL(r.message, "the build ran past its 0 s limit");
	build_result_free(&r);

	for (int i = 0; i < 300; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
			 "static int f%d(void) { int u%d; return 0; }\n", i, i);
	strcat(many, "MODULE_LICENSE(\"GPL\");\n");
	put("hello.c", many);
	r = build(BUILD_MODULE, "hello", "hello.c", false, 0, 1000);
	CU_ASSERT_TRUE(r.log_truncated);
	CU_ASSERT_EQUAL(strlen(r.log), 1000);
	build_result_free(&r);
}

static int setup(void)
{
	char p[700];
	FILE *f;

	if (!mkdtemp(root))
		return 1;
	snprintf(src, sizeof(src), "%s/src", root);
	snprintf(work, sizeof(work), "%s/work", root);
	snprintf(p, sizeof(p), "%s/inc", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/inc/edu.h", root);
	f = fopen(p, "w");
	if (!f)
		return 1;
	fputs("#define EDU_ID_VALUE 0x010000ed\n", f);
	fclose(f);
	/* The kernel the build picked (build/kver), as the grader uses. */
	f = popen("ls /usr/src | sed -n 's/^linux-headers-\\(.*-amd64\\)$/\\1/p' | sort -V | tail -n 1", "r");
	if (!f || !fgets(kver, sizeof(kver), f))
		return 1;
	pclose(f);
	kver[strcspn(kver, "\n")] = '\0';
	return 0;
}

static int teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : 1;
}

int register_build_tests(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "a module builds with our Kbuild", test_module_ok },
		{ "a compile error reads as its first error line", test_module_compile_error },
		{ "warnings are counted; -Werror fails them", test_warnings_and_werror },
		{ "the student's Makefile and Kbuild are ignored", test_student_makefile_ignored },
		{ "missing file, symbolic link", test_bad_inputs },
		{ "the sandbox hides the host's files", test_sandbox_hides_the_host },
		{ "a static user program with edu.h", test_user_program },
		{ "time limit and log cap", test_time_limit_and_log_cap },
	};
	CU_pSuite s = CU_add_suite("sandbox build", setup, teardown);

	if (!s)
		return -1;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(s, tests[i].name, tests[i].fn))
			return -1;
	return 0;
}
