/* SPDX-License-Identifier: MIT */
/*
 * keys.h - every action of the workbook and the keys bound to it, in one
 * table.  The help screen (`?`) is generated from it, so what it says is
 * what the keys do.
 *
 * An action is bound per screen: a binding lists the screens it works on
 * (a SCR_* bit mask).  keys_action() answers "what does this key do here";
 * screens never compare key codes themselves.  Key codes are curses ones
 * (KEY_UP...); the table does not need curses to be initialised, so it is
 * unit-tested without a terminal.
 */
#ifndef ADDRLAB_KEYS_H
#define ADDRLAB_KEYS_H

#include <stddef.h>

/* The screens. */
#define SCR_LIST	(1u << 0)	/* chapters and exercises */
#define SCR_PAGE	(1u << 1)	/* a lesson's text with its live views */
#define SCR_QUIZ	(1u << 2)	/* a lesson's quiz */
#define SCR_EXERCISE	(1u << 3)	/* checks, hints, watch */
#define SCR_CONSOLE	(1u << 4)	/* kernel messages */
#define SCR_HELP	(1u << 5)
#define SCR_ALL		0x3fu

/* X(enum, name, help in English, help in Korean) */
#define ACTIONS(X) \
	X(ACT_NONE,      "none",      "",                                      "") \
	X(ACT_QUIT,      "quit",      "quit addrlab (progress is already saved)", "addrlab 끝내기 (진도는 이미 저장됨)") \
	X(ACT_BACK,      "back",      "back to the previous screen",           "이전 화면으로") \
	X(ACT_HELP,      "help",      "this help",                             "이 도움말") \
	X(ACT_LANG,      "lang",      "switch language (English/Korean)",      "언어 바꾸기 (영어/한국어)") \
	X(ACT_CONSOLE,   "console",   "kernel messages of the lab VM",         "랩 VM의 커널 메시지") \
	X(ACT_SHELL,     "shell",     "a root shell in the lab VM",            "랩 VM의 root 셸") \
	X(ACT_REDRAW,    "redraw",    "redraw the screen",                     "화면 다시 그리기") \
	X(ACT_UP,        "up",        "up one line",                           "한 줄 위로") \
	X(ACT_DOWN,      "down",      "down one line",                         "한 줄 아래로") \
	X(ACT_PGUP,      "pgup",      "up one page",                           "한 쪽 위로") \
	X(ACT_PGDN,      "pgdn",      "down one page",                         "한 쪽 아래로") \
	X(ACT_TOP,       "top",       "to the top",                            "맨 위로") \
	X(ACT_BOTTOM,    "bottom",    "to the bottom",                         "맨 아래로") \
	X(ACT_OPEN,      "open",      "open the chapter or exercise",          "장이나 실습 열기") \
	X(ACT_SEARCH,    "search",    "search this page",                      "이 쪽에서 찾기") \
	X(ACT_NEXT,      "next",      "next match",                            "다음 검색 결과") \
	X(ACT_PREV,      "prev",      "previous match",                        "이전 검색 결과") \
	X(ACT_NEXT_SEC,  "nextsec",   "next section",                          "다음 절") \
	X(ACT_PREV_SEC,  "prevsec",   "previous section",                      "이전 절") \
	X(ACT_VIEW,      "view",      "next live view",                        "다음 라이브 뷰") \
	X(ACT_FOCUS,     "focus",     "scroll the live view / the text",       "라이브 뷰 / 본문 스크롤 전환") \
	X(ACT_REFRESH,   "refresh",   "run the live view again",               "라이브 뷰 다시 실행") \
	X(ACT_QUIZ,      "quiz",      "the chapter's quiz",                    "이 장의 퀴즈") \
	X(ACT_EXERCISE,  "exercise",  "the chapter's exercise",                "이 장의 실습") \
	X(ACT_ANSWER,    "answer",    "answer the question",                   "문제에 답하기") \
	X(ACT_EDIT,      "edit",      "edit the exercise in $EDITOR",          "$EDITOR로 실습 파일 편집") \
	X(ACT_CHECK,     "check",     "check it now",                          "지금 검사") \
	X(ACT_WATCH,     "watch",     "watch mode: check on every save",       "감시 모드: 저장할 때마다 검사") \
	X(ACT_HINT,      "hint",      "reveal the next hint",                  "다음 힌트 보기") \
	X(ACT_RESET,     "reset",     "reset the exercise (old files kept in .backup/)", "실습 초기화 (이전 파일은 .backup/에 보관)")

enum action {
#define X(e, name, en, ko) e,
	ACTIONS(X)
#undef X
	ACT_COUNT
};

struct key_binding {
	unsigned int screens;	/* SCR_* mask */
	int key;		/* a character or a curses KEY_* code */
	enum action action;
};

/* The table itself (for the help screen), in display order. */
extern const struct key_binding key_bindings[];
extern const size_t key_nbindings;

/* What key does on screen (one SCR_* bit); ACT_NONE if nothing. */
enum action keys_action(unsigned int screen, int key);

const char *action_name(enum action a);
/* Help text; lang 0 English, 1 Korean. */
const char *action_help(enum action a, int lang);

/* A key as people write it: "q", "Enter", "Space", "Up", "PgDn", "^L". */
const char *key_label(int key, char *buf, size_t len);

/*
 * The help for one screen, one line per action: "KEYS  help", where KEYS
 * lists every key bound to it there ("j, Down").  Lines are appended to
 * out (malloc'd, each a malloc'd string); returns how many, or -1.
 */
int keys_help(unsigned int screen, int lang, char ***out);

#endif /* ADDRLAB_KEYS_H */
