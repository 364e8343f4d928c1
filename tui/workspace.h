/* SPDX-License-Identifier: MIT */
/*
 * workspace.h - the learner's own copies of the exercises, outside the
 * source tree: $ADDRLAB_WORKSPACE, or ~/addrlab-work, one folder per
 * exercise (~/addrlab-work/edu-id/edu_id.c).  Made from the skeleton the
 * first time an exercise is opened and never overwritten after that; a
 * reset keeps the old files in ID/.backup/ so no work is ever lost.
 *
 * The watcher tells when a learner saved one of an exercise's files:
 * inotify on the folder (editors that save by writing a new file and
 * renaming it are seen too), or, where inotify is not available (or
 * ADDRLAB_WATCH=poll), a comparison of each file's mtime and size.
 */
#ifndef ADDRLAB_WORKSPACE_H
#define ADDRLAB_WORKSPACE_H

#include <stdbool.h>
#include <stddef.h>

#include "lesson.h"

/* The workspace root (malloc'd; may not exist yet). */
char *workspace_root(void);

/* root/ID (malloc'd). */
char *workspace_dir(const char *root, const char *exercise);

/*
 * Makes root/ID with the skeleton of every missing file of e, generated
 * from exercises_dir/ID/solution (exercise.h; exercises_dir may join
 * several roots with ':', the first holding ID counts), or, where there is no
 * solution folder, copied from exercises_dir/ID/skeleton (an installation
 * that ships the skeletons, not the references: the grading image).
 * Files already there are left alone.  0, or -1 with one line in err.
 */
int workspace_ensure(const char *root, const struct lesson_exercise *e,
		     const char *exercises_dir, char *err, size_t errlen);

/*
 * Puts the skeleton back.  The current files are first moved to
 * root/ID/.backup/FILE.N (N = 1, 2, ... the first free number); the backup
 * folder's path goes to *backup (malloc'd) if not NULL.  0, or -1.
 */
int workspace_reset(const char *root, const struct lesson_exercise *e,
		    const char *exercises_dir, char **backup, char *err,
		    size_t errlen);

struct watch;

/* Watches the files of e in dir.  NULL only when out of memory. */
struct watch *watch_open(const char *dir, const struct lesson_exercise *e);
void watch_close(struct watch *w);
/* A descriptor to poll for POLLIN (inotify), or -1 when polling: then
 * call watch_changed() about once a second. */
int watch_fd(const struct watch *w);
/* True when one of the files changed since the last call (drains the
 * inotify events).  A file that is only being written is reported once
 * it is closed. */
bool watch_changed(struct watch *w);
/* "inotify" or "polling". */
const char *watch_method(const struct watch *w);

#endif /* ADDRLAB_WORKSPACE_H */
