// SPDX-License-Identifier: MIT
/* report.c - text, JSON, JUnit XML, Gradescope and Markdown reports (see report.h). */
#define _GNU_SOURCE
#include "report.h"

#include "clean.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
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
	return "text, json, junit, gradescope or markdown";
}

static void indent_block(FILE *f, const char *text, const char *prefix)
{
	for (const char *p = text; p && *p;) {
		const char *e = strchrnul(p, '\n');

		fprintf(f, "%s%.*s\n", prefix, (int)(e - p), p);
		p = *e ? e + 1 : e;
	}
}

static const char *const tags[] = { [CHECK_PASS] = "PASS", [CHECK_FAIL] = "FAIL",
				    [CHECK_ERROR] = "ERROR" };

static int write_text(FILE *f, const struct grade *g, const char *submission)
{
	fprintf(f, "exercise %s: %s\n", g->exercise, submission);
	for (size_t i = 0; i < g->nresults; i++) {
		const struct check_result *r = &g->results[i];

		fprintf(f, "  %-5s %-40s %u/%u%s%s\n", tags[r->outcome], r->title, r->points,
			r->max_points, r->visibility == VIS_VISIBLE ? "" : "  ",
			r->visibility == VIS_VISIBLE ? "" : check_visibility_name(r->visibility));
		if (r->outcome != CHECK_PASS) {
			fprintf(f, "        %s%s\n", r->outcome == CHECK_ERROR ?
				"could not grade: " : "", r->message);
			indent_block(f, r->evidence, "        | ");
		}
	}
	if (g->sandbox[0])
		fprintf(f, "built in the '%s' sandbox\n", g->sandbox);
	if (g->ungraded)
		fprintf(f, "not graded (%u check%s could not be graded: the grader's failure, "
			"not the submission's)\n", g->ungraded, g->ungraded == 1 ? "" : "s");
	else
		fprintf(f, "score %u/%u\n", g->score, g->max_score);
	if (g->not_run)
		fprintf(f, "the grader runs %u more check%s (%u point%s) that only it sees\n",
			g->not_run, g->not_run == 1 ? "" : "s", g->not_run_points,
			g->not_run_points == 1 ? "" : "s");
	return ferror(f) ? -1 : 0;
}

/* A check as JSON; never NULL for want of valid text (report_write()
 * cleaned every text of the grade first). */
static json_t *check_json(const struct check_result *r)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:i}",
			      "name", r->name, "title", r->title,
			      "outcome", check_outcome_name(r->outcome),
			      "points", (int)r->points, "max_points", (int)r->max_points,
			      "message", r->message, "evidence", r->evidence,
			      "fault", vm_verdict_name(r->fault),
			      "visibility", check_visibility_name(r->visibility),
			      "elapsed_ms", (int)r->elapsed_ms);

	if (!o)	/* never dropped: the check is there, if without its text */
		o = json_pack("{s:s, s:s, s:i, s:i, s:s}", "name", r->name ? r->name : "?",
			      "outcome", check_outcome_name(r->outcome),
			      "points", (int)r->points, "max_points", (int)r->max_points,
			      "message", "(this check's text could not be reported)");
	return o;
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
	char *sub = clean_text(submission, strlen(submission), 4096, true);
	json_t *checks = json_array(), *doc;

	for (size_t i = 0; i < g->nresults; i++)
		json_array_append_new(checks, check_json(&g->results[i]));
	doc = json_pack("{s:s, s:s?, s:s, s:i, s:i, s:i, s:b, s:s, s:i, s:o}",
			"exercise", g->exercise, "submission", sub,
			"status", g->ungraded ? "not graded" : "graded",
			"score", (int)g->score, "max_score", (int)g->max_score,
			"ungraded", (int)g->ungraded,
			"passed", !g->ungraded && g->score == g->max_score,
			"sandbox", g->sandbox,
			"elapsed_ms", (int)g->elapsed_ms, "checks", checks);
	if (doc && g->not_run)
		json_object_set_new(doc, "not_run", json_pack("{s:i, s:i}", "checks",
			(int)g->not_run, "points", (int)g->not_run_points));
	free(sub);
	return dump(f, doc);
}

/*
 * Gradescope's autograder reads results.json: tests with name, score,
 * max_score, status, output and visibility, and a top-level score.
 *
 * A submission that could not be graded gets no score at all, neither at
 * the top nor on any test, so Gradescope cannot show a number for it.  Its
 * spec (gradescope-autograders.readthedocs.io, "specs") makes the top-level
 * score "optional, but required if not on each test case": without either
 * the run counts as the autograder's failure, which staff see and regrade,
 * never as a 0.  The top-level output (always shown to the student) says
 * it was not graded and staff will grade it again; each check that could
 * not be graded is a test with visibility "hidden" (the spec's setting for
 * what only instructors see) carrying the reason.  extra_data keeps the
 * status for staff scripts.
 */
