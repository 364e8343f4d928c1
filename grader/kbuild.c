// SPDX-License-Identifier: MIT
/* kbuild.c - Kbuild's recipe lines, recorded once and replayed (see kbuild.h). */
#define _GNU_SOURCE
#include "kbuild.h"
#include "exercise.h"	/* remove_tree() */
#include "snapshot.h"	/* snap_dir(), snap_key() */
#include "workdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RECIPE_VERSION	2
#define RECIPE_MAGIC	"addrlab-kbuild-recipe-2"
#define PLACEHOLDER	"@ADDRLAB_BUILD@"	/* the module folder, in a recipe */
#define RECORD_TIMEOUT_MS	300000
#define MAX_MOD_O	16	/* objects of NAME.mod.c kept per layout */
#define MAX_LINES	512	/* recipe lines a module build runs: about 20 */
#define MAX_ENV		(MAX_LINES * 256)

/*
 * make's SHELL while recording.  make runs each recipe line, and each
 * $(shell ...) of a makefile, as `SHELL -c TEXT`; a recipe line writes where
 * make writes, a $(shell ...) into a pipe make reads back.  Only recipe
 * lines are written down: folder, text, environment, NUL-separated.
 */
static const char recorder_text[] =
	"#!/bin/sh\n"
	"# addrlab: writes down each recipe line make runs (grader/kbuild.h).\n"
	"if [ \"$1\" = -c ] && [ /proc/self/fd/1 -ef \"/proc/$PPID/fd/1\" ]; then\n"
	"\t{ printf '%s\\0%s\\0' \"$(pwd)\" \"$2\"; env -0; printf '\\0'; } \\\n"
	"\t\t>> \"$ADDRLAB_KBUILD_RECORD\" || exit 126\n"
	"fi\n"
	"exec /bin/sh \"$@\"\n";

/*
 * Variables the recording was started with, as the sandbox starts a build
 * with them, but with other values: where make passed one on to a line, the
 * recipe keeps only its name, and the line gets the sandbox's value; where
 * make did not (Kbuild unexports LC_ALL), the line goes without, as under
 * make.  The shell's own and the recorder's are left out.
 */
static const char *const inherited_vars[] = { "PATH", "HOME", "TMPDIR", "LC_ALL", NULL };
static const char *const dropped_vars[] = {
	"ADDRLAB_KBUILD_RECORD", "SHELL", "PWD", "OLDPWD", "SHLVL", "_", NULL,
};

static int error(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

bool kbuild_replay_enabled(void)
{
	const char *v = getenv("ADDRLAB_KBUILD");

	return !v || strcmp(v, "make");
}

/* s with every `from` written as `to`: malloc'd, or NULL. */
static char *subst(const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), len = 0;
	char *out = NULL;
	FILE *f = open_memstream(&out, &len);
	const char *p;

	if (!f)
		return NULL;
	while (fl && (p = strstr(s, from))) {
		fwrite(s, 1, (size_t)(p - s), f);
		fputs(to, f);
		s = p + fl;
	}
	fputs(s, f);
	return fclose(f) ? (free(out), NULL) : out;
}

/* The recording's key: the layout, and who would run it. */
static uint64_t recipe_key(const struct build_opts *o, const char *kbuild_text,
			   bool rooted, const char *headers)
{
	static const char *const tools[] = { "make", "gcc", "sparse", "ld", "sh" };
	static const char *const parts[] = { "Makefile", ".config", "Module.symvers",
					     "scripts/mod/modpost" };
	const char *argv[8 + 64] = { "kbuild", kbuild_text, rooted ? "rooted" : "real",
				     o->name, o->sparse ? "C=1" : "", headers };
	const char *files[12] = { 0 };
	char part[4][600];
	size_t n = 6, m = 0;

	for (size_t i = 0; i < o->nfiles && n < 8 + 63; i++)
		argv[n++] = o->files[i];
	for (size_t i = 0; i < 4; i++) {
		snprintf(part[i], sizeof(part[i]), "%s/%s", headers, parts[i]);
		files[m++] = part[i];
	}
	for (size_t i = 0; i < 5; i++)
		files[m++] = tools[i];
	return snap_key(argv, NULL, files, RECIPE_VERSION);
}

