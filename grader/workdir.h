/* SPDX-License-Identifier: MIT */
/*
 * workdir.h - the temporary folders a grade works in.  Each is named after
 * the process that made it, "$TMPDIR/addrlab-KIND-PID.XXXXXX", so that one
 * left behind by a process killed outright (SIGKILL leaves no chance to
 * clean up) is recognised and removed by the next one that starts.
 */
#ifndef ADDRLAB_WORKDIR_H
#define ADDRLAB_WORKDIR_H

#include <stddef.h>

/*
 * The first time in a process, removes every addrlab-*-PID.* folder of
 * the temporary folder whose PID is gone; then makes out = a new one for
 * kind ("grade", "batch", ...).
 * 0, or -1 with errno set.
 */
int work_dir_make(char *out, size_t n, const char *kind);

/* Removes stale folders only (what work_dir_make() does first); how many. */
int work_dir_sweep(const char *tmp);

#endif /* ADDRLAB_WORKDIR_H */
