// SPDX-License-Identifier: MIT
/*
 * test_build.c - suite "sandbox build": submissions built with the
 * grader's recipe under bubblewrap (grader/build.c), against the packaged
 * kernel headers.  Each case is a real build.
 */
#define _GNU_SOURCE
#include "build.h"
#include "memcg.h"
#include "paths.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
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

static enum sandbox_kind kind_now;	/* SANDBOX_AUTO: the process's choice */

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
		.log_cap = log_cap, .sandbox = kind_now,
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
	CU_ASSERT_STRING_EQUAL(r.message, "'hello.c' is a symbolic link, not a file; submit the file itself");
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

/* Each odd thing under a source file's name: refused at once, named. */
static void test_odd_files(void)
{
	char p[600];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct build_result r;
	int fd;

	alarm(20);	/* a grader that blocks fails here instead of hanging */
	reset_src();
	snprintf(p, sizeof(p), "%s/hello.c", src);
	CU_ASSERT_EQUAL_FATAL(mkfifo(p, 0644), 0);
	r = build(BUILD_MODULE, "hello", "hello.c", true, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_BAD_INPUT);
	CU_ASSERT_STRING_EQUAL(r.message, "'hello.c' is a named pipe (FIFO), not a file; submit the file itself");
	CU_ASSERT(r.elapsed_ms < 1000);
	build_result_free(&r);
	{	/* the same judgement without a build */
		char *files[] = { "hello.c" };

		CU_ASSERT_EQUAL(build_check_submission(src, files, 1, &r), -1);
		CU_ASSERT_EQUAL(r.status, BUILD_BAD_INPUT);
		CU_ASSERT_STRING_EQUAL(r.message, "'hello.c' is a named pipe (FIFO), not a file; submit the file itself");
		build_result_free(&r);
		unlink(p);
		put("hello.c", hello_c);
		CU_ASSERT_EQUAL(build_check_submission(src, files, 1, &r), 0);
		build_result_free(&r);
	}

	unlink(p);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memcpy(sa.sun_path, p, strlen(p) < sizeof(sa.sun_path) ? strlen(p) + 1 : 0);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	r = build(BUILD_MODULE, "hello", "hello.c", true, 0, 0);
	CU_ASSERT_STRING_EQUAL(r.message, "'hello.c' is a socket, not a file; submit the file itself");
	build_result_free(&r);
	close(fd);

	unlink(p);
	if (mknod(p, S_IFCHR | 0644, makedev(1, 5)) == 0) {	/* /dev/zero's */
		r = build(BUILD_MODULE, "hello", "hello.c", true, 0, 0);
		CU_ASSERT_STRING_EQUAL(r.message, "'hello.c' is a device node, not a file; submit the file itself");
		CU_ASSERT(r.elapsed_ms < 1000);
		build_result_free(&r);
		unlink(p);
	} else {
		CU_ASSERT_NOT_EQUAL(geteuid(), 0);	/* only root may make one */
	}

	CU_ASSERT_EQUAL(mkdir(p, 0755), 0);
	r = build(BUILD_MODULE, "hello", "hello.c", true, 0, 0);
	CU_ASSERT_STRING_EQUAL(r.message, "'hello.c' is a folder, not a file; submit the file itself");
	build_result_free(&r);
	rmdir(p);
	alarm(0);
}

static void test_size_and_count_caps(void)
{
	char *big = malloc((1u << 20) + 2);
	struct build_result r;

	reset_src();
	memset(big, '/', (1u << 20) + 1);
	big[(1u << 20) + 1] = '\0';
	put("hello.c", big);
	free(big);
	r = build(BUILD_MODULE, "hello", "hello.c", true, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_BAD_INPUT);
	CU_ASSERT_STRING_EQUAL(r.message, "'hello.c' is 1048577 bytes; the limit is 1024 KiB a file");
	build_result_free(&r);

	reset_src();
	put("hello.c", hello_c);
	for (int i = 0; i < 1000; i++) {
		char name[32];

		snprintf(name, sizeof(name), "extra%d.txt", i);
		put(name, "");
	}
	r = build(BUILD_MODULE, "hello", "hello.c", true, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_BAD_INPUT);
	CU_ASSERT_STRING_EQUAL(r.message, "the submission folder holds more than 1000 files; submit only the exercise's files");
	build_result_free(&r);
}

/* A user program that #includes path must not build: the file is unseen
 * (the message names it as `shown`, or as path when shown is NULL). */
