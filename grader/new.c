// SPDX-License-Identifier: MIT
/*
 * new.c - `addrlab-grade new lesson NAME` and `new exercise ID`: an
 * instructor's start, written from templates/ (installed in
 * share/addrlab/templates).  Together the two lint clean as written, and
 * every part to replace says FILL IN.
 *
 * A template's text has @ID@ (the lesson's id), @EXERCISE@ (the exercise's),
 * @CNAME@ (the exercise's C name: '-' becomes '_') and @NUMBER@ (the
 * lesson's place) replaced; a file named NAME.c becomes @CNAME@.c.  What is
 * written goes to a temporary folder first and is renamed into place whole,
 * so a failure leaves nothing half-written, and nothing is overwritten.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "exercise.h"
#include "paths.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char new_usage[] =
	"usage: addrlab-grade new lesson NAME [--exercise ID] [--number N] [--dir DIR]\n"
	"       addrlab-grade new exercise ID [--dir DIR]\n"
	"\n"
	"Writes a lesson (DIR/lessons/NAME: lesson.lua, en.md, ko.md) or an exercise\n"
	"(DIR/exercises/ID: the reference solution, three alternatives and eight\n"
	"mutants) to start from; DIR is the course's folder (default: here).  The two\n"
	"together lint clean as written; replace every part marked FILL IN, then run\n"
	"  ADDRLAB_LESSONS=DIR/lessons ADDRLAB_EXERCISES=DIR/exercises addrlab-grade lint -v NAME\n"
	"\n"
	"options:\n"
	"  --exercise ID   the lesson's exercise (default: NAME)\n"
	"  --number N      the lesson's place among the chapters, 1 to 99\n"
	"                  (default: after the highest of ADDRLAB_LESSONS and DIR/lessons)\n"
	"  --dir DIR       the course's folder (default: .)\n";

struct subst {
	const char *id, *exercise, *cname, *number;
};

/* A lesson or exercise id: [a-z][a-z0-9_-]*, so that its C name is one. */
static bool good_id(const char *s)
{
	if (!*s || *s < 'a' || *s > 'z' || strlen(s) > 64)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(s);
}

char *template_fill(const char *text, const char *const keys[], const char *const vals[],
		    size_t n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	while (*text) {
		size_t k = 0;

		while (k < n && strncmp(text, keys[k], strlen(keys[k])))
			k++;
		if (k < n) {
			fputs(vals[k], f);
			text += strlen(keys[k]);
		} else {
			fputc(*text++, f);
		}
	}
	if (fclose(f)) {
		free(out);
		return NULL;
	}
	return out;
}

/* text with every @KEY@ replaced; malloc'd, or NULL. */
static char *substitute(const char *text, const struct subst *sb)
{
	const char *const keys[] = { "@ID@", "@EXERCISE@", "@CNAME@", "@NUMBER@" };
	const char *const vals[] = { sb->id, sb->exercise, sb->cname, sb->number };

	return template_fill(text, keys, vals, 4);
}

