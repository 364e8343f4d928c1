/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the parts of `addrlab-grade` share: its options, the
 * lessons and guest it grades with, exit statuses and error lines.
 * main.c parses and grades one submission or lints; batch.c grades a
 * class and merges gradebooks.
 */
#ifndef ADDRLAB_CLI_H
#define ADDRLAB_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "lesson.h"
#include "report.h"

#define EXIT_FAILED	1	/* graded: some check did not pass (lint: problems) */
#define EXIT_USAGE	2
#define EXIT_GRADER	3	/* could not grade: no lab VM, broken lessons... */

struct opts {
	const char *exercise, *output, *out_dir;
	enum report_format format;
	enum lang lang;
	const char *sandbox;	/* NULL: ADDRLAB_SANDBOX, or auto */
	int jobs;
	unsigned shard, shards;	/* batch --shard I/N; 0/0: the whole class */
	bool verbose;
	char **args;		/* positional arguments */
	int nargs;
};

/* Everything grading needs, found once. */
struct env {
	struct lesson **ls;
	int n;
	char *errors;		/* lessons that did not load, one line each */
	char *lessons_dir, *exercises_dir, *include, *kver;
};

/* "addrlab-grade: ..." on stderr; returns status. */
int die(int status, const char *f, ...) __attribute__((format(printf, 2, 3)));

/* 0, or an exit status said on stderr. */
int env_load(struct env *e);
void env_free(struct env *e);

/* The lesson whose exercise is `id`, or the only one whose files are all
 * in dir; NULL with err. */
struct lesson *pick(const struct env *env, const char *id, const char *dir,
		    char *err, size_t errlen);

/* `addrlab-grade new ...` (new.c): argv after "new"; the exit status. */
int new_main(int argc, char **argv);

/* text with each keys[i] replaced by vals[i] (new.c); malloc'd, or NULL. */
char *template_fill(const char *text, const char *const keys[], const char *const vals[],
		    size_t n);

/* `addrlab-grade gradescope-bundle ...` (bundle.c): argv after it. */
int bundle_main(int argc, char **argv);

/* Removes a work folder of ours; if that fails, says where it is. */
void remove_work(const char *dir);

struct name_buf {
	char s[4096];
};

/* The gradebook's name for a submission: its folder's own name. */
#define sub_name(path) sub_name_in((path), &(struct name_buf){ 0 })
const char *sub_name_in(const char *path, struct name_buf *nb);

int batch(struct opts *o);
int merge(struct opts *o);

#endif /* ADDRLAB_CLI_H */
