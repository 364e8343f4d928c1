/* SPDX-License-Identifier: MIT */
/* suites.h - the CUnit suites of the unit-test runner (tests/unit/runner.c). */
#ifndef ADDRLAB_TESTS_UNIT_SUITES_H
#define ADDRLAB_TESTS_UNIT_SUITES_H

/* Each adds its suite to the CUnit registry; 0 or a CUnit error code. */
int register_proto_tests(void);	/* suite "proto": vm/proto.c */
int register_vm_tests(void);	/* suite "controller": vm/vm.c's pure helpers */
int register_lrt_tests(void);	/* suite "lua sandbox": grader/lrt.c */
int register_lesson_tests(void);	/* suite "lesson model": grader/lesson.c */
int register_build_tests(void);	/* suite "sandbox build": grader/build.c */
int register_exercise_tests(void);	/* suite "exercises": grader/exercise.c */

#endif /* ADDRLAB_TESTS_UNIT_SUITES_H */