/* Tags staff can filter by: the exercise, the outcome, and what went
 * wrong in the lab VM when something did (an oops, a hang...). */
static json_t *gradescope_tags(const struct grade *g, const struct check_result *r)
{
	json_t *list = json_array();

	json_array_append_new(list, json_string(g->exercise ? g->exercise : "?"));
	json_array_append_new(list, json_string(r->outcome == CHECK_ERROR ? "could-not-grade" :
						 check_outcome_name(r->outcome)));
	if (r->fault != VM_OK)
		json_array_append_new(list, json_string(vm_verdict_name(r->fault)));
	return list;
}

static json_t *gradescope_test(const struct grade *g, const struct check_result *r)
{
	const char *status = r->outcome == CHECK_PASS ? "passed" : "failed";
	const char *vis = r->outcome == CHECK_ERROR ? "hidden" : check_visibility_name(r->visibility);
	char *out = NULL;
	json_t *t;

	if (r->outcome != CHECK_PASS &&
	    asprintf(&out, "%s%s%s%s", r->outcome == CHECK_ERROR ? "could not grade: " : "",
		     r->message, r->evidence[0] ? "\n\n" : "", r->evidence) < 0)
		out = NULL;
	t = json_pack("{s:s, s:i, s:s, s:s, s:s}", "name", r->title,
		      "max_score", (int)r->max_points, "output", out ? out : "",
		      "status", status, "visibility", vis);
	if (!t)	/* never dropped: the check is there, if without its text */
		t = json_pack("{s:s, s:i, s:s, s:s}", "name", r->name ? r->name : "?",
			      "max_score", (int)r->max_points, "status", status,
			      "visibility", vis);
	if (t)
		json_object_set_new(t, "tags", gradescope_tags(g, r));
	if (t && !g->ungraded)
		json_object_set_new(t, "score", json_integer(r->points));
	free(out);
	return t;
}

static int write_gradescope(FILE *f, const struct grade *g)
{
	json_t *tests = json_array(), *doc;

	for (size_t i = 0; i < g->nresults; i++) {
		json_t *t = gradescope_test(g, &g->results[i]);

		if (t)
			json_array_append_new(tests, t);
	}
	/* The top-level note is Markdown; a test's output is a kernel log or a
	 * program's, shown as it is.  What the grader prints (run_autograder's
	 * log) is for staff only. */
	doc = json_pack("{s:f, s:s, s:s, s:s, s:o, s:{s:s, s:i, s:s}}",
			"execution_time", g->elapsed_ms / 1000.0, "output_format", "md",
			"test_output_format", "text", "stdout_visibility", "hidden",
			"tests", tests, "extra_data", "status",
			g->ungraded ? "not graded" : "graded", "ungraded", (int)g->ungraded,
			"sandbox", g->sandbox);
	if (doc && g->ungraded)
		json_object_set_new(doc, "output", json_string(
			"**Not graded.** This submission could not be graded because of a "
			"failure on our side, not yours; the course staff will grade it "
			"again. Nothing here counts towards your grade."));
	else if (doc)
		json_object_set_new(doc, "score", json_integer(g->score));
	return dump(f, doc);
}

/* Text in a Markdown table cell, or in HTML: no line breaks, nothing that
 * ends the cell or makes markup. */
static void md_escaped(FILE *f, const char *s, bool cell)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '|': fputs(cell ? "\\|" : "|", f); break;
		case '\n': fputs(cell ? " " : "\n", f); break;
		case '`': case '*': case '_': case '[': case ']': case '\\':
			if (cell)
				fputc('\\', f);
			fputc(*s, f);
			break;
		default: fputc(*s, f);
		}
	}
}

/*
 * GitHub-flavoured Markdown, for a CI job's summary ($GITHUB_STEP_SUMMARY):
 * the verdict, a table of the checks, and each unpassed check's evidence
 * in a <details> block.
 */
