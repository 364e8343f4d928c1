/* SPDX-License-Identifier: MIT */
/*
 * memcg.h - one memory cgroup per build, where the host lets us make one:
 * a cap on the whole sandbox's memory (every process of the build, and the
 * files of its private /tmp, which are shared memory), on top of the
 * per-process address-space limit.  cgroup v1's memory hierarchy, or a
 * cgroup v2 subtree with the memory controller; a container whose cgroup
 * file system is read-only has neither, and builds run with per-process
 * limits only (sandbox_memcg_note() says so).
 */
#ifndef ADDRLAB_MEMCG_H
#define ADDRLAB_MEMCG_H

#include <limits.h>
#include <stdbool.h>

struct memcg {
	char dir[PATH_MAX];	/* "" when there is none */
	bool v2;
};

/*
 * Makes a cgroup for this process's next build, capped at limit bytes
 * (the first time in a process, removing those of graders that are gone).  0, or -1 when the
 * host offers no memory cgroup to us (m->dir is then "").
 */
int memcg_create(struct memcg *m, unsigned long long limit);
/* Removes the cgroups beside m's left by builds whose grader is gone (the
 * first memcg_create() of a process does it); only those of graders in our
 * PID namespace: another's PIDs mean nothing here. */
void memcg_sweep(const struct memcg *m);
/* In the child, before exec: joins the cgroup.  Only async-signal-safe
 * calls.  0 or -1. */
int memcg_join(const struct memcg *m);
/* How many of its tasks the kernel killed for the cgroup's limit. */
long memcg_oom_kills(const struct memcg *m);
/* Kills what is left in it and removes it. */
void memcg_destroy(struct memcg *m);

#endif /* ADDRLAB_MEMCG_H */
