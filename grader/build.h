/* SPDX-License-Identifier: MIT */
/*
 * build.h - builds a submission with the grader's own recipe, never the
 * student's Makefile, in a sandbox (sandbox.h: bubblewrap where it works,
 * Landlock where namespaces are refused).
 *
 * The build sees only what a compiler needs, read-only: the toolchain
 * (/usr/bin, /usr/lib, /usr/include), the kernel headers, and the *.h files
 * of addrlab's include folder (edu.h) as /addrlab/include; never the
 * exercises, lessons, reference solutions or the tree holding them, even
 * when they are installed under /usr.  The only writable places are the
 * build folder (/build inside) and a small private /tmp.  Limits: wall
 * time, memory per process, file size, processes, output kept.
 *
 * Only the files the exercise names are copied from the submission, and
 * only regular files of at most 1 MiB: a link, a named pipe, a socket, a
 * device or a folder under a source file's name is refused at once, as is
 * a folder of more than 1000 entries, so a submission cannot smuggle a
 * Makefile, a Kbuild or a path outside its folder into the build, or make
 * the grader wait.
 *
 * Statuses: BUILD_FAILED, BUILD_TIMEOUT and BUILD_BAD_INPUT are the
 * submission's doing; BUILD_ERROR is the grader's (the sandbox could not
 * start, a copy failed) and never the student's fault.
 */
#ifndef ADDRLAB_BUILD_H
#define ADDRLAB_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "sandbox.h"

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
	enum sandbox_kind sandbox;	/* SANDBOX_AUTO: this process's choice
					 * (sandbox_current()) */
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
	enum sandbox_kind sandbox;	/* the sandbox the build ran in */
	bool oom_killed;	/* killed for the whole build's memory cap */
	bool replayed;		/* a module build ran Kbuild's recorded lines
				 * (kbuild.h), not make */
};

/* 0 with *res filled (look at res->status), or -1 only when out of memory. */
int build_run(const struct build_opts *o, struct build_result *res);
void build_result_free(struct build_result *res);

/*
 * The same judgement of the submission's files as build_run() makes, by
 * lstat() alone, without building: for refusing a submission before a lab
 * VM is booted for it.  0 when the files can be built; -1 with res->status
 * (BUILD_BAD_INPUT, or BUILD_ERROR when the folder cannot be read for a
 * reason of ours) and res->message set.  Free res with build_result_free().
 */
int build_check_submission(const char *dir, char *const *files, size_t nfiles,
			   struct build_result *res);

/*
 * Reads dir/name as the build copies it: judged by lstat() first (a small
 * regular file), then opened without following a link or blocking, and
 * refused if it changed in between.  *text is malloc'd and NUL-terminated.
 * 0, or -1 with res->status and res->message set (as above).
 */
int build_read_source(const char *dir, const char *name, char **text, size_t *len,
		      struct build_result *res);

#endif /* ADDRLAB_BUILD_H */
