// SPDX-License-Identifier: MIT
/*
 * cmd_workbook.c - `addrlab` with no command: the curses workbook.
 *
 * One main loop (loop()) waits with poll() on the keyboard, the lab worker's
 * events (lab.h) and the exercise watcher (workspace.h).  Each screen has a
 * draw function and a key function; key functions get an action from the
 * key table (keys.h), never a raw key.  Everything is redrawn from state on
 * every change (the screens are small), so a resize at any moment, even in
 * the middle of a check, leaves nothing behind.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "check.h"
#include "exercise.h"
#include "keys.h"
#include "lab.h"
#include "lesson.h"
#include "md.h"
#include "paths.h"
#include "progress.h"
#include "text.h"
#include "workspace.h"

#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define MIN_COLS	60
#define MIN_LINES	16
#define WIDE_COLS	120	/* from here the live view sits beside the text */
#define MAX_TEXT_COLS	90	/* lines longer than this are hard to read */

/* Chrome strings in both languages: S(app, "English", "한국어"). */
#define S(a, en, ko)	((a)->lang == LANG_KO ? (ko) : (en))

/* What a key function tells the loop. */
#define H_REDRAW	1u
#define H_QUIT		2u

/* A line being built for a screen: spans like a rendered page's. */
struct lines {
	struct md_line *v;
	size_t n, cap;
};

struct view_out {
	char *text;		/* NULL: never run */
	unsigned char *hl;
	size_t nhl;
	bool ok, running;
	unsigned int tag, ms;
};

struct quiz_state {
	bool answered, correct, checking;
	char *given;
	unsigned int tag;
};

struct chapter {
	struct lesson *l;
	struct md_doc *doc;	/* rendered for doc_width/doc_lang */
	int doc_width;
	enum lang doc_lang;
	int top;		/* first text line shown */
	int view;		/* the live view shown, -1 none */
	int view_top;
	bool view_focus;	/* the scroll keys move the view, not the text */
	int view_rows, view_lines;	/* as last drawn, for scrolling */
	struct view_out *vo;
	struct quiz_state *qs;
	int quiz_sel;
};

struct exercise_run {
	bool running, queued;	/* queued: a save arrived during a run */
	unsigned int tag;
	struct check_result *res;	/* this run's results as they come */
	size_t nres;
	bool has_grade;
	unsigned int score, max;
	unsigned int ungraded;	/* checks that could not be run (ours) */
	char *error;		/* the run could not happen */
	time_t finished;
};

struct app {
	struct lesson **ls;
	int n;
	char *load_errors;
	struct chapter *ch;
	struct lab *lab;
	struct progress *prog;
	char *ws_root, *ex_root;
	enum lang lang;
	bool color;

	unsigned int screen;	/* SCR_* */
	unsigned int back[8];	/* screens to go back to */
	int nback;
	int cur;		/* the chapter open */
	int list_sel;		/* row on the chapter list */
	int top;		/* scroll of list/exercise/console/help */
	bool follow;		/* console: stay at the end */

	char msg[512];
	enum role msg_role;
	time_t msg_time;

	char query[256];	/* the page search */

	/* the exercise screen */
	int ex;			/* chapter whose exercise is open, -1 */
	struct exercise_run run;
	struct watch *watch;
	int watch_ch;		/* chapter the watcher is for, -1 */
	bool celebrate;
	unsigned int next_tag;
};

static volatile sig_atomic_t curses_on;

/* ---- terminal set-up and teardown ---- */

static void teardown(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
}

/* A fatal signal must not leave the terminal in raw mode (htop, tig). */
static void on_fatal(int sig)
{
	teardown();
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int fatal_signals[] = {
	SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGILL,
};

/* Each role's colours and attributes (roles.h), in one table. */
static const struct {
	short fg, bg;
	attr_t colour, mono;
} roles[] = {
#define X(e, name, f, b, at, mo) { f, b, at, mo },
	ROLES(X)
#undef X
};

static void role_attrs(struct app *a, enum role r, unsigned int style, attr_t *attr,
		       short *pair)
{
	*attr = a->color ? roles[r].colour : roles[r].mono;
	*pair = a->color ? (short)(r + 1) : 0;
	if (style & STYLE_STRONG)
		*attr |= A_BOLD;
	if (style & STYLE_EMPH)
		*attr |= A_UNDERLINE;
}

static void init_colours(struct app *a)
{
	const char *nc = getenv("NO_COLOR");

	/* no-color.org: present and not empty means no colour. */
	a->color = has_colors() && !(nc && *nc);
	if (!a->color)
		return;
	start_color();
	use_default_colors();
	for (int r = 0; r < ROLE_COUNT; r++)
		init_pair((short)(r + 1), roles[r].fg, roles[r].bg);
}

static void start_curses(struct app *a)
{
	struct sigaction sa = { .sa_handler = on_fatal };

	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	set_escdelay(25);
	initscr();
	curses_on = 1;
	atexit(teardown);
	raw();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	init_colours(a);
}

/* ---- drawing ---- */

/* Draws len bytes of s at (y, x) in at most cols columns; the columns used. */
static int put(struct app *a, int y, int x, int cols, enum role r,
	       unsigned int style, const char *s, size_t len)
{
	attr_t attr;
	short pair;
	int w;
	size_t fit;

	if (cols <= 0)
		return 0;
	fit = text_fit(s, len, cols, &w);
	role_attrs(a, r, style, &attr, &pair);
	attr_set(attr, pair, NULL);
	mvaddnstr(y, x, s, (int)fit);
	attr_set(A_NORMAL, 0, NULL);
	return w;
}

static int puts_at(struct app *a, int y, int x, int cols, enum role r,
		   const char *s)
{
	return put(a, y, x, cols, r, 0, s, strlen(s));
}

/* Like puts_at, with "…" as the last column when s does not fit. */
static int puts_cut(struct app *a, int y, int x, int cols, enum role r,
		    const char *s)
{
	size_t len = strlen(s);
	int w;

	if (cols < 2 || text_width(s, len) <= cols)
		return puts_at(a, y, x, cols, r, s);
	w = put(a, y, x, cols - 1, r, 0, s, text_fit(s, len, cols - 1, NULL));
	return w + puts_at(a, y, x + w, 1, r, "…");
}

/* Fills a row with a role's background (bars). */
static void fill(struct app *a, int y, enum role r)
{
	attr_t attr;
	short pair;

	role_attrs(a, r, 0, &attr, &pair);
	attr_set(attr, pair, NULL);
	mvhline(y, 0, ' ', COLS);
	attr_set(A_NORMAL, 0, NULL);
}

static void draw_line(struct app *a, int y, int x, int cols,
		      const struct md_line *l, const char *match)
{
	int at = 0;

	for (size_t i = 0; i < l->nspans && at < cols; i++)
		at += put(a, y, x + at, cols - at, l->spans[i].role,
			  l->spans[i].style, l->spans[i].text,
			  strlen(l->spans[i].text));
	if (match && *match) {
		char *t = md_line_text(l);
		long off = t ? text_find(t, strlen(t), match) : -1;

		if (off >= 0) {
			int col = text_width(t, (size_t)off);

			if (col < cols)
				put(a, y, x + col, cols - col, ROLE_MATCH, 0,
				    t + off, strlen(match));
		}
		free(t);
	}
}

/* ---- building lines for the non-page screens ---- */

static struct md_line *lines_add(struct lines *ls)
{
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 32;
		struct md_line *v = realloc(ls->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		ls->v = v;
		ls->cap = cap;
	}
	memset(&ls->v[ls->n], 0, sizeof(ls->v[0]));
	return &ls->v[ls->n++];
}

static void span_add(struct md_line *l, enum role r, unsigned int style,
		     const char *s, size_t len)
{
	struct md_span *v = realloc(l->spans, (l->nspans + 1) * sizeof(*v));

	if (!v)
		return;
	l->spans = v;
	v[l->nspans].role = r;
	v[l->nspans].style = style;
	v[l->nspans].text = strndup(s, len);
	if (v[l->nspans].text)
		l->nspans++;
}

static void lines_printf(struct lines *ls, enum role r, unsigned int style,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void lines_printf(struct lines *ls, enum role r, unsigned int style,
			 const char *fmt, ...)
{
	struct md_line *l = lines_add(ls);
	va_list ap;
	char *s;

	if (!l)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0) {
		span_add(l, r, style, s, strlen(s));
		free(s);
	}
	va_end(ap);
}

/* Text wrapped to cols, each line after `indent` spaces (the first after
 * `lead` in role lead_role, when given). */
static void lines_wrap(struct lines *ls, int indent, const char *lead,
		       enum role lead_role, enum role r, const char *text, int cols)
{
	for (const char *p = text; ; ) {
		const char *e = strchrnul(p, '\n');
		size_t len = (size_t)(e - p), n;
		size_t starts[256], ends[256];
		int w = cols - indent;

		n = text_wrap(p, len, w < 10 ? 10 : w, starts, ends, 256);
		if (n > 256)
			n = 256;
		for (size_t i = 0; i < n; i++) {
			struct md_line *l = lines_add(ls);
			char pad[64];

			if (!l)
				return;
			if (lead && p == text && i == 0) {
				int lw = text_width(lead, strlen(lead));

				span_add(l, lead_role, 0, lead, strlen(lead));
				snprintf(pad, sizeof(pad), "%*s", indent > lw ? indent - lw : 0, "");
			} else {
				snprintf(pad, sizeof(pad), "%*s", indent < 63 ? indent : 63, "");
			}
			span_add(l, ROLE_TEXT, 0, pad, strlen(pad));
			span_add(l, r, 0, p + starts[i], ends[i] - starts[i]);
		}
		if (!*e)
			break;
		p = e + 1;
	}
}

static void lines_free(struct lines *ls)
{
	for (size_t i = 0; i < ls->n; i++) {
		for (size_t k = 0; k < ls->v[i].nspans; k++)
			free(ls->v[i].spans[k].text);
		free(ls->v[i].spans);
	}
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}

/* ---- messages and bars ---- */

static void say(struct app *a, enum role r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct app *a, enum role r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof(a->msg), fmt, ap);
	va_end(ap);
	a->msg_role = r;
	a->msg_time = time(NULL);
}