/* The recorder in the cache folder (rewritten when its text changed). */
static int install_recorder(const char *cache, char *path, size_t n)
{
	char tmp[4300], *have;
	size_t len = 0;

	snprintf(path, n, "%s/kbuild-record", cache);
	have = read_text_file(path, &len);
	if (have && !strcmp(have, recorder_text) && !access(path, X_OK)) {
		free(have);
		return 0;
	}
	free(have);
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	if (write_text_file(tmp, recorder_text, sizeof(recorder_text) - 1) ||
	    chmod(tmp, 0755) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* The stand-in: the layout's files, the first C file a licensed module. */
static int write_stand_in(const struct build_opts *o, const char *dir,
			  const char *kbuild_text)
{
	static const char module[] = "#include <linux/module.h>\nMODULE_LICENSE(\"GPL\");\n";
	bool first = true;
	char p[4200];

	snprintf(p, sizeof(p), "%s/Kbuild", dir);
	if (write_text_file(p, kbuild_text, strlen(kbuild_text)))
		return -1;
	for (size_t i = 0; i < o->nfiles; i++) {
		size_t l = strlen(o->files[i]);
		bool c = l > 2 && !strcmp(o->files[i] + l - 2, ".c");
		const char *text = c && first ? module : "/* stand-in */\n";

		first &= !c;
		snprintf(p, sizeof(p), "%s/%s", dir, o->files[i]);
		if (write_text_file(p, text, strlen(text)))
			return -1;
	}
	return 0;
}

/* Runs argv in dir with envp, output to log; its exit status, or -1. */
static int run_make(char *const argv[], char *const envp[], const char *dir,
		    const char *log)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int st = 0;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY), out = open(log, O_WRONLY | O_CREAT |
								 O_TRUNC, 0600);

		setpgid(0, 0);
		if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(out, 2) < 0 || chdir(dir))
			_exit(127);
		execve("/usr/bin/make", argv, envp);
		_exit(127);
	}
	for (unsigned int waited = 0; waitpid(pid, &st, WNOHANG) == 0; waited += 20) {
		if (waited >= RECORD_TIMEOUT_MS) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		nanosleep(&tick, NULL);
	}
	kill(-pid, SIGKILL);	/* nothing of it outlives the recording */
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Is the recipe line text a sub-make (whose own lines are recorded)? */
static bool is_sub_make(const char *text, const char *make)
{
	size_t n;

	text += strspn(text, " \t");
	n = strcspn(text, " \t");
	if (make && strlen(make) == n && !strncmp(text, make, n))
		return true;
	return (n == 4 && !strncmp(text, "make", 4)) ||
	       (n > 5 && !strncmp(text + n - 5, "/make", 5));
}

/* Is kv ("NAME=value", or "NAME") one of vars? */
static bool var_in(const char *kv, const char *const vars[])
{
	for (size_t i = 0; vars[i]; i++) {
		size_t l = strlen(vars[i]);

		if (!strncmp(kv, vars[i], l) && (kv[l] == '=' || !kv[l]))
			return true;
	}
	return false;
}

static const char *env_get(char *const *env, size_t n, const char *name)
{
	size_t l = strlen(name);

	for (size_t i = 0; i < n; i++)
		if (!strncmp(env[i], name, l) && env[i][l] == '=')
			return env[i] + l + 1;
	return NULL;
}

/*
 * The record (folder, text, environment...; each record ended by an empty
 * string) written as a recipe: sub-makes and empty lines left out, the
 * recording's own variables dropped, the stand-in's folder a placeholder.
 */
