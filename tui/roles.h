/* SPDX-License-Identifier: MIT */
/*
 * roles.h - what a piece of text on screen *is* (a heading, code, a passed
 * check), never which colour it has.  The renderer (md.h) and the screens
 * tag text with roles; the curses layer maps each role to a colour pair and
 * a monochrome attribute, so NO_COLOR and monochrome terminals still tell
 * the roles apart.
 *
 * X(enum, name, foreground, background, attribute with colour, attribute without)
 * foreground/background are curses COLOR_* numbers, -1 for the terminal's own.
 */
#ifndef ADDRLAB_ROLES_H
#define ADDRLAB_ROLES_H

#define ROLES(X) \
	X(ROLE_TEXT,      "text",      -1,            -1,          0,           0) \
	X(ROLE_HEADING,   "heading",   COLOR_CYAN,    -1,          A_BOLD,      A_BOLD | A_UNDERLINE) \
	X(ROLE_CODE,      "code",      COLOR_YELLOW,  -1,          0,           A_BOLD) \
	X(ROLE_CODEBLOCK, "codeblock", COLOR_GREEN,   -1,          0,           0) \
	X(ROLE_QUOTE,     "quote",     COLOR_MAGENTA, -1,          0,           A_DIM) \
	X(ROLE_LINK,      "link",      COLOR_BLUE,    -1,          A_UNDERLINE, A_UNDERLINE) \
	X(ROLE_RULE,      "rule",      COLOR_BLUE,    -1,          0,           A_DIM) \
	X(ROLE_BULLET,    "bullet",    COLOR_CYAN,    -1,          A_BOLD,      A_BOLD) \
	X(ROLE_DIM,       "dim",       -1,            -1,          A_DIM,       A_DIM) \
	X(ROLE_HIGHLIGHT, "highlight", COLOR_BLACK,   COLOR_YELLOW, 0,          A_REVERSE) \
	X(ROLE_MATCH,     "match",     COLOR_BLACK,   COLOR_CYAN,  0,           A_REVERSE | A_UNDERLINE) \
	X(ROLE_PASS,      "pass",      COLOR_GREEN,   -1,          A_BOLD,      A_BOLD) \
	X(ROLE_FAIL,      "fail",      COLOR_RED,     -1,          A_BOLD,      A_BOLD | A_UNDERLINE) \
	X(ROLE_WARN,      "warn",      COLOR_YELLOW,  -1,          A_BOLD,      A_BOLD) \
	X(ROLE_SELECTED,  "selected",  COLOR_BLACK,   COLOR_CYAN,  0,           A_REVERSE) \
	X(ROLE_BAR,       "bar",       COLOR_BLACK,   COLOR_WHITE, 0,           A_REVERSE) \
	X(ROLE_TITLE,     "title",     COLOR_WHITE,   COLOR_BLUE,  A_BOLD,      A_REVERSE | A_BOLD)

enum role {
#define X(e, name, fg, bg, attr, mono) e,
	ROLES(X)
#undef X
	ROLE_COUNT
};

/* Span styles that combine with any role (Markdown emphasis). */
#define STYLE_STRONG	1u
#define STYLE_EMPH	2u

#endif /* ADDRLAB_ROLES_H */
