// SPDX-License-Identifier: MIT
/* snapshot.c - the lab VM's snapshot folder and key (see snapshot.h). */
#define _GNU_SOURCE
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int make_dir(const char *dir)
{
	char p[PATH_MAX];
	size_t n = strlen(dir);

	if (n >= sizeof(p))
		return -1;
	memcpy(p, dir, n + 1);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(p, 0700) && errno != EEXIST)
		return -1;
	return access(p, W_OK | X_OK);
}

int snap_dir(char *out, size_t n)
{
	const char *env = getenv("ADDRLAB_CACHE_DIR"), *tmp;

	if (env && *env) {
		snprintf(out, n, "%s", env);
		return make_dir(out);
	}
	env = getenv("XDG_CACHE_HOME");
	if (env && *env == '/') {
		snprintf(out, n, "%s/addrlab", env);
		if (!make_dir(out))
			return 0;
	}
	env = getenv("HOME");
	if (env && *env == '/') {
		snprintf(out, n, "%s/.cache/addrlab", env);
		if (!make_dir(out))
			return 0;
	}
	/* A read-only home (a container, a grading service): the temporary
	 * folder, one per user. */
	tmp = getenv("TMPDIR");
	snprintf(out, n, "%s/addrlab-cache-%u", tmp && *tmp ? tmp : "/tmp",
		 (unsigned int)getuid());
	return make_dir(out);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* A bare command name is found the way execvp() would find it. */
static int find_file(const char *name, struct stat *st)
{
	const char *path = getenv("PATH");
	char p[PATH_MAX];

	if (strchr(name, '/') || !path)
		return stat(name, st);
	while (*path) {
		size_t l = strcspn(path, ":");

		snprintf(p, sizeof(p), "%.*s/%s", (int)l, l ? path : ".", name);
		if (!stat(p, st) && S_ISREG(st->st_mode))
			return 0;
		path += l + (path[l] == ':');
	}
	return -1;
}

uint64_t snap_key(const char *const argv[], const char *skip,
		  const char *const files[], unsigned int version)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv(h, &version, sizeof(version));
	for (size_t i = 0; argv[i]; i++) {
		const char *a = skip && *skip && strstr(argv[i], skip) ?
				"<runtime>" : argv[i];

		h = fnv(h, a, strlen(a) + 1);
	}
	for (size_t i = 0; files[i]; i++) {
		struct stat st;
		uint64_t id[5] = { 0 };

		if (!find_file(files[i], &st)) {
			id[0] = (uint64_t)st.st_size;
			id[1] = (uint64_t)st.st_mtim.tv_sec;
			id[2] = (uint64_t)st.st_mtim.tv_nsec;
			id[3] = (uint64_t)st.st_ino;
			id[4] = (uint64_t)st.st_dev;
		}
		h = fnv(h, files[i], strlen(files[i]) + 1);
		h = fnv(h, id, sizeof(id));
	}
	return h;
}

int snap_pid_gone(long pid)
{
	char p[64], buf[256], *paren;
	FILE *f;
	size_t n;

	if (pid <= 0)
		return 0;
	if (kill((pid_t)pid, 0) && errno == ESRCH)
		return 1;
	snprintf(p, sizeof(p), "/proc/%ld/stat", pid);
	f = fopen(p, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "PID (comm) S ...": the state follows the last ')'. */
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' && paren[2] == 'Z';
}

/* "VARIANT-KEY.vmstate.tmp.PID" whose PID is gone: a killed writer's. */
static int stale_tmp(const char *name)
{
	const char *t = strstr(name, ".vmstate.tmp.");
	long pid;

	if (!t)
		return 0;
	pid = strtol(t + 13, NULL, 10);
	return snap_pid_gone(pid);
}

void snap_variant(char *out, size_t n, const char *machine,
		  const char *const ids[])
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; ids[i]; i++) {
		char real[PATH_MAX];
		const char *s = realpath(ids[i], real) ? real : ids[i];

		h = fnv(h, s, strlen(s) + 1);
	}
	snprintf(out, n, "%s_%08x", machine, (unsigned int)(h ^ (h >> 32)));
}

