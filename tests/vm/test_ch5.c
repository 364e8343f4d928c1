// SPDX-License-Identifier: MIT
/*
 * test_ch5.c - chapter 5: driver pages mapped at fault time (module
 * fault_pages, guest tool fault-touch).  The oracles the module does not
 * control: /proc/self/pagemap (the process's page tables) for which frame
 * backs each page, and QEMU reading guest physical memory for what is in
 * it.
 */
#define _GNU_SOURCE
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KO	"/lib/modules/$(uname -r)/extra/fault_pages.ko"
#define DBG	"/sys/kernel/debug/fault_pages"
#define NPAGES	8
#define KTEXT	"fault_pages: page %d written by the kernel"

static struct vm *vm;

static void expect(const char *cmd, int code, const char *out)
{
	struct vm_result r;

	tv_sh(vm, cmd, 60000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_OK);
	CU_ASSERT_EQUAL(r.exit_code, code);
	CU_ASSERT_STRING_EQUAL(r.out, out);
	if (r.exit_code != code || strcmp(r.out, out))
		fprintf(stderr, "\n$ %s\n(exit %d, want %d)\nstdout: %s\nwant: %s\nstderr: %s\n",
			cmd, r.exit_code, code, r.out, out, r.err);
	vm_result_free(&r);
}

/* The pfn debugfs `pages` gives for page k, or 0. */
static unsigned long long debugfs_pfn(int k)
{
	char cmd[80], *out;
	unsigned long long pfn = 0;
	int idx = -1;

	snprintf(cmd, sizeof(cmd), "grep '^%d ' " DBG "/pages", k);
	out = tv_out(vm, cmd);
	if (sscanf(out, "%d pfn=0x%llx", &idx, &pfn) != 2 || idx != k)
		pfn = 0;
	free(out);
	return pfn;
}

/* The `pages` line for page k with no mapping left: count 1, mapcount 0. */
static void idle_line(char *buf, size_t n, int k, const char *text)
{
	snprintf(buf, n, "%d pfn=0x%llx count=1 mapcount=0 text=\"%s\"\n", k,
		 debugfs_pfn(k), text);
}

static int fp_init(void)
{
	vm = tv_boot(NULL);
	return vm ? 0 : 1;
}

static int fp_cleanup(void)
{
	vm_free(vm);
	vm = NULL;
	return 0;
}

static void test_hint_when_not_loaded(void)
{
	struct vm_result r;

	tv_sh(vm, "fault-touch 0", 20000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 1);
	CU_ASSERT_STRING_EQUAL(r.err, "fault-touch: no /dev/fault_pages: insmod fault_pages.ko first\n");
	vm_result_free(&r);
}

static void test_bad_npages_refused(void)
{
	static const char *const bad[] = { "0", "1025", "100000000" };
	char cmd[160], want[96];
	struct vm_result r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd), "insmod " KO " npages=%s; echo rc=$?; "
			 "dmesg | grep 'fault_pages: ' | tail -n 1; test ! -e /dev/fault_pages", bad[i]);
		tv_sh(vm, cmd, 20000, &r);
		CU_ASSERT_EQUAL(r.exit_code, 0);
		/* busybox insmod exits with the errno: 22 is EINVAL. */
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "rc=22\n"));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "Invalid argument"));
		snprintf(want, sizeof(want),
			 "] fault_pages: npages=%s is out of range: 1 to 1024\n", bad[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, want));
		if (!strstr(r.out, want))
			fprintf(stderr, "\n$ %s\n%s%s\n", cmd, r.out, r.err);
		vm_result_free(&r);
	}
	expect("lsmod | grep -c fault_pages", 1, "0\n");
}

static void test_largest_npages_loads(void)
{
	expect("insmod " KO " npages=1024 && fault-touch 1023 | grep -c '^page 1023 ' && "
	       "rmmod fault_pages && dmesg | grep 'fault_pages: ' | tail -n 1 | cut -d] -f2", 0,
	       "1\n fault_pages: freed 1024 pages, 0 still referenced\n");
}

