// SPDX-License-Identifier: MIT
/* paths.c - where addrlab's data lives (see paths.h). */
#define _GNU_SOURCE
#include "paths.h"
#include "vm.h"

#include <ctype.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *addrlab_path(const char *what)
{
	char env[64], exe[PATH_MAX], *p;
	const char *v, *src = !strcmp(what, "include") ? "kmod" : what;
	ssize_t n;
	size_t i;

	snprintf(env, sizeof(env), "ADDRLAB_%s", what);
	for (i = 8; env[i]; i++)
		env[i] = (char)toupper((unsigned char)env[i]);
	v = getenv(env);
	if (v && *v)
		return strdup(v);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return strdup(what);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';		/* .../bin */
	if (asprintf(&p, "%s/../../%s", exe, src) < 0)
		return NULL;
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	if (asprintf(&p, "%s/../share/addrlab/%s", exe, what) < 0)
		return NULL;
	return p;
}

char *addrlab_kver(void)
{
	char path[PATH_MAX + 16], line[128] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/kver", vm_default_guest_dir());
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return line[0] ? strdup(line) : NULL;
}

void strv_free_all(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Appends each folder of roots (joined by ':') to the NULL-terminated *v
 * of *n; -1 when out of memory. */
static int add_roots(char ***v, size_t *n, const char *roots)
{
	char *copy = strdup(roots), *next = copy, *root;
	int rc = copy ? 0 : -1;

	while (!rc && (root = strsep(&next, ":"))) {
		char **nv = realloc(*v, (*n + 2) * sizeof(**v));

		if (nv)
			*v = nv;
		if (!nv || !(nv[*n] = strdup(root)))
			rc = -1;
		else
			nv[++*n] = NULL;
	}
	free(copy);
	return rc;
}

char *exercise_root(const char *roots, const char *id)
{
	char **v = calloc(1, sizeof(*v)), *found = NULL;
	size_t n = 0;

	if (!v || add_roots(&v, &n, roots)) {
		strv_free_all(v);
		return NULL;
	}
	for (size_t i = 0; i < n && !found; i++) {
		char dir[PATH_MAX];
		struct stat st;

		snprintf(dir, sizeof(dir), "%s/%s", v[i], id);
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			found = v[i];
	}
	found = strdup(found ? found : v[0]);
	strv_free_all(v);
	return found;
}

char **secret_paths(void)
{
	char *ex = addrlab_path("exercises"), *le = addrlab_path("lessons");
	char **v = calloc(1, sizeof(*v)), *top = NULL, *slash;
	size_t n = 0;
	bool oom = !ex || !le || !v;

	/* The folder holding both exercises/ and lessons/ is addrlab's own
	 * (share/addrlab or the source tree); anything else stays visible. */
	if (!oom && !strchr(ex, ':') && (top = strdup(ex)) &&
	    (slash = strrchr(top, '/')) && slash != top) {
		char probe[4096];

		*slash = '\0';
		snprintf(probe, sizeof(probe), "%s/lessons", top);
		if (access(probe, F_OK) == 0 && strcmp(top, "/usr") && strcmp(top, "/usr/lib"))
			oom = add_roots(&v, &n, top);
	}
	free(top);
	if (!oom)
		oom = add_roots(&v, &n, ex) || add_roots(&v, &n, le);
	free(ex);
	free(le);
	if (oom) {
		strv_free_all(v);
		return NULL;
	}
	return v;
}
