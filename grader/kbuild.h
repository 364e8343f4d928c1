/* SPDX-License-Identifier: MIT */
/*
 * kbuild.h - a module's Kbuild run, recorded once and replayed.
 *
 * `make -C /usr/src/linux-headers-KVER M=/build modules` spends about three
 * of its four seconds before the compiler starts: the kernel's makefiles
 * are read by three makes in turn and probe the compiler some sixty times.
 * What make then runs depends only on the module's layout (its name, its
 * files, the Kbuild text, sparse or not) and on the installed headers and
 * tools, never on what the files say: every choice that does depend on
 * them (genksyms for a module that exports symbols, modpost's findings) is
 * made inside the recipe lines themselves.
 *
 * So the first build of a layout on a machine runs the real make, outside
 * the sandbox, on a stand-in module of that layout (our own text: nothing
 * of a submission), with a SHELL that writes down every recipe line make
 * hands it, with its folder and environment (a $(shell ...) of a makefile
 * is told apart by its output: a pipe back to make, not make's own).
 * Every later build of the layout runs those lines, Kbuild's own text, in
 * order, in the sandbox, and stops at the first that fails, as make does;
 * only the sub-make lines are left out.  A sparse line starts at once,
 * beside the compiler, and its output is put where make would have
 * printed it.
 *
 * Recordings live in the cache folder (snapshot.h), keyed by the layout and
 * by the identity of the headers, make, the compiler, sparse and the
 * linker: an upgraded package is recorded anew.  ADDRLAB_KBUILD=make turns
 * replay off; a layout that cannot be recorded is built by make.
 */
#ifndef ADDRLAB_KBUILD_H
#define ADDRLAB_KBUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "build.h"

/*
 * The shell script that builds o's module as `make -s -C HEADERS M=WORK
 * [C=1] modules` would, with the Kbuild file kbuild_text in WORK, where
 * WORK is "/build" when rooted (the sandbox has a root of its own) or else
 * o->work_dir.  Recorded first if need be.  A malloc'd script, or NULL
 * with why in err (build with make then).
 */
char *kbuild_script(const struct build_opts *o, const char *kbuild_text,
		    bool rooted, char *err, size_t errlen);

/*
 * After a replayed build that succeeded: keeps its NAME.mod.o, the
 * compiled output of modpost's NAME.mod.c, under a hash of that text, for
 * the next build of the layout that writes the same text (any module
 * importing the same symbols) to copy instead of compiling.  The last
 * 16 per layout are kept.
 */
void kbuild_keep(const struct build_opts *o, const char *kbuild_text, bool rooted);

/* Whether replay is on: not when ADDRLAB_KBUILD is "make". */
bool kbuild_replay_enabled(void);

#endif /* ADDRLAB_KBUILD_H */
