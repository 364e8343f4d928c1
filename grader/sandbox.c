// SPDX-License-Identifier: MIT
/* sandbox.c - the build sandboxes and their limits (see sandbox.h). */
#define _GNU_SOURCE
#include "sandbox.h"
#include "memcg.h"
#include "landlock.h"

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
#define DEFAULT_MEM		(1ull << 30)
#define DEFAULT_FILE		(64ull << 20)
#define DEFAULT_TMP		(64ull << 20)
#define DEFAULT_PROCESSES	64ul
#define MAX_ARGS		256

/* The trees a build may read (each only if it exists). */
static const char *const read_trees[] = {
	"/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/libexec",
	"/usr/include", "/etc/alternatives", "/etc/ld.so.cache", NULL,
};

static const char *const kind_names[] = {
#define X(e, name, words) [e] = name,
	SANDBOX_KINDS(X)
#undef X
};

bool sandbox_has_root(enum sandbox_kind k)
{
	return k == SANDBOX_BWRAP || k == SANDBOX_BWRAP_NOPROC;
}

const char *sandbox_name(enum sandbox_kind k)
{
	return k < SANDBOX_KIND_COUNT ? kind_names[k] : "?";
}

int sandbox_parse(const char *s)
{
	for (int i = 0; i < SANDBOX_KIND_COUNT; i++)
		if (s && !strcmp(s, kind_names[i]))
			return i;
	return -1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int error(char *err, size_t errlen, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(err, errlen, f, ap);
	va_end(ap);
	return -1;
}

/* ---- what the sandbox is made of, worked out before the fork ---- */

/* A growing list of malloc'd strings (argv, paths). */
struct strv {
	char **v;
	size_t n, cap;
	bool oom;
};

static void strv_add(struct strv *s, const char *str)
{
	if (s->oom)
		return;
	if (s->n + 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			s->oom = true;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	if (!(s->v[s->n] = strdup(str))) {
		s->oom = true;
		return;
	}
	s->v[++s->n] = NULL;
}

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Everything readable: read_trees, the kernel headers, the include files. */
static void readable_trees(const struct sandbox_spec *sp, struct strv *trees,
			   struct strv *includes)
{
	struct dirent *e;
	DIR *d;

	for (int i = 0; read_trees[i]; i++)
		if (access(read_trees[i], F_OK) == 0)
			strv_add(trees, read_trees[i]);
	/* Every header package: the -amd64 folder includes its -common one. */
	d = opendir("/usr/src");
	while (d && (e = readdir(d))) {
		char p[300];

		if (strncmp(e->d_name, "linux-headers-", 14) &&
		    strncmp(e->d_name, "linux-kbuild-", 13))
			continue;
		snprintf(p, sizeof(p), "/usr/src/%s", e->d_name);
		strv_add(trees, p);
	}
	if (d)
		closedir(d);
	d = sp->include_dir ? opendir(sp->include_dir) : NULL;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		struct stat st;
		char p[4096];

		snprintf(p, sizeof(p), "%s/%s", sp->include_dir, e->d_name);
		if (n > 2 && !strcmp(e->d_name + n - 2, ".h") && !stat(p, &st) &&
		    S_ISREG(st.st_mode))
			strv_add(includes, e->d_name);
	}
	if (d)
		closedir(d);
}

/* The hidden paths that lie inside a readable tree (the rest are unseen
 * anyway), as real paths; never one that holds a readable tree. */
static void hidden_inside(const struct sandbox_spec *sp, const struct strv *trees,
			  struct strv *out)
{
	for (size_t i = 0; sp->hidden && sp->hidden[i]; i++) {
		char *real = realpath(sp->hidden[i], NULL);
		bool inside = false, holds = false;

		for (size_t t = 0; real && t < trees->n; t++) {
			inside |= path_covers(trees->v[t], real) && strcmp(trees->v[t], real);
			holds |= path_covers(real, trees->v[t]);
		}
		if (real && inside && !holds)
			strv_add(out, real);
		free(real);
	}
}

static void add_bwrap_args(const struct sandbox_spec *sp, const struct strv *trees,
			   const struct strv *includes, const struct strv *hidden,
			   struct strv *a)
{
	char size[32];

	strv_add(a, "bwrap");
	for (size_t i = 0; i < trees->n; i++) {
		strv_add(a, "--ro-bind");
		strv_add(a, trees->v[i]);
		strv_add(a, trees->v[i]);
	}
	/* Debian's merged /usr: /lib, /bin... are links into it. */
	for (int i = 0; i < 4; i++) {
		static const char *const top[] = { "lib", "lib64", "bin", "sbin" };
		char target[32], link[32];

		snprintf(target, sizeof(target), "usr/%s", top[i]);
		snprintf(link, sizeof(link), "/%s", top[i]);
		strv_add(a, "--symlink");
		strv_add(a, target);
		strv_add(a, link);
	}
	for (size_t i = 0; i < hidden->n; i++) {
		struct stat st;

		if (stat(hidden->v[i], &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			strv_add(a, "--size");
			strv_add(a, "4096");
			strv_add(a, "--tmpfs");
		} else {
			strv_add(a, "--ro-bind");
			strv_add(a, "/dev/null");
		}
		strv_add(a, hidden->v[i]);
	}
	for (size_t i = 0; i < includes->n; i++) {
		char from[4096], to[300];

		snprintf(from, sizeof(from), "%s/%s", sp->include_dir, includes->v[i]);
		snprintf(to, sizeof(to), "/addrlab/include/%s", includes->v[i]);
		strv_add(a, "--ro-bind");
		strv_add(a, from);
		strv_add(a, to);
	}
	strv_add(a, "--bind");
	strv_add(a, sp->work_dir);
	strv_add(a, "/build");
	snprintf(size, sizeof(size), "%llu", sp->lim.tmp_bytes);
	strv_add(a, "--size");
	strv_add(a, size);
	strv_add(a, "--tmpfs");
	strv_add(a, "/tmp");
	strv_add(a, "--dev");
	strv_add(a, "/dev");
	if (sp->kind == SANDBOX_BWRAP) {
		strv_add(a, "--proc");
		strv_add(a, "/proc");
	}
	strv_add(a, "--unshare-all");	/* network, PIDs, IPC, hostname... */
	strv_add(a, "--die-with-parent");
	strv_add(a, "--new-session");
	strv_add(a, "--clearenv");
	strv_add(a, "--setenv");
	strv_add(a, "PATH");
	strv_add(a, "/usr/bin:/bin");
	strv_add(a, "--setenv");
	strv_add(a, "HOME");
	strv_add(a, "/build");
	strv_add(a, "--setenv");
	strv_add(a, "TMPDIR");
	strv_add(a, "/tmp");
	strv_add(a, "--setenv");
	strv_add(a, "LC_ALL");
	strv_add(a, "C.UTF-8");
	strv_add(a, "--chdir");
	strv_add(a, "/build");
	strv_add(a, "--");
}

/* s with every "/build" and "/addrlab/include" that starts a path (at the
 * start, or after '=' or "-I") written as the real folder. */
static char *real_paths(const struct sandbox_spec *sp, const char *s)
{
	static const char *const fake[] = { "/addrlab/include", "/build" };
	const char *real[] = { sp->include_dir ? sp->include_dir : "/nonexistent",
			       sp->work_dir };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	for (const char *p = s; f && *p;) {
		bool done = false;

		for (int i = 0; i < 2 && !done; i++) {
			size_t n = strlen(fake[i]);
			bool starts = p == s || p[-1] == '=' ||
				      (p - s >= 2 && p[-2] == '-' && p[-1] == 'I');

			if (starts && !strncmp(p, fake[i], n) && (p[n] == '/' || !p[n])) {
				fputs(real[i], f);
				p += n;
				done = true;
			}
		}
		if (!done)
			fputc(*p++, f);
	}
	if (f)
		fclose(f);
	return out;
}

/* The log with the real folders written back as /build, /addrlab/include. */
static void fake_paths(const struct sandbox_spec *sp, char *log)
{
	const char *real[] = { sp->work_dir, sp->include_dir };
	const char *fake[] = { "/build", "/addrlab/include" };

	for (int i = 0; i < 2; i++) {
		size_t n = real[i] ? strlen(real[i]) : 0, m = strlen(fake[i]);
		char *w = log;

		if (!n || n < m)
			continue;
		for (char *p = log; *p;) {
			if (!strncmp(p, real[i], n)) {
				memcpy(w, fake[i], m);
				w += m;
				p += n;
			} else {
				*w++ = *p++;
			}
		}
		*w = '\0';
	}
}

/* ---- running ---- */

/* Processes the real user has now (RLIMIT_NPROC counts them all). */
static unsigned long processes_of_user(void)
{
	unsigned long n = 0;
	struct dirent *e;
	DIR *d = opendir("/proc");
	uid_t uid = getuid();

	while (d && (e = readdir(d))) {
		char p[300];
		struct stat st;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s", e->d_name);
		n += !stat(p, &st) && st.st_uid == uid;
	}
	if (d)
		closedir(d);
	return n;
}

struct child_plan {
	enum sandbox_kind kind;
	char **argv;
	char **envp;
	const char *work_dir;
	struct landlock_plan *ll;
	struct memcg *mc;
	struct rlimit as, fsize, nofile, nproc, core;
	pid_t parent;
};

static void child_fail(int fd, const char *what)
{
	const char *e = strerror(errno);

	(void)!write(fd, what, strlen(what));
	(void)!write(fd, ": ", 2);
	(void)!write(fd, e, strlen(e));
	_exit(SANDBOX_SETUP_EXIT);
}

/* After fork: limits, then the sandbox, then exec.  Never returns. */
static void child(const struct child_plan *cp, int out_fd, int setup_fd)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	const char *why;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != cp->parent)	/* died before the signal was armed */
		_exit(SANDBOX_SETUP_EXIT);
	if (memcg_join(cp->mc))
		child_fail(setup_fd, "cannot join the build's memory cgroup");
	signal(SIGXFSZ, SIG_IGN);	/* a file over the limit: EFBIG, said */
	signal(SIGPIPE, SIG_DFL);
	if (setrlimit(RLIMIT_AS, &cp->as) || setrlimit(RLIMIT_FSIZE, &cp->fsize) ||
	    setrlimit(RLIMIT_NOFILE, &cp->nofile) || setrlimit(RLIMIT_CORE, &cp->core) ||
	    setrlimit(RLIMIT_NPROC, &cp->nproc))
		child_fail(setup_fd, "cannot set the build's limits");
	if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		child_fail(setup_fd, "cannot set up the build's output");
	if (cp->kind == SANDBOX_LANDLOCK || cp->kind == SANDBOX_NONE) {
		if (chdir(cp->work_dir))
			child_fail(setup_fd, "cannot enter the work folder");
		if (cp->kind == SANDBOX_LANDLOCK && (why = landlock_apply(cp->ll)))
			child_fail(setup_fd, why);
		execve(cp->argv[0], cp->argv, cp->envp);
	} else {
		execvpe(cp->argv[0], cp->argv, cp->envp);
	}
	child_fail(setup_fd, sandbox_has_root(cp->kind) ?
		   "cannot run bwrap (install bubblewrap)" : "cannot run the build command");
}

