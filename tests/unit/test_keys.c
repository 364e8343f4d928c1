// SPDX-License-Identifier: MIT
/* test_keys.c - the workbook's key table (tui/keys.c): what each key does
 * on each screen, and the help generated from the table. */
#define _GNU_SOURCE
#include "keys.h"

#include <CUnit/CUnit.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>

/* The dispatch, case by case: the same key means different things on
 * different screens, and some keys mean nothing somewhere. */
static void test_dispatch(void)
{
	static const struct { unsigned int screen; int key; enum action want; } cases[] = {
		{ SCR_LIST, 'q', ACT_QUIT },
		{ SCR_PAGE, 'q', ACT_BACK },
		{ SCR_EXERCISE, 'q', ACT_BACK },
		{ SCR_LIST, '\n', ACT_OPEN },
		{ SCR_LIST, KEY_ENTER, ACT_OPEN },
		{ SCR_EXERCISE, '\n', ACT_CHECK },
		{ SCR_QUIZ, '\n', ACT_ANSWER },
		{ SCR_PAGE, '\n', ACT_NONE },
		{ SCR_LIST, 'j', ACT_DOWN },
		{ SCR_PAGE, KEY_DOWN, ACT_DOWN },
		{ SCR_CONSOLE, 'k', ACT_UP },
		{ SCR_PAGE, ' ', ACT_PGDN },
		{ SCR_LIST, ' ', ACT_NONE },
		{ SCR_PAGE, KEY_NPAGE, ACT_PGDN },
		{ SCR_PAGE, 'G', ACT_BOTTOM },
		{ SCR_PAGE, '/', ACT_SEARCH },
		{ SCR_EXERCISE, '/', ACT_NONE },
		{ SCR_PAGE, 'n', ACT_NEXT },
		{ SCR_PAGE, 'v', ACT_VIEW },
		{ SCR_PAGE, '\t', ACT_FOCUS },
		{ SCR_PAGE, 'r', ACT_REFRESH },
		{ SCR_PAGE, 'h', ACT_BACK },
		{ SCR_EXERCISE, 'h', ACT_HINT },	/* h is a hint here, not back */
		{ SCR_EXERCISE, 'R', ACT_RESET },
		{ SCR_PAGE, 'R', ACT_NONE },
		{ SCR_EXERCISE, 'w', ACT_WATCH },
		{ SCR_EXERCISE, 'e', ACT_EDIT },
		{ SCR_PAGE, 'x', ACT_EXERCISE },
		{ SCR_QUIZ, 'x', ACT_EXERCISE },
		{ SCR_LIST, 'x', ACT_NONE },
		{ SCR_PAGE, 'Q', ACT_QUIZ },
		{ SCR_LIST, '?', ACT_HELP },
		{ SCR_HELP, '?', ACT_NONE },
		{ SCR_HELP, 27, ACT_BACK },
		{ SCR_LIST, 27, ACT_NONE },
		{ SCR_CONSOLE, 'K', ACT_NONE },
		{ SCR_LIST, 'K', ACT_CONSOLE },
		{ SCR_QUIZ, 'L', ACT_LANG },
		{ SCR_EXERCISE, '!', ACT_SHELL },
		{ SCR_HELP, 3, ACT_QUIT },		/* ^C quits from anywhere */
		{ SCR_PAGE, 12, ACT_REDRAW },		/* ^L */
		{ SCR_PAGE, 'z', ACT_NONE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum action got = keys_action(cases[i].screen, cases[i].key);

		if (got != cases[i].want)
			fprintf(stderr, "\ncase %zu: key %d on screen %#x is '%s', want '%s'\n",
				i, cases[i].key, cases[i].screen, action_name(got),
				action_name(cases[i].want));
		CU_ASSERT_EQUAL(got, cases[i].want);
	}
}

/* No key is bound twice on one screen: the second binding could never run. */
static void test_no_shadowed_binding(void)
{
	for (size_t i = 0; i < key_nbindings; i++)
		for (size_t k = i + 1; k < key_nbindings; k++) {
			const struct key_binding *a = &key_bindings[i], *b = &key_bindings[k];

			if (a->key == b->key && (a->screens & b->screens))
				fprintf(stderr, "\nkey %d: '%s' shadows '%s' on screens %#x\n",
					a->key, action_name(a->action),
					action_name(b->action), a->screens & b->screens);
			CU_ASSERT_FALSE(a->key == b->key && (a->screens & b->screens));
		}
}

static void test_labels(void)
{
	char buf[16];

	CU_ASSERT_STRING_EQUAL(key_label('\n', buf, sizeof(buf)), "Enter");
	CU_ASSERT_STRING_EQUAL(key_label(' ', buf, sizeof(buf)), "Space");
	CU_ASSERT_STRING_EQUAL(key_label(KEY_NPAGE, buf, sizeof(buf)), "PgDn");
	CU_ASSERT_STRING_EQUAL(key_label(12, buf, sizeof(buf)), "^L");
	CU_ASSERT_STRING_EQUAL(key_label('?', buf, sizeof(buf)), "?");
	CU_ASSERT_STRING_EQUAL(action_name(ACT_HINT), "hint");
	CU_ASSERT_STRING_EQUAL(action_help(ACT_HINT, 0), "reveal the next hint");
	CU_ASSERT_STRING_EQUAL(action_help(ACT_HINT, 1), "다음 힌트 보기");
}

/* The help is generated from the table: every key listed does that action
 * on that screen. */
static void test_help_from_table(void)
{
	char **lines = NULL;
	int n = keys_help(SCR_EXERCISE, 0, &lines);
	bool hint = false, back = false, search = false;

	CU_ASSERT_TRUE_FATAL(n > 0);
	for (int i = 0; i < n; i++) {
		if (!strcmp(lines[i], "h                reveal the next hint"))
			hint = true;
		if (!strcmp(lines[i], "Esc, Left, Backspace, q back to the previous screen"))
			back = true;
		search |= strstr(lines[i], "search this page") != NULL;
		free(lines[i]);
	}
	free(lines);
	CU_ASSERT_TRUE(hint);
	CU_ASSERT_TRUE(back);	/* without 'h', which is the hint here */
	CU_ASSERT_FALSE(search);	/* not a key of this screen */

	n = keys_help(SCR_LIST, 1, &lines);
	CU_ASSERT_TRUE_FATAL(n > 0);
	CU_ASSERT_STRING_EQUAL(lines[0], "Enter, l, Right  장이나 실습 열기");
	for (int i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

int register_keys_tests(void)
{
	CU_pSuite s = CU_add_suite("keys", NULL, NULL);

	if (!s || !CU_add_test(s, "each key's action, screen by screen", test_dispatch) ||
	    !CU_add_test(s, "no binding is shadowed", test_no_shadowed_binding) ||
	    !CU_add_test(s, "key labels and action texts", test_labels) ||
	    !CU_add_test(s, "the help lists the table's keys for the screen",
			 test_help_from_table))
		return CU_get_error();
	return 0;
}
