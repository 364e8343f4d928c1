// SPDX-License-Identifier: MIT
/*
 * runner.c - runs every lab VM integration suite (tests/vm/test_*.c).
 *
 * Paths come from where this binary sits (build/tests/vm-tests): the guest
 * image in build/guest, test helpers in build/tests.  With arguments, runs
 * only the suites whose names contain one of them.  The exit status is the
 * number of failures (capped at 255), never 0 when something failed.
 */
#define _GNU_SOURCE
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SUITE(name) void register_##name##_tests(void);
#include "vm_suites.h"
#undef SUITE

static bool wanted(const char *suite, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strstr(suite, argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	char exe[PATH_MAX], kv[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	unsigned int fails;
	CU_pSuite s;
	FILE *f;

	if (n <= 0)
		return 1;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';	/* build/tests */
	*strrchr(exe, '/') = '\0';	/* build */
	snprintf(tv_build, sizeof(tv_build), "%s", exe);
	tv_path(kv, sizeof(kv), "kver");
	f = fopen(kv, "r");
	if (!f || !fgets(tv_kver, sizeof(tv_kver), f)) {
		fprintf(stderr, "vm-tests: cannot read %s; run 'make' first\n", kv);
		return 1;
	}
	fclose(f);
	tv_kver[strcspn(tv_kver, "\n")] = '\0';
	/* Keep to the guest image built next to us, whatever the env says. */
	tv_path(kv, sizeof(kv), "guest");
	setenv("ADDRLAB_GUEST_DIR", kv, 1);

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
#define SUITE(name) register_##name##_tests();
#include "vm_suites.h"
#undef SUITE
	/* Deactivate the suites not asked for on the command line, and with
	 * VM_TEST=WORDS the tests whose names do not contain WORDS. */
	for (s = CU_get_registry()->pSuite; s; s = s->pNext) {
		const char *only = getenv("VM_TEST");

		if (!wanted(s->pName, argc, argv))
			CU_set_suite_active(s, CU_FALSE);
		for (CU_pTest t = s->pTest; only && t; t = t->pNext)
			if (!strstr(t->pName, only))
				CU_set_test_active(t, CU_FALSE);
	}

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	/* Failed assertions, plus suites whose set-up failed (their tests
	 * never ran, so no assertion counted them). */
	fails = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return fails > 255 ? 255 : (int)fails;
}
