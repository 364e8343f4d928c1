// SPDX-License-Identifier: MIT
/* keys.c - the key table (keys.h). */
#define _GNU_SOURCE
#include "keys.h"

#include <curses.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTRL(c)		((c) & 0x1f)
#define MOVE		(SCR_LIST | SCR_PAGE | SCR_QUIZ | SCR_EXERCISE | SCR_CONSOLE | SCR_HELP)
#define READ		(SCR_PAGE | SCR_EXERCISE | SCR_CONSOLE | SCR_HELP | SCR_QUIZ)
#define CHAPTER		(SCR_PAGE | SCR_QUIZ | SCR_EXERCISE)

/* In the order the help shows them: the screen's own keys first. */
const struct key_binding key_bindings[] = {
	{ SCR_LIST, '\n', ACT_OPEN }, { SCR_LIST, KEY_ENTER, ACT_OPEN },
	{ SCR_LIST, 'l', ACT_OPEN }, { SCR_LIST, KEY_RIGHT, ACT_OPEN },

	{ SCR_PAGE, '/', ACT_SEARCH }, { SCR_PAGE, 'n', ACT_NEXT },
	{ SCR_PAGE, 'N', ACT_PREV },
	{ SCR_PAGE, ']', ACT_NEXT_SEC }, { SCR_PAGE, '[', ACT_PREV_SEC },
	{ SCR_PAGE, 'v', ACT_VIEW }, { SCR_PAGE, '\t', ACT_FOCUS },
	{ SCR_PAGE, 'r', ACT_REFRESH },

	{ SCR_QUIZ, '\n', ACT_ANSWER }, { SCR_QUIZ, KEY_ENTER, ACT_ANSWER },
	{ SCR_QUIZ, 'a', ACT_ANSWER },

	{ SCR_EXERCISE, 'e', ACT_EDIT }, { SCR_EXERCISE, 'c', ACT_CHECK },
	{ SCR_EXERCISE, '\n', ACT_CHECK }, { SCR_EXERCISE, KEY_ENTER, ACT_CHECK },
	{ SCR_EXERCISE, 'w', ACT_WATCH }, { SCR_EXERCISE, 'h', ACT_HINT },
	{ SCR_EXERCISE, 'R', ACT_RESET },

	{ CHAPTER, 'Q', ACT_QUIZ }, { CHAPTER, 'x', ACT_EXERCISE },

	{ MOVE, 'k', ACT_UP }, { MOVE, KEY_UP, ACT_UP },
	{ MOVE, 'j', ACT_DOWN }, { MOVE, KEY_DOWN, ACT_DOWN },
	{ READ, 'b', ACT_PGUP }, { MOVE, KEY_PPAGE, ACT_PGUP },
	{ READ, ' ', ACT_PGDN }, { READ, 'f', ACT_PGDN }, { MOVE, KEY_NPAGE, ACT_PGDN },
	{ MOVE, 'g', ACT_TOP }, { MOVE, KEY_HOME, ACT_TOP },
	{ MOVE, 'G', ACT_BOTTOM }, { MOVE, KEY_END, ACT_BOTTOM },

	{ SCR_ALL & ~SCR_LIST, 27, ACT_BACK }, { SCR_ALL & ~SCR_LIST, KEY_LEFT, ACT_BACK },
	{ SCR_ALL & ~SCR_LIST, KEY_BACKSPACE, ACT_BACK },
	{ SCR_ALL & ~(SCR_LIST | SCR_EXERCISE), 'h', ACT_BACK },
	{ SCR_ALL & ~SCR_LIST, 'q', ACT_BACK },
	{ SCR_LIST, 'q', ACT_QUIT }, { SCR_ALL, CTRL('c'), ACT_QUIT },
	{ SCR_ALL & ~SCR_HELP, '?', ACT_HELP },
	{ SCR_ALL, 'L', ACT_LANG },
	{ SCR_ALL & ~SCR_CONSOLE, 'K', ACT_CONSOLE },
	{ SCR_ALL, '!', ACT_SHELL },
	{ SCR_ALL, CTRL('l'), ACT_REDRAW },
};
const size_t key_nbindings = sizeof(key_bindings) / sizeof(key_bindings[0]);

static const char *const names[] = {
#define X(e, name, en, ko) name,
	ACTIONS(X)
#undef X
};

static const char *const help[][2] = {
#define X(e, name, en, ko) { en, ko },
	ACTIONS(X)
#undef X
};

enum action keys_action(unsigned int screen, int key)
{
	for (size_t i = 0; i < key_nbindings; i++)
		if ((key_bindings[i].screens & screen) && key_bindings[i].key == key)
			return key_bindings[i].action;
	return ACT_NONE;
}

const char *action_name(enum action a)
{
	return (unsigned int)a < ACT_COUNT ? names[a] : "?";
}

const char *action_help(enum action a, int lang)
{
	if ((unsigned int)a >= ACT_COUNT)
		return "";
	return help[a][lang == 1];
}

const char *key_label(int key, char *buf, size_t len)
{
	static const struct { int key; const char *label; } special[] = {
		{ '\n', "Enter" }, { KEY_ENTER, "Enter" }, { ' ', "Space" },
		{ '\t', "Tab" }, { 27, "Esc" }, { KEY_UP, "Up" }, { KEY_DOWN, "Down" },
		{ KEY_LEFT, "Left" }, { KEY_RIGHT, "Right" }, { KEY_PPAGE, "PgUp" },
		{ KEY_NPAGE, "PgDn" }, { KEY_HOME, "Home" }, { KEY_END, "End" },
		{ KEY_BACKSPACE, "Backspace" },
	};

	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (special[i].key == key)
			return special[i].label;
	if (key > 0 && key < 32)
		snprintf(buf, len, "^%c", key + '@');
	else if (key > 32 && key < 127)
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "key %d", key);
	return buf;
}

int keys_help(unsigned int screen, int lang, char ***out)
{
	bool seen[ACT_COUNT] = { false };
	char **lines = NULL;
	int n = 0;

	for (size_t i = 0; i < key_nbindings; i++) {
		enum action a = key_bindings[i].action;
		char keys[128] = "", buf[16], **grown;
		size_t used = 0;

		if (!(key_bindings[i].screens & screen) || seen[a])
			continue;
		seen[a] = true;
		for (size_t k = i; k < key_nbindings; k++) {
			const struct key_binding *b = &key_bindings[k];
			const char *label;

			/* A key counts only where it does this action (the
			 * first binding of a key on a screen wins). */
			if (b->action != a || !(b->screens & screen) ||
			    keys_action(screen, b->key) != a)
				continue;
			label = key_label(b->key, buf, sizeof(buf));
			if (strstr(keys, label) && (b->key == KEY_ENTER))
				continue;	/* Enter and KEY_ENTER */
			used += (size_t)snprintf(keys + used, sizeof(keys) - used,
						 "%s%s", used ? ", " : "", label);
			if (used >= sizeof(keys))
				used = sizeof(keys) - 1;
		}
		grown = realloc(lines, (size_t)(n + 1) * sizeof(*lines));
		if (!grown)
			goto fail;
		lines = grown;
		if (asprintf(&lines[n], "%-16s %s", keys, action_help(a, lang)) < 0)
			goto fail;
		n++;
	}
	*out = lines;
	return n;
fail:
	for (int i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	return -1;
}
