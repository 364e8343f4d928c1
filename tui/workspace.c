// SPDX-License-Identifier: MIT
/* workspace.c - the learner's copies of the exercises (see workspace.h). */
#define _GNU_SOURCE
#include "workspace.h"
#include "paths.h"
#include "exercise.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

char *workspace_root(void)
{
	const char *env = getenv("ADDRLAB_WORKSPACE"), *home = getenv("HOME");
	struct passwd *pw;
	char *root;

	if (env && *env)
		return strdup(env);
	if (!home || !*home) {
		pw = getpwuid(getuid());
		home = pw && pw->pw_dir ? pw->pw_dir : "/";
	}
	return asprintf(&root, "%s/addrlab-work", home) < 0 ? NULL : root;
}

char *workspace_dir(const char *root, const char *exercise)
{
	char *dir;

	return asprintf(&dir, "%s/%s", root, exercise) < 0 ? NULL : dir;
}

/* mkdir -p dir, saying which folder could not be made. */
static int make_dirs(const char *dir, char *err, size_t errlen)
{
	char failed[PATH_MAX];

	if (!make_tree(dir, failed, sizeof(failed)))
		return 0;
	snprintf(err, errlen, "cannot make the folder '%s': %s; check its "
		 "parent's permissions, or set ADDRLAB_WORKSPACE", failed, strerror(errno));
	return -1;
}

