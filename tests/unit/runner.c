// SPDX-License-Identifier: MIT
/*
 * runner.c - CUnit basic-mode runner for the unit tests.
 *
 * Exit status: 0 only when every suite initialised and every assertion
 * passed; otherwise the number of failed assertions capped at 255 (at
 * least 1), or 1 when the registry could not be built.
 */
#include "suites.h"

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stdio.h>

int main(void)
{
	unsigned int failures, suites_failed, tests_failed;
	CU_ErrorCode run;
	int rc;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "unit-tests: cannot initialise CUnit: %s\n",
			CU_get_error_msg());
		return 1;
	}
	if (register_proto_tests() != CUE_SUCCESS ||
	    register_vm_tests() != CUE_SUCCESS ||
	    register_lrt_tests() != CUE_SUCCESS ||
	    register_lesson_tests() != CUE_SUCCESS ||
	    register_build_tests() != CUE_SUCCESS ||
	    register_exercise_tests() != CUE_SUCCESS) {
		fprintf(stderr, "unit-tests: cannot register the suites: %s\n",
			CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	run = CU_basic_run_tests();
	/* Read the summary before CU_cleanup_registry() clears it. */
	failures = CU_get_number_of_failures();
	suites_failed = CU_get_number_of_suites_failed();
	tests_failed = CU_get_number_of_tests_failed();
	CU_cleanup_registry();

	if (failures > 255)
		rc = 255;
	else
		rc = (int)failures;
	if (rc == 0 && (run != CUE_SUCCESS || suites_failed || tests_failed))
		rc = 1;
	return rc;
}
