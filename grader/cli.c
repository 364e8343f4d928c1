// SPDX-License-Identifier: MIT
/* cli.c - what the parts of addrlab-grade share (see cli.h). */
#define _GNU_SOURCE
#include "cli.h"

#include "exercise.h"
#include "paths.h"
#include "vm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int die(int status, const char *f, ...)
{
	va_list ap;

	fputs("addrlab-grade: ", stderr);
	va_start(ap, f);
	vfprintf(stderr, f, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

int env_load(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->lessons_dir = addrlab_path("lessons");
	e->exercises_dir = addrlab_path("exercises");
	e->include = addrlab_path("include");
	e->kver = addrlab_kver();
	e->n = lesson_load_all(e->lessons_dir, &e->ls, &e->errors);
	if (e->n < 0)
		return die(EXIT_GRADER, "%.*s", (int)strcspn(e->errors, "\n"), e->errors);
	if (!e->kver)
		return die(EXIT_GRADER, "no guest image in '%s'; run 'make' first",
			   vm_default_guest_dir());
	return 0;
}

void env_free(struct env *e)
{
	lesson_free_all(e->ls, e->n > 0 ? e->n : 0);
	free(e->errors);
	free(e->lessons_dir);
	free(e->exercises_dir);
	free(e->include);
	free(e->kver);
}

struct lesson *pick(const struct env *env, const char *id, const char *dir,
		    char *err, size_t errlen)
{
	struct lesson *found = NULL;
	char *names = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&names, &len);
	int matches = 0;

	for (int i = 0; i < env->n; i++) {
		struct lesson_exercise *e = env->ls[i]->exercise;
		bool all = true;

		if (!e)
			continue;
		if (f)
			fprintf(f, "%s%s", ftell(f) ? ", " : "", e->id);
		if (id) {
			if (!strcmp(e->id, id))
				found = env->ls[i];
			continue;
		}
		for (size_t k = 0; k < e->nfiles && all; k++) {
			char p[4096];

			snprintf(p, sizeof(p), "%s/%s", dir, e->files[k]);
			all = access(p, R_OK) == 0;
		}
		if (all) {
			found = env->ls[i];
			matches++;
		}
	}
	if (f)
		fclose(f);
	if (id && !found)
		snprintf(err, errlen, "no exercise '%s'; the exercises are: %s", id,
			 names && *names ? names : "(none)");
	else if (!id && matches != 1)
		snprintf(err, errlen, "cannot tell which exercise '%s' is for; name it with --exercise (one of: %s)",
			 dir, names && *names ? names : "(none)");
	free(names);
	return found && (id || matches == 1) ? found : NULL;
}

void remove_work(const char *dir)
{
	if (remove_tree(dir))
		fprintf(stderr, "addrlab-grade: could not remove '%s'\n", dir);
}

const char *sub_name_in(const char *path, struct name_buf *nb)
{
	char *buf = nb->s;
	size_t n;
	const char *slash;

	snprintf(buf, sizeof(nb->s), "%s", path);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	slash = strrchr(buf, '/');
	return slash ? slash + 1 : buf;
}
