// SPDX-License-Identifier: MIT
/*
 * test_workdir.c - suite "work folders": a grader killed outright (SIGKILL)
 * leaves its temporary folder behind; the next one removes it, and only
 * it: not a live process's, not the lab VM's or the snapshot cache's.
 */
#define _GNU_SOURCE
#include "workdir.h"
#include "exercise.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_sweep_and_make(void)
{
	char tmp[] = "/tmp/addrlab-wdtest-XXXXXX", p[512], made[512], mine[64];
	/* pid 4194305 is above any pid_max: a process that is gone. */
	const char *const keep[] = { "addrlab-vm.Ab12Cd", "addrlab-cache-0",
				     "addrlab-batch-x.abcdef", "other-4194305.abc" };
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmp));
	snprintf(p, sizeof(p), "%s/addrlab-batch-4194305.Qw3rTy", tmp);
	CU_ASSERT_EQUAL(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/addrlab-batch-4194305.Qw3rTy/build", tmp);
	CU_ASSERT_EQUAL(mkdir(p, 0700), 0);	/* a tree, not just a folder */
	snprintf(mine, sizeof(mine), "addrlab-lint-%d.zzzzzz", (int)getppid());
	snprintf(p, sizeof(p), "%s/%s", tmp, mine);
	CU_ASSERT_EQUAL(mkdir(p, 0700), 0);	/* a live process's */
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", tmp, keep[i]);
		CU_ASSERT_EQUAL(mkdir(p, 0700), 0);
	}

	CU_ASSERT_EQUAL(work_dir_sweep(tmp), 1);
	snprintf(p, sizeof(p), "%s/addrlab-batch-4194305.Qw3rTy", tmp);
	CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
	snprintf(p, sizeof(p), "%s/%s", tmp, mine);
	CU_ASSERT_EQUAL(access(p, F_OK), 0);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", tmp, keep[i]);
		CU_ASSERT_EQUAL(access(p, F_OK), 0);
	}

	setenv("TMPDIR", tmp, 1);
	CU_ASSERT_EQUAL(work_dir_make(made, sizeof(made), "grade"), 0);
	snprintf(p, sizeof(p), "%s/addrlab-grade-%d.", tmp, (int)getpid());
	CU_ASSERT_EQUAL(strncmp(made, p, strlen(p)), 0);
	CU_ASSERT_EQUAL(strlen(made), strlen(p) + 6);
	CU_ASSERT_EQUAL(access(made, W_OK), 0);
	CU_ASSERT_EQUAL(work_dir_sweep(tmp), 0);	/* ours: kept */
	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	CU_ASSERT_EQUAL(remove_tree(tmp), 0);
}

int register_workdir_tests(void)
{
	CU_pSuite s = CU_add_suite("work folders", NULL, NULL);

	if (!s || !CU_add_test(s, "a killed grader's folder is swept, no other",
			       test_sweep_and_make))
		return CU_get_error();
	return CUE_SUCCESS;
}
