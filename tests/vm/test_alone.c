// SPDX-License-Identifier: MIT
/*
 * test_alone.c - suite "every submission alone": each lab VM a session
 * starts is the same pristine machine, restored from a snapshot of a
 * booted one, yet with its own clock and randomness; a snapshot that will
 * not load costs a cold boot, never a grade; and nothing one submission
 * does to its VM (a sysctl, a moved BAR, a daemon that escaped its job)
 * reaches the next submission's grade.
 */
#define _GNU_SOURCE
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char src_root[PATH_MAX];

static struct vm *start(void)
{
	struct vm *vm = vm_new(NULL);

	if (vm && vm_start(vm)) {
		fprintf(stderr, "\ncannot start the lab VM: %s\n", vm_error(vm));
		vm_free(vm);
		vm = NULL;
	}
	return vm;
}

static void test_restored_vms_differ(void)
{
	/* The first start may be the cold boot that saves the snapshot. */
	struct vm *first = start(), *a = start(), *b = start();
	char *ra, *rb, *clock, *bar;
	long skew;

	CU_ASSERT_PTR_NOT_NULL_FATAL(first);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_TRUE(vm_restored(a));
	CU_ASSERT_TRUE(vm_restored(b));
	CU_ASSERT_STRING_EQUAL(vm_snapshot_note(b), "");
	ra = tv_out(a, "od -An -N16 -tx1 /dev/urandom; cat /proc/sys/kernel/random/boot_id");
	rb = tv_out(b, "od -An -N16 -tx1 /dev/urandom; cat /proc/sys/kernel/random/boot_id");
	CU_ASSERT_TRUE(strlen(ra) > 40);
	CU_ASSERT_STRING_NOT_EQUAL(ra, rb);
	/* The host's clock, not the snapshot's. */
	clock = tv_out(b, "date +%s");
	skew = strtol(clock, NULL, 10) - (long)time(NULL);
	CU_ASSERT(skew > -5 && skew < 5);
	/* edu is back where a cold boot puts it, and answers once enabled
	 * (QEMU gives a restored edu's registers back as zeros). */
	bar = tv_out(b, "d=/sys/bus/pci/devices/0000:00:02.0; head -1 $d/resource; "
		     "echo 1 > $d/enable; devmem 0x10000000 32");
	CU_ASSERT_PTR_NOT_NULL(strstr(bar, "0x0000000010000000 0x00000000100fffff"));
	CU_ASSERT_PTR_NOT_NULL(strstr(bar, "\n0x010000ED\n"));
	free(ra);
	free(rb);
	free(clock);
	free(bar);
	vm_free(first);
	vm_free(a);
	vm_free(b);
}

static void test_snapshot_that_will_not_load(void)
{
	char dir[] = "/tmp/addrlab-snapcache-XXXXXX", cmd[PATH_MAX + 64], *old;
	struct vm *vm;
	char *out = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	old = getenv("ADDRLAB_CACHE_DIR") ? strdup(getenv("ADDRLAB_CACHE_DIR")) : NULL;
	setenv("ADDRLAB_CACHE_DIR", dir, 1);

	vm = start();		/* cold, and saves one */
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_FALSE(vm_restored(vm));
	vm_free(vm);
	/* Cut it short, as a full disk would have. */
	snprintf(cmd, sizeof(cmd), "cd %s && ls *.vmstate *.parts | wc -l && "
		 "truncate -s 1M *.vmstate", dir);
	CU_ASSERT_EQUAL(tv_capture(cmd, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "2\n");	/* the snapshot, and what made it */
	free(out);

	vm = start();		/* cannot restore: a cold boot, still a VM */
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_FALSE(vm_restored(vm));
	CU_ASSERT_PTR_NOT_NULL(strstr(vm_snapshot_note(vm),
				      "the snapshot did not restore: QEMU did not load the snapshot"));
	free(tv_out(vm, "true"));
	vm_free(vm);
	snprintf(cmd, sizeof(cmd), "ls %s | grep vmstate | wc -l", dir);
	CU_ASSERT_EQUAL(tv_capture(cmd, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "0\n");	/* gone: the next one saves anew */
	free(out);

	setenv("ADDRLAB_SNAPSHOTS", "0", 1);
	vm = start();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_FALSE(vm_restored(vm));
	vm_free(vm);
	unsetenv("ADDRLAB_SNAPSHOTS");
	CU_ASSERT_EQUAL(tv_capture(cmd, &out), 0);
	CU_ASSERT_STRING_EQUAL(out, "0\n");	/* snapshots off: none saved */
	free(out);

	if (old)
		setenv("ADDRLAB_CACHE_DIR", old, 1);
	else
		unsetenv("ADDRLAB_CACHE_DIR");
	free(old);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_saboteurs_cost_nobody(void)
{
	char cmd[4 * PATH_MAX], *out = NULL;

	/*
	 * One worker, a fixed order: each saboteur is followed by the
	 * reference solution of a module exercise.  Graded in the VM the
	 * saboteur left, the references scored 3/13, 3/13 and 1/11.
	 */
	snprintf(cmd, sizeof(cmd),
		 "cd %1$s && t=$(mktemp -d) && s=tests/grade/saboteurs && "
		 "for r in b d f; do mkdir $t/$r-ref; cp exercises/edu-id/solution/edu_id.c $t/$r-ref/; done; "
		 "%2$s/bin/addrlab-grade batch -j 1 --out $t/out $s/a-sysctl $t/b-ref "
		 "$s/c-bar $t/d-ref $s/e-daemon $t/f-ref >/dev/null 2>&1; "
		 "awk -F, 'NR > 1 { print $1, $2, ($3 == $4 ? \"full\" : $3 \"/\" $4), $5 }' $t/out/grades.csv; "
		 "rm -rf $t", src_root, tv_build);
	CU_ASSERT_EQUAL(tv_capture(cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "b-ref edu-id full graded\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "d-ref edu-id full graded\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "f-ref edu-id full graded\n"));
	/* The saboteurs were graded (and failed their own exercise). */
	CU_ASSERT_EQUAL(tv_count(out, " bar-sizing "), 3);
	if (tv_count(out, "full graded") != 3)
		fprintf(stderr, "\n%s\n", out);
	free(out);
}

static int alone_init(void)
{
	/* build/.. is the source tree this build came from. */
	int n = snprintf(src_root, sizeof(src_root), "%s/..", tv_build);

	return n > 0 && (size_t)n < sizeof(src_root) ? 0 : -1;
}

void register_alone_tests(void)
{
	CU_pSuite s = CU_add_suite("every submission alone", alone_init, NULL);

	CU_add_test(s, "two restored VMs: different random numbers, the host's clock, edu back",
		    test_restored_vms_differ);
	CU_add_test(s, "a snapshot that will not load: a cold boot; snapshots off: none",
		    test_snapshot_that_will_not_load);
	CU_add_test(s, "saboteurs before references in one batch: references get full marks",
		    test_saboteurs_cost_nobody);
}
