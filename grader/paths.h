/* SPDX-License-Identifier: MIT */
/*
 * paths.h - where addrlab's data lives, for the front ends: in the source
 * tree the binaries were built in, or where `make install` put it.
 */
#ifndef ADDRLAB_PATHS_H
#define ADDRLAB_PATHS_H

/*
 * The folder for `what` ("lessons", "exercises", "include"): the
 * environment variable ADDRLAB_<WHAT> if set; else, beside the running
 * binary, the source tree (bin/../../WHAT, with kmod/ for "include") or the
 * installed tree (bin/../share/addrlab/WHAT).  A malloc'd path (never NULL
 * unless out of memory); it may not exist.
 */
char *addrlab_path(const char *what);

/* The guest kernel version (guest dir's kver file): malloc'd, or NULL. */
char *addrlab_kver(void);

#endif /* ADDRLAB_PATHS_H */
