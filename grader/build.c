// SPDX-License-Identifier: MIT
/* build.c - sandboxed submission builds (see build.h). */
#define _GNU_SOURCE
#include "build.h"
#include "kbuild.h"
#include "paths.h"

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
#define MAX_ENTRIES		1000	/* in a submission folder */

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

/* What a file that is not a regular file is, in words. */
static const char *kind_of(mode_t m)
{
	return S_ISLNK(m) ? "a symbolic link" : S_ISFIFO(m) ? "a named pipe (FIFO)" :
	       S_ISSOCK(m) ? "a socket" : S_ISCHR(m) || S_ISBLK(m) ? "a device node" :
	       S_ISDIR(m) ? "a folder" : "not a regular file";
}

/* Judges src_dir/name by lstat() alone: a regular file, small. */
static int judge_source(const char *src_dir, const char *name, struct stat *st,
			struct build_result *res)
{
	char src[4096];

	snprintf(src, sizeof(src), "%s/%s", src_dir, name);
	if (lstat(src, st))
		return fail(res, errno == ENOENT ? BUILD_BAD_INPUT : BUILD_ERROR,
			    errno == ENOENT ? "the submission has no '%s'" :
			    "cannot read '%s': %m", name);
	if (!S_ISREG(st->st_mode))
		return fail(res, BUILD_BAD_INPUT, "'%s' is %s, not a file; submit the file itself",
			    name, kind_of(st->st_mode));
	if (st->st_size > MAX_SOURCE_BYTES)
		return fail(res, BUILD_BAD_INPUT, "'%s' is %lld bytes; the limit is %u KiB a file",
			    name, (long long)st->st_size, MAX_SOURCE_BYTES >> 10);
	return 0;
}

int build_read_source(const char *dir, const char *name, char **text, size_t *len,
		      struct build_result *res)
{
	char src[4096], *buf;
	struct stat st, fst;
	ssize_t n = 0, r = 1;
	int in;

	*text = NULL;
	*len = 0;
	if (judge_source(dir, name, &st, res))
		return -1;
	snprintf(src, sizeof(src), "%s/%s", dir, name);
	in = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (in < 0 || fstat(in, &fst) || fst.st_ino != st.st_ino || !S_ISREG(fst.st_mode)) {
		if (in >= 0)
			close(in);
		return fail(res, BUILD_BAD_INPUT, "'%s' changed while it was read; submit it again",
			    name);
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && n < st.st_size && (r = read(in, buf + n, (size_t)(st.st_size - n))) > 0)
		n += r;
	close(in);
	if (!buf || r < 0) {
		free(buf);
		return fail(res, BUILD_ERROR, "cannot read '%s': %s", name,
			    buf ? strerror(errno) : "out of memory");
	}
	buf[n] = '\0';
	*text = buf;
	*len = (size_t)n;
	return 0;
}

/* Copies src_dir/name to work_dir/name, read by build_read_source(). */
static int copy_source(const struct build_opts *o, const char *name,
		       struct build_result *res)
{
	char dst[4096], *buf;
	size_t n;
	int out;

	if (build_read_source(o->src_dir, name, &buf, &n, res))
		return -1;
	snprintf(dst, sizeof(dst), "%s/%s", o->work_dir, name);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0 || write(out, buf, n) != (ssize_t)n) {
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

/* A submission folder of thousands of entries is refused before any is read. */
static int check_folder(const char *dir, struct build_result *res)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned int n = 0;

	if (!d)
		return fail(res, BUILD_BAD_INPUT, "cannot read the submission folder '%s': %m",
			    dir);
	while ((e = readdir(d)) && n <= MAX_ENTRIES)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	if (n > MAX_ENTRIES)
		return fail(res, BUILD_BAD_INPUT, "the submission folder holds more than %d files; "
			    "submit only the exercise's files", MAX_ENTRIES);
	return 0;
}

int build_check_submission(const char *dir, char *const *files, size_t nfiles,
			   struct build_result *res)
{
	struct stat st;