static int write_recipe(const char *rec, size_t len, const char *dir,
			const char *recorder, FILE *out)
{
	char *shell_arg = NULL;

	if (asprintf(&shell_arg, " SHELL=%s", recorder) < 0)
		return -1;
	const char *p = rec, *end = rec + len;
	unsigned int lines = 0;

	fwrite(RECIPE_MAGIC, 1, sizeof(RECIPE_MAGIC), out);
	while (p < end) {
		const char *cwd = p, *text = cwd + strlen(cwd) + 1;
		char *env[512], *s;
		size_t n = 0;
		bool keep;

		if (text >= end) {
			free(shell_arg);
			return -1;
		}
		p = text + strlen(text) + 1;
		while (p < end && *p) {
			if (n < 512)
				env[n++] = (char *)p;
			p += strlen(p) + 1;
		}
		if (p >= end || n == 512) {
			free(shell_arg);
			return -1;
		}
		p++;
		keep = text[strspn(text, " \t:")] && !is_sub_make(text, env_get(env, n, "MAKE"));
		if (!keep)
			continue;
		for (size_t i = 0; i < n + 2; i++) {
			const char *v = i == 0 ? cwd : i == 1 ? text : env[i - 2];
			char *t;

			if (i >= 2 && var_in(v, dropped_vars))
				continue;
			if (i >= 2 && var_in(v, inherited_vars)) {
				fwrite(v, 1, strcspn(v, "="), out);	/* the name alone */
				fputc('\0', out);
				continue;
			}
			t = subst(v, shell_arg, "");	/* make's flags name the recorder */
			s = t ? subst(t, dir, PLACEHOLDER) : NULL;
			free(t);
			if (!s) {
				free(shell_arg);
				return -1;
			}
			fwrite(s, 1, strlen(s) + 1, out);
			free(s);
		}
		fputc('\0', out);
		lines++;
	}
	free(shell_arg);
	return lines ? 0 : -1;
}

