// SPDX-License-Identifier: MIT
/* build.c - sandboxed submission builds (see build.h). */
#define _GNU_SOURCE
#include "build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_MS	120000
#define DEFAULT_LOG_CAP		(256u << 10)
#define MAX_SOURCE_BYTES	(1u << 20)
#define BUILD_MEM_LIMIT		(4ull << 30)	/* address space per process */

static const char *const status_names[] = {
#define X(e, name, words) [e] = name,
	BUILD_STATUSES(X)
#undef X
};

const char *build_status_name(enum build_status s)
{
	return s <= BUILD_ERROR ? status_names[s] : "?";
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sets the status and its one-line message; returns -1 (for call sites
 * that stop there: `return fail(res, ...)`). */
static int fail(struct build_result *res, enum build_status st,
		const char *fmt, ...)
{
	va_list ap;

	free(res->message);
	va_start(ap, fmt);
	if (vasprintf(&res->message, fmt, ap) < 0)
		res->message = NULL;
	va_end(ap);
	res->status = st;
	return -1;
}

void build_result_free(struct build_result *res)
{
	free(res->log);
	free(res->artifact);
	free(res->message);
	memset(res, 0, sizeof(*res));
}

/* Removes everything inside dir (one level deep is all a build makes,
 * except Kbuild's .tmp_versions-like folders: recurse). */
static void empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char p[4096];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (!lstat(p, &st) && S_ISDIR(st.st_mode)) {
			empty_dir(p);
			rmdir(p);
		} else {
			unlink(p);
		}
	}
	closedir(d);
}

/* Copies src_dir/name to work_dir/name: a regular file, not a link, small. */
static int copy_source(const struct build_opts *o, const char *name,
		       struct build_result *res)
{
	char src[4096], dst[4096];
	struct stat st;
	char *buf;
	int in, out;
	ssize_t n;

	snprintf(src, sizeof(src), "%s/%s", o->src_dir, name);
	snprintf(dst, sizeof(dst), "%s/%s", o->work_dir, name);
	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		if (errno == ELOOP)
			return fail(res, BUILD_BAD_INPUT,
				       "'%s' is a symbolic link; submit the file itself", name);
		return fail(res, BUILD_BAD_INPUT,
			       "the submission has no '%s'", name);
	}
	if (fstat(in, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_SOURCE_BYTES) {
		close(in);
		return fail(res, BUILD_BAD_INPUT,
			       "'%s' is not a regular file of at most %u bytes",
			       name, MAX_SOURCE_BYTES);
	}
	buf = malloc((size_t)st.st_size + 1);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	n = buf ? read(in, buf, (size_t)st.st_size) : -1;
	close(in);
	if (!buf || out < 0 || n != st.st_size ||
	    write(out, buf, (size_t)n) != n) {
		free(buf);
		if (out >= 0)
			close(out);
		return fail(res, BUILD_ERROR, "cannot copy '%s' into '%s'",
			       name, o->work_dir);
	}
	free(buf);
	close(out);
	return 0;
}

static int write_text(const char *dir, const char *name, const char *text)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Our Kbuild: the named .c files make one module; the student's own
 * Makefile/Kbuild (if any) was never copied. */
static char *kbuild_text(const struct build_opts *o)
{
	char *objs = NULL, *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&objs, &len);
	bool single = false;

	for (size_t i = 0; f && i < o->nfiles; i++) {
		size_t n = strlen(o->files[i]);

		if (n < 3 || strcmp(o->files[i] + n - 2, ".c"))
			continue;
		fprintf(f, " %.*s.o", (int)(n - 2), o->files[i]);
		if (!strncmp(o->files[i], o->name, n - 2) && !o->name[n - 2])
			single = true;
	}
	if (!f)
		return NULL;
	fclose(f);
	if (single && o->nfiles == 1)
		asprintf(&text, "obj-m := %s.o\nccflags-y := -I/addrlab/include%s\n",
			 o->name, o->werror ? " -Werror" : "");
	else
		asprintf(&text, "obj-m := %s.o\n%s-y :=%s\nccflags-y := -I/addrlab/include%s\n",
			 o->name, o->name, objs, o->werror ? " -Werror" : "");
	free(objs);
	return text;
}