/* The points of the checks a student's own run runs. */
static unsigned int visible_points(const struct lesson_exercise *e)
{
	unsigned int sum = 0;

	for (size_t i = 0; i < e->nchecks; i++)
		if (e->checks[i].visibility == VIS_VISIBLE)
			sum += e->checks[i].points;
	return sum;
}

/* "; the grader runs N more checks (P points)" when the run left some
 * to the grader (visibility after_due_date or hidden), else "". */
static const char *not_run_note(struct app *a, const struct grade *g, char *buf,
				size_t size)
{
	buf[0] = '\0';
	if (g->not_run)
		snprintf(buf, size, S(a, "; the grader runs %u more check%s (%u points)",
				      "; 채점 때는 검사 %u개%s(%u점)가 더 실행됩니다"),
			 g->not_run, a->lang == LANG_KO ? "" : g->not_run == 1 ? "" : "s",
			 g->not_run_points);
	return buf;
}

static const char *lesson_title(struct app *a, int i)
{
	return ltext_get(&a->ls[i]->title, a->lang);
}

static void draw_title(struct app *a)
{
	char left[256], right[128];
	enum lab_state s = lab_state(a->lab);
	unsigned int ms = lab_boot_ms(a->lab);
	int rw;

	fill(a, 0, ROLE_TITLE);
	if (a->screen == SCR_LIST || a->cur < 0)
		snprintf(left, sizeof(left), " addrlab");
	else
		snprintf(left, sizeof(left), " addrlab │ %d. %s", a->ls[a->cur]->number,
			 lesson_title(a, a->cur));
	switch (s) {
	case LAB_BOOTING:
	case LAB_CRASHED:
		snprintf(right, sizeof(right), "%s │ VM %s %u.%us ", lang_code(a->lang),
			 lab_state_words(s), ms / 1000, ms % 1000 / 100);
		break;
	case LAB_READY:
		snprintf(right, sizeof(right), "%s │ VM ready (%s, %u.%us) ",
			 lang_code(a->lang), lab_accel(a->lab), ms / 1000, ms % 1000 / 100);
		break;
	default:
		snprintf(right, sizeof(right), "%s │ VM %s ", lang_code(a->lang),
			 lab_state_words(s));
	}
	rw = text_width(right, strlen(right));
	puts_at(a, 0, 0, COLS - rw - 1, ROLE_TITLE, left);
	puts_at(a, 0, COLS - rw, rw, s == LAB_FAILED || s == LAB_CRASHED ? ROLE_FAIL :
		ROLE_TITLE, right);
}

static const char *screen_keys(struct app *a)
{
	switch (a->screen) {
	case SCR_LIST:
		return S(a, "Enter open  j/k move  L 한국어  K kernel log  ! shell  ? help  q quit",
			 "Enter 열기  j/k 이동  L English  K 커널 로그  ! 셸  ? 도움말  q 끝");
	case SCR_PAGE:
		return S(a, "Space/b page  / search  v view  Tab scroll it  Q quiz  x exercise  ? help",
			 "Space/b 쪽  / 찾기  v 뷰  Tab 뷰 스크롤  Q 퀴즈  x 실습  ? 도움말");
	case SCR_QUIZ:
		return S(a, "j/k question  1-9 or Enter answer  x exercise  ? help  q back",
			 "j/k 문제  1-9 또는 Enter 답하기  x 실습  ? 도움말  q 뒤로");
	case SCR_EXERCISE:
		return S(a, "e edit  c check  w watch  h hint  R reset  ? help  q back",
			 "e 편집  c 검사  w 감시  h 힌트  R 초기화  ? 도움말  q 뒤로");
	case SCR_CONSOLE:
		return S(a, "j/k scroll  G follow  q back", "j/k 스크롤  G 따라가기  q 뒤로");
	default:
		return S(a, "j/k scroll  q back", "j/k 스크롤  q 뒤로");
	}
}

static void draw_bottom(struct app *a, const char *right)
{
	int rw = right ? text_width(right, strlen(right)) : 0;

	fill(a, LINES - 1, ROLE_BAR);
	if (a->msg[0] && time(NULL) - a->msg_time < 6)
		puts_at(a, LINES - 1, 1, COLS - rw - 3, a->msg_role, a->msg);
	else
		puts_at(a, LINES - 1, 1, COLS - rw - 3, ROLE_BAR, screen_keys(a));
	if (right)
		puts_at(a, LINES - 1, COLS - rw - 1, rw, ROLE_BAR, right);
}

/* ---- progress helpers ---- */

static void quiz_score(struct app *a, int c, int *right, int *total)
{
	struct chapter *ch = &a->ch[c];

	*right = 0;
	*total = (int)ch->l->nquizzes;
	for (size_t i = 0; i < ch->l->nquizzes; i++)
		*right += ch->qs[i].answered && ch->qs[i].correct;
}

static struct progress_exercise ex_progress(struct app *a, int c)
{
	struct progress_exercise pe = { 0 };

	if (a->ls[c]->exercise && a->prog)
		progress_exercise(a->prog, a->ls[c]->exercise->id, &pe);
	return pe;
}

static bool chapter_done(struct app *a, int c)
{
	int right, total;

	quiz_score(a, c, &right, &total);
	return right == total && (!a->ls[c]->exercise || ex_progress(a, c).done);
}

/* ---- the chapter list ---- */

/* Rows: each chapter, then its exercise. */
static int list_rows(struct app *a, int *chap, bool *is_ex, int max)
{
	int n = 0;

	for (int i = 0; i < a->n && n < max; i++) {
		chap[n] = i;
		is_ex[n++] = false;
		if (a->ls[i]->exercise && n < max) {
			chap[n] = i;
			is_ex[n++] = true;
		}
	}
	return n;
}

static void draw_list(struct app *a)
{
	int chap[64], n, y = 2, right, total;
	bool is_ex[64];
	char buf[256];

	n = list_rows(a, chap, is_ex, 64);
	puts_at(a, 1, 1, COLS - 2, ROLE_HEADING,
		S(a, "Chapters: how Linux reaches memory and devices",
		  "장: 리눅스가 메모리와 디바이스에 닿는 방법"));
	for (int r = 0; r < n && y < LINES - 3; r++, y++) {
		int c = chap[r], x = 1;
		bool sel = r == a->list_sel;
		enum role base = sel ? ROLE_SELECTED : ROLE_TEXT;

		if (sel)
			fill(a, y, ROLE_SELECTED);
		if (!is_ex[r]) {
			quiz_score(a, c, &right, &total);
			snprintf(buf, sizeof(buf), "%s %d  ", chapter_done(a, c) ? "✓" : " ",
				 a->ls[c]->number);
			x += puts_at(a, y, x, COLS - x, sel ? base :
				     chapter_done(a, c) ? ROLE_PASS : ROLE_TEXT, buf);
			puts_cut(a, y, x, COLS - x - 22, base, lesson_title(a, c));
			if (total)
				snprintf(buf, sizeof(buf), S(a, "quiz %d/%d", "퀴즈 %d/%d"), right, total);
			else
				snprintf(buf, sizeof(buf), "%s", S(a, "no quiz", "퀴즈 없음"));
			puts_at(a, y, COLS - 21, 20, sel ? base : right == total ? ROLE_PASS :
				ROLE_DIM, buf);
		} else {
			const struct lesson_exercise *e = a->ls[c]->exercise;
			struct progress_exercise pe = ex_progress(a, c);

			x += puts_at(a, y, x + 5, COLS - x, sel ? base : ROLE_DIM,
				     S(a, "exercise ", "실습 ")) + 5;
			puts_at(a, y, x, COLS - x - 22, base, e->id);
			if (pe.done)
				snprintf(buf, sizeof(buf), S(a, "done %u/%u", "완료 %u/%u"),
					 pe.best_score, pe.max_score);
			else if (pe.attempts)
				snprintf(buf, sizeof(buf), S(a, "best %u/%u", "최고 %u/%u"),
					 pe.best_score, pe.max_score);
			else
				snprintf(buf, sizeof(buf), "%s", S(a, "not started", "시작 전"));
			puts_at(a, y, COLS - 21, 20, sel ? base : pe.done ? ROLE_PASS :
				pe.attempts ? ROLE_WARN : ROLE_DIM, buf);
		}
	}
	/* What the selected row leads to. */
	if (n && y + 2 < LINES - 1) {
		int c = chap[a->list_sel];
		struct lines ls = { 0 };

		y++;
		if (is_ex[a->list_sel]) {
			char *dir = workspace_dir(a->ws_root, a->ls[c]->exercise->id);

			lines_wrap(&ls, 1, NULL, ROLE_TEXT, ROLE_TEXT,
				   ltext_get(&a->ls[c]->exercise->title, a->lang), COLS - 2);
			snprintf(buf, sizeof(buf), "%s%s/", S(a, "your files: ", "내 파일: "),
				 dir ? dir : "?");
			lines_wrap(&ls, 1, NULL, ROLE_DIM, ROLE_DIM, buf, COLS - 2);
			free(dir);
		} else {
			snprintf(buf, sizeof(buf), S(a, "%zu live views, %zu quiz questions%s",
						     "라이브 뷰 %zu개, 퀴즈 %zu문제%s"),
				 a->ls[c]->nviews, a->ls[c]->nquizzes,
				 a->ls[c]->exercise ? S(a, ", one exercise", ", 실습 하나") : "");
			lines_wrap(&ls, 1, NULL, ROLE_DIM, ROLE_DIM, buf, COLS - 2);
		}
		for (size_t i = 0; i < ls.n && y < LINES - 1; i++)
			draw_line(a, y++, 1, COLS - 2, &ls.v[i], NULL);
		lines_free(&ls);
	}
	if (a->load_errors && *a->load_errors && y < LINES - 2)
		puts_at(a, LINES - 2, 1, COLS - 2, ROLE_FAIL, a->load_errors);
	draw_bottom(a, NULL);
}

