// SPDX-License-Identifier: MIT
/* landlock.c - Landlock rules for the build sandbox (see landlock.h). */
#define _GNU_SOURCE
#include "landlock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Rights newer than Debian 12's <linux/landlock.h>. */
#define LL_FS_ABI1		((1ull << 13) - 1)
#define LL_FS_REFER		(1ull << 13)	/* ABI 2 */
#define LL_FS_TRUNCATE		(1ull << 14)	/* ABI 3 */
#define LL_FS_IOCTL_DEV		(1ull << 15)	/* ABI 5 */
#define LL_NET_BIND_TCP		(1ull << 0)	/* ABI 4 */
#define LL_NET_CONNECT_TCP	(1ull << 1)
#define LL_SCOPE_ABSTRACT_UNIX	(1ull << 0)	/* ABI 6 */
#define LL_SCOPE_SIGNAL		(1ull << 1)
#define LL_FS_READ		(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR | \
				 LANDLOCK_ACCESS_FS_EXECUTE)
/* The rights that apply to a file (the rest are for folders). */
#define LL_FS_FILE		(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
				 LANDLOCK_ACCESS_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

struct ll_attr {		/* struct landlock_ruleset_attr as of ABI 6 */
	uint64_t fs, net, scoped;
};

struct ll_rule {
	char *path;
	uint64_t access;
};

struct landlock_plan {
	struct ll_attr attr;
	size_t attr_size;	/* what this kernel's ABI knows of it */
	struct ll_rule *rules;
	size_t n, cap;
	bool oom;
};

bool path_covers(const char *a, const char *b)
{
	size_t n = strlen(a);

	return !strncmp(a, b, n) && (b[n] == '\0' || b[n] == '/' || (n == 1 && a[0] == '/'));
}

int landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
			 LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? -errno : (int)v;
}

static void add(struct landlock_plan *pl, const char *path, uint64_t access)
{
	struct stat st;

	if (stat(path, &st))
		return;		/* nothing there to allow */
	if (!S_ISDIR(st.st_mode))
		access &= LL_FS_FILE;
	if (pl->n == pl->cap) {
		size_t cap = pl->cap ? pl->cap * 2 : 64;
		struct ll_rule *r = realloc(pl->rules, cap * sizeof(*r));

		if (!r) {
			pl->oom = true;
			return;
		}
		pl->rules = r;
		pl->cap = cap;
	}
	pl->rules[pl->n].path = strdup(path);
	pl->rules[pl->n].access = access & pl->attr.fs;
	if (pl->rules[pl->n].path)
		pl->n++;
	else
		pl->oom = true;
}

/* Allows path except the hidden paths inside it, piece by piece. */
static void allow_tree(struct landlock_plan *pl, const char *path, uint64_t access,
		       char *const *hidden)
{
	bool inside = false;
	struct dirent *e;
	DIR *d;

	for (size_t i = 0; hidden && hidden[i]; i++) {
		if (path_covers(hidden[i], path))
			return;
		inside |= path_covers(path, hidden[i]);
	}
	if (!inside) {
		add(pl, path, access);
		return;
	}
	d = opendir(path);
	while (d && (e = readdir(d))) {
		char p[4096];

		/* A link beside a hidden path is left out: a rule on it
		 * would allow whatever it points at. */
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || e->d_type == DT_LNK)
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		allow_tree(pl, p, access, hidden);
	}
	if (d)
		closedir(d);
}

struct landlock_plan *landlock_plan_new(char *const *read_trees, char *const *read_files,
					const char *rw_dir, char *const *hidden,
					char *err, size_t errlen)
{
	struct landlock_plan *pl;
	int abi = landlock_abi();

	if (abi < 1) {
		snprintf(err, errlen, "the kernel offers no Landlock (%s)", strerror(-abi));
		return NULL;
	}
	pl = calloc(1, sizeof(*pl));
	if (!pl) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pl->attr.fs = LL_FS_ABI1 | (abi >= 2 ? LL_FS_REFER : 0) |
		      (abi >= 3 ? LL_FS_TRUNCATE : 0) | (abi >= 5 ? LL_FS_IOCTL_DEV : 0);
	pl->attr_size = sizeof(uint64_t);
	if (abi >= 4) {
		pl->attr.net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		pl->attr_size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6) {
		pl->attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		pl->attr_size = sizeof(pl->attr);
	}
	for (size_t i = 0; read_trees && read_trees[i]; i++)
		allow_tree(pl, read_trees[i], LL_FS_READ, hidden);
	for (size_t i = 0; read_files && read_files[i]; i++)
		add(pl, read_files[i], LANDLOCK_ACCESS_FS_READ_FILE);
	add(pl, "/dev/null", LL_FS_FILE);
	add(pl, rw_dir, pl->attr.fs);
	if (pl->oom) {
		landlock_plan_free(pl);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return pl;
}

void landlock_plan_free(struct landlock_plan *pl)
{
	for (size_t i = 0; pl && i < pl->n; i++)
		free(pl->rules[i].path);
	if (pl)
		free(pl->rules);
	free(pl);
}

const char *landlock_apply(const struct landlock_plan *pl)
{
	int rs = (int)syscall(SYS_landlock_create_ruleset, &pl->attr, pl->attr_size, 0);

	if (rs < 0)
		return "cannot make a Landlock ruleset";
	for (size_t i = 0; i < pl->n; i++) {
		struct landlock_path_beneath_attr pb = {
			.allowed_access = pl->rules[i].access,
		};

		pb.parent_fd = open(pl->rules[i].path, O_PATH | O_CLOEXEC);
		if (pb.parent_fd < 0)
			continue;	/* gone since the plan: nothing to allow */
		if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0))
			return "cannot add a Landlock rule";
		close(pb.parent_fd);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return "cannot set no_new_privs";
	if (syscall(SYS_landlock_restrict_self, rs, 0))
		return "cannot enforce the Landlock ruleset";
	close(rs);
	return NULL;
}