static bool exists(const char *dir, const char *name)
{
	struct stat st;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

/* Removes the temporary skeleton folder (flat: files only). */
static void remove_flat(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

/*
 * Puts from/name at to/name unless something is there already.  link() is
 * atomic and never replaces: an editor saving the file at the same moment
 * wins, and the learner never sees a half-written skeleton.
 */
static int place(const char *from, const char *to, const char *name, char *err,
		 size_t errlen)
{
	char src[PATH_MAX], dst[PATH_MAX];

	snprintf(src, sizeof(src), "%s/%s", from, name);
	snprintf(dst, sizeof(dst), "%s/%s", to, name);
	if (link(src, dst) == 0 || errno == EEXIST)
		return 0;
	snprintf(err, errlen, "cannot write '%s': %s; check the folder's permissions",
		 dst, strerror(errno));
	return -1;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Copies each file of e from the shipped skeleton folder into out.  Copied,
 * not linked: a learner's edits must never reach the shipped file.
 */
static int copy_skeleton(const struct lesson_exercise *e, const char *from,
			 const char *out, char *err, size_t errlen)
{
	for (size_t i = 0; i < e->nfiles; i++) {
		char src[PATH_MAX + 256], dst[PATH_MAX + 256], *text;
		size_t len = 0;
		int rc, saved;

		snprintf(src, sizeof(src), "%s/%s", from, e->files[i]);
		snprintf(dst, sizeof(dst), "%s/%s", out, e->files[i]);
		text = read_text_file(src, &len);
		if (!text) {
			snprintf(err, errlen, "%s: cannot read the skeleton", src);
			return -1;
		}
		rc = write_text_file(dst, text, len);
		saved = errno;
		free(text);
		if (rc) {
			snprintf(err, errlen, "cannot write '%s': %s; check the folder's "
				 "permissions", dst, strerror(saved));
			return -1;
		}
	}
	return 0;
}

/*
 * The skeleton of every file of e into out, from the first root of
 * exercises_dir (one folder, or several joined by ':') that has the
 * exercise.  Generated from the reference
 * solution when there is one (the source tree, make install); else copied
 * from ID/skeleton/, which an installation without the references ships
 * instead (the grading image of `make image`: students' machines and
 * graders must not hold the solutions).  With neither, the generator
 * reports the missing reference, as it always did.
 */
static int make_skeleton(const struct lesson_exercise *e, const char *exercises_dir,
			 const char *out, char *err, size_t errlen)
{
	char solution[PATH_MAX], shipped[PATH_MAX], *root = exercise_root(exercises_dir, e->id);
	int steps;

	if (!root) {
		snprintf(err, errlen, "out of memory making the workspace of '%s'", e->id);
		return -1;
	}
	snprintf(solution, sizeof(solution), "%s/%s/solution", root, e->id);
	snprintf(shipped, sizeof(shipped), "%s/%s/skeleton", root, e->id);
	free(root);
	if (!is_dir(solution) && is_dir(shipped))
		return copy_skeleton(e, shipped, out, err, errlen);
	return skeleton_generate(e, solution, out, &steps, err, errlen);
}

int workspace_ensure(const char *root, const struct lesson_exercise *e,
		     const char *exercises_dir, char *err, size_t errlen)
{
	char *dir = workspace_dir(root, e->id), *tmp = NULL;
	size_t missing = 0;
	int rc = -1;

	if (!dir)
		goto oom;
	if (make_dirs(dir, err, errlen))
		goto out_dir;
	for (size_t i = 0; i < e->nfiles; i++)
		missing += !exists(dir, e->files[i]);
	if (!missing) {
		rc = 0;
		goto out_dir;
	}
	/* Beside the files, so link() can put them in place: same file system. */
	if (asprintf(&tmp, "%s/.skeleton-XXXXXX", dir) < 0)
		goto oom_dir;
	if (!mkdtemp(tmp)) {
		snprintf(err, errlen, "cannot write in '%s': %s; check the folder's "
			 "permissions", dir, strerror(errno));
		goto out_tmp;
	}
	if (make_skeleton(e, exercises_dir, tmp, err, errlen))
		goto out_generated;
	rc = 0;
	for (size_t i = 0; i < e->nfiles && !rc; i++)
		if (!exists(dir, e->files[i]))
			rc = place(tmp, dir, e->files[i], err, errlen);
out_generated:
	remove_flat(tmp);
out_tmp:
	free(tmp);
out_dir:
	free(dir);
	return rc;
oom_dir:
	free(dir);
oom:
	snprintf(err, errlen, "out of memory making the workspace of '%s'", e->id);
	return -1;
}

/* Moves dir/name to backup/name.N, N the first number free; never
 * replaces an older backup. */
static int back_up(const char *dir, const char *backup, const char *name,
		   char *err, size_t errlen)
{
	char src[PATH_MAX], dst[PATH_MAX];

	snprintf(src, sizeof(src), "%s/%s", dir, name);
	for (unsigned int n = 1; n < 100000; n++) {
		snprintf(dst, sizeof(dst), "%s/%s.%u", backup, name, n);
		if (renameat2(AT_FDCWD, src, AT_FDCWD, dst, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno == EEXIST)
			continue;
		/* File systems without RENAME_NOREPLACE: link() does not
		 * replace either. */
		if (errno == EINVAL || errno == ENOSYS) {
			if (link(src, dst) == 0)
				return unlink(src) == 0 ? 0 : -1;
			if (errno == EEXIST)
				continue;
		}
		if (errno == ENOENT)
			return 0;	/* gone meanwhile: nothing to keep */
		break;
	}
	snprintf(err, errlen, "cannot back up '%s' in '%s': %s; the skeleton was not "
		 "put back", src, backup, strerror(errno));
	return -1;
}

int workspace_reset(const char *root, const struct lesson_exercise *e,
		    const char *exercises_dir, char **backup, char *err,
		    size_t errlen)
{
	char *dir = workspace_dir(root, e->id), *bak = NULL;
	int rc = -1;

	if (backup)
		*backup = NULL;
	if (!dir || asprintf(&bak, "%s/.backup", dir) < 0) {
		snprintf(err, errlen, "out of memory resetting '%s'", e->id);
		free(dir);
		return -1;
	}
	if (make_dirs(bak, err, errlen))
		goto out;
	for (size_t i = 0; i < e->nfiles; i++)
		if (exists(dir, e->files[i]) &&
		    back_up(dir, bak, e->files[i], err, errlen))
			goto out;
	rc = workspace_ensure(root, e, exercises_dir, err, errlen);
	if (!rc && backup) {
		*backup = bak;
		bak = NULL;
	}
out:
	free(bak);
	free(dir);
	return rc;
}

/* ---- the watcher ---- */

struct file_state {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

struct watch {
	char *dir;
	char **files;
	size_t nfiles;
	int fd;			/* inotify, or -1 when polling */
	struct file_state *st;	/* polling: each file as last seen */
};

static struct file_state stat_file(const struct watch *w, size_t i)
{
	struct file_state fs = { 0 };
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", w->dir, w->files[i]);
	if (stat(path, &st) == 0)
		fs = (struct file_state){
			.exists = true, .dev = st.st_dev, .ino = st.st_ino,
			.size = st.st_size, .mtime = st.st_mtim, .ctime = st.st_ctim,
		};
	return fs;
}

static bool same_state(const struct file_state *a, const struct file_state *b)
{
	return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static int start_inotify(const char *dir)
{
	const char *how = getenv("ADDRLAB_WATCH");
	int fd;

	if (how && !strcmp(how, "poll"))
		return -1;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -1;
	/* Writes in place show as CLOSE_WRITE; editors that write a new file
	 * and rename it over the old one as MOVED_TO; links as CREATE. */
	if (inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
			      IN_DELETE | IN_ONLYDIR) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct watch *watch_open(const char *dir, const struct lesson_exercise *e)
{
	struct watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->fd = -1;
	w->dir = strdup(dir);
	w->files = calloc(e->nfiles + 1, sizeof(*w->files));
	w->st = calloc(e->nfiles + 1, sizeof(*w->st));
	if (!w->dir || !w->files || !w->st)
		goto fail;
	for (w->nfiles = 0; w->nfiles < e->nfiles; w->nfiles++)
		if (!(w->files[w->nfiles] = strdup(e->files[w->nfiles])))
			goto fail;
	w->fd = start_inotify(dir);
	for (size_t i = 0; i < w->nfiles; i++)
		w->st[i] = stat_file(w, i);
	return w;
fail:
	watch_close(w);
	return NULL;
}

void watch_close(struct watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->nfiles; i++)
		free(w->files[i]);
	free(w->files);
	free(w->st);
	free(w->dir);
	free(w);
}

int watch_fd(const struct watch *w)
{
	return w->fd;
}

const char *watch_method(const struct watch *w)
{
	return w->fd >= 0 ? "inotify" : "polling";
}

static ssize_t file_index(const struct watch *w, const char *name)
{
	for (size_t i = 0; i < w->nfiles; i++)
		if (!strcmp(w->files[i], name))
			return (ssize_t)i;
	return -1;
}

/*
 * A CREATE is a change only when the new file already has content: a file
 * made by link() never gets a CLOSE_WRITE, while one created empty to be
 * written gets one when it is whole - reporting its CREATE too would grade
 * an empty file first.
 */
static bool created_whole(const struct watch *w, size_t i)
{
	struct file_state fs = stat_file(w, i);

	return fs.exists && fs.size > 0;
}

static bool drain_inotify(struct watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			ssize_t i = ev->len ? file_index(w, ev->name) : -1;

			p += sizeof(*ev) + ev->len;
			/* Lost events: assume the worst, a save among them. */
			if (ev->mask & IN_Q_OVERFLOW)
				changed = true;
			if (i < 0)
				continue;
			if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE))
				changed = true;
			else if ((ev->mask & IN_CREATE) && created_whole(w, (size_t)i))
				changed = true;
		}
	}
	return changed;
}

bool watch_changed(struct watch *w)
{
	bool changed = false;

	if (w->fd >= 0)
		return drain_inotify(w);
	for (size_t i = 0; i < w->nfiles; i++) {
		struct file_state now = stat_file(w, i);

		if (!same_state(&now, &w->st[i]))
			changed = true;
		w->st[i] = now;
	}
	return changed;
}