/* Reads the child's output until it ends or the deadline passes. */
static void collect(int fd, pid_t pid, uint64_t deadline, size_t cap,
		    struct sandbox_result *res, char *log, size_t *len)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ms();
		char buf[8192];
		ssize_t r;

		if (now >= deadline) {
			res->timed_out = true;
			kill(-pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)(deadline - now)) <= 0)
			continue;
		r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			break;
		if ((size_t)r > cap - *len)
			res->log_truncated = true;	/* keep reading: no SIGPIPE */
		if (*len < cap) {
			size_t take = (size_t)r < cap - *len ? (size_t)r : cap - *len;

			memcpy(log + *len, buf, take);
			*len += take;
		}
	}
}

static void limits_of(const struct sandbox_spec *sp, struct sandbox_limits *l)
{
	*l = sp->lim;
	if (!l->timeout_ms)
		l->timeout_ms = DEFAULT_TIMEOUT_MS;
	if (!l->log_cap)
		l->log_cap = DEFAULT_LOG_CAP;
	if (!l->mem_bytes)
		l->mem_bytes = DEFAULT_MEM;
	if (!l->file_bytes)
		l->file_bytes = DEFAULT_FILE;
	if (!l->tmp_bytes)
		l->tmp_bytes = DEFAULT_TMP;
	if (!l->processes)
		l->processes = DEFAULT_PROCESSES;
}