/* Records the layout's recipe lines into path. */
static int record(const struct build_opts *o, const char *kbuild_text,
		  const char *headers, const char *path, char *err, size_t errlen)
{
	char cache[4096], recorder[4200], dir[4096], log[4200], rec[4200], shell[4300],
	     m[4200], home[4200], recvar[4300], tmp[4300], ko[4200], *out = NULL, *buf;
	char *argv[] = { "make", "-s", "-C", (char *)headers, m, shell,
			 o->sparse ? "C=1" : "modules", o->sparse ? "modules" : NULL, NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", home, "TMPDIR=/tmp", "LC_ALL=C.UTF-8",
			 recvar, NULL };
	size_t len = 0, olen = 0;
	FILE *f;
	int rc = -1, st;

	if (snap_dir(cache, sizeof(cache)) || install_recorder(cache, recorder, sizeof(recorder)))
		return error(err, errlen, "no cache folder to keep the recorder in");
	if (work_dir_make(dir, sizeof(dir), "kbuild"))
		return error(err, errlen, "cannot make a folder to record in: %s", strerror(errno));
	snprintf(m, sizeof(m), "M=%s", dir);
	snprintf(shell, sizeof(shell), "SHELL=%s", recorder);
	snprintf(home, sizeof(home), "HOME=%s", dir);
	snprintf(rec, sizeof(rec), "%s/.record", dir);
	snprintf(recvar, sizeof(recvar), "ADDRLAB_KBUILD_RECORD=%s", rec);
	snprintf(log, sizeof(log), "%s/.log", dir);
	snprintf(ko, sizeof(ko), "%s/%s.ko", dir, o->name);
	if (write_stand_in(o, dir, kbuild_text)) {
		error(err, errlen, "cannot write the stand-in module in '%s'", dir);
		goto out;
	}
	st = run_make(argv, envp, dir, log);
	if (st != 0 || access(ko, F_OK)) {
		error(err, errlen, "make did not build the stand-in module (status %d); see %s",
		      st, log);
		goto out;
	}
	buf = read_text_file(rec, &len);
	f = buf ? open_memstream(&out, &olen) : NULL;
	if (!f || write_recipe(buf, len, dir, recorder, f) | fclose(f)) {
		error(err, errlen, "the recording of make's lines is unreadable");
		free(buf);
		goto out;
	}
	free(buf);
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	if (write_text_file(tmp, out, olen) || rename(tmp, path)) {
		unlink(tmp);
		error(err, errlen, "cannot save the recipe '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(out);
	remove_tree(dir);
	return rc;
}

/* Writes s single-quoted for sh. */
static void quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

/* One parsed recipe line. */
struct line {
	const char *cwd, *text;
	const char *const *env;
	size_t nenv;
	int group;		/* the shell function that sets its environment */
	bool checker;		/* sparse: starts at once, in the background */
	bool mod_o;		/* compiles NAME.mod.c: skipped for a known text */
};

static bool same_env(const struct line *a, const struct line *b)
{
	if (strcmp(a->cwd, b->cwd) || a->nenv != b->nenv)
		return false;
	for (size_t i = 0; i < a->nenv; i++)
		if (strcmp(a->env[i], b->env[i]))
			return false;
	return true;
}

/* Is this line sparse's: "$(CHECK) $(CHECKFLAGS) ..." in its text? */
static bool is_checker(const struct line *l)
{
	const char *check = env_get((char *const *)l->env, l->nenv, "CHECK");
	const char *flags = env_get((char *const *)l->env, l->nenv, "CHECKFLAGS");
	char *both;
	bool yes;

	if (!check || !*check || !flags || asprintf(&both, "%s %s", check, flags) < 0)
		return false;
	yes = strstr(l->text, both) != NULL;
	free(both);
	return yes;
}

/*
 * Does the line only set itself up (Kbuild's `set -e; exec >/dev/null;
 * trap ...;` before a command that expanded to nothing)?  Statements are
 * split at semicolons outside quotes.
 */
static bool is_noop(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *s = p + strspn(p, " \t\n");
		char q = 0;
		size_t n;

		for (p = s; *p && (q || *p != ';'); p++) {
			if (*p == '\\' && p[1] && q != '\'') {
				p++;
				continue;
			}
			if (*p == '\'' || *p == '"')
				q = q == *p ? 0 : q ? q : *p;
		}
		n = (size_t)(p - s);
		while (n && strchr(" \t\n", s[n - 1]))
			n--;
		if (*p)
			p++;
		if (n == 0 || (n == 1 && *s == ':') || (n == 6 && !strncmp(s, "set -e", 6)) ||
		    (n == 15 && !strncmp(s, "exec >/dev/null", 15)) ||
		    (n > 5 && !strncmp(s, "trap ", 5)))
			continue;
		return false;
	}
	return true;
}

/* Can sh `export` every variable of the line by name? */
static bool exportable(const struct line *l)
{
	for (size_t i = 0; i < l->nenv; i++) {
		const char *v = l->env[i];
		size_t n = strcspn(v, "=");

		if (!v[n])
			continue;	/* inherited: not set by the line */
		if (!n || (v[0] >= '0' && v[0] <= '9') ||
		    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != n)
			return false;
	}
	return true;
}

/* Splits a recipe into lines (pointing into buf); how many, or -1. */
static int parse_recipe(const char *buf, size_t len, struct line *lines, size_t max,
			const char **envs, size_t maxenv)
{
	const char *p = buf, *end = buf + len;
	size_t n = 0, e = 0;

	if (len < sizeof(RECIPE_MAGIC) || memcmp(buf, RECIPE_MAGIC, sizeof(RECIPE_MAGIC)))
		return -1;
	p += sizeof(RECIPE_MAGIC);
	while (p < end) {
		struct line *l = &lines[n];

		if (n == max)
			return -1;
		l->cwd = p;
		p += strlen(p) + 1;
		if (p >= end)
			return -1;
		l->text = p;
		p += strlen(p) + 1;
		l->env = envs + e;
		l->nenv = 0;
		while (p < end && *p) {
			if (e == maxenv)
				return -1;
			envs[e++] = p;
			l->nenv++;
			p += strlen(p) + 1;
		}
		if (p >= end)
			return -1;
		p++;
		n++;
	}
	return (int)n;
}

/* Is this the line compiling NAME.mod.c, the output of modpost? */
static bool is_mod_o(const struct line *l, const char *name)
{
	char *c = NULL, *o = NULL;
	bool yes;

	if (asprintf(&c, PLACEHOLDER "/%s.mod.c", name) < 0 ||
	    asprintf(&o, "-o " PLACEHOLDER "/%s.mod.o ", name) < 0) {
		free(c);
		return false;
	}
	yes = strstr(l->text, c) && strstr(l->text, o);
	free(c);
	free(o);
	return yes;
}

/* Writes the shell function eN setting line l's folder and environment. */
static void write_group(FILE *f, const struct line *l)
{
	bool ex = exportable(l);

	fprintf(f, "e%d() { (cd ", l->group);
	quote(f, l->cwd);
	for (size_t i = 0; inherited_vars[i]; i++) {
		bool passed = false;

		for (size_t k = 0; k < l->nenv; k++)
			passed |= var_in(l->env[k], (const char *const[]){ inherited_vars[i], NULL });
		if (!passed)
			fprintf(f, " && unset %s", inherited_vars[i]);
	}
	fputs(ex ? " && export" : " && exec env", f);
	for (size_t k = 0; k < l->nenv; k++) {
		if (!strchr(l->env[k], '='))
			continue;
		fputc(' ', f);
		quote(f, l->env[k]);
	}
	fputs(ex ? " && exec /bin/sh -c \"$1\"); }\n" : " /bin/sh -c \"$1\"); }\n", f);
}

/*
 * The line compiling NAME.mod.c, skipped when the build folder holds an
 * object made before from the same text (kbuild_keep()): modpost writes
 * the same NAME.mod.c for every module importing the same symbols.
 */
static void write_mod_o(FILE *f, const struct line *l, const char *name)
{
	fprintf(f, "k=$(sha256sum < '" PLACEHOLDER "/%s.mod.c') && k=${k%%%% *} && "
		"printf '%%s\\n' \"$k\" > '" PLACEHOLDER "/.addrlab-modc-sha256' || exit 125\n",
		name);
	fprintf(f, "if [ -f '" PLACEHOLDER "/.addrlab-modo-'\"$k\" ]; then cp '" PLACEHOLDER
		"/.addrlab-modo-'\"$k\" '" PLACEHOLDER "/%s.mod.o' || exit $?; else e%d ",
		name, l->group);
	quote(f, l->text);
	fputs(" || exit $?; fi\n", f);
}

/*
 * Is this Kbuild's check that an object exports no local symbol
 * (scripts/check-local-export OBJ, 6.1)?  It only reads OBJ; obj gets
 * its path.
 */
static bool is_local_export_check(const struct line *l, char *obj, size_t n)
{
	static const char tool[] = "/scripts/check-local-export ";
	const char *p = strstr(l->text, tool);
	size_t len;

	if (!p)
		return false;
	p += sizeof(tool) - 1;
	len = strcspn(p, " \t\n;|&");
	if (len < 3 || len >= n || strncmp(p, PLACEHOLDER "/", sizeof(PLACEHOLDER)) ||
	    strncmp(p + len - 2, ".o", 2))
		return false;
	snprintf(obj, n, "%.*s", (int)len, p);
	return true;
}

/* Writes line i: run, or (sparse's) joined; its output to buf if any. */
static void write_line(FILE *f, const struct line *l, int i, const char *name, int bg)
{
	char to[96] = "", fail[160] = "exit $s";

	if (bg >= 0) {
		snprintf(to, sizeof(to), " >>'" PLACEHOLDER "/.addrlab-buf-%d' 2>&1", bg);
		snprintf(fail, sizeof(fail), "{ join $b%d %d; exit $s; }", bg, bg);
	}
	if (l->checker) {
		fprintf(f, "wait $c%d; s=$?; cat '" PLACEHOLDER "/.addrlab-check-%d'%s%s; "
			"[ $s -eq 0 ] || %s\n", i, i, to, *to ? "" : " >&2", fail);
	} else if (l->mod_o) {
		write_mod_o(f, l, name);
	} else {
		fprintf(f, "e%d ", l->group);
		quote(f, l->text);
		fprintf(f, "%s || { s=$?; %s; }\n", to, fail);
	}
}

/*
 * The script for the parsed lines, the module folder being work.  Lines
 * run one after the other and the first that fails ends the script with
 * its status, as under make, with two exceptions that only read: sparse
 * starts at once, and a local-export check runs beside the lines after it
 * that deal with the same object; the output of either, and of the lines
 * beside it, is put where make would have printed it, and a failure of
 * either is reported where make would have stopped.
 */
static char *script_of(struct line *lines, int n, const char *name, const char *work)
{
	char *out = NULL, *s, obj[512] = "";
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int groups = 0, bg = -1;

	if (!f)
		return NULL;
	fputs("# Kbuild's recipe lines for this module, replayed (grader/kbuild.h).\n", f);
	for (int i = 0; i < n; i++) {
		lines[i].group = -1;
		for (int j = 0; j < i && lines[i].group < 0; j++)
			if (same_env(&lines[i], &lines[j]))
				lines[i].group = lines[j].group;
		lines[i].checker = is_checker(&lines[i]);
		lines[i].mod_o = is_mod_o(&lines[i], name);
		if (lines[i].group >= 0)
			continue;
		lines[i].group = groups++;
		write_group(f, &lines[i]);
	}
	/* join PID N: the check's output; its failure; what ran beside it. */
	fputs("join() { wait \"$1\"; s=$?; cat '" PLACEHOLDER "/.addrlab-bg-'\"$2\" >&2; "
	      "[ $s -eq 0 ] || exit $s; cat '" PLACEHOLDER "/.addrlab-buf-'\"$2\" >&2; }\n", f);
	fputs("trap 'kill $checkers 2>/dev/null' EXIT\ncheckers=\n", f);
	for (int i = 0; i < n; i++) {
		if (!lines[i].checker)
			continue;
		fprintf(f, "e%d ", lines[i].group);
		quote(f, lines[i].text);
		fprintf(f, " >'" PLACEHOLDER "/.addrlab-check-%d' 2>&1 & c%d=$!; "
			"checkers=\"$checkers $!\"\n", i, i);
	}
	for (int i = 0; i < n; i++) {
		if (!lines[i].checker && !lines[i].mod_o && is_noop(lines[i].text))
			continue;
		if (bg >= 0 && !lines[i].checker && !strstr(lines[i].text, obj)) {
			fprintf(f, "join $b%d %d\n", bg, bg);
			bg = -1;
		}
		if (bg < 0 && is_local_export_check(&lines[i], obj, sizeof(obj))) {
			fprintf(f, "e%d ", lines[i].group);
			quote(f, lines[i].text);
			fprintf(f, " >'" PLACEHOLDER "/.addrlab-bg-%d' 2>&1 & b%d=$!; "
				"checkers=\"$checkers $!\"; : >'" PLACEHOLDER "/.addrlab-buf-%d'\n",
				i, i, i);
			bg = i;
			continue;
		}
		write_line(f, &lines[i], i, name, bg);
	}
	if (bg >= 0)
		fprintf(f, "join $b%d %d\n", bg, bg);
	if (fclose(f)) {
		free(out);
		return NULL;
	}
	s = subst(out, PLACEHOLDER, work);
	free(out);
	return s;
}

/* The cache folder, the recipe's path and its folder of NAME.mod.o
 * objects (each n bytes); the key, or 0 without a cache folder. */
static uint64_t where(const struct build_opts *o, const char *kbuild_text, bool rooted,
		      char *cache, char *recipe, char *objects, size_t n)
{
	char headers[512];
	uint64_t key;

	snprintf(headers, sizeof(headers), "/usr/src/linux-headers-%s", o->kver);
	if (snap_dir(cache, n))
		return 0;
	key = recipe_key(o, kbuild_text, rooted, headers);
	snprintf(recipe, n, "%s/kbuild-%016llx.recipe", cache, (unsigned long long)key);
	snprintf(objects, n, "%s/kbuild-%016llx.mod.o", cache, (unsigned long long)key);
	return key;
}

static int copy_file(const char *from, const char *to)
{
	size_t len = 0;
	char *buf = read_text_file(from, &len);
	int rc = buf ? write_text_file(to, buf, len) : -1;

	free(buf);
	return rc;
}

/* Is name 64 lower-case hex digits (a SHA-256)? */
static bool is_sha(const char *name)
{
	return strlen(name) == 64 && strspn(name, "0123456789abcdef") == 64;
}

/* Copies the layout's known NAME.mod.o objects into the build folder. */
static void offer_objects(const char *objects, const char *work)
{
	DIR *d = opendir(objects);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char from[4400], to[4400];

		if (!is_sha(e->d_name))
			continue;
		snprintf(from, sizeof(from), "%s/%s", objects, e->d_name);
		snprintf(to, sizeof(to), "%s/.addrlab-modo-%s", work, e->d_name);
		copy_file(from, to);
	}
	if (d)
		closedir(d);
}

