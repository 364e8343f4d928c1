/* SPDX-License-Identifier: MIT */
/*
 * lpattern.h - string.find, match, gmatch, gsub and rep for lessons, with
 * the work they do in C charged to the Lua runtime's instruction budget
 * (lrt_charge()), so a pattern that backtracks over a large subject, or a
 * rep of a million empty strings, ends with the budget error instead of
 * running for hours where the count hook cannot see it.  Same results and
 * error messages as Lua 5.4's own for every pattern (reference manual
 * section 6.4.1).
 */
#ifndef ADDRLAB_LPATTERN_H
#define ADDRLAB_LPATTERN_H

#include <lua.h>

/* Sets find, match, gmatch, gsub and rep in the table at idx. */
void lpattern_install(lua_State *L, int idx);

#endif /* ADDRLAB_LPATTERN_H */
