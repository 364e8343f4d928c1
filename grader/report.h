/* SPDX-License-Identifier: MIT */
/*
 * report.h - a grade as people and machines read it: plain text, JSON,
 * JUnit XML (for CI) and Gradescope's results.json.
 */
#ifndef ADDRLAB_REPORT_H
#define ADDRLAB_REPORT_H

#include <stdio.h>

#include "check.h"

#define REPORT_FORMATS(X) \
	X(REPORT_TEXT,       "text") \
	X(REPORT_JSON,       "json") \
	X(REPORT_JUNIT,      "junit") \
	X(REPORT_GRADESCOPE, "gradescope") \
	X(REPORT_MARKDOWN,   "markdown")

enum report_format {
#define X(e, name) e,
	REPORT_FORMATS(X)
#undef X
	REPORT_FORMAT_COUNT
};

/* The format named s, or -1. */
int report_format_parse(const char *s);
/* "text, json, junit or gradescope" */
const char *report_format_list(void);

/* Writes g (graded from submission) to f.  0, or -1 on a write error. */
int report_write(FILE *f, enum report_format fmt, const struct grade *g,
		 const char *submission);

#endif /* ADDRLAB_REPORT_H */
