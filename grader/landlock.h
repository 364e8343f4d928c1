/* SPDX-License-Identifier: MIT */
/*
 * landlock.h - file access rules for a process and its children, with no
 * namespaces and no privileges (Linux Landlock), for the build sandbox
 * where containers refuse user namespaces.
 *
 * A plan is worked out in the parent (it reads directories and allocates);
 * the child only applies it between fork() and exec(), with system calls
 * alone, so a multi-threaded grader (the workbook) can fork safely.
 *
 * Landlock can only add rights, never take one back inside an allowed
 * tree: a hidden path inside a readable tree is honoured by allowing the
 * tree piece by piece around it.  Rights the running kernel lacks are left
 * out (the ABI it reports decides); from ABI 4 TCP is refused, from ABI 6
 * signals and abstract sockets to processes outside.
 */
#ifndef ADDRLAB_LANDLOCK_H
#define ADDRLAB_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>

struct landlock_plan;

/* Is `a` the path `b` or one of its ancestors ("/usr" covers "/usr/lib")? */
bool path_covers(const char *a, const char *b);

/* The Landlock ABI version of the running kernel, or -errno. */
int landlock_abi(void);

/*
 * A plan allowing: reading and executing under each of read_trees, except
 * under each of hidden; reading each of read_files; everything under
 * rw_dir; reading and writing /dev/null.  All lists NULL-terminated (hidden
 * may be NULL).  NULL with a one-line reason in err.
 */
struct landlock_plan *landlock_plan_new(char *const *read_trees, char *const *read_files,
					const char *rw_dir, char *const *hidden,
					char *err, size_t errlen);
void landlock_plan_free(struct landlock_plan *pl);

/* In the child: enforces the plan on this process (and what it execs).
 * NULL, or what failed (errno says why).  Async-signal-safe. */
const char *landlock_apply(const struct landlock_plan *pl);

#endif /* ADDRLAB_LANDLOCK_H */