static void assert_unseen_as(const char *path, const char *shown)
{
	char text[1400];
	struct build_result r;

	snprintf(text, sizeof(text), "#include \"%s\"\nint main(void) { return 0; }\n", path);
	put("prog.c", text);
	r = build(BUILD_USER, "prog", "prog.c", false, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_FAILED);
	if (r.status != BUILD_FAILED || (!strstr(r.message, "No such file or directory") &&
					 !strstr(r.message, "Permission denied")))
		fprintf(stderr, "\n    %s saw '%s': %s\n", sandbox_name(r.sandbox), path, r.message);
	CU_ASSERT(strstr(r.message, "No such file or directory") ||
		  strstr(r.message, "Permission denied"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, shown ? shown : path));
	build_result_free(&r);
}

#define assert_unseen(path) assert_unseen_as((path), NULL)

/*
 * Nothing worth stealing, in every sandbox that hides files: the source
 * tree's reference solutions, an installation under /usr (its exercises
 * and lessons), the include folder's other files, the host's /etc, /root.
 */
static void test_nothing_to_steal(void)
{
	char inst[] = "/usr/lib/addrlab-test-XXXXXX", p[1200], ref[700];
	char *ex = addrlab_path("exercises");
	char *real = realpath(ex, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(real);
	snprintf(ref, sizeof(ref), "%s/edu-id/solution/edu_id.c", real);
	CU_ASSERT_EQUAL_FATAL(access(ref, R_OK), 0);
	/* As `make install PREFIX=/usr/lib/...` lays it out. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(inst));
	snprintf(p, sizeof(p), "mkdir -p %s/share/addrlab/exercises/edu-id/solution %s/share/addrlab/lessons/ch3 "
		 "%s/private/ch3-staff && cp %s %s/share/addrlab/exercises/edu-id/solution/ && "
		 "echo 'return {}' | tee %s/share/addrlab/lessons/ch3/lesson.lua >%s/private/ch3-staff/lesson.lua",
		 inst, inst, inst, ref, inst, inst, inst);
	CU_ASSERT_EQUAL_FATAL(system(p), 0);
	for (enum sandbox_kind k = SANDBOX_BWRAP; k <= SANDBOX_LANDLOCK; k++) {
		kind_now = k;
		reset_src();
		assert_unseen(ref);
		assert_unseen("/etc/hostname");
		assert_unseen("/root/.profile");
		/* Landlock shows the include folder as the build names it. */
		snprintf(p, sizeof(p), "%s/inc/secret.c", root);
		assert_unseen_as(p, k == SANDBOX_LANDLOCK ? "/addrlab/include/secret.c" : p);
		snprintf(p, sizeof(p), "%s/share/addrlab", inst);
		setenv("ADDRLAB_EXERCISES", strcat(p, "/exercises"), 1);
		snprintf(p, sizeof(p), "%s/share/addrlab/lessons", inst);
		setenv("ADDRLAB_LESSONS", p, 1);
		snprintf(p, sizeof(p), "%s/share/addrlab/exercises/edu-id/solution/edu_id.c", inst);
		assert_unseen(p);
		snprintf(p, sizeof(p), "%s/share/addrlab/lessons/ch3/lesson.lua", inst);
		assert_unseen(p);
		/* Every root of several: a course's private root of hidden
		 * checks, and exercises found in a second root. */
		snprintf(p, sizeof(p), "/nonexistent:%s/share/addrlab/exercises", inst);
		setenv("ADDRLAB_EXERCISES", p, 1);
		snprintf(p, sizeof(p), "%s/share/addrlab/lessons:%s/private", inst, inst);
		setenv("ADDRLAB_LESSONS", p, 1);
		snprintf(p, sizeof(p), "%s/private/ch3-staff/lesson.lua", inst);
		assert_unseen(p);
		snprintf(p, sizeof(p), "%s/share/addrlab/exercises/edu-id/solution/edu_id.c", inst);
		assert_unseen(p);
		unsetenv("ADDRLAB_EXERCISES");
		unsetenv("ADDRLAB_LESSONS");
	}
	kind_now = SANDBOX_AUTO;
	snprintf(p, sizeof(p), "rm -rf '%s'", inst);
	CU_ASSERT_EQUAL(system(p), 0);
	free(real);
	free(ex);
}

/* Every kind builds a user program with edu.h; landlock a module too. */
/*
 * Three processes of 400 MiB each: every one is under the 1 GiB limit of a
 * process, together they are over the build's.  Where the host lets us
 * make a memory cgroup (this one, as root: cgroup v1's memory hierarchy)
 * the kernel kills in it, and the build says so.
 */