/* ---- the lesson page ---- */

static int text_cols(struct app *a)
{
	struct chapter *ch = &a->ch[a->cur];
	int w = COLS;

	if (ch->view >= 0 && COLS >= WIDE_COLS)
		w = COLS * 58 / 100;
	return w;
}

static int text_rows(struct app *a)
{
	struct chapter *ch = &a->ch[a->cur];
	int body = LINES - 2;

	if (ch->view >= 0 && COLS < WIDE_COLS)
		return body - body * 45 / 100;
	return body;
}

/* The page rendered for the current width and language. */
static struct md_doc *page_doc(struct app *a)
{
	struct chapter *ch = &a->ch[a->cur];
	int w = text_cols(a) - 2;

	if (w > MAX_TEXT_COLS)
		w = MAX_TEXT_COLS;
	if (!ch->doc || ch->doc_width != w || ch->doc_lang != a->lang) {
		char *md = read_text_file(ch->l->text_path[a->lang], NULL);
		struct md_doc *d;
		int heading = 0;

		if (!md && asprintf(&md, "*cannot read '%s'*\n",
				    ch->l->text_path[a->lang]) < 0)
			return ch->doc;
		d = md_render(md, strlen(md), w);
		free(md);
		if (!d)
			return ch->doc;
		/* Keep the reader at the same section: the two languages
		 * have the same structure. */
		if (ch->doc) {
			for (int i = 0; i <= ch->top && i < (int)ch->doc->nlines; i++)
				heading += ch->doc->lines[i].heading != 0;
			ch->top = 0;
			for (int i = 0, h = 0; i < (int)d->nlines && h < heading; i++)
				if (d->lines[i].heading && ++h == heading)
					ch->top = i;
		}
		md_free(ch->doc);
		ch->doc = d;
		ch->doc_width = w;
		ch->doc_lang = a->lang;
	}
	return ch->doc;
}

static void clamp(int *top, int n, int rows)
{
	if (*top > n - rows)
		*top = n - rows;
	if (*top < 0)
		*top = 0;
}

static void draw_view(struct app *a, int y0, int x0, int rows, int cols)
{
	struct chapter *ch = &a->ch[a->cur];
	const struct lesson_view *v = &ch->l->views[ch->view];
	struct view_out *o = &ch->vo[ch->view];
	struct lines ls = { 0 };
	char head[512];
	int y = y0;

	snprintf(head, sizeof(head), "─ %s [%d/%zu]%s ", ltext_get(&v->title, a->lang),
		 ch->view + 1, ch->l->nviews, v->iommu ? S(a, " · IOMMU VM", " · IOMMU VM") : "");
	if (x0 == 0) {
		attr_t at;
		short p;

		role_attrs(a, ROLE_RULE, 0, &at, &p);
		attr_set(at, p, NULL);
		mvhline(y, 0, ACS_HLINE, cols);
		attr_set(A_NORMAL, 0, NULL);
	} else {
		for (int r = y0; r < y0 + rows; r++)
			puts_at(a, r, x0 - 1, 1, ROLE_RULE, "│");
	}
	puts_at(a, y++, x0 ? x0 + 1 : 0, x0 ? cols - 1 : cols,
		ch->view_focus ? ROLE_SELECTED : ROLE_HEADING, head);
	snprintf(head, sizeof(head), "$ %s", v->run);
	puts_at(a, y++, x0 + 1, cols - 1, ROLE_DIM, head);
	if (o->running || !o->text) {
		puts_at(a, y, x0 + 1, cols - 1, ROLE_WARN, v->iommu ?
			S(a, "running in the IOMMU lab VM (it boots the first time)…",
			  "IOMMU 랩 VM에서 실행 중 (처음에는 부팅부터)…") :
			S(a, "running in the lab VM…", "랩 VM에서 실행 중…"));
		return;
	}
	{
		/* wrap each output line, keeping its highlight */
		const char *p = o->text;
		size_t line = 0;
		int first_hl = -1;

		while (*p) {
			const char *e = strchrnul(p, '\n');
			bool hl = line < o->nhl && o->hl[line];
			char *s = strndup(p, (size_t)(e - p));

			if (hl && first_hl < 0)
				first_hl = (int)ls.n;
			if (s) {
				lines_wrap(&ls, 0, NULL, ROLE_TEXT, hl ? ROLE_HIGHLIGHT :
					   o->ok ? ROLE_CODEBLOCK : ROLE_FAIL, s, cols - 1);
				free(s);
			}
			line++;
			if (!*e)
				break;
			p = e + 1;
		}
		if (ch->view_top < 0)	/* new output: show the first highlight */
			ch->view_top = first_hl > 2 ? first_hl - 2 : 0;
	}
	ch->view_rows = y0 + rows - y;
	ch->view_lines = (int)ls.n;
	clamp(&ch->view_top, (int)ls.n, y0 + rows - y);
	for (size_t i = (size_t)ch->view_top; i < ls.n && y < y0 + rows; i++)
		draw_line(a, y++, x0 + 1, cols - 1, &ls.v[i], NULL);
	lines_free(&ls);
}

static void draw_page(struct app *a)
{
	struct chapter *ch = &a->ch[a->cur];
	struct md_doc *d = page_doc(a);
	int rows = text_rows(a), cols = text_cols(a), n = d ? (int)d->nlines : 0;
	char pos[64];

	clamp(&ch->top, n, rows);
	for (int i = 0; i < rows && ch->top + i < n; i++)
		draw_line(a, 1 + i, 1, cols - 2, &d->lines[ch->top + i], a->query);
	if (ch->view >= 0) {
		if (COLS >= WIDE_COLS)
			draw_view(a, 1, cols + 1, LINES - 2, COLS - cols - 2);
		else
			draw_view(a, 1 + rows, 0, LINES - 2 - rows, COLS);
	}
	snprintf(pos, sizeof(pos), "%d%%", n <= rows ? 100 :
		 (ch->top + rows) * 100 / n);
	draw_bottom(a, pos);
}

static void run_view(struct app *a, int c, int v)
{
	struct chapter *ch = &a->ch[c];
	struct view_out *o = &ch->vo[v];

	o->running = true;
	o->tag = ++a->next_tag;
	ch->view_top = -1;
	lab_view(a->lab, ch->l, (size_t)v, o->tag);
}

static void draw(struct app *a);

/* Reads a line of input on the bottom row; false if cancelled. */
static bool prompt(struct app *a, const char *label, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	nodelay(stdscr, FALSE);
	curs_set(1);
	for (;;) {
		int lw = text_width(label, strlen(label));
		wint_t wc;
		int r;

		fill(a, LINES - 1, ROLE_BAR);
		puts_at(a, LINES - 1, 1, COLS - 2, ROLE_BAR, label);
		puts_at(a, LINES - 1, 1 + lw, COLS - 2 - lw, ROLE_BAR, buf);
		move(LINES - 1, 1 + lw + text_width(buf, len));
		refresh();
		r = get_wch(&wc);
		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES) {
			if (wc == KEY_BACKSPACE)
				goto backspace;
			if (wc == KEY_ENTER)
				break;
			if (wc == KEY_RESIZE)
				draw(a);	/* the screen under the prompt */
			continue;
		}
		if (wc == 27 || wc == 3) {
			len = 0;
			buf[0] = 0;
			curs_set(0);
			nodelay(stdscr, TRUE);
			return false;
		}
		if (wc == '\r' || wc == '\n')
			break;
		if (wc == 127 || wc == 8) {
backspace:
			while (len && (buf[len - 1] & 0xc0) == 0x80)
				len--;
			if (len)
				len--;
			buf[len] = 0;
			continue;
		}
		if (wc >= 32) {
			char mb[MB_LEN_MAX];
			mbstate_t st = { 0 };
			size_t k = wcrtomb(mb, (wchar_t)wc, &st);

			if (k != (size_t)-1 && len + k < size) {
				memcpy(buf + len, mb, k);
				len += k;
				buf[len] = 0;
			}
		}
	}
	curs_set(0);
	nodelay(stdscr, TRUE);
	return true;
}

