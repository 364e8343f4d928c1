/* SPDX-License-Identifier: MIT */
/*
 * common.h - helpers shared by the lab VM integration suites.
 *
 * Each tests/vm/test_NAME.c defines `void register_NAME_tests(void)`, which
 * adds its CUnit suites; the runner calls every one (the list is generated
 * from the file names).  A suite boots its own VM in its init function and
 * frees it in its cleanup, so suites stay independent.
 */
#ifndef ADDRLAB_TESTS_VM_COMMON_H
#define ADDRLAB_TESTS_VM_COMMON_H

#include "vm.h"

#include <CUnit/Basic.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

extern char tv_build[PATH_MAX];	/* .../build */
extern char tv_kver[128];	/* the guest kernel version */

/* build/REL into out. */
void tv_path(char *out, size_t n, const char *rel);

/* A booted VM, or NULL (with the reason on stderr). */
struct vm *tv_boot(const struct vm_options *opts);

/* Runs cmd through /bin/sh; asserts the request itself went out. */
void tv_sh(struct vm *vm, const char *cmd, unsigned int timeout_ms,
	   struct vm_result *res);

/* Runs cmd, asserts verdict OK and exit status 0, returns its stdout
 * (malloc'd, never NULL).  On failure prints cmd, stderr and the message. */
char *tv_out(struct vm *vm, const char *cmd);

/* Pushes build/REL to the guest path; asserts success. */
void tv_push_build(struct vm *vm, const char *rel, const char *guest,
		   unsigned int mode);

/*
 * Loads and unloads module NAME (from /lib/modules/$(uname -r)/extra) with
 * ARGS twice, and asserts the guest is left as found: the same /proc/iomem,
 * the same interrupt lines in /proc/interrupts, the same lsmod, no kernel
 * fault.  `during` (may be NULL) runs while the module is loaded, the first
 * time, and must exit 0.
 */
void tv_module_cycles(struct vm *vm, const char *name, const char *args,
		      const char *during);

/* Parses the first "KEY=VALUE" (VALUE up to white space) in text: a
 * malloc'd copy of VALUE, or NULL. */
char *tv_field(const char *text, const char *key);

/* Number of occurrences of needle in text. */
int tv_count(const char *text, const char *needle);
/* The version of the QEMU the lab VM runs ($ADDRLAB_QEMU, else
 * qemu-system-x86_64), as vm_qemu_version() gives it; 0 if unknown. */
unsigned int tv_qemu_version(void);

/* Runs a host shell command line; its stdout into *out (malloc'd, never
 * NULL), its exit status returned (-1 if it did not exit). */
int tv_capture(const char *cmd, char **out);

#endif /* ADDRLAB_TESTS_VM_COMMON_H */