/* The argv and environment of the child, by kind. */
static int plan_child(const struct sandbox_spec *sp, char *const cmd[],
		      struct strv *argv, struct strv *envp, struct landlock_plan **ll,
		      char *err, size_t errlen)
{
	struct strv trees = { 0 }, includes = { 0 }, hidden = { 0 };
	int rc = 0;

	readable_trees(sp, &trees, &includes);
	hidden_inside(sp, &trees, &hidden);
	if (sandbox_has_root(sp->kind)) {
		add_bwrap_args(sp, &trees, &includes, &hidden, argv);
		for (int i = 0; cmd[i]; i++)
			strv_add(argv, cmd[i]);
	} else {
		char path[4096], tmp[4096];

		snprintf(path, sizeof(path), "%s%s", strchr(cmd[0], '/') ? "" : "/usr/bin/", cmd[0]);
		strv_add(argv, path);
		for (int i = 1; cmd[i]; i++) {
			char *a = real_paths(sp, cmd[i]);

			strv_add(argv, a ? a : "");
			free(a);
		}
		snprintf(tmp, sizeof(tmp), "TMPDIR=%s/.tmp", sp->work_dir);
		mkdir(tmp + 7, 0700);
		strv_add(envp, tmp);
		snprintf(tmp, sizeof(tmp), "HOME=%s", sp->work_dir);
		strv_add(envp, tmp);
		strv_add(envp, "PATH=/usr/bin:/bin");
		strv_add(envp, "LC_ALL=C.UTF-8");
		if (sp->kind == SANDBOX_LANDLOCK) {
			struct strv files = { 0 };

			for (size_t i = 0; i < includes.n; i++) {
				snprintf(tmp, sizeof(tmp), "%s/%s", sp->include_dir, includes.v[i]);
				strv_add(&files, tmp);
			}
			*ll = files.oom ? NULL : landlock_plan_new(trees.v, files.v, sp->work_dir,
								  hidden.v, err, errlen);
			rc = *ll ? 0 : -1;
			strv_free(&files);
		}
	}
	if (!envp->v)
		strv_add(envp, "PATH=/usr/bin:/bin");
	if (!rc && (argv->oom || envp->oom || trees.oom || hidden.oom))
		rc = error(err, errlen, "out of memory");
	strv_free(&trees);
	strv_free(&includes);
	strv_free(&hidden);
	return rc;
}