	memset(res, 0, sizeof(*res));
	if (check_folder(dir, res))
		return -1;
	for (size_t i = 0; i < nfiles; i++)
		if (judge_source(dir, files[i], &st, res))
			return -1;
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
static char *kbuild_text(const struct build_opts *o, const char *inc)
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
		asprintf(&text, "obj-m := %s.o\nccflags-y := -I%s%s\n",
			 o->name, inc, o->werror ? " -Werror" : "");
	else
		asprintf(&text, "obj-m := %s.o\n%s-y :=%s\nccflags-y := -I%s%s\n",
			 o->name, o->name, objs, inc, o->werror ? " -Werror" : "");
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

/* Runs cmd in the sandbox with the work folder as /build. */
static int sandboxed(const struct build_opts *o, enum sandbox_kind kind,
		     char *const cmd[], struct build_result *res)
{
	char **hidden = secret_paths(), err[1024];
	struct sandbox_spec sp = {
		.kind = kind, .work_dir = o->work_dir,
		.include_dir = o->include_dir, .hidden = hidden,
		.lim = { .timeout_ms = o->timeout_ms ? o->timeout_ms : DEFAULT_TIMEOUT_MS,
			 .log_cap = o->log_cap ? o->log_cap : DEFAULT_LOG_CAP },
	};
	struct sandbox_result r;
	int rc;

	if (!hidden)
		return fail(res, BUILD_ERROR, "cannot start the build sandbox: out of memory");
	rc = sandbox_run(&sp, cmd, &r, err, sizeof(err));
	strv_free_all(hidden);
	res->sandbox = r.kind;
	if (rc)
		return fail(res, BUILD_ERROR, "cannot start the build sandbox: %s", err);
	if (!r.started) {
		fail(res, BUILD_ERROR, "the '%s' build sandbox did not start: %s",
		     sandbox_name(r.kind), r.log);
		sandbox_result_free(&r);
		return -1;
	}
	drop_noise(r.log);
	free(res->log);
	res->log = r.log;
	res->log_truncated = r.log_truncated;
	res->exit_code = r.exit_code;
	res->oom_killed = r.oom_killed;
	if (r.timed_out)
		return fail(res, BUILD_TIMEOUT, "the build ran past its %u s limit",
			    sp.lim.timeout_ms / 1000);
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

/* The line of log holding p. */
static char *line_at(const char *log, const char *p)
{
	const char *s = p, *e = strchrnul(p, '\n');

	while (s > log && s[-1] != '\n')
		s--;
	return strndup(s, (size_t)(e - s));
}

/*
 * Why a build failed, in one line for people: running out of a limit
 * first (the compiler's own words would not say which limit), then the
 * first error (the compiler's "error:", the assembler's "Error:", the
 * linker's "undefined reference"), then a warning under -Werror.
 */
static char *failure_cause(const char *log, int exit_code, bool oom_killed)
{
	static const struct {
		const char *needle, *says;
	} limits[] = {
		{ "out of memory", "the build ran out of memory (1 GiB a process)" },
		{ "memory exhausted", "the build ran out of memory (1 GiB a process)" },
		{ "Cannot allocate memory", "the build ran out of memory (1 GiB a process)" },
		{ "File too large", "the build wrote a file past the 64 MiB limit" },
		{ "No space left on device", "the build's temporary files passed the 64 MiB limit" },
	};
	static const char *const errors[] = { "error:", "Error:", "ERROR:", "undefined reference",
					      "warning:" };
	const char *p;

	if (oom_killed)
		return strdup("the build ran out of memory (1 GiB for the whole build, its /tmp "
			      "included): the kernel killed a process of it");
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		if ((p = strstr(log, limits[i].needle))) {
			char *line = line_at(log, p), *out = NULL;

			if (asprintf(&out, "%s: %s", limits[i].says, line ? line : "") < 0)
				out = NULL;
			free(line);
			return out;
		}
	}
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if ((p = strstr(log, errors[i])))
			return line_at(log, p);
	if (exit_code == 128 + SIGKILL)
		return strdup("the build was killed (out of memory?)");
	return NULL;
}

int build_run(const struct build_opts *o, struct build_result *res)
{
	uint64_t t0 = now_ms();
	char *cmd[16], *kbuild = NULL, *first, *script = NULL, why[512];
	char headers[512], artifact[4096], outpath[600], srcpaths[16][300];
	enum sandbox_kind kind = o->sandbox ? o->sandbox : sandbox_current();
	struct stat st;
	int n = 0;

	memset(res, 0, sizeof(*res));
	res->sandbox = kind;
	if (mkdir(o->work_dir, 0755) && errno != EEXIST) {
		fail(res, BUILD_ERROR, "cannot make '%s': %m", o->work_dir);
		return 0;
	}
	empty_dir(o->work_dir);
	if (check_folder(o->src_dir, res))
		goto out;
	for (size_t i = 0; i < o->nfiles; i++)
		if (copy_source(o, o->files[i], res) || res->status != BUILD_OK)
			goto out;
	if (kind == SANDBOX_AUTO) {
		fail(res, BUILD_ERROR, "%s", sandbox_why());
		goto out;
	}

	if (o->kind == BUILD_MODULE) {
		snprintf(headers, sizeof(headers), "/usr/src/linux-headers-%s", o->kver);
		if (access(headers, R_OK)) {
			fail(res, BUILD_ERROR, "no kernel headers at '%s'; install linux-headers-%s",
				headers, o->kver);
			goto out;
		}
		/* Kbuild reads this file itself: the include folder as the
		 * build sees it (sandbox.h rewrites only the command line). */
		kbuild = kbuild_text(o, sandbox_has_root(kind) || !o->include_dir ?
				     "/addrlab/include" : o->include_dir);
		if (!kbuild || write_text(o->work_dir, "Kbuild", kbuild)) {
			fail(res, BUILD_ERROR, "cannot write the Kbuild file");
			goto out;
		}
		if (kbuild_replay_enabled())
			script = kbuild_script(o, kbuild, sandbox_has_root(kind), why, sizeof(why));
		if (script && !write_text(o->work_dir, ".addrlab-kbuild.sh", script)) {
			cmd[n++] = "sh";
			cmd[n++] = "/build/.addrlab-kbuild.sh";
			res->replayed = true;
		} else {
			cmd[n++] = "make";
			cmd[n++] = "-s";
			cmd[n++] = "-C";
			cmd[n++] = headers;
			cmd[n++] = "M=/build";
			if (o->sparse)
				cmd[n++] = "C=1";	/* one pass: compile and check */
			cmd[n++] = "modules";
		}
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
	if (sandboxed(o, kind, cmd, res) || res->status != BUILD_OK)
		goto out;
	res->warnings = count_warnings(res->log, true);
	res->checker = o->sparse ? count_warnings(res->log, false) : 0;
	if (res->exit_code != 0 || stat(artifact, &st)) {
		first = failure_cause(res->log, res->exit_code, res->oom_killed);
		fail(res, BUILD_FAILED, "%s", first ? first : "the build failed");
		free(first);
		goto out;
	}
	if (res->replayed)
		kbuild_keep(o, kbuild, sandbox_has_root(kind));
	res->artifact = strdup(artifact);
	fail(res, BUILD_OK, "built %s with %u warning%s", o->name,
	     res->warnings, res->warnings == 1 ? "" : "s");
out:
	free(script);
	free(kbuild);
	res->elapsed_ms = (unsigned int)(now_ms() - t0);
	return 0;
}