char *kbuild_script(const struct build_opts *o, const char *kbuild_text,
		    bool rooted, char *err, size_t errlen)
{
	static uint64_t failed[16];	/* layouts that could not be recorded */
	static unsigned int nfailed;
	char headers[512], cache[4200], path[4200], objects[4200], *buf, *script = NULL;
	const char **envs = NULL;
	struct line *lines = NULL;
	uint64_t key;
	size_t len = 0;
	int n = -1;

	if (!rooted && strchr(o->work_dir, '\''))
		return error(err, errlen, "the work folder's name holds a quote"), NULL;
	key = where(o, kbuild_text, rooted, cache, path, objects, sizeof(path));
	if (!key)
		return error(err, errlen, "no cache folder"), NULL;
	for (unsigned int i = 0; i < nfailed && i < 16; i++)
		if (failed[i] == key)
			return error(err, errlen, "this layout could not be recorded before"), NULL;
	snprintf(headers, sizeof(headers), "/usr/src/linux-headers-%s", o->kver);
	if (access(path, R_OK) && (snap_sweep(cache),
				   record(o, kbuild_text, headers, path, err, errlen))) {
		failed[nfailed++ % 16] = key;
		return NULL;
	}
	buf = read_text_file(path, &len);
	lines = calloc(MAX_LINES, sizeof(*lines));
	envs = calloc(MAX_ENV, sizeof(*envs));
	if (buf && lines && envs)
		n = parse_recipe(buf, len, lines, MAX_LINES, envs, MAX_ENV);
	if (n > 0)
		script = script_of(lines, n, o->name, rooted ? "/build" : o->work_dir);
	if (!script && buf) {
		error(err, errlen, "the recipe '%s' is unreadable; it is recorded anew", path);
		unlink(path);
	} else if (!script) {
		error(err, errlen, "out of memory");
	}
	free(lines);
	free(envs);
	free(buf);
	if (script) {
		snap_touch(path);	/* in use: snap_sweep() keeps it */
		snap_touch(objects);
		offer_objects(objects, o->work_dir);
	}
	return script;
}