/* Kbuild says this for every out-of-tree module; it only hides what matters. */
static void drop_noise(char *log)
{
	static const char noise[] = "Skipping BTF generation";
	char *w = log;

	for (char *p = log; *p;) {
		char *e = strchrnul(p, '\n');
		size_t n = (size_t)(e - p) + (*e ? 1 : 0);

		if (strncmp(p, noise, sizeof(noise) - 1)) {
			memmove(w, p, n);
			w += n;
		}
		p += n;
	}
	*w = '\0';
}

/* Runs argv under bwrap with /build = work_dir; collects output into res. */
static int sandboxed(const struct build_opts *o, char *const cmd[],
		     struct build_result *res)
{
	const char *argv[96];
	int n = 0, pfd[2];
	uint64_t deadline;
	char *log = NULL;
	size_t len = 0, cap = o->log_cap ? o->log_cap : DEFAULT_LOG_CAP;
	bool timed_out = false;
	pid_t pid;
	int st;

#define A(x) (argv[n++] = (x))
	A("bwrap");
	A("--ro-bind"); A("/usr"); A("/usr");
	A("--symlink"); A("usr/lib"); A("/lib");
	A("--symlink"); A("usr/lib64"); A("/lib64");
	A("--symlink"); A("usr/bin"); A("/bin");
	A("--symlink"); A("usr/sbin"); A("/sbin");
	A("--ro-bind"); A("/etc/alternatives"); A("/etc/alternatives");
	A("--ro-bind-try"); A("/etc/ld.so.cache"); A("/etc/ld.so.cache");
	if (o->include_dir) {
		A("--ro-bind"); A(o->include_dir); A("/addrlab/include");
	}
	A("--bind"); A(o->work_dir); A("/build");
	A("--tmpfs"); A("/tmp");
	A("--dev"); A("/dev");
	A("--proc"); A("/proc");
	A("--unshare-all");	/* network, pids, IPC, hostname... */
	A("--die-with-parent");
	A("--new-session");
	A("--clearenv");
	A("--setenv"); A("PATH"); A("/usr/bin:/bin");
	A("--setenv"); A("HOME"); A("/build");
	A("--setenv"); A("LC_ALL"); A("C.UTF-8");
	A("--chdir"); A("/build");
	A("--");
	for (int i = 0; cmd[i] && n < 94; i++)
		A(cmd[i]);
	argv[n] = NULL;
#undef A

	if (pipe2(pfd, O_CLOEXEC))
		return fail(res, BUILD_ERROR, "cannot make a pipe: %m");
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return fail(res, BUILD_ERROR, "cannot fork: %m");
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		struct rlimit as = { BUILD_MEM_LIMIT, BUILD_MEM_LIMIT };

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* A compiler fed something pathological stops at this size
		 * instead of taking the grader's machine with it. */
		setrlimit(RLIMIT_AS, &as);
		dup2(null, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "cannot run bwrap: %s\n", strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	log = malloc(cap + 1);
	if (!log) {
		kill(-pid, SIGKILL);
		waitpid(pid, &st, 0);
		close(pfd[0]);
		return -1;
	}
	deadline = now_ms() + (o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		uint64_t now = now_ms();
		char buf[8192];
		ssize_t r;

		if (now >= deadline) {
			timed_out = true;
			kill(-pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)(deadline - now)) <= 0)
			continue;
		r = read(pfd[0], buf, sizeof(buf));
		if (r <= 0)
			break;
		if ((size_t)r > cap - len)
			res->log_truncated = true;	/* keep reading: no SIGPIPE */
		if (len < cap) {
			size_t take = (size_t)r < cap - len ? (size_t)r : cap - len;

			memcpy(log + len, buf, take);
			len += take;
		}
	}
	close(pfd[0]);
	waitpid(pid, &st, 0);
	log[len] = '\0';
	drop_noise(log);
	free(res->log);
	res->log = log;
	res->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (timed_out)
		return fail(res, BUILD_TIMEOUT, "the build ran past its %u s limit",
			       (o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS) / 1000);
	return 0;
}