static void test_whole_build_memory(void)
{
	char inc[600], err[256];
	struct sandbox_spec sp = { .kind = SANDBOX_BWRAP, .work_dir = work, .include_dir = inc };
	char *const cmd[] = { "/bin/sh", "-c",
		"for i in 1 2 3; do dd if=/dev/zero of=/dev/null bs=400M count=8 2>/dev/null & done; "
		"wait", NULL };
	struct sandbox_result res;

	snprintf(inc, sizeof(inc), "%s/inc", root);
	reset_src();
	CU_ASSERT_EQUAL_FATAL(sandbox_run(&sp, cmd, &res, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(res.started);
	if (!res.mem_capped)
		fprintf(stderr, "\n    (no memory cgroup here: per-process limits only)\n");
	CU_ASSERT_EQUAL(res.oom_killed, res.mem_capped);
	CU_ASSERT_EQUAL(res.mem_capped, access("/sys/fs/cgroup/memory/cgroup.procs", W_OK) == 0);
	sandbox_result_free(&res);
}

/*
 * A grader in another PID namespace (a container, a Debian root beside the
 * host) shares the cgroup folder.  Its build's cgroup is named by a PID that
 * means nothing here: our sweep must not take that build for a dead
 * grader's and kill it.  It used to (found with make check in a Debian 13
 * root while another ran on the host: builds "killed (out of memory?)").
 */
static void test_other_namespace_spares_their_build(void)
{
	char theirs[PATH_MAX + 64], procs[PATH_MAX + 80], *slash;
	struct memcg ours;
	struct stat st;
	pid_t build;
	int wst, fd, gone = 4194000;

	if (memcg_create(&ours, 64ull << 20)) {
		CU_ASSERT_NOT_EQUAL(access("/sys/fs/cgroup/memory/cgroup.procs", W_OK), 0);
		fprintf(stderr, "\n    (no memory cgroup here: nothing to sweep)\n");
		return;
	}
	while (kill(gone, 0) == 0 || errno != ESRCH)
		gone++;
	CU_ASSERT_EQUAL_FATAL(stat("/proc/self/ns/pid", &st), 0);
	/* Beside ours: "addrlab-build-NS-PID-SEQ" of another namespace. */
	snprintf(theirs, sizeof(theirs), "%s", ours.dir);
	slash = strrchr(theirs, '/');
	CU_ASSERT_PTR_NOT_NULL_FATAL(slash);
	snprintf(slash + 1, sizeof(theirs) - (size_t)(slash + 1 - theirs),
		 "addrlab-build-%lu-%d-1", (unsigned long)st.st_ino + 1, gone);
	CU_ASSERT_EQUAL_FATAL(mkdir(theirs, 0755), 0);
	build = fork();
	if (build == 0) {
		pause();
		_exit(0);
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", theirs);
	fd = open(procs, O_WRONLY);
	CU_ASSERT(fd >= 0 && dprintf(fd, "%d", (int)build) > 0);
	if (fd >= 0)
		close(fd);

	memcg_sweep(&ours);
	CU_ASSERT_EQUAL(waitpid(build, &wst, WNOHANG), 0);	/* still running */
	CU_ASSERT_EQUAL(access(theirs, F_OK), 0);

	kill(build, SIGKILL);
	waitpid(build, &wst, 0);
	for (int i = 0; i < 100 && rmdir(theirs) && errno == EBUSY; i++)
		usleep(10000);
	memcg_destroy(&ours);
}

static void test_every_kind_builds(void)
{
	struct build_result r;

	for (enum sandbox_kind k = SANDBOX_BWRAP; k < SANDBOX_KIND_COUNT; k++) {
		kind_now = k;
		reset_src();
		put("prog.c", "#include \"edu.h\"\nint main(void) { return EDU_ID_VALUE == 0x010000ed ? 0 : 1; }\n");
		r = build(BUILD_USER, "prog", "prog.c", true, 0, 0);
		CU_ASSERT_EQUAL(r.status, BUILD_OK);
		CU_ASSERT_EQUAL(r.sandbox, k);
		CU_ASSERT_STRING_EQUAL(r.message, "built prog with 0 warnings");
		build_result_free(&r);
	}
	kind_now = SANDBOX_LANDLOCK;
	reset_src();
	put("hello.c", "#include <linux/module.h>\n#include \"edu.h\"\n"
	    "static int v = EDU_ID_VALUE; static int x;\nmodule_param(x, int, 0);\nMODULE_LICENSE(\"GPL\");\n"
	    "static int __init h(void) { return v - v; }\nmodule_init(h);\n");
	r = build(BUILD_MODULE, "hello", "hello.c", true, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_OK);
	CU_ASSERT_PTR_NULL(strstr(r.log, root));	/* paths read /build/... */
	build_result_free(&r);
	put("hello.c", "#include <linux/module.h>\nint x = y;\n");
	r = build(BUILD_MODULE, "hello", "hello.c", false, 0, 0);
	CU_ASSERT_STRING_EQUAL(r.message, "/build/hello.c:2:9: error: 'y' undeclared here (not in a function)");
	build_result_free(&r);
	kind_now = SANDBOX_AUTO;
}

/*
 * A sandbox that cannot start is the grader's failure (BUILD_ERROR), never
 * the submission's; auto then falls back to the next kind that works.
 */
static void test_sandbox_cannot_start(void)
{
	char *path = strdup(getenv("PATH")), err[2048];
	struct build_result r;

	reset_src();
	put("prog.c", "int main(void) { return 0; }\n");
	setenv("PATH", "/nonexistent", 1);	/* no bwrap to be found */
	kind_now = SANDBOX_BWRAP;
	r = build(BUILD_USER, "prog", "prog.c", true, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_ERROR);
	CU_ASSERT_STRING_EQUAL(r.message, "the 'bwrap' build sandbox did not start: cannot run bwrap (install bubblewrap): No such file or directory");
	build_result_free(&r);
	kind_now = SANDBOX_AUTO;
	CU_ASSERT_EQUAL(sandbox_choose(SANDBOX_AUTO, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sandbox_current(), SANDBOX_LANDLOCK);
	CU_ASSERT_STRING_EQUAL(sandbox_why(), "bwrap: cannot run bwrap (install bubblewrap): No such file or directory; "
			       "bwrap-noproc: cannot run bwrap (install bubblewrap): No such file or directory");
	CU_ASSERT_EQUAL(sandbox_choose(SANDBOX_BWRAP, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "the 'bwrap' sandbox does not work here: cannot run bwrap (install bubblewrap): No such file or directory");
	setenv("PATH", path, 1);
	free(path);
	CU_ASSERT_EQUAL(sandbox_choose(SANDBOX_AUTO, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sandbox_current(), SANDBOX_BWRAP);
	/* Trials leave no folder behind, whichever kind they tried. */
	CU_ASSERT_EQUAL(system("! ls -d /tmp/addrlab-probe-* 2>/dev/null"), 0);
}

/* Out of a limit: said in words, with the tool's own line. */
static void test_limits_named(void)
{
	char bomb[4096] = "#define A0 \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n";
	struct build_result r;

	reset_src();
	for (int i = 1; i < 40; i++)
		snprintf(bomb + strlen(bomb), sizeof(bomb) - strlen(bomb),
			 "#define A%d A%d A%d\n", i, i - 1, i - 1);
	strcat(bomb, "const char *s = A39;\nint main(void) { return 0; }\n");
	put("prog.c", bomb);
	r = build(BUILD_USER, "prog", "prog.c", false, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_FAILED);
	CU_ASSERT_STRING_EQUAL(r.message, "the build ran out of memory (1 GiB a process): virtual memory exhausted: Cannot allocate memory");
	build_result_free(&r);

	put("prog.c", "asm(\".fill 100000000, 1, 0x55\");\nint main(void) { return 0; }\n");
	r = build(BUILD_USER, "prog", "prog.c", false, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "the build wrote a file past the 64 MiB limit: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "'File too large'"));
	build_result_free(&r);

	put("prog.c", "asm(\".incbin \\\"/etc/shadow\\\"\");\nint main(void) { return 0; }\n");
	r = build(BUILD_USER, "prog", "prog.c", false, 0, 0);
	CU_ASSERT_EQUAL(r.status, BUILD_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, ": Error: file not found: /etc/shadow"));
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
	snprintf(p, sizeof(p), "%s/inc/secret.c", root);	/* not a header */
	f = fopen(p, "w");
	if (!f)
		return 1;
	fputs("int secret;\n", f);
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
		{ "a FIFO, socket, device or folder is refused at once", test_odd_files },
		{ "a file over 1 MiB, a folder of over 1000 files", test_size_and_count_caps },
		{ "nothing worth stealing is seen, in every sandbox and lesson root", test_nothing_to_steal },
		{ "every kind of sandbox builds", test_every_kind_builds },
		{ "the whole build's memory: one cap for all its processes", test_whole_build_memory },
		{ "our sweep spares a build of a grader in another PID namespace", test_other_namespace_spares_their_build },
		{ "a sandbox that cannot start is ours; auto falls back", test_sandbox_cannot_start },
		{ "out of memory, file size, assembler errors named", test_limits_named },
	};
	CU_pSuite s = CU_add_suite("sandbox build", setup, teardown);

	if (!s)
		return -1;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(s, tests[i].name, tests[i].fn))
			return -1;
	return 0;
}