/* Removes the oldest objects past MAX_MOD_O. */
static void prune_objects(const char *objects)
{
	for (;;) {
		DIR *d = opendir(objects);
		struct dirent *e;
		char oldest[4700] = "";
		struct timespec t = { 0 };
		int n = 0;

		while (d && (e = readdir(d))) {
			char p[4700];
			struct stat st;

			snprintf(p, sizeof(p), "%s/%s", objects, e->d_name);
			if (!is_sha(e->d_name) || stat(p, &st))
				continue;
			n++;
			if (!*oldest || st.st_mtim.tv_sec < t.tv_sec ||
			    (st.st_mtim.tv_sec == t.tv_sec && st.st_mtim.tv_nsec < t.tv_nsec)) {
				t = st.st_mtim;
				snprintf(oldest, sizeof(oldest), "%s", p);
			}
		}
		if (d)
			closedir(d);
		if (n <= MAX_MOD_O || unlink(oldest))
			return;
	}
}

void kbuild_keep(const struct build_opts *o, const char *kbuild_text, bool rooted)
{
	char cache[4200], path[4200], objects[4200], sha[4400], obj[4400], to[4400], tmp[4500];
	size_t len = 0;
	char *text;

	snprintf(sha, sizeof(sha), "%s/.addrlab-modc-sha256", o->work_dir);
	text = read_text_file(sha, &len);
	if (!text || len != 65 || text[64] != '\n' || (text[64] = '\0', !is_sha(text)) ||
	    !where(o, kbuild_text, rooted, cache, path, objects, sizeof(path))) {
		free(text);
		return;
	}
	snprintf(to, sizeof(to), "%s/%s", objects, text);
	snprintf(obj, sizeof(obj), "%s/%s.mod.o", o->work_dir, o->name);
	snprintf(tmp, sizeof(tmp), "%s.%d", to, (int)getpid());
	free(text);
	if (!access(to, F_OK) || (mkdir(objects, 0700) && errno != EEXIST))
		return;
	if (copy_file(obj, tmp) || rename(tmp, to))
		unlink(tmp);
	prune_objects(objects);
}