static void search(struct app *a, int dir, bool from_here)
{
	struct chapter *ch = &a->ch[a->cur];
	struct md_doc *d = page_doc(a);
	int n = d ? (int)d->nlines : 0;

	if (!a->query[0] || !n)
		return;
	for (int k = from_here ? 0 : 1; k <= n; k++) {
		int i = ((ch->top + dir * k) % n + n) % n;
		char *t = md_line_text(&d->lines[i]);
		bool hit = t && text_find(t, strlen(t), a->query) >= 0;

		free(t);
		if (hit) {
			ch->top = i;
			return;
		}
	}
	say(a, ROLE_WARN, S(a, "'%s' is not on this page", "이 쪽에 '%s'이(가) 없습니다"),
	    a->query);
}

static int scroll_by(struct app *a, enum action act, int *top, int rows)
{
	switch (act) {
	case ACT_UP:
		(*top)--;
		break;
	case ACT_DOWN:
		(*top)++;
		break;
	case ACT_PGUP:
		*top -= rows > 2 ? rows - 2 : 1;
		break;
	case ACT_PGDN:
		*top += rows > 2 ? rows - 2 : 1;
		break;
	case ACT_TOP:
		*top = 0;
		break;
	case ACT_BOTTOM:
		*top = INT_MAX / 2;
		break;
	default:
		return 0;
	}
	if (*top < 0)
		*top = 0;
	return H_REDRAW;
}

static void go(struct app *a, unsigned int screen)
{
	if (a->screen != screen && a->nback < 8)
		a->back[a->nback++] = a->screen;
	a->screen = screen;
	a->top = 0;
}

static void open_exercise(struct app *a, int c);

static unsigned int key_page(struct app *a, enum action act)
{
	struct chapter *ch = &a->ch[a->cur];
	struct md_doc *d = page_doc(a);

	if (ch->view >= 0 && ch->view_focus) {
		if (scroll_by(a, act, &ch->view_top, ch->view_rows)) {
			clamp(&ch->view_top, ch->view_lines, ch->view_rows);
			return H_REDRAW;
		}
	} else if (scroll_by(a, act, &ch->top, text_rows(a))) {
		return H_REDRAW;
	}
	switch (act) {
	case ACT_FOCUS:
		if (ch->view < 0)
			return key_page(a, ACT_VIEW);
		ch->view_focus = !ch->view_focus;
		return H_REDRAW;
	case ACT_SEARCH: {
		char q[sizeof(a->query)];

		if (prompt(a, "/", q, sizeof(q)) && q[0]) {
			snprintf(a->query, sizeof(a->query), "%s", q);
			search(a, 1, true);
		}
		return H_REDRAW;
	}
	case ACT_NEXT:
		search(a, 1, false);
		return H_REDRAW;
	case ACT_PREV:
		search(a, -1, false);
		return H_REDRAW;
	case ACT_NEXT_SEC:
	case ACT_PREV_SEC: {
		int step = act == ACT_NEXT_SEC ? 1 : -1;

		for (int i = ch->top + step; d && i >= 0 && i < (int)d->nlines; i += step)
			if (d->lines[i].heading) {
				ch->top = i;
				break;
			}
		return H_REDRAW;
	}
	case ACT_VIEW:
		if (!ch->l->nviews) {
			say(a, ROLE_WARN, "%s", S(a, "this chapter has no live views",
						  "이 장에는 라이브 뷰가 없습니다"));
			return H_REDRAW;
		}
		ch->view = ch->view + 1 >= (int)ch->l->nviews ? -1 : ch->view + 1;
		ch->view_top = -1;
		if (ch->view < 0)
			ch->view_focus = false;
		if (ch->view >= 0 && !ch->vo[ch->view].text && !ch->vo[ch->view].running)
			run_view(a, a->cur, ch->view);
		return H_REDRAW;
	case ACT_REFRESH:
		if (ch->view < 0 && ch->l->nviews)
			ch->view = 0;
		if (ch->view >= 0)
			run_view(a, a->cur, ch->view);
		return H_REDRAW;
	default:
		return 0;
	}
}

/* ---- the quiz ---- */

static void draw_quiz(struct app *a)
{
	struct chapter *ch = &a->ch[a->cur];
	struct lines ls = { 0 };
	int right, total, y = 1;
	char buf[512];

	quiz_score(a, a->cur, &right, &total);
	snprintf(buf, sizeof(buf), S(a, "Quiz: %d of %d right", "퀴즈: %d/%d 맞힘"),
		 right, total);
	puts_at(a, y++, 1, COLS - 2, ROLE_HEADING, buf);
	y++;
	for (size_t i = 0; i < ch->l->nquizzes && y < LINES / 2; i++, y++) {
		const struct quiz_state *q = &ch->qs[i];
		bool sel = (int)i == ch->quiz_sel;
		const char *mark = q->checking ? "…" : !q->answered ? "·" :
				   q->correct ? "✓" : "✗";

		if (sel)
			fill(a, y, ROLE_SELECTED);
		snprintf(buf, sizeof(buf), " %s %zu. ", mark, i + 1);
		puts_at(a, y, 1, 6, sel ? ROLE_SELECTED : q->answered ?
			(q->correct ? ROLE_PASS : ROLE_FAIL) : ROLE_DIM, buf);
		puts_cut(a, y, 7, COLS - 8, sel ? ROLE_SELECTED : ROLE_TEXT,
			ltext_get(&ch->l->quizzes[i].question, a->lang));
	}
	if (ch->l->nquizzes) {
		const struct lesson_quiz *q = &ch->l->quizzes[ch->quiz_sel];
		const struct quiz_state *s = &ch->qs[ch->quiz_sel];

		y++;
		lines_wrap(&ls, 1, NULL, ROLE_TEXT, ROLE_TEXT,
			   ltext_get(&q->question, a->lang), COLS - 2);
		for (size_t i = 0; i < q->nchoices; i++) {
			char lead[32];

			snprintf(lead, sizeof(lead), "   %zu) ", i + 1);
			lines_wrap(&ls, 6, lead, ROLE_BULLET, ROLE_TEXT,
				   ltext_get(&q->choices[i], a->lang), COLS - 2);
		}
		if (!q->answer)
			lines_printf(&ls, ROLE_DIM, 0, " %s", S(a,
				"(answered from the live lab VM)", "(라이브 랩 VM에서 계산한 답과 비교)"));
		if (s->checking) {
			lines_printf(&ls, ROLE_WARN, 0, " %s", S(a,
				"checking against the live VM…", "라이브 VM과 비교하는 중…"));
		} else if (s->answered) {
			snprintf(buf, sizeof(buf), "%s%s", s->correct ?
				 S(a, "✓ right: ", "✓ 정답: ") : S(a, "✗ not quite: ", "✗ 틀렸습니다: "),
				 s->given ? s->given : "");
			lines_printf(&ls, s->correct ? ROLE_PASS : ROLE_FAIL, 0, " %s", buf);
			if (s->correct && ltext_get(&q->explain, a->lang)[0])
				lines_wrap(&ls, 1, NULL, ROLE_QUOTE, ROLE_QUOTE,
					   ltext_get(&q->explain, a->lang), COLS - 2);
		}
		for (size_t i = 0; i < ls.n && y < LINES - 1; i++)
			draw_line(a, y++, 1, COLS - 2, &ls.v[i], NULL);
		lines_free(&ls);
	}
	draw_bottom(a, NULL);
}

static void quiz_judge(struct app *a, int c, size_t i, const char *answer)
{
	struct chapter *ch = &a->ch[c];
	struct quiz_state *s = &ch->qs[i];

	s->checking = false;
	s->answered = true;
	s->correct = quiz_matches(&ch->l->quizzes[i], s->given ? s->given : "", answer);
	if (a->prog && progress_record_quiz(a->prog, ch->l->id, ch->l->quizzes[i].id,
					    s->given ? s->given : "", s->correct))
		say(a, ROLE_FAIL, "%s", progress_error(a->prog));
	if (chapter_done(a, c))
		a->celebrate = true;
}

static void quiz_answer_given(struct app *a, const char *given)
{
	struct chapter *ch = &a->ch[a->cur];
	const struct lesson_quiz *q = &ch->l->quizzes[ch->quiz_sel];
	struct quiz_state *s = &ch->qs[ch->quiz_sel];

	free(s->given);
	s->given = strdup(given);
	if (q->answer) {
		quiz_judge(a, a->cur, (size_t)ch->quiz_sel, q->answer);
	} else {
		s->checking = true;
		s->tag = ++a->next_tag;
		lab_quiz(a->lab, ch->l, (size_t)ch->quiz_sel, s->tag);
	}
}

