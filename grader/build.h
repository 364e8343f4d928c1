/* SPDX-License-Identifier: MIT */
/*
 * build.h - builds a submission with the grader's own recipe, never the
 * student's Makefile, inside a bubblewrap sandbox.
 *
 * The sandbox sees only what a compiler needs, read-only: /usr (with the
 * kernel headers under /usr/src), /etc/alternatives and ld.so.cache, and
 * addrlab's include folder (edu.h) as /addrlab/include.  The only writable
 * places are the build folder (/build inside) and a private /tmp.  No
 * network, no other processes, no host home or project tree; a time limit
 * and an output cap; the whole process tree dies with the grader.
 *
 * Only the files the exercise names are copied from the submission, as
 * regular files (symbolic links and oversized files are refused), so a
 * submission cannot smuggle a Makefile, a Kbuild or a path outside its
 * folder into the build.
 */
#ifndef ADDRLAB_BUILD_H
#define ADDRLAB_BUILD_H

#include <stdbool.h>
#include <stddef.h>

enum build_kind { BUILD_MODULE, BUILD_USER };

struct build_opts {
	enum build_kind kind;
	const char *src_dir;		/* the submission folder */
	char *const *files;		/* the names to take from it (.c and .h) */
	size_t nfiles;
	const char *work_dir;		/* emptied and used for the build */
	const char *name;		/* module name (NAME.ko) or program name */
	const char *kver;		/* headers in /usr/src/linux-headers-KVER */
	const char *include_dir;	/* read-only, on the include path; or NULL */
	bool werror;			/* warnings fail the build */
	bool sparse;			/* module builds: sparse checks each file as
					 * it is compiled (C=1), in the same build */
	unsigned int timeout_ms;	/* 0: 120 s */
	size_t log_cap;			/* 0: 256 KiB */
};

#define BUILD_STATUSES(X) \
	X(BUILD_OK,        "ok",        "built") \
	X(BUILD_FAILED,    "failed",    "the build failed") \
	X(BUILD_TIMEOUT,   "timeout",   "the build ran past its time limit") \
	X(BUILD_BAD_INPUT, "bad-input", "the submission cannot be built as it is") \
	X(BUILD_ERROR,     "error",     "the grader could not run the build")

enum build_status {
#define X(e, name, words) e,
	BUILD_STATUSES(X)
#undef X
};

const char *build_status_name(enum build_status s);

struct build_result {
	enum build_status status;
	int exit_code;
	char *log;		/* compiler (and sparse) output, paths as /build/FILE */
	bool log_truncated;
	unsigned int warnings;	/* the compiler's warnings (gcc tags them [-W...]) */
	unsigned int checker;	/* sparse's findings (no such tag) */
	char *artifact;		/* host path of NAME.ko or the program, or NULL */
	char *message;		/* one line for people */
	unsigned int elapsed_ms;
};

/* 0 with *res filled (look at res->status), or -1 only when out of memory. */
int build_run(const struct build_opts *o, struct build_result *res);
void build_result_free(struct build_result *res);

#endif /* ADDRLAB_BUILD_H */