/* Copies template folder src into dst (made here), substituting. */
static int copy_tree(const char *src, const char *dst, const struct subst *sb,
		     char *err, size_t errlen)
{
	struct dirent **names = NULL;
	int n = scandir(src, &names, NULL, alphasort), rc = 0;

	if (n < 0 || mkdir(dst, 0755)) {
		snprintf(err, errlen, "cannot %s '%s': %s", n < 0 ? "read" : "make",
			 n < 0 ? src : dst, strerror(errno));
		rc = -1;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char from[4096], to[4096 + 128];
		struct stat st;

		if (!rc && name[0] != '.') {
			snprintf(from, sizeof(from), "%s/%s", src, name);
			snprintf(to, sizeof(to), "%s/%s", dst, name);
			if (!strcmp(name, "NAME.c"))
				snprintf(to, sizeof(to), "%s/%s.c", dst, sb->cname);
			if (stat(from, &st)) {
				snprintf(err, errlen, "cannot read '%s': %s", from, strerror(errno));
				rc = -1;
			} else if (S_ISDIR(st.st_mode)) {
				rc = copy_tree(from, to, sb, err, errlen);
			} else {
				char *text = read_text_file(from, NULL), *out = NULL;

				if (!text || !(out = substitute(text, sb)) ||
				    write_text_file(to, out, strlen(out))) {
					snprintf(err, errlen, "cannot copy '%s' to '%s': %s", from, to,
						 strerror(errno));
					rc = -1;
				}
				free(text);
				free(out);
			}
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* Writes template kind into DIR/sub/name, whole or not at all. */
static int write_from(const char *kind, const char *dir, const char *sub,
		      const char *name, const struct subst *sb)
{
	char *templates = addrlab_path("templates"), src[4096], parent[4096], dst[4096 + 64];
	char tmp[4096 + 64], err[9000] = "";
	int rc = 0;

	if (!templates)
		return die(EXIT_GRADER, "out of memory");
	snprintf(src, sizeof(src), "%s/%s", templates, kind);
	free(templates);
	snprintf(parent, sizeof(parent), "%s/%s", dir, sub);
	snprintf(dst, sizeof(dst), "%s/%s", parent, name);
	if (access(src, R_OK))
		return die(EXIT_GRADER, "no templates in '%s'; reinstall addrlab (make install)", src);
	if (access(dst, F_OK) == 0)
		return die(EXIT_USAGE, "'%s' is there already; pick another name, or move it away",
			   dst);
	if (make_tree(parent, NULL, 0))
		return die(EXIT_USAGE, "cannot make '%s': %s", parent, strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s/.new-%s-%d", parent, name, (int)getpid());
	if (copy_tree(src, tmp, sb, err, sizeof(err)) || rename(tmp, dst)) {
		if (!err[0])
			snprintf(err, sizeof(err), "cannot rename '%s' to '%s': %s", tmp, dst,
				 strerror(errno));
		rc = die(EXIT_GRADER, "%s", err);
	}
	remove_tree(tmp);
	if (!rc)
		printf("wrote %s/\n", dst);
	return rc;
}

/* After the highest-numbered lesson of ADDRLAB_LESSONS and DIR/lessons. */
static int next_number(const char *dir)
{
	char *roots = addrlab_path("lessons"), *all = NULL, *errors = NULL, mine[4096];
	struct lesson **ls = NULL;
	int n, top = 0;

	snprintf(mine, sizeof(mine), "%s/lessons", dir);
	if (!roots)
		return 1;
	if (access(mine, R_OK) == 0 && asprintf(&all, "%s:%s", roots, mine) < 0)
		all = NULL;
	n = lesson_load_all(all ? all : roots, &ls, &errors);
	for (int i = 0; i < n; i++)
		if (ls[i]->number > top)
			top = ls[i]->number;
	lesson_free_all(ls, n > 0 ? n : 0);
	free(errors);
	free(all);
	free(roots);
	return top < 99 ? top + 1 : 99;
}

int new_main(int argc, char **argv)
{
	const char *kind = argc > 0 ? argv[0] : "", *name = argc > 1 ? argv[1] : NULL;
	const char *dir = ".", *exercise = NULL;
	char cname[80], number[16] = "";
	struct subst sb;
	int rc;

	if (argc == 1 && (!strcmp(kind, "-h") || !strcmp(kind, "--help"))) {
		fputs(new_usage, stdout);
		return 0;
	}
	if ((strcmp(kind, "lesson") && strcmp(kind, "exercise")) || !name || name[0] == '-')
		return die(EXIT_USAGE, "usage: addrlab-grade new lesson NAME | new exercise ID "
			   "(addrlab-grade new --help says more)");
	for (int i = 2; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool lesson_only = strcmp(argv[i], "--dir") != 0;

		if (!v || (strcmp(argv[i], "--dir") && strcmp(argv[i], "--exercise") &&
			   strcmp(argv[i], "--number")) || (lesson_only && strcmp(kind, "lesson")))
			return die(EXIT_USAGE, "new %s: unknown option or missing value: '%s' "
				   "(addrlab-grade new --help lists them)", kind, argv[i]);
		if (!strcmp(argv[i], "--dir"))
			dir = v;
		else if (!strcmp(argv[i], "--exercise"))
			exercise = v;
		else if (atoi(v) < 1 || atoi(v) > 99 || strspn(v, "0123456789") != strlen(v))
			return die(EXIT_USAGE, "--number '%s': a chapter number is 1 to 99", v);
		else
			snprintf(number, sizeof(number), "%d", atoi(v));
		i++;
	}
	if (!exercise)
		exercise = name;
	if (!good_id(name) || !good_id(exercise))
		return die(EXIT_USAGE, "'%s': a lesson or exercise id is a lowercase letter, then "
			   "letters, digits, '-' or '_' (at most 64)",
			   good_id(name) ? exercise : name);
	snprintf(cname, sizeof(cname), "%s", exercise);
	for (char *p = cname; *p; p++)
		*p = *p == '-' ? '_' : *p;
	if (!number[0])
		snprintf(number, sizeof(number), "%d", next_number(dir));
	sb = (struct subst){ .id = name, .exercise = exercise, .cname = cname, .number = number };
	if (!strcmp(kind, "lesson")) {
		rc = write_from("lesson", dir, "lessons", name, &sb);
		if (!rc)
			printf("chapter %s; its exercise '%s' comes from: addrlab-grade new exercise %s%s%s\n"
			       "then replace every part marked FILL IN, and lint it:\n"
			       "  ADDRLAB_LESSONS=%s/lessons ADDRLAB_EXERCISES=%s/exercises "
			       "addrlab-grade lint -v %s\n", number, exercise, exercise,
			       strcmp(dir, ".") ? " --dir " : "", strcmp(dir, ".") ? dir : "",
			       dir, dir, name);
	} else {
		rc = write_from("exercise", dir, "exercises", name, &sb);
		if (!rc)
			printf("the reference solution, three alternatives and eight mutants of a\n"
			       "module that greets; its lesson comes from: addrlab-grade new lesson "
			       "NAME --exercise %s\nreplace every part marked FILL IN, then lint the "
			       "lesson:\n  ADDRLAB_LESSONS=%s/lessons ADDRLAB_EXERCISES=%s/exercises "
			       "addrlab-grade lint -v NAME\n", name, dir, dir);
	}
	return rc;
}