static unsigned int key_quiz(struct app *a, enum action act, int key)
{
	struct chapter *ch = &a->ch[a->cur];
	const struct lesson_quiz *q;

	if (!ch->l->nquizzes)
		return 0;
	q = &ch->l->quizzes[ch->quiz_sel];
	if (key >= '1' && key <= '9' && q->kind == QUIZ_CHOICE) {
		char given[4] = { (char)key, 0 };

		if ((size_t)(key - '0') > q->nchoices)
			return 0;
		quiz_answer_given(a, given);
		return H_REDRAW;
	}
	switch (act) {
	case ACT_UP:
		if (ch->quiz_sel > 0)
			ch->quiz_sel--;
		return H_REDRAW;
	case ACT_DOWN:
		if (ch->quiz_sel + 1 < (int)ch->l->nquizzes)
			ch->quiz_sel++;
		return H_REDRAW;
	case ACT_ANSWER: {
		char given[256];

		if (prompt(a, S(a, "your answer: ", "답: "), given, sizeof(given)) &&
		    given[0])
			quiz_answer_given(a, given);
		return H_REDRAW;
	}
	default:
		return 0;
	}
}

/* ---- the exercise ---- */

static void run_clear(struct exercise_run *r)
{
	for (size_t i = 0; i < r->nres; i++) {
		free(r->res[i].name);
		free(r->res[i].title);
		free(r->res[i].message);
		free(r->res[i].evidence);
	}
	free(r->res);
	free(r->error);
	r->res = NULL;
	r->nres = 0;
	r->error = NULL;
	r->has_grade = false;
}

static void run_add(struct exercise_run *r, struct check_result *c)
{
	struct check_result *v = realloc(r->res, (r->nres + 1) * sizeof(*v));

	if (!v)
		return;
	r->res = v;
	v[r->nres++] = *c;
	memset(c, 0, sizeof(*c));	/* moved */
}

/* Checks chapter c's exercise (the one open, or the one watched). */
static void start_check(struct app *a, int c)
{
	char *dir, err[512];

	if (c < 0)
		return;
	if (a->run.running) {
		a->run.queued = true;
		return;
	}
	if (workspace_ensure(a->ws_root, a->ls[c]->exercise, a->ex_root, err, sizeof(err))) {
		say(a, ROLE_FAIL, "%s", err);
		return;
	}
	dir = workspace_dir(a->ws_root, a->ls[c]->exercise->id);
	if (!dir)
		return;
	run_clear(&a->run);
	a->run.running = true;
	a->run.queued = false;
	a->run.tag = ++a->next_tag;
	lab_check(a->lab, a->ls[c], dir, a->lang, a->run.tag);
	free(dir);
}

/* Shows the last attempt recorded (a restart of addrlab loses nothing). */
static void load_last(struct app *a, int c)
{
	struct grade g;

	run_clear(&a->run);
	if (!a->prog || progress_last_grade(a->prog, a->ls[c]->exercise->id, &g))
		return;
	for (size_t i = 0; i < g.nresults; i++) {
		struct check_result r = g.results[i];

		r.name = strdup(r.name);
		r.title = strdup(r.title);
		r.message = strdup(r.message);
		r.evidence = strdup(r.evidence);
		run_add(&a->run, &r);
	}
	a->run.has_grade = true;
	a->run.score = g.score;
	a->run.max = g.max_score;
	grade_free(&g);
}

static void open_exercise(struct app *a, int c)
{
	char err[512], *dir;

	if (!a->ls[c]->exercise) {
		say(a, ROLE_WARN, "%s", S(a, "this chapter has no exercise",
					  "이 장에는 실습이 없습니다"));
		return;
	}
	if (workspace_ensure(a->ws_root, a->ls[c]->exercise, a->ex_root, err, sizeof(err))) {
		say(a, ROLE_FAIL, "%s", err);
		return;
	}
	if (a->ex != c && a->run.running) {
		/* Its result still has to be shown and saved where it belongs. */
		say(a, ROLE_WARN, S(a, "a check of '%s' is running; open this one when it ends",
				    "'%s' 검사가 진행 중입니다. 끝난 뒤에 여세요"),
		    a->ls[a->ex]->exercise->id);
		return;
	}
	if (a->ex != c) {
		a->ex = c;
		load_last(a, c);
	}
	a->cur = c;
	/* Watch mode is on from the start, as in rustlings: save, and the
	 * verdict follows. */
	if (a->watch_ch != c) {
		watch_close(a->watch);
		a->watch = NULL;
		dir = workspace_dir(a->ws_root, a->ls[c]->exercise->id);
		if (dir)
			a->watch = watch_open(dir, a->ls[c]->exercise);
		free(dir);
		a->watch_ch = a->watch ? c : -1;
	}
	go(a, SCR_EXERCISE);
}

static void exercise_lines(struct app *a, struct lines *ls, int cols)
{
	int c = a->ex;
	const struct lesson_exercise *e = a->ls[c]->exercise;
	struct progress_exercise pe = ex_progress(a, c);
	char *dir = workspace_dir(a->ws_root, e->id), buf[1024];

	lines_wrap(ls, 1, NULL, ROLE_HEADING, ROLE_HEADING, ltext_get(&e->title, a->lang), cols);
	for (size_t i = 0; i < e->nfiles; i++) {
		snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "?", e->files[i]);
		lines_wrap(ls, 3, " ✎ ", ROLE_BULLET, ROLE_CODE, buf, cols);
	}
	free(dir);
	snprintf(buf, sizeof(buf), S(a, "watch: %s · attempts: %u · best: %u/%u",
				     "감시: %s · 시도: %u · 최고: %u/%u"),
		 a->watch && a->watch_ch == c ? watch_method(a->watch) : S(a, "off", "꺼짐"),
		 pe.attempts, pe.best_score, pe.max_score ? pe.max_score : visible_points(e));
	lines_printf(ls, ROLE_DIM, 0, " %s", buf);
	lines_printf(ls, ROLE_TEXT, 0, " ");

	if (a->run.running)
		lines_printf(ls, ROLE_WARN, STYLE_STRONG, " %s", S(a,
			"checking… (build in the sandbox, then the lab VM)",
			"검사 중… (샌드박스에서 빌드한 뒤 랩 VM에서 실행)"));
	else if (a->run.error) {
		/* Nothing could be checked at all: the lab's failure too. */
		lines_wrap(ls, 1, NULL, ROLE_WARN, ROLE_WARN, S(a,
			"not checked: the lab itself failed (not your code); this try "
			"does not count:",
			"검사하지 못했습니다: 코드가 아니라 랩 자체의 문제입니다. 이번 "
			"시도는 기록하지 않습니다:"), cols);
		lines_wrap(ls, 1, NULL, ROLE_TEXT, ROLE_TEXT, a->run.error, cols);
	}
	else if (a->run.has_grade && a->run.ungraded)
		lines_wrap(ls, 1, NULL, ROLE_WARN, ROLE_WARN, S(a,
			"not checked: the lab itself failed (not your code); the reason is "
			"below, and this try does not count",
			"검사하지 못했습니다: 코드가 아니라 랩 자체의 문제입니다. 이유는 아래에 "
			"있고, 이번 시도는 기록하지 않습니다"), cols);
	else if (a->run.has_grade)
		lines_printf(ls, a->run.score == a->run.max ? ROLE_PASS : ROLE_FAIL,
			     STYLE_STRONG, " %s %u/%u", S(a, "score", "점수"),
			     a->run.score, a->run.max);
	else
		lines_printf(ls, ROLE_DIM, 0, " %s", S(a,
			"not checked yet: press e to edit, c to check (saving checks it too)",
			"아직 검사 전: e로 편집, c로 검사 (저장하면 자동으로 검사)"));

	for (size_t i = 0; i < e->nchecks; i++) {
		const struct lesson_check *k = &e->checks[i];
		const struct check_result *r = NULL;
		char lead[64];

		if (k->visibility != VIS_VISIBLE)
			continue;	/* the grader's: counted below */

		for (size_t j = 0; j < a->run.nres; j++)
			if (!strcmp(a->run.res[j].name, k->name))
				r = &a->run.res[j];
		snprintf(lead, sizeof(lead), "  %s ", !r ? (a->run.running ? "…" : "·") :
			 r->outcome == CHECK_PASS ? "✓" : r->outcome == CHECK_FAIL ? "✗" : "?");
		snprintf(buf, sizeof(buf), "%s (%u/%u)", ltext_get(&k->title, a->lang),
			 r ? r->points : 0, k->points);
		lines_wrap(ls, 5, lead, !r ? ROLE_DIM : r->outcome == CHECK_PASS ? ROLE_PASS :
			   r->outcome == CHECK_FAIL ? ROLE_FAIL : ROLE_WARN,
			   !r || r->outcome == CHECK_PASS ? ROLE_TEXT :
			   r->outcome == CHECK_FAIL ? ROLE_FAIL : ROLE_WARN, buf, cols);
		if (r && r->outcome != CHECK_PASS) {
			int shown = 0;

			if (r->outcome == CHECK_ERROR)
				lines_wrap(ls, 5, NULL, ROLE_WARN, ROLE_WARN, S(a,
					   "not checked (the lab's failure, not yours):",
					   "검사하지 못함 (코드가 아닌 랩의 문제):"), cols);
			if (r->message[0])
				lines_wrap(ls, 5, NULL, ROLE_TEXT, ROLE_TEXT, r->message, cols);
			for (const char *p = r->evidence; *p && shown < 8; shown++) {
				const char *nl = strchrnul(p, '\n');
				char *line = strndup(p, (size_t)(nl - p));

				if (line)
					lines_wrap(ls, 7, NULL, ROLE_DIM, ROLE_CODEBLOCK, line, cols);
				free(line);
				p = *nl ? nl + 1 : nl;
			}
		}
	}
	if (visible_points(e) < e->total_points) {
		unsigned int n = 0;

		for (size_t i = 0; i < e->nchecks; i++)
			n += e->checks[i].visibility != VIS_VISIBLE;
		snprintf(buf, sizeof(buf), S(a, "+ %u more check%s (%u points) that only the grader runs",
					     "+ 채점 때만 실행되는 검사 %u개%s(%u점)"),
			 n, a->lang == LANG_KO || n == 1 ? "" : "s",
			 e->total_points - visible_points(e));
		lines_wrap(ls, 4, "  ", ROLE_DIM, ROLE_DIM, buf, cols);
	}
	if (pe.done && a->run.has_grade && a->run.score == a->run.max) {
		lines_printf(ls, ROLE_TEXT, 0, " ");
		lines_wrap(ls, 3, " ★ ", ROLE_PASS, ROLE_PASS, chapter_done(a, c) ?
			   S(a, "All done: every check passes and every quiz answer is right. Chapter complete!",
			     "모두 끝: 모든 검사를 통과했고 퀴즈도 다 맞혔습니다. 이 장을 마쳤습니다!") :
			   S(a, "Every check passes! The chapter's quiz is still open (Q).",
			     "모든 검사를 통과했습니다! 이 장의 퀴즈가 남았습니다 (Q)."), cols);
	}

	lines_printf(ls, ROLE_TEXT, 0, " ");
	{
		unsigned int shown = pe.hints < e->nhints ? pe.hints : (unsigned int)e->nhints;

		if (a->lang == LANG_KO)
			snprintf(buf, sizeof(buf), "힌트: %zu개 중 %u개 (h: 다음 힌트)", e->nhints, shown);
		else
			snprintf(buf, sizeof(buf), "Hints: %u of %zu shown (h for the next)", shown, e->nhints);
	}
	lines_printf(ls, ROLE_HEADING, 0, " %s", buf);
	for (size_t i = 0; i < e->nhints && i < pe.hints; i++) {
		char lead[16];

		snprintf(lead, sizeof(lead), " %zu. ", i + 1);
		lines_wrap(ls, 4, lead, ROLE_BULLET, ROLE_TEXT,
			   ltext_get(&e->hints[i], a->lang), cols);
	}
}