void snap_path(char *out, size_t n, const char *dir, const char *variant,
	       uint64_t key)
{
	snprintf(out, n, "%s/%s-%016" PRIx64 ".vmstate", dir, variant, key);
}

void snap_prune(const char *path)
{
	char dir[PATH_MAX];
	const char *name, *dash;
	struct dirent *e;
	size_t vlen;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s", path);
	name = strrchr(path, '/');
	dash = name ? strrchr(name, '-') : NULL;
	if (!dash)
		return;
	dir[name - path] = '\0';
	name++;
	vlen = (size_t)(dash - name) + 1;	/* "VARIANT-" */
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		int old = !strncmp(e->d_name, name, vlen) &&
			  l == strlen(name) && strcmp(e->d_name, name) &&
			  !strcmp(e->d_name + l - 8, ".vmstate");

		if (old || stale_tmp(e->d_name))
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

void snap_note_parts(const char *path, const char *const ids[])
{
	char parts[PATH_MAX], tmp[PATH_MAX + 32];
	const char *dash = strrchr(path, '-');
	FILE *f;

	if (!dash || (size_t)(dash - path) + 7 > sizeof(parts))
		return;
	snprintf(parts, sizeof(parts), "%.*s.parts", (int)(dash - path), path);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", parts, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return;
	for (size_t i = 0; ids[i]; i++) {
		char real[PATH_MAX];

		if (ids[i][0] == '/' && realpath(ids[i], real))
			fprintf(f, "%s\n", real);
	}
	if (fclose(f) || rename(tmp, parts))
		unlink(tmp);
}

void snap_touch(const char *path)
{
	utimensat(AT_FDCWD, path, NULL, 0);
}

/* Does the .parts file name a file that is gone? */
static bool parts_gone(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	char line[PATH_MAX + 2];
	bool gone = false;

	if (!f) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!gone && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		gone = line[0] == '/' && access(line, F_OK) && errno == ENOENT;
	}
	fclose(f);
	return gone;
}

/* Removes dir's files named PREFIX-*.vmstate and PREFIX.parts. */
static int remove_variant(int dfd, const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = strlen(prefix);
	int removed = 0;

	while (d && (e = readdir(d))) {
		const char *rest = e->d_name + n;

		if (strncmp(e->d_name, prefix, n) ||
		    (strcmp(rest, ".parts") && (rest[0] != '-' || !strstr(rest, ".vmstate"))))
			continue;
		removed += unlinkat(dfd, e->d_name, 0) == 0;
	}
	if (d)
		closedir(d);
	return removed;
}

/* An entry unused for SNAP_UNUSED_DAYS: a snapshot, a Kbuild recording
 * or its objects' folder (kbuild-KEY.mod.o). */
static int remove_if_unused(int dfd, const char *dir, const char *name)
{
	bool snap = strstr(name, ".vmstate") != NULL, recipe = !strncmp(name, "kbuild-", 7) &&
		    (strstr(name, ".recipe") || strstr(name, ".mod.o"));
	struct stat st;
	char path[PATH_MAX];

	if ((!snap && !recipe) || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    time(NULL) - st.st_mtime < (time_t)SNAP_UNUSED_DAYS * 24 * 3600)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) == 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	{
		DIR *d = opendir(path);
		struct dirent *e;

		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.')
				unlinkat(dirfd(d), e->d_name, 0);
		if (d)
			closedir(d);
	}
	return unlinkat(dfd, name, AT_REMOVEDIR) == 0;
}

int snap_sweep(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int removed = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l > 6 && !strcmp(e->d_name + l - 6, ".parts") &&
		    parts_gone(dirfd(d), e->d_name)) {
			char prefix[NAME_MAX + 1];

			snprintf(prefix, sizeof(prefix), "%.*s", (int)(l - 6), e->d_name);
			removed += remove_variant(dirfd(d), dir, prefix);
			rewinddir(d);
			continue;
		}
		removed += remove_if_unused(dirfd(d), dir, e->d_name);
	}
	closedir(d);
	return removed;
}
