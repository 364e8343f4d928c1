// SPDX-License-Identifier: MIT
/* workdir.c - temporary work folders, and those of killed graders (see workdir.h). */
#define _GNU_SOURCE
#include "workdir.h"
#include "exercise.h"	/* remove_tree() */
#include "snapshot.h"	/* snap_pid_gone() */

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *tmp_dir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

/* "addrlab-KIND-PID.XXXXXX": the PID, or 0 if the name is not ours. */
static long owner_of(const char *name)
{
	const char *dash, *dot;
	char *end;
	long pid;

	if (strncmp(name, "addrlab-", 8))
		return 0;
	dot = strrchr(name, '.');
	if (!dot)
		return 0;
	for (dash = dot; dash > name && dash[-1] != '-'; dash--)
		;
	if (dash == name + 8 || dash == dot)
		return 0;
	pid = strtol(dash, &end, 10);
	return end == dot && pid > 0 ? pid : 0;
}

int work_dir_sweep(const char *tmp)
{
	DIR *d = opendir(tmp);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		long pid = owner_of(e->d_name);
		char path[4096];

		if (!pid || (pid_t)pid == getpid() || !snap_pid_gone(pid))
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmp, e->d_name);
		n += remove_tree(path) == 0;
	}
	closedir(d);
	return n;
}

int work_dir_make(char *out, size_t n, const char *kind)
{
	static bool swept;	/* once a process: the workbook makes one a check */
	const char *tmp = tmp_dir();

	if (!swept)
		work_dir_sweep(tmp);
	swept = true;
	if ((size_t)snprintf(out, n, "%s/addrlab-%s-%d.XXXXXX", tmp, kind,
			     (int)getpid()) >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkdtemp(out) ? 0 : -1;
}
