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

/*
 * Of roots (one folder, or several joined by ':', as ADDRLAB_EXERCISES may
 * be), the one holding exercise id: the first with an ID/ folder, else the
 * first root.  Malloc'd; NULL only when out of memory.
 */
char *exercise_root(const char *roots, const char *id);

/*
 * What a student's build must never see, even inside a tree it may read:
 * every root of the exercises (reference solutions, mutants) and of the
 * lessons (hidden checks in a private root), and addrlab's own data folder
 * or source tree holding them.  A malloc'd NULL-terminated list of
 * malloc'd paths (free with strv_free_all), or NULL when out of memory.
 */
char **secret_paths(void);
void strv_free_all(char **v);

/* The guest kernel version (guest dir's kver file): malloc'd, or NULL. */
char *addrlab_kver(void);

#endif /* ADDRLAB_PATHS_H */
