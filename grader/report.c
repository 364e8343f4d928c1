// SPDX-License-Identifier: MIT
/* report.c - text, JSON, JUnit XML and Gradescope reports (see report.h). */
#define _GNU_SOURCE
#include "report.h"

#include <jansson.h>
#include <string.h>

static const char *const format_names[] = {
#define X(e, name) [e] = name,
	REPORT_FORMATS(X)
#undef X
};

int report_format_parse(const char *s)
{
	for (int i = 0; i < REPORT_FORMAT_COUNT; i++)
		if (s && !strcmp(s, format_names[i]))
			return i;
	return -1;
}

const char *report_format_list(void)
{
	return "text, json, junit or gradescope";
}

static void indent_block(FILE *f, const char *text, const char *prefix)
{
	for (const char *p = text; p && *p;) {
		const char *e = strchrnul(p, '\n');

		fprintf(f, "%s%.*s\n", prefix, (int)(e - p), p);
		p = *e ? e + 1 : e;
	}
}

static int write_text(FILE *f, const struct grade *g, const char *submission)
{
	fprintf(f, "exercise %s: %s\n", g->exercise, submission);
	for (size_t i = 0; i < g->nresults; i++) {
		const struct check_result *r = &g->results[i];
		const char *tag = r->outcome == CHECK_PASS ? "PASS" :
				  r->outcome == CHECK_FAIL ? "FAIL" : "ERROR";

		fprintf(f, "  %-5s %-40s %u/%u\n", tag, r->title, r->points,
			r->max_points);
		if (r->outcome != CHECK_PASS) {
			fprintf(f, "        %s\n", r->message);
			indent_block(f, r->evidence, "        | ");
		}
	}
	fprintf(f, "score %u/%u\n", g->score, g->max_score);
	return ferror(f) ? -1 : 0;
}

static json_t *check_json(const struct check_result *r)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:i}",
			 "name", r->name, "title", r->title,
			 "outcome", check_outcome_name(r->outcome),
			 "points", (int)r->points, "max_points", (int)r->max_points,
			 "message", r->message, "evidence", r->evidence,
			 "fault", vm_verdict_name(r->fault),
			 "elapsed_ms", (int)r->elapsed_ms);
}

static int dump(FILE *f, json_t *doc)
{
	int rc = doc ? json_dumpf(doc, f, JSON_INDENT(2) | JSON_ENSURE_ASCII) : -1;

	json_decref(doc);
	fputc('\n', f);
	return rc || ferror(f) ? -1 : 0;
}

static int write_json(FILE *f, const struct grade *g, const char *submission)
{
	json_t *checks = json_array();

	for (size_t i = 0; i < g->nresults; i++)
		json_array_append_new(checks, check_json(&g->results[i]));
	return dump(f, json_pack("{s:s, s:s, s:i, s:i, s:b, s:i, s:o}",
				 "exercise", g->exercise, "submission", submission,
				 "score", (int)g->score, "max_score", (int)g->max_score,
				 "passed", g->score == g->max_score,
				 "elapsed_ms", (int)g->elapsed_ms, "checks", checks));
}

/*
 * Gradescope's autograder reads results.json: a score, and tests with
 * name, score, max_score, output and visibility.
 */
static int write_gradescope(FILE *f, const struct grade *g)
{
	json_t *tests = json_array();

	for (size_t i = 0; i < g->nresults; i++) {
		const struct check_result *r = &g->results[i];
		char *out = NULL;

		if (r->outcome != CHECK_PASS &&
		    asprintf(&out, "%s%s%s", r->message, r->evidence[0] ? "\n\n" : "",
			     r->evidence) < 0)
			out = NULL;
		json_array_append_new(tests, json_pack("{s:s, s:i, s:i, s:s, s:s, s:s}",
			"name", r->title, "score", (int)r->points,
			"max_score", (int)r->max_points,
			"output", out ? out : "", "status",
			r->outcome == CHECK_PASS ? "passed" : "failed",
			"visibility", "visible"));
		free(out);
	}
	return dump(f, json_pack("{s:i, s:f, s:o}", "score", (int)g->score,
				 "execution_time", g->elapsed_ms / 1000.0, "tests", tests));
}

static void xml_escaped(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			/* XML 1.0 forbids most control characters. */
			if (ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r')
				fprintf(f, "\\x%02x", ch);
			else
				fputc(ch, f);
		}
	}
}

static int write_junit(FILE *f, const struct grade *g)
{
	unsigned int failures = 0, errors = 0;

	for (size_t i = 0; i < g->nresults; i++) {
		failures += g->results[i].outcome == CHECK_FAIL;
		errors += g->results[i].outcome == CHECK_ERROR;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites tests=\"%zu\" failures=\"%u\" errors=\"%u\" time=\"%.3f\">\n",
		g->nresults, failures, errors, g->elapsed_ms / 1000.0);
	fprintf(f, "  <testsuite name=\"addrlab.");
	xml_escaped(f, g->exercise);
	fprintf(f, "\" tests=\"%zu\" failures=\"%u\" errors=\"%u\" time=\"%.3f\">\n",
		g->nresults, failures, errors, g->elapsed_ms / 1000.0);
	for (size_t i = 0; i < g->nresults; i++) {
		const struct check_result *r = &g->results[i];

		fprintf(f, "    <testcase classname=\"addrlab.");
		xml_escaped(f, g->exercise);
		fprintf(f, "\" name=\"");
		xml_escaped(f, r->name);
		fprintf(f, "\" time=\"%.3f\">", r->elapsed_ms / 1000.0);
		if (r->outcome != CHECK_PASS) {
			fprintf(f, "\n      <%s message=\"",
				r->outcome == CHECK_FAIL ? "failure" : "error");
			xml_escaped(f, r->message);
			fprintf(f, "\">");
			xml_escaped(f, r->evidence);
			fprintf(f, "</%s>\n    ", r->outcome == CHECK_FAIL ? "failure" : "error");
		}
		fprintf(f, "</testcase>\n");
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	return ferror(f) ? -1 : 0;
}

int report_write(FILE *f, enum report_format fmt, const struct grade *g,
		 const char *submission)
{
	switch (fmt) {
	case REPORT_TEXT:
		return write_text(f, g, submission);
	case REPORT_JSON:
		return write_json(f, g, submission);
	case REPORT_JUNIT:
		return write_junit(f, g);
	case REPORT_GRADESCOPE:
		return write_gradescope(f, g);
	default:
		return -1;
	}
}
