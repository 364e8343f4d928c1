/* SPDX-License-Identifier: MIT */
/*
 * sandbox.h - runs one build command of a submission where it can read the
 * toolchain, the kernel headers and its own files, and nothing else, within
 * fixed limits.
 *
 * Kinds, strongest first (`auto` picks the first that works on this host):
 *
 *	bwrap		bubblewrap: a root of its own holding, read-only, /usr/bin,
 *			/usr/lib, /usr/include, the kernel headers, ld.so.cache and
 *			the include files given; the work folder as /build; a small
 *			private /tmp; fresh network, PID, IPC and UTS namespaces and
 *			a fresh /proc.
 *	bwrap-noproc	the same without a fresh /proc: default unprivileged
 *			containers (podman, Docker with user namespaces) refuse to
 *			mount one.
 *	landlock	no namespaces (Docker's default seccomp profile refuses
 *			them): Landlock rules allow reading the same trees and
 *			writing the work folder only; TCP and signals to outside
 *			processes are refused where the kernel can.
 *	none		limits only.  For operators whose every submission already
 *			runs in a container of its own; never chosen by `auto`.
 *
 * Paths given in `hidden` stay invisible even when they lie inside an
 * allowed tree (an installation under /usr/lib, say), in every kind but
 * none.  Every kind applies the same limits to each process (address space,
 * file size, open files, processes) and to the whole run (wall time, output
 * kept); the private /tmp is a size-capped tmpfs.
 *
 * The command always sees the work folder as its current directory.  Paths
 * in the command may be written as /build/... and /addrlab/include/...:
 * where the kind has no root of its own (landlock, none) they are rewritten
 * to the real folders, and the real folders in the output are written back
 * as /build and /addrlab/include, so logs read the same in every kind.
 */
#ifndef ADDRLAB_SANDBOX_H
#define ADDRLAB_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#define SANDBOX_KINDS(X) \
	X(SANDBOX_AUTO,         "auto",         "the strongest that works here") \
	X(SANDBOX_BWRAP,        "bwrap",        "bubblewrap") \
	X(SANDBOX_BWRAP_NOPROC, "bwrap-noproc", "bubblewrap without a fresh /proc") \
	X(SANDBOX_LANDLOCK,     "landlock",     "Landlock rules and resource limits") \
	X(SANDBOX_NONE,         "none",         "no sandbox, resource limits only")

enum sandbox_kind {
#define X(e, name, words) e,
	SANDBOX_KINDS(X)
#undef X
	SANDBOX_KIND_COUNT
};

/* Does kind k give the build a root of its own (/build, /addrlab/include)? */
bool sandbox_has_root(enum sandbox_kind k);
/* "bwrap", ...; "?" out of range. */
const char *sandbox_name(enum sandbox_kind k);
/* The kind named s, or -1. */
int sandbox_parse(const char *s);

/* Limits of one run; a zero field takes the default shown. */
struct sandbox_limits {
	unsigned int timeout_ms;	/* whole run, wall clock: 120 s */
	size_t log_cap;			/* output kept: 256 KiB (the rest is read
					 * and dropped) */
	unsigned long long mem_bytes;	/* address space per process, and all
					 * the build's memory with its /tmp where
					 * a memory cgroup can be made: 1 GiB */
	unsigned long long file_bytes;	/* largest file written: 64 MiB */
	unsigned long long tmp_bytes;	/* the private /tmp: 64 MiB */
	unsigned long processes;	/* more processes of the build's user
					 * than it has already: 64 (not
					 * enforced for root) */
};

struct sandbox_spec {
	enum sandbox_kind kind;		/* SANDBOX_AUTO: sandbox_current() */
	const char *work_dir;		/* read-write, the current directory */
	const char *include_dir;	/* its *.h files, read-only, as
					 * /addrlab/include; or NULL */
	const char *kver;		/* headers to allow; NULL: every
					 * /usr/src/linux-headers-* */
	char *const *hidden;		/* NULL-terminated, or NULL */
	struct sandbox_limits lim;
};

#define SANDBOX_SETUP_EXIT	125	/* exit_code when the sandbox never started */

struct sandbox_result {
	enum sandbox_kind kind;		/* the kind that ran */
	bool started;			/* false: the sandbox could not start;
					 * log then says why (one line) */
	bool timed_out;
	int exit_code;			/* 128+N for signal N */
	char *log;			/* stdout and stderr, NUL-terminated */
	bool log_truncated;
	unsigned int elapsed_ms;
	bool mem_capped;		/* the whole build had a memory cgroup */
	bool oom_killed;		/* and the kernel killed in it for that */
};

/*
 * Runs cmd (argv; cmd[0] looked up in /usr/bin) as spec says.  0 with *res
 * filled (check res->started and res->exit_code), or -1 with a one-line
 * reason in err when the grader itself cannot run it (no memory, no pipe,
 * no sandbox works).
 */
int sandbox_run(const struct sandbox_spec *spec, char *const cmd[],
		struct sandbox_result *res, char *err, size_t errlen);
void sandbox_result_free(struct sandbox_result *res);

/*
 * The kind this process uses for SANDBOX_AUTO: set by sandbox_choose(), or
 * else on first use the kind ADDRLAB_SANDBOX names, or else probed once
 * (each kind tried with a trivial command, strongest first).  sandbox_choose(SANDBOX_AUTO) probes now; another kind
 * is taken as the operator's word after one trial run.  0, or -1 with
 * why in err (for auto: what each kind said).
 */
int sandbox_choose(enum sandbox_kind want, char *err, size_t errlen);
/* The chosen kind, probing if nothing was chosen; SANDBOX_AUTO when no kind
 * works (sandbox_why() says why). */
enum sandbox_kind sandbox_current(void);
const char *sandbox_why(void);

#endif /* ADDRLAB_SANDBOX_H */