static void draw_exercise(struct app *a)
{
	struct lines ls = { 0 };
	int rows = LINES - 2;

	exercise_lines(a, &ls, COLS - 2);
	clamp(&a->top, (int)ls.n, rows);
	for (int i = 0; i < rows && a->top + i < (int)ls.n; i++)
		draw_line(a, 1 + i, 1, COLS - 2, &ls.v[a->top + i], NULL);
	lines_free(&ls);
	draw_bottom(a, NULL);
}

/* Curses off, a program on the terminal, curses back on. */
static int run_outside(struct app *a, char *argv[])
{
	pid_t pid;
	int st = -1;

	def_prog_mode();
	endwin();
	pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "addrlab: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	reset_prog_mode();
	clearok(stdscr, TRUE);
	refresh();
	return pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void edit(struct app *a)
{
	const struct lesson_exercise *e = a->ls[a->ex]->exercise;
	const char *ed = getenv("VISUAL");
	char *dir = workspace_dir(a->ws_root, e->id), *file = NULL;
	struct stat before = { 0 }, after = { 0 };
	int rc;

	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = access("/usr/bin/editor", X_OK) == 0 ? "editor" : "vi";
	if (!dir || asprintf(&file, "%s/%s", dir, e->files[0]) < 0) {
		free(dir);
		return;
	}
	stat(file, &before);
	{
		/* $EDITOR may carry arguments ("code -w"): let the shell split
		 * it.  Every file of the exercise, the first one first. */
		char *argv[8 + 16] = { "/bin/sh", "-c", "cd \"$1\" && shift && $0 \"$@\"",
				       (char *)ed, dir };
		size_t n = 5;

		for (size_t i = 0; i < e->nfiles && i < 16; i++)
			argv[n++] = e->files[i];
		argv[n] = NULL;
		rc = run_outside(a, argv);
	}
	stat(file, &after);
	if (rc != 0)
		say(a, ROLE_FAIL, S(a, "the editor '%s' exited with status %d; set $EDITOR to yours",
				    "편집기 '%s'가 상태 %d로 끝났습니다. $EDITOR를 설정하세요"), ed, rc);
	else if ((before.st_mtim.tv_sec != after.st_mtim.tv_sec ||
		  before.st_mtim.tv_nsec != after.st_mtim.tv_nsec) && !a->watch)
		start_check(a, a->ex);	/* the watcher sees saves by itself */
	free(file);
	free(dir);
}

static unsigned int key_exercise(struct app *a, enum action act)
{
	const struct lesson_exercise *e = a->ls[a->ex]->exercise;

	if (scroll_by(a, act, &a->top, LINES - 2))
		return H_REDRAW;
	switch (act) {
	case ACT_EDIT:
		edit(a);
		return H_REDRAW;
	case ACT_CHECK:
		start_check(a, a->ex);
		return H_REDRAW;
	case ACT_WATCH:
		if (a->watch) {
			watch_close(a->watch);
			a->watch = NULL;
			a->watch_ch = -1;
			say(a, ROLE_TEXT, "%s", S(a, "watch mode off", "감시 모드 꺼짐"));
		} else {
			char *dir = workspace_dir(a->ws_root, e->id);

			a->watch = dir ? watch_open(dir, e) : NULL;
			a->watch_ch = a->watch ? a->ex : -1;
			free(dir);
			say(a, ROLE_TEXT, "%s", S(a, "watch mode on: every save is checked",
						  "감시 모드 켜짐: 저장할 때마다 검사합니다"));
		}
		return H_REDRAW;
	case ACT_HINT: {
		struct progress_exercise pe = ex_progress(a, a->ex);

		if (pe.hints >= e->nhints)
			say(a, ROLE_WARN, "%s", S(a, "no more hints: that was the last one",
						  "힌트가 더 없습니다"));
		else if (progress_reveal_hints(a->prog, e->id, pe.hints + 1))
			say(a, ROLE_FAIL, "%s", progress_error(a->prog));
		else
			a->top = INT_MAX / 2;	/* show the new hint */
		return H_REDRAW;
	}
	case ACT_RESET: {
		char yes[8], err[512], *backup = NULL;

		if (!prompt(a, S(a, "reset to the skeleton? your files go to .backup/ (y/N) ",
				 "처음 상태로 되돌릴까요? 지금 파일은 .backup/에 보관됩니다 (y/N) "),
			    yes, sizeof(yes)) || (yes[0] != 'y' && yes[0] != 'Y'))
			return H_REDRAW;
		if (workspace_reset(a->ws_root, e, a->ex_root, &backup, err, sizeof(err))) {
			say(a, ROLE_FAIL, "%s", err);
		} else {
			progress_forget_exercise(a->prog, e->id);
			if (!a->run.running)
				run_clear(&a->run);
			say(a, ROLE_PASS, S(a, "reset; your old files are in %s",
					    "초기화했습니다. 이전 파일: %s"), backup);
		}
		free(backup);
		return H_REDRAW;
	}
	default:
		return 0;
	}
}

/* ---- the console and help ---- */

static void draw_text_screen(struct app *a, const char *title, const char *text,
			     bool follow)
{
	struct lines ls = { 0 };
	int rows = LINES - 3;

	puts_at(a, 1, 1, COLS - 2, ROLE_HEADING, title);
	lines_wrap(&ls, 1, NULL, ROLE_TEXT, ROLE_TEXT, text, COLS - 2);
	if (follow)
		a->top = (int)ls.n - rows;
	clamp(&a->top, (int)ls.n, rows);
	for (int i = 0; i < rows && a->top + i < (int)ls.n; i++)
		draw_line(a, 2 + i, 0, COLS - 1, &ls.v[a->top + i], NULL);
	lines_free(&ls);
	draw_bottom(a, NULL);
}

static void draw_console(struct app *a)
{
	unsigned int restarts;
	char *text = lab_kmsg(a->lab, &restarts), title[256];

	if (text && *text && text[strlen(text) - 1] == '\n')
		text[strlen(text) - 1] = 0;	/* no empty line after the last */
	snprintf(title, sizeof(title), S(a, "Kernel messages of the lab VM (%s)",
					 "랩 VM의 커널 메시지 (%s)"),
		 a->follow ? S(a, "following", "따라가는 중") : S(a, "paused", "멈춤"));
	draw_text_screen(a, title, text && *text ? text :
			 S(a, "(none yet: the VM is booting)", "(아직 없음: VM 부팅 중)"),
			 a->follow);
	free(text);
}

static void draw_help(struct app *a)
{
	unsigned int from = a->nback ? a->back[a->nback - 1] : SCR_LIST;
	char **lines = NULL, *text = NULL;
	size_t len = 0;
	int n = keys_help(from, a->lang, &lines);
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	fprintf(f, "\n%s\n", S(a,
		"The top right shows the lab VM: booting, ready, busy (a live view or a "
		"quiz), checking, or crashed and restarting. A crash never loses "
		"progress: it is saved as soon as it is shown.",
		"오른쪽 위는 랩 VM의 상태입니다: 부팅 중, 준비됨, 작업 중(라이브 뷰나 퀴즈), "
		"검사 중, 또는 죽어서 다시 시작하는 중. VM이 죽어도 진도는 사라지지 않습니다. "
		"화면에 보이는 순간 이미 저장되어 있습니다."));
	fclose(f);
	draw_text_screen(a, S(a, "Keys on this screen", "이 화면의 키"), text, false);
	free(text);
}

/* ---- the shell ---- */

static void shell(struct app *a)
{
	struct termios saved, raw;
	char err[256];
	int rc;

	def_prog_mode();
	endwin();
	fputs("\033[H\033[2J", stdout);	/* a clean terminal, as after clear(1) */
	fputs(S(a, "addrlab: a root shell in the lab VM; 'exit' or ^D brings you back to the workbook\r\n",
		"addrlab: 랩 VM의 root 셸입니다. 'exit'나 ^D로 워크북에 돌아옵니다\r\n"), stdout);
	if (lab_pending(a->lab))
		fputs(S(a, "addrlab: the lab VM is busy (a check or a view); the shell starts when it is done\r\n",
			"addrlab: 랩 VM이 다른 일(검사나 뷰)을 하는 중입니다. 끝나면 셸이 시작됩니다\r\n"), stdout);
	else if (lab_state(a->lab) != LAB_READY)
		fputs(S(a, "addrlab: the lab VM is booting; the shell starts when it is ready\r\n",
			"addrlab: 랩 VM이 부팅 중입니다. 준비되면 셸이 시작됩니다\r\n"), stdout);
	fflush(stdout);
	tcgetattr(STDIN_FILENO, &saved);
	raw = saved;
	cfmakeraw(&raw);	/* the guest's terminal does echo and ^C */
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
	rc = lab_shell(a->lab, err, sizeof(err));
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	reset_prog_mode();
	clearok(stdscr, TRUE);
	if (rc)
		say(a, ROLE_FAIL, "%s: %s", S(a, "the shell ended", "셸이 끝났습니다"), err);
}

/* ---- events ---- */

static void on_event(struct app *a, struct lab_event *ev)
{
	switch (ev->kind) {
	case LEV_STATE:
		if (ev->state == LAB_FAILED && ev->text)
			say(a, ROLE_FAIL, "%s", ev->text);
		else if (ev->state == LAB_CRASHED && ev->text)
			say(a, ROLE_FAIL, "%s: %s", S(a, "the lab VM crashed", "랩 VM이 죽었습니다"),
			    ev->text);
		break;
	case LEV_VIEW:
		for (int c = 0; c < a->n; c++)
			for (size_t v = 0; v < a->ls[c]->nviews; v++) {
				struct view_out *o = &a->ch[c].vo[v];

				if (o->tag != ev->tag)
					continue;
				free(o->text);
				free(o->hl);
				o->text = ev->text;
				o->hl = ev->hl;
				o->nhl = ev->nhl;
				o->ok = ev->ok;
				o->running = false;
				o->ms = ev->elapsed_ms;
				ev->text = NULL;
				ev->hl = NULL;
				a->ch[c].view_top = -1;
			}
		break;
	case LEV_QUIZ:
		for (int c = 0; c < a->n; c++)
			for (size_t q = 0; q < a->ls[c]->nquizzes; q++) {
				struct quiz_state *s = &a->ch[c].qs[q];

				if (s->tag != ev->tag || !s->checking)
					continue;
				if (ev->ok) {
					quiz_judge(a, c, q, ev->text);
				} else {
					s->checking = false;
					say(a, ROLE_FAIL, "%s: %s", S(a, "cannot check the answer",
								      "답을 확인할 수 없습니다"), ev->text);
				}
			}
		break;
	case LEV_RESULT:
		if (ev->tag == a->run.tag)
			run_add(&a->run, &ev->result);
		break;
	case LEV_GRADE:
		if (ev->tag != a->run.tag)
			break;
		a->run.running = false;
		if (!ev->ok) {
			a->run.error = ev->text;
			ev->text = NULL;
		} else {
			bool was_done = ex_progress(a, a->ex).done;
			char more[160];

			a->run.has_grade = true;
			a->run.score = ev->grade.score;
			a->run.max = ev->grade.max_score;
			a->run.ungraded = ev->grade.ungraded;
			if (ev->grade.ungraded)
				say(a, ROLE_WARN, S(a, "not checked: the lab failed, not your code; "
						    "nothing was saved (c tries again)",
						    "검사하지 못했습니다: 코드가 아니라 랩 쪽 문제입니다. "
						    "저장하지 않았습니다 (c로 다시 시도)"));
			else if (a->prog && progress_record_grade(a->prog, &ev->grade))
				say(a, ROLE_FAIL, "%s", progress_error(a->prog));
			else if (ev->grade.score == ev->grade.max_score)
				say(a, ROLE_PASS, S(a, "all %u points: saved%s", "%u점 만점: 저장됨%s"),
				    ev->grade.max_score, not_run_note(a, &ev->grade, more, sizeof(more)));
			else
				say(a, ROLE_WARN, S(a, "%u of %u points: saved%s", "%u/%u점: 저장됨%s"),
				    ev->grade.score, ev->grade.max_score,
				    not_run_note(a, &ev->grade, more, sizeof(more)));
			if (!was_done && ex_progress(a, a->ex).done && chapter_done(a, a->ex))
				a->celebrate = true;
		}
		if (a->run.queued)
			start_check(a, a->ex);
		break;
	case LEV_KMSG:
		break;
	}
}

/* ---- keys ---- */

static unsigned int key_list(struct app *a, enum action act)
{
	int chap[64], n;
	bool is_ex[64];

	n = list_rows(a, chap, is_ex, 64);
	switch (act) {
	case ACT_UP:
		if (a->list_sel > 0)
			a->list_sel--;
		return H_REDRAW;
	case ACT_DOWN:
		if (a->list_sel + 1 < n)
			a->list_sel++;
		return H_REDRAW;
	case ACT_TOP:
		a->list_sel = 0;
		return H_REDRAW;
	case ACT_BOTTOM:
		a->list_sel = n - 1;
		return H_REDRAW;
	case ACT_PGUP: case ACT_PGDN:
		return 0;
	case ACT_OPEN:
		if (!n)
			return 0;
		a->cur = chap[a->list_sel];
		if (a->prog)
			progress_set(a->prog, "last_lesson", a->ls[a->cur]->id);
		if (is_ex[a->list_sel]) {
			open_exercise(a, a->cur);
		} else {
			go(a, SCR_PAGE);
			/* Wide terminals show the first live view from the start. */
			if (COLS >= WIDE_COLS && a->ch[a->cur].view < 0 && a->ls[a->cur]->nviews) {
				a->ch[a->cur].view = 0;
				if (!a->ch[a->cur].vo[0].text && !a->ch[a->cur].vo[0].running)
					run_view(a, a->cur, 0);
			}
		}
		return H_REDRAW;
	default:
		return 0;
	}
}

static unsigned int on_key(struct app *a, int key)
{
	enum action act = keys_action(a->screen, key);

	if (LINES < MIN_LINES || COLS < MIN_COLS)
		return act == ACT_QUIT || act == ACT_BACK ? H_QUIT : 0;
	switch (act) {
	case ACT_QUIT:
		return H_QUIT;
	case ACT_BACK:
		if (a->screen == SCR_LIST)
			return H_QUIT;
		a->screen = a->nback ? a->back[--a->nback] : SCR_LIST;
		a->top = 0;
		return H_REDRAW;
	case ACT_HELP:
		go(a, SCR_HELP);
		return H_REDRAW;
	case ACT_LANG:
		a->lang = a->lang == LANG_EN ? LANG_KO : LANG_EN;
		if (a->prog)
			progress_set(a->prog, "lang", lang_code(a->lang));
		say(a, ROLE_TEXT, "%s", S(a, "English", "한국어"));
		return H_REDRAW;
	case ACT_CONSOLE:
		a->follow = true;
		go(a, SCR_CONSOLE);
		return H_REDRAW;
	case ACT_SHELL:
		shell(a);
		return H_REDRAW;
	case ACT_REDRAW:
		clearok(stdscr, TRUE);
		return H_REDRAW;
	case ACT_QUIZ:
		if (a->cur >= 0) {
			go(a, SCR_QUIZ);
			a->ch[a->cur].quiz_sel = 0;
		}
		return H_REDRAW;
	case ACT_EXERCISE:
		if (a->cur >= 0)
			open_exercise(a, a->cur);
		return H_REDRAW;
	default:
		break;
	}
	switch (a->screen) {
	case SCR_LIST:
		return key_list(a, act);
	case SCR_PAGE:
		return key_page(a, act);
	case SCR_QUIZ:
		return key_quiz(a, act, key);
	case SCR_EXERCISE:
		return key_exercise(a, act);
	case SCR_CONSOLE:
		if (act == ACT_BOTTOM) {
			a->follow = true;
			return H_REDRAW;
		}
		if (act == ACT_UP || act == ACT_PGUP || act == ACT_TOP)
			a->follow = false;
		return scroll_by(a, act, &a->top, LINES - 3);
	default:
		return scroll_by(a, act, &a->top, LINES - 3);
	}
}

static void draw(struct app *a)
{
	erase();
	if (LINES < MIN_LINES || COLS < MIN_COLS) {
		char buf[160];

		snprintf(buf, sizeof(buf), S(a, "terminal too small: %dx%d; addrlab needs %dx%d",
					     "터미널이 너무 작습니다: %dx%d, 적어도 %dx%d"),
			 COLS, LINES, MIN_COLS, MIN_LINES);
		puts_at(a, LINES / 2, 0, COLS, ROLE_WARN, buf);
		refresh();
		return;
	}
	draw_title(a);
	switch (a->screen) {
	case SCR_LIST:
		draw_list(a);
		break;
	case SCR_PAGE:
		draw_page(a);
		break;
	case SCR_QUIZ:
		draw_quiz(a);
		break;
	case SCR_EXERCISE:
		draw_exercise(a);
		break;
	case SCR_CONSOLE:
		draw_console(a);
		break;
	case SCR_HELP:
		draw_help(a);
		break;
	}
	if (a->celebrate && a->screen != SCR_HELP) {
		/* The moment a chapter is complete. */
		char buf[256];
		int w;

		snprintf(buf, sizeof(buf), S(a, "   ★ Chapter %d complete ★   ", "   ★ %d장 완료 ★   "),
			 a->ls[a->ex >= 0 ? a->ex : a->cur]->number);
		w = text_width(buf, strlen(buf));
		for (int y = LINES / 2 - 1; y <= LINES / 2 + 1; y++) {
			attr_t at;
			short p;

			role_attrs(a, ROLE_SELECTED, 0, &at, &p);
			attr_set(at, p, NULL);
			mvhline(y, (COLS - w) / 2, ' ', w);
			attr_set(A_NORMAL, 0, NULL);
		}
		puts_at(a, LINES / 2, (COLS - w) / 2, w, ROLE_SELECTED, buf);
	}
	refresh();
}

/* ---- start and the loop ---- */

static int load(struct app *a, char *err, size_t errlen)
{
	char *lessons = addrlab_path("lessons"), *val = NULL;
	char perr[512];

	a->n = lesson_load_all(lessons, &a->ls, &a->load_errors);
	if (a->n < 0) {
		snprintf(err, errlen, "%s", a->load_errors ? a->load_errors : "cannot load the lessons");
		free(lessons);
		return -1;
	}
	if (a->n == 0) {
		snprintf(err, errlen, "no lessons in '%s'; set ADDRLAB_LESSONS or run 'make'",
			 lessons);
		free(lessons);
		return -1;
	}
	free(lessons);
	/* Only the first line of the load errors fits the screen. */
	if (a->load_errors)
		a->load_errors[strcspn(a->load_errors, "\n")] = 0;
	a->ch = calloc((size_t)a->n, sizeof(*a->ch));
	if (!a->ch)
		return -1;
	if (progress_open(NULL, &a->prog, perr, sizeof(perr))) {
		snprintf(err, errlen, "%s", perr);
		return -1;
	}
	if (progress_get(a->prog, "lang", &val) == 0 && val && lang_parse(val) >= 0)
		a->lang = (enum lang)lang_parse(val);
	for (int i = 0; i < a->n; i++) {
		struct chapter *ch = &a->ch[i];

		ch->l = a->ls[i];
		ch->view = -1;
		ch->vo = calloc(ch->l->nviews + 1, sizeof(*ch->vo));
		ch->qs = calloc(ch->l->nquizzes + 1, sizeof(*ch->qs));
		if (!ch->vo || !ch->qs)
			return -1;
		for (size_t q = 0; q < ch->l->nquizzes; q++)
			if (progress_quiz(a->prog, ch->l->id, ch->l->quizzes[q].id,
					  &ch->qs[q].given, &ch->qs[q].correct) == 0)
				ch->qs[q].answered = true;
	}
	free(val);
	/* Start where the learner left off. */
	if (progress_get(a->prog, "last_lesson", &val) == 0 && val) {
		int chap[64], n;
		bool is_ex[64];

		n = list_rows(a, chap, is_ex, 64);
		for (int r = 0; r < n; r++)
			if (!is_ex[r] && !strcmp(a->ls[chap[r]]->id, val))
				a->list_sel = r;
	}
	free(val);
	a->ws_root = workspace_root();
	a->ex_root = addrlab_path("exercises");
	return a->ws_root && a->ex_root ? 0 : -1;
}

static void app_free(struct app *a)
{
	lab_free(a->lab);
	watch_close(a->watch);
	run_clear(&a->run);
	for (int i = 0; a->ch && i < a->n; i++) {
		md_free(a->ch[i].doc);
		/* vo and qs are NULL when loading stopped half-way */
		for (size_t v = 0; a->ch[i].vo && v < a->ls[i]->nviews; v++) {
			free(a->ch[i].vo[v].text);
			free(a->ch[i].vo[v].hl);
		}
		for (size_t q = 0; a->ch[i].qs && q < a->ls[i]->nquizzes; q++)
			free(a->ch[i].qs[q].given);
		free(a->ch[i].vo);
		free(a->ch[i].qs);
	}
	free(a->ch);
	if (a->n > 0)
		lesson_free_all(a->ls, a->n);
	free(a->load_errors);
	progress_close(a->prog);
	free(a->ws_root);
	free(a->ex_root);
}

static void loop(struct app *a)
{
	bool dirty = true;

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = STDIN_FILENO, .events = POLLIN },
			{ .fd = lab_fd(a->lab), .events = POLLIN },
			{ .fd = a->watch ? watch_fd(a->watch) : -1, .events = POLLIN },
		};
		enum lab_state s = lab_state(a->lab);
		bool ticking = s == LAB_BOOTING || s == LAB_CRASHED || a->run.running ||
			       (a->msg[0] && time(NULL) - a->msg_time < 7);
		struct lab_event ev;
		wint_t wc;
		int r;

		if (dirty) {
			draw(a);
			dirty = false;
		}
		r = poll(p, 3, ticking ? 200 : 1000);
		if (r < 0 && errno != EINTR)
			break;
		while (lab_next(a->lab, &ev)) {
			on_event(a, &ev);
			if (ev.kind != LEV_KMSG || a->screen == SCR_CONSOLE)
				dirty = true;
			lab_event_free(&ev);
		}
		if (a->watch && (p[2].revents & POLLIN || watch_fd(a->watch) < 0) &&
		    watch_changed(a->watch)) {
			if (a->watch_ch >= 0) {
				start_check(a, a->watch_ch);
				dirty = true;
			}
		}
		while ((r = get_wch(&wc)) != ERR) {
			unsigned int h;
			/* A typed character beyond Latin-1 could have the
			 * number of a curses key code (KEY_UP is 0403, also
			 * U+0103): only key codes are keys there. */
			int key = r == KEY_CODE_YES || wc < KEY_MIN ? (int)wc : -1;

			if (a->celebrate) {	/* any key closes the moment */
				a->celebrate = false;
				dirty = true;
				if (r != KEY_CODE_YES || wc != KEY_RESIZE)
					continue;
			}
			if (r == KEY_CODE_YES && wc == KEY_RESIZE) {
				dirty = true;
				continue;
			}
			if (r == KEY_CODE_YES && wc == KEY_MOUSE) {
				MEVENT m;

				if (getmouse(&m) == OK && (m.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED))) {
					int k = m.bstate & BUTTON4_PRESSED ? KEY_UP : KEY_DOWN;

					for (int i = 0; i < 3; i++)
						on_key(a, k);
					dirty = true;
				}
				continue;
			}
			if (r == OK && a->msg[0])
				a->msg[0] = 0;
			h = on_key(a, key);
			if (h & H_QUIT)
				return;
			if (h & H_REDRAW)
				dirty = true;
		}
		if (ticking)
			dirty = true;
	}
}

