// SPDX-License-Identifier: MIT
/* memcg.c - a memory cgroup per build (see memcg.h). */
#define _GNU_SOURCE
#include "memcg.h"
#include "exercise.h"	/* write_text_file() */
#include "snapshot.h"	/* snap_pid_gone() */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#define PREFIX	"addrlab-build-"

static int write_file(const char *dir, const char *file, const char *s)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	return write_text_file(p, s, strlen(s));
}

/* This process's cgroup in the hierarchy named by key in /proc/self/cgroup
 * ("memory" for v1, "" for v2's "0::" line), as a path under mnt. */
static int own_cgroup(const char *key, const char *mnt, char *out, size_t n)
{
	FILE *f = fopen("/proc/self/cgroup", "r");
	char line[PATH_MAX + 64];
	int rc = -1;

	if (!f)
		return -1;
	while (rc && fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *path = ctl ? strchr(ctl + 1, ':') : NULL;

		if (!path)
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		ctl++;
		if (*key ? strcmp(ctl, key) && !strstr(ctl, key) : *ctl)
			continue;
		if ((size_t)snprintf(out, n, "%s%s", mnt, strcmp(path, "/") ? path : "") < n)
			rc = 0;
	}
	fclose(f);
	return rc;
}

/* The tasks of a cgroup, killed; v2 has cgroup.kill (5.14), v1 a list. */
static void kill_all(const struct memcg *m)
{
	char p[PATH_MAX + 32];
	FILE *f;
	int pid;

	if (m->v2 && !write_file(m->dir, "cgroup.kill", "1"))
		return;
	snprintf(p, sizeof(p), "%s/cgroup.procs", m->dir);
	f = fopen(p, "r");
	if (!f)
		return;
	while (fscanf(f, "%d", &pid) == 1)
		kill(pid, SIGKILL);
	fclose(f);
}

static void remove_dir(struct memcg *m)
{
	for (int i = 0; i < 50 && rmdir(m->dir) && errno == EBUSY; i++) {
		kill_all(m);
		usleep(10000);
	}
}

/*
 * The PID namespace this grader sees its PIDs in (the inode of
 * /proc/self/ns/pid).  Graders in two containers, or one in a Debian root
 * beside one on the host, share a cgroup folder but not PIDs: a build's
 * cgroup is named by both, and a grader sweeps only its own namespace's.
 */
static unsigned long pid_ns(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) ? 0 : (unsigned long)st.st_ino;
}

/* Removes the cgroups of builds whose grader (in our PID namespace) is gone. */
static void sweep(const char *base, bool v2)
{
	DIR *d = opendir(base);
	unsigned long ns = pid_ns();
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct memcg old = { .v2 = v2 };
		unsigned long their_ns;
		long pid;
		char *end;

		if (strncmp(e->d_name, PREFIX, strlen(PREFIX)))
			continue;
		their_ns = strtoul(e->d_name + strlen(PREFIX), &end, 10);
		if (*end != '-' || their_ns != ns)
			continue;
		pid = strtol(end + 1, NULL, 10);
		if (!snap_pid_gone(pid))
			continue;
		snprintf(old.dir, sizeof(old.dir), "%s/%s", base, e->d_name);
		remove_dir(&old);
	}
	closedir(d);
}

static int make_in(struct memcg *m, const char *base, bool v2,
		   unsigned long long limit)
{
	static unsigned int seq;
	char num[32];

	/* Once a process: a grader's leftovers are gone by its next build. */
	if (!seq)
		sweep(base, v2);
	snprintf(m->dir, sizeof(m->dir), "%s/" PREFIX "%lu-%d-%u", base, pid_ns(),
		 (int)getpid(), ++seq);
	m->v2 = v2;
	if (mkdir(m->dir, 0755)) {
		m->dir[0] = '\0';
		return -1;
	}
	snprintf(num, sizeof(num), "%llu", limit);
	/* v1: no swap to spill into either (memsw exists only with swap
	 * accounting); v2: memory.swap.max where there is swap. */
	if (write_file(m->dir, v2 ? "memory.max" : "memory.limit_in_bytes", num)) {
		rmdir(m->dir);
		m->dir[0] = '\0';
		return -1;
	}
	if (v2)
		write_file(m->dir, "memory.swap.max", "0");
	else
		write_file(m->dir, "memory.memsw.limit_in_bytes", num);
	return 0;
}

int memcg_create(struct memcg *m, unsigned long long limit)
{
	char base[PATH_MAX];
	struct statfs fs;

	m->dir[0] = '\0';
	/* cgroup v1 (a hybrid host too): the memory hierarchy. */
	if (!statfs("/sys/fs/cgroup/memory", &fs) && fs.f_type == CGROUP_SUPER_MAGIC &&
	    !own_cgroup("memory", "/sys/fs/cgroup/memory", base, sizeof(base)) &&
	    !make_in(m, base, false, limit))
		return 0;
	/* cgroup v2: a child of our cgroup's parent would need delegation;
	 * a child of our own works when memory is in its subtree_control. */
	if (!statfs("/sys/fs/cgroup", &fs) && fs.f_type == CGROUP2_SUPER_MAGIC &&
	    !own_cgroup("", "/sys/fs/cgroup", base, sizeof(base)) &&
	    !make_in(m, base, true, limit))
		return 0;
	return -1;
}

void memcg_sweep(const struct memcg *m)
{
	char base[PATH_MAX];
	char *slash;

	if (!m->dir[0])
		return;
	snprintf(base, sizeof(base), "%s", m->dir);
	slash = strrchr(base, '/');
	if (slash) {
		*slash = '\0';
		sweep(base, m->v2);
	}
}

int memcg_join(const struct memcg *m)
{
	char p[PATH_MAX + 32];
	int fd, rc;

	if (!m->dir[0])
		return 0;
	/* strcpy/strcat only: async-signal-safe after fork. */
	strcpy(p, m->dir);
	strcat(p, "/cgroup.procs");
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = write(fd, "0", 1) == 1 ? 0 : -1;
	close(fd);
	return rc;
}

long memcg_oom_kills(const struct memcg *m)
{
	char p[PATH_MAX + 32], line[256];
	long n = 0;
	FILE *f;

	if (!m->dir[0])
		return 0;
	snprintf(p, sizeof(p), "%s/%s", m->dir, m->v2 ? "memory.events" : "memory.oom_control");
	f = fopen(p, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "oom_kill %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

void memcg_destroy(struct memcg *m)
{
	if (!m->dir[0])
		return;
	remove_dir(m);
	m->dir[0] = '\0';
}