static int run_kind(const struct sandbox_spec *spec, char *const cmd[],
		    struct sandbox_result *res, char *err, size_t errlen)
{
	struct sandbox_spec full = *spec, *sp = &full;
	struct strv argv = { 0 }, envp = { 0 };
	struct landlock_plan *ll = NULL;
	struct child_plan cp = { .kind = sp->kind, .work_dir = sp->work_dir };
	struct memcg mc = { .dir = "" };
	struct sandbox_limits l;
	int out[2] = { -1, -1 }, setup[2] = { -1, -1 }, st = 0, rc = -1;
	uint64_t t0 = now_ms();
	size_t len = 0;
	char *log = NULL;
	pid_t pid;

	limits_of(spec, &l);
	full.lim = l;
	memset(res, 0, sizeof(*res));
	res->kind = sp->kind;
	if (plan_child(sp, cmd, &argv, &envp, &ll, err, errlen))
		goto out;
	cp.ll = ll;
	cp.argv = argv.v;
	cp.envp = envp.v;
	cp.as = (struct rlimit){ l.mem_bytes, l.mem_bytes };
	cp.fsize = (struct rlimit){ l.file_bytes, l.file_bytes };
	cp.nofile = (struct rlimit){ 1024, 1024 };
	cp.core = (struct rlimit){ 0, 0 };
	/* Root is not held to RLIMIT_NPROC; there the PID namespace or the
	 * recipe itself (make, gcc and its passes) bounds the processes. */
	cp.nproc.rlim_cur = cp.nproc.rlim_max = processes_of_user() + l.processes;
	/* All of it, its /tmp's files included (shared memory is charged to
	 * the cgroup that wrote it), where the host lets us. */
	res->mem_capped = !memcg_create(&mc, l.mem_bytes);
	cp.mc = &mc;
	log = malloc(l.log_cap + 1);
	if (!log || pipe2(out, O_CLOEXEC) || pipe2(setup, O_CLOEXEC)) {
		error(err, errlen, "cannot run a build: %s", log ? strerror(errno) : "out of memory");
		goto out;
	}
	cp.parent = getpid();
	pid = fork();
	if (pid < 0) {
		error(err, errlen, "cannot fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(&cp, out[1], setup[1]);
	close(out[1]);
	close(setup[1]);
	out[1] = setup[1] = -1;
	collect(out[0], pid, t0 + l.timeout_ms, l.log_cap, res, log, &len);
	waitpid(pid, &st, 0);
	res->oom_killed = memcg_oom_kills(&mc) > 0;
	log[len] = '\0';
	res->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	res->started = true;
	{
		char why[512];
		ssize_t n = read(setup[0], why, sizeof(why) - 1);

		if (n > 0) {		/* the child said why before exec */
			why[n] = '\0';
			res->started = false;
			snprintf(log, l.log_cap + 1, "%s", why);
		} else if (res->exit_code == 1 && !strncmp(log, "bwrap: ", 7)) {
			res->started = false;	/* bwrap's own set-up failed */
			log[strcspn(log, "\n")] = '\0';
			memmove(log, log + 7, strlen(log + 7) + 1);
		}
	}
	if (sp->kind == SANDBOX_LANDLOCK || sp->kind == SANDBOX_NONE)
		fake_paths(sp, log);
	res->log = log;
	log = NULL;
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (setup[i] >= 0)
			close(setup[i]);
	}
	free(log);
	memcg_destroy(&mc);
	landlock_plan_free(ll);
	strv_free(&argv);
	strv_free(&envp);
	res->elapsed_ms = (unsigned int)(now_ms() - t0);
	return rc;
}

void sandbox_result_free(struct sandbox_result *res)
{
	free(res->log);
	memset(res, 0, sizeof(*res));
}

/* ---- choosing ---- */

static enum sandbox_kind chosen = SANDBOX_AUTO;
static bool probed;
static char chosen_why[2048];

/* Does kind k run a trivial command here?  0, or -1 with why. */
static int trial(enum sandbox_kind k, char *why, size_t n)
{
	char dir[] = "/tmp/addrlab-probe-XXXXXX", tmp[64], *cmd[] = { "true", NULL };
	struct sandbox_spec sp = { .kind = k, .work_dir = dir,
				   .lim.timeout_ms = 10000 };
	struct sandbox_result r;
	int rc;

	if (!mkdtemp(dir))
		return error(why, n, "cannot make '%s': %s", dir, strerror(errno));
	rc = run_kind(&sp, cmd, &r, why, n);
	if (!rc && (!r.started || r.exit_code))
		rc = error(why, n, "%s", r.started ? "a trial command failed" : r.log);
	sandbox_result_free(&r);
	snprintf(tmp, sizeof(tmp), "%s/.tmp", dir);	/* TMPDIR of landlock, none */
	rmdir(tmp);
	rmdir(dir);
	return rc;
}

int sandbox_choose(enum sandbox_kind want, char *err, size_t errlen)
{
	char why[512];
	size_t len = 0;

	probed = true;
	chosen = SANDBOX_AUTO;
	chosen_why[0] = '\0';
	if (want != SANDBOX_AUTO) {
		if (trial(want, why, sizeof(why)))
			return error(err, errlen, "the '%s' sandbox does not work here: %s",
				     sandbox_name(want), why);
		chosen = want;
		return 0;
	}
	for (int k = SANDBOX_BWRAP; k < SANDBOX_NONE; k++) {
		if (!trial((enum sandbox_kind)k, why, sizeof(why))) {
			chosen = (enum sandbox_kind)k;
			return 0;
		}
		if (len < sizeof(chosen_why))
			len += (size_t)snprintf(chosen_why + len, sizeof(chosen_why) - len,
						"%s%s: %s", len ? "; " : "",
						sandbox_name((enum sandbox_kind)k), why);
	}
	return error(err, errlen, "no build sandbox works here (%s); where each submission "
		     "already has a container of its own, use --sandbox=none", chosen_why);
}

enum sandbox_kind sandbox_current(void)
{
	const char *env = getenv("ADDRLAB_SANDBOX");
	int want = env && *env ? sandbox_parse(env) : SANDBOX_AUTO;
	char err[1536];

	if (probed)
		return chosen;
	if (want < 0) {
		probed = true;
		snprintf(chosen_why, sizeof(chosen_why), "ADDRLAB_SANDBOX='%s' names no sandbox; "
			 "use auto, bwrap, bwrap-noproc, landlock or none", env);
	} else if (sandbox_choose((enum sandbox_kind)want, err, sizeof(err))) {
		snprintf(chosen_why, sizeof(chosen_why), "%s", err);
	}
	return chosen;
}

const char *sandbox_why(void)
{
	return chosen_why;
}

int sandbox_run(const struct sandbox_spec *spec, char *const cmd[],
		struct sandbox_result *res, char *err, size_t errlen)
{
	struct sandbox_spec sp = *spec;

	memset(res, 0, sizeof(*res));
	if (sp.kind == SANDBOX_AUTO)
		sp.kind = sandbox_current();
	if (sp.kind == SANDBOX_AUTO)
		return error(err, errlen, "%s", chosen_why);
	return run_kind(&sp, cmd, res, err, errlen);
}