int cmd_workbook(int argc, char **argv)
{
	struct app a = { .cur = -1, .ex = -1, .watch_ch = -1, .screen = SCR_LIST };
	char err[1024];
	struct lab_opts lo = { 0 };

	(void)argc;
	(void)argv;
	if (!setlocale(LC_ALL, "") || MB_CUR_MAX < 2)
		setlocale(LC_CTYPE, "C.UTF-8");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cli_error(EXIT_USAGE, "the workbook needs a terminal; for scripts use "
				 "'addrlab list', 'addrlab check EX' and the others in 'addrlab --help'");
	if (load(&a, err, sizeof(err))) {
		app_free(&a);
		return cli_error(EXIT_USAGE, "%s", err[0] ? err : "out of memory");
	}
	lo.kver = addrlab_kver();
	lo.include_dir = addrlab_path("include");
	if (!lo.kver) {
		app_free(&a);
		return cli_error(EXIT_VM, "no guest image in '%s'; run 'make' first",
				 vm_default_guest_dir());
	}
	start_curses(&a);
	a.lab = lab_new(&lo);
	if (!a.lab) {
		teardown();
		app_free(&a);
		return cli_error(EXIT_VM, "out of memory");
	}
	loop(&a);
	teardown();
	app_free(&a);
	free((char *)lo.kver);
	free((char *)lo.include_dir);
	return 0;
}