static void test_load_writes_every_page(void)
{
	char want[128], *out;

	out = tv_out(vm, "insmod " KO " && dmesg | grep 'fault_pages: ' | tail -n 1 | cut -d] -f2 && "
		     "cat /sys/module/fault_pages/parameters/npages " DBG "/faults && "
		     "stat -c '%F %a' /dev/fault_pages && cat " DBG "/pages");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " fault_pages: sharing 8 pages through /dev/fault_pages\n8\n0\ncharacter special file 600\n"));
	CU_ASSERT_EQUAL(tv_count(out, " count=1 mapcount=0 text=\"fault_pages: page "), NPAGES);
	for (int k = 0; k < NPAGES; k++) {
		char text[64];

		snprintf(text, sizeof(text), KTEXT, k);
		idle_line(want, sizeof(want), k, text);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	}
	free(out);
}

static void test_one_fault_per_page(void)
{
	char want[1024], *p = want;
	unsigned long long pfn[NPAGES];
	static const int order[] = { 0, 2, 5, 0, 2, 5 };

	for (int k = 0; k < NPAGES; k++)
		pfn[k] = debugfs_pfn(k);
	/* Touching 0, 2, 5 faults three times; touching them again, never. */
	p += sprintf(p, "mapped 8 pages; the module has 8\nfaults before: 0\n");
	for (int i = 0; i < 6; i++)
		p += sprintf(p, "page %d pfn=0x%llx faults=%d text=\"" KTEXT "\"\n",
			     order[i], pfn[order[i]], i < 3 ? i + 1 : 3, order[i]);
	sprintf(p, "faults after: 3\n");
	/* The pfns come from the process's own page tables (pagemap). */
	expect("echo 1 > " DBG "/reset && fault-touch 0 2 5 0 2 5", 0, want);
	expect("cat " DBG "/faults", 0, "3\n");
	/* A new process is a new mapping: its first touch faults again. */
	snprintf(want, sizeof(want), "mapped 8 pages; the module has 8\nfaults before: 3\n"
		 "page 0 pfn=0x%llx faults=4 text=\"" KTEXT "\"\nfaults after: 4\n",
		 pfn[0], 0);
	expect("fault-touch 0", 0, want);
	expect("echo 1 > " DBG "/reset && cat " DBG "/faults", 0, "0\n");
}

static void test_process_write_seen_by_kernel(void)
{
	char want[256], got[64] = "", *out;
	unsigned long long pfn3 = debugfs_pfn(3), pfn4 = debugfs_pfn(4);

	CU_ASSERT_FATAL(pfn3 != 0 && pfn4 != 0);
	/* A read then a write of page 3: one fault (the read mapped it
	 * writable: there is no write notification on this mapping). */
	snprintf(want, sizeof(want), "mapped 8 pages; the module has 8\nfaults before: 0\n"
		 "page 3 pfn=0x%llx faults=1 text=\"" KTEXT "\"\n"
		 "page 3 pfn=0x%llx faults=1 wrote=\"hello from user space\"\n"
		 "faults after: 1\n", pfn3, 3, pfn3);
	expect("fault-touch 3 --write 3 'hello from user space'", 0, want);

	/* The kernel's view, after the process has gone. */
	idle_line(want, sizeof(want), 3, "hello from user space");
	out = tv_out(vm, "cat " DBG "/pages");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	free(out);

	/* QEMU reads the same physical frame: the bytes are really there. */
	CU_ASSERT_EQUAL_FATAL(vm_read_phys(vm, pfn3 << 12, got, 22), 0);
	CU_ASSERT_EQUAL(memcmp(got, "hello from user space", 22), 0);
	CU_ASSERT_EQUAL_FATAL(vm_read_phys(vm, pfn4 << 12, got, 42), 0);
	CU_ASSERT_STRING_EQUAL(got, "fault_pages: page 4 written by the kernel");
}