/* Counts warning lines: gcc's (tagged "[-W...]") or the checker's. */
static unsigned int count_warnings(const char *log, bool compiler)
{
	unsigned int n = 0;

	for (const char *p = log; *p;) {
		const char *e = strchrnul(p, '\n');
		size_t len = (size_t)(e - p);

		if (memmem(p, len, "warning:", 8) &&
		    !!memmem(p, len, "[-W", 3) == compiler)
			n++;
		p = *e ? e + 1 : e;
	}
	return n;
}

/* The first line with "error:" (or "warning:" under -Werror), for people. */
static char *first_problem(const char *log)
{
	const char *p = strstr(log, "error:");
	const char *s, *e;

	if (!p)
		p = strstr(log, "warning:");
	if (!p)
		return NULL;
	for (s = p; s > log && s[-1] != '\n'; s--)
		;
	e = strchr(p, '\n');
	return strndup(s, e ? (size_t)(e - s) : strlen(s));
}

int build_run(const struct build_opts *o, struct build_result *res)
{
	uint64_t t0 = now_ms();
	char *cmd[16], *kbuild = NULL, *first;
	char headers[512], artifact[4096], outpath[600], srcpaths[16][300];
	struct stat st;
	int n = 0;

	memset(res, 0, sizeof(*res));
	if (mkdir(o->work_dir, 0755) && errno != EEXIST) {
		fail(res, BUILD_ERROR, "cannot make '%s': %m", o->work_dir);
		return 0;
	}
	empty_dir(o->work_dir);
	for (size_t i = 0; i < o->nfiles; i++)
		if (copy_source(o, o->files[i], res) || res->status != BUILD_OK)
			goto out;

	if (o->kind == BUILD_MODULE) {
		snprintf(headers, sizeof(headers), "/usr/src/linux-headers-%s", o->kver);
		if (access(headers, R_OK)) {
			fail(res, BUILD_ERROR, "no kernel headers at '%s'; install linux-headers-%s",
				headers, o->kver);
			goto out;
		}
		kbuild = kbuild_text(o);
		if (!kbuild || write_text(o->work_dir, "Kbuild", kbuild)) {
			fail(res, BUILD_ERROR, "cannot write the Kbuild file");
			goto out;
		}
		cmd[n++] = "make";
		cmd[n++] = "-s";
		cmd[n++] = "-C";
		cmd[n++] = headers;
		cmd[n++] = "M=/build";
		if (o->sparse)
			cmd[n++] = "C=1";	/* one pass: compile and check */
		cmd[n++] = "modules";
		snprintf(artifact, sizeof(artifact), "%s/%s.ko", o->work_dir, o->name);
	} else {
		cmd[n++] = "gcc";
		cmd[n++] = "-std=gnu11";
		cmd[n++] = "-O2";
		cmd[n++] = "-Wall";
		cmd[n++] = "-Wextra";
		if (o->werror)
			cmd[n++] = "-Werror";
		cmd[n++] = "-static";
		cmd[n++] = "-I/addrlab/include";
		cmd[n++] = "-o";
		snprintf(outpath, sizeof(outpath), "/build/%s", o->name);
		cmd[n++] = outpath;
		for (size_t i = 0; i < o->nfiles && n < 15; i++) {
			size_t l = strlen(o->files[i]);

			/* Absolute, so messages read /build/FILE:LINE as for modules. */
			if (l > 2 && !strcmp(o->files[i] + l - 2, ".c")) {
				snprintf(srcpaths[n], sizeof(srcpaths[n]), "/build/%s",
					 o->files[i]);
				cmd[n] = srcpaths[n];
				n++;
			}
		}
		snprintf(artifact, sizeof(artifact), "%s/%s", o->work_dir, o->name);
	}
	cmd[n] = NULL;
	if (sandboxed(o, cmd, res) || res->status != BUILD_OK)
		goto out;
	res->warnings = count_warnings(res->log, true);
	res->checker = o->sparse ? count_warnings(res->log, false) : 0;
	if (res->exit_code != 0 || stat(artifact, &st)) {
		first = first_problem(res->log);
		fail(res, BUILD_FAILED, "%s", first ? first : "the build failed");
		free(first);
		goto out;
	}
	res->artifact = strdup(artifact);
	fail(res, BUILD_OK, "built %s with %u warning%s", o->name,
	     res->warnings, res->warnings == 1 ? "" : "s");
out:
	free(kbuild);
	res->elapsed_ms = (unsigned int)(now_ms() - t0);
	return 0;
}