static int write_markdown(FILE *f, const struct grade *g)
{
	static const char *const words[] = { [CHECK_PASS] = "passed", [CHECK_FAIL] = "**failed**",
					     [CHECK_ERROR] = "**could not grade**" };

	fprintf(f, "### addrlab: exercise `%s`: ", g->exercise);
	if (g->ungraded)
		fprintf(f, "not graded\n\n%u check%s could not be graded: the grader's failure, not "
			"the submission's. Grade it again.\n\n", g->ungraded, g->ungraded == 1 ? "" : "s");
	else
		fprintf(f, "%u/%u points\n\n", g->score, g->max_score);
	fputs("| check | result | points | what was seen |\n|---|---|---|---|\n", f);
	for (size_t i = 0; i < g->nresults; i++) {
		const struct check_result *r = &g->results[i];

		fputs("| ", f);
		md_escaped(f, r->title, true);
		fprintf(f, " | %s | %u/%u | ", words[r->outcome], r->points, r->max_points);
		if (r->outcome != CHECK_PASS)
			md_escaped(f, r->message, true);
		fputs(" |\n", f);
	}
	for (size_t i = 0; i < g->nresults; i++) {
		const struct check_result *r = &g->results[i];

		if (r->outcome == CHECK_PASS || !r->evidence[0])
			continue;
		fputs("\n<details><summary>", f);
		md_escaped(f, r->title, false);
		fputs(": evidence</summary>\n\n<pre>", f);
		md_escaped(f, r->evidence, false);
		fputs("</pre>\n</details>\n", f);
	}
	if (g->not_run)
		fprintf(f, "\nThe grader runs %u more check%s (%u point%s) that only it sees.\n",
			g->not_run, g->not_run == 1 ? "" : "s", g->not_run_points,
			g->not_run_points == 1 ? "" : "s");
	return ferror(f) ? -1 : 0;
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
	fprintf(f, "    <properties>\n      <property name=\"status\" value=\"%s\"/>\n"
		"      <property name=\"sandbox\" value=\"", g->ungraded ? "not graded" : "graded");
	xml_escaped(f, g->sandbox);
	fprintf(f, "\"/>\n    </properties>\n");
	for (size_t i = 0; i < g->nresults; i++) {
		const struct check_result *r = &g->results[i];

		fprintf(f, "    <testcase classname=\"addrlab.");
		xml_escaped(f, g->exercise);
		fprintf(f, "\" name=\"");
		xml_escaped(f, r->name);
		fprintf(f, "\" time=\"%.3f\">", r->elapsed_ms / 1000.0);
		if (r->outcome != CHECK_PASS) {
			fprintf(f, "\n      <%s message=\"%s",
				r->outcome == CHECK_FAIL ? "failure" : "error",
				r->outcome == CHECK_FAIL ? "" : "could not grade: ");
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

/*
 * A copy of g whose texts are valid UTF-8, free of control characters and
 * within the caps of check.h.  run_check() already made its results so;
 * this makes a report right on its own, whatever grade it is given (a hand
 * made one, a future caller), so that no format can drop or garble a
 * check.  -1 when out of memory (the caller reports g as it is).
 */
static int clean_grade(const struct grade *g, struct grade *c)
{
#define CLEAN(to, from, max, one_line) \
	((to) = clean_text((from), (from) ? strlen(from) : 0, (max), (one_line)))
	*c = *g;
	c->exercise = NULL;
	c->results = calloc(g->nresults ? g->nresults : 1, sizeof(*c->results));
	if (!c->results)
		return -1;
	CLEAN(c->exercise, g->exercise, 256, true);
	c->sandbox = g->sandbox ? g->sandbox : "";
	for (size_t i = 0; i < g->nresults; i++) {
		struct check_result *r = &c->results[i];

		*r = g->results[i];
		CLEAN(r->name, g->results[i].name, 256, true);
		CLEAN(r->title, g->results[i].title, 256, true);
		CLEAN(r->message, g->results[i].message, CHECK_MESSAGE_MAX, true);
		CLEAN(r->evidence, g->results[i].evidence, CHECK_EVIDENCE_MAX, false);
		if (!r->name || !r->title || !r->message || !r->evidence) {
			c->nresults = i + 1;
			return -1;
		}
	}
	return c->exercise ? 0 : -1;
#undef CLEAN
}

static void clean_grade_free(struct grade *c)
{
	for (size_t i = 0; c->results && i < c->nresults; i++) {
		free(c->results[i].name);
		free(c->results[i].title);
		free(c->results[i].message);
		free(c->results[i].evidence);
	}
	free(c->results);
	free(c->exercise);
}

static int write_report(FILE *f, enum report_format fmt, const struct grade *g,
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
	case REPORT_MARKDOWN:
		return write_markdown(f, g);
	default:
		return -1;
	}
}

int report_write(FILE *f, enum report_format fmt, const struct grade *g,
		 const char *submission)
{
	struct grade c;
	int rc;

	if (clean_grade(g, &c)) {
		clean_grade_free(&c);
		return write_report(f, fmt, g, submission);
	}
	rc = write_report(f, fmt, &c, submission);
	clean_grade_free(&c);
	return rc;
}