static void test_mapped_pages_hold_a_reference(void)
{
	char *out;

	/* While a process maps pages 1 and 6: count 2 (ours + the page table
	 * entry's), mapcount 1.  After it exits: every page back to 1. */
	out = tv_out(vm, "fault-touch --hold 1 6 > /tmp/ft & pid=$!; "
		     "for i in $(seq 100); do grep -q holding /tmp/ft && break; sleep 0.1; done; "
		     "grep -c 'count=2 mapcount=1' " DBG "/pages; "
		     "grep -E '^(1|6) ' " DBG "/pages | cut -d' ' -f3,4; "
		     "rmmod fault_pages 2>&1; echo rmmod=$?; "
		     "kill $pid; wait $pid; "
		     "grep -c 'count=1 mapcount=0' " DBG "/pages");
	CU_ASSERT_STRING_EQUAL(out, "2\ncount=2 mapcount=1\ncount=2 mapcount=1\n"
			       "rmmod: can't unload module 'fault_pages': Resource temporarily unavailable\n"
			       "rmmod=1\n8\n");
	free(out);
}

static void test_past_end_sigbus(void)
{
	/* The mapping may be longer than the pages; the touch past the end
	 * gets SIGBUS, and is no fault the handler counts as served. */
	expect("echo 1 > " DBG "/reset && fault-touch --past-end", 0,
	       "mapped 9 pages; the module has 8\nfaults before: 0\nSIGBUS at page 8\n");
	expect("fault-touch --pages 9 8", 1,
	       "mapped 9 pages; the module has 8\nfaults before: 0\nSIGBUS at page 8\n");
	expect("cat " DBG "/faults", 0, "0\n");
}

static void test_private_mapping_refused(void)
{
	struct vm_result r;

	tv_sh(vm, "fault-touch --private 0", 20000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 1);
	CU_ASSERT_STRING_EQUAL(r.err, "fault-touch: cannot map 8 pages of '/dev/fault_pages': Invalid argument\n");
	vm_result_free(&r);
}

static void test_unload_counts_references(void)
{
	char *out;

	out = tv_out(vm, "rmmod fault_pages && dmesg | grep 'fault_pages: ' | tail -n 1 | cut -d] -f2 && "
		     "test ! -e /dev/fault_pages && test ! -e " DBG " && echo gone");
	CU_ASSERT_STRING_EQUAL(out, " fault_pages: freed 8 pages, 0 still referenced\ngone\n");
	free(out);
	tv_module_cycles(vm, "fault_pages", NULL,
			 "fault-touch 0 1 --write 2 x && fault-touch --past-end");
	expect("dmesg | grep -c 'fault_pages: freed 8 pages, 0 still referenced'",
	       0, "3\n");
	expect("dmesg | grep -c -e WARNING -e 'Bad page'", 1, "0\n");
}

void register_ch5_tests(void)
{
	CU_pSuite s;

	s = CU_add_suite("ch5 fault_pages: driver pages mapped at fault time",
			 fp_init, fp_cleanup);
	CU_add_test(s, "without the module: a one-line hint", test_hint_when_not_loaded);
	CU_add_test(s, "npages=0, 1025, 100000000 refused with EINVAL", test_bad_npages_refused);
	CU_add_test(s, "npages=1024 loads, maps and frees", test_largest_npages_loads);
	CU_add_test(s, "load writes each page; debugfs shows count 1", test_load_writes_every_page);
	CU_add_test(s, "pages 0 2 5 twice: exactly 3 faults, pfns as pagemap", test_one_fault_per_page);
	CU_add_test(s, "a process's write is the kernel's (debugfs, QEMU)", test_process_write_seen_by_kernel);
	CU_add_test(s, "a mapped page holds a reference; rmmod is refused", test_mapped_pages_hold_a_reference);
	CU_add_test(s, "past the end: SIGBUS, no fault counted", test_past_end_sigbus);
	CU_add_test(s, "a private mapping is refused", test_private_mapping_refused);
	CU_add_test(s, "unload: 0 still referenced; two clean cycles", test_unload_counts_references);
}
