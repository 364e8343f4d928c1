// SPDX-License-Identifier: MIT
/* paths.c - where addrlab's data lives (see paths.h). */
#define _GNU_SOURCE
#include "paths.h"
#include "vm.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
