// SPDX-License-Identifier: MIT
/*
 * test_ch4.c - chapter 4: edu's BAR0 mapped into a process (module
 * edu_mmap, guest tool edu-mmap).  The oracles the module does not
 * control: sysfs and /proc/iomem for the BAR, /proc/PID/smaps for the
 * mapping, QEMU's monitor reading the device register itself, and devmem.
 */
#define _GNU_SOURCE
#include "common.h"

#include "edu.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EDU_BDF		"0000:00:02.0"
#define EDU_SYSFS	"/sys/bus/pci/devices/" EDU_BDF
#define INSMOD		"insmod /lib/modules/$(uname -r)/extra/edu_mmap.ko"

static struct vm *vm;
static unsigned long long bar_start, bar_end;	/* from sysfs */

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

/* ---- suite: ch4 edu_mmap ---- */

static int mmap_init(void)
{
	struct vm_result r;
	int ok;

	vm = tv_boot(NULL);
	if (!vm)
		return 1;
	/* No CUnit assertions here: no test is running yet. */
	if (vm_sh(vm, "head -n 1 " EDU_SYSFS "/resource", 20000, &r))
		return 1;
	ok = sscanf(r.out, "%llx %llx", &bar_start, &bar_end) == 2 &&
	     bar_end - bar_start + 1 == EDU_BAR_SIZE;
	if (!ok)
		fprintf(stderr, "edu BAR0 not found in sysfs: %s\n", r.out);
	vm_result_free(&r);
	return ok ? 0 : 1;
}

static int mmap_cleanup(void)
{
	vm_free(vm);
	vm = NULL;
	return 0;
}

static void test_hint_when_not_loaded(void)
{
	struct vm_result r;

	tv_sh(vm, "edu-mmap id", 20000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 1);
	CU_ASSERT_STRING_EQUAL(r.out, "");
	CU_ASSERT_STRING_EQUAL(r.err, "edu-mmap: no /dev/edu_mmap: insmod edu_mmap.ko first\n");
	vm_result_free(&r);
}

static void test_load_registers_device(void)
{
	char want[160], *out;

	out = tv_out(vm, INSMOD " && dmesg | grep 'edu_mmap ' && "
		     "stat -c '%F %a' /dev/edu_mmap && "
		     "basename $(readlink /sys/class/misc/edu_mmap/device)");
	snprintf(want, sizeof(want),
		 "edu_mmap " EDU_BDF ": id 0x010000ed, BAR0 [mem 0x%08llx-0x%08llx] mappable through /dev/edu_mmap\n",
		 bar_start, bar_end);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\ncharacter special file 600\n" EDU_BDF "\n"));
	free(out);
}

static void test_id_through_mapping(void)
{
	expect("edu-mmap id", 0, "0x010000ed\n");
}

static void test_liveness_through_mapping(void)
{
	char cmd[64], *out = NULL;

	expect("edu-mmap alive 0x12345678", 0, "0xedcba987\n");
	/* QEMU reads the register itself, outside the guest. */
	snprintf(cmd, sizeof(cmd), "xp /1wx 0x%llx", bar_start + EDU_REG_LIVENESS);
	CU_ASSERT_EQUAL_FATAL(vm_monitor(vm, cmd, &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ": 0xedcba987"));
	if (!strstr(out, ": 0xedcba987"))
		fprintf(stderr, "\n%s: %s\n", cmd, out);
	free(out);
	expect("edu-mmap alive 0", 0, "0xffffffff\n");
	expect("edu-mmap alive 0x1ffffffff", 1, "");	/* not 32 bits */
}

static void test_smaps_shows_pfnmap(void)
{
	char *out = tv_out(vm, "edu-mmap smaps");
	const char *flags = strstr(out, "\nVmFlags:");

	/* The entry is our 1 MiB shared mapping of the device node. */
	CU_ASSERT_EQUAL(tv_count(out, " rw-s 00000000 "), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/dev/edu_mmap\nSize:               1024 kB\n"));
	/* Touched, yet nothing is resident: there are no struct pages. */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nRss:                   0 kB\n"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(flags);
	/* remap_pfn_range's flags: VM_IO, VM_PFNMAP, VM_DONTEXPAND, VM_DONTDUMP. */
	CU_ASSERT_PTR_NOT_NULL(strstr(flags, " io "));
	CU_ASSERT_PTR_NOT_NULL(strstr(flags, " pf "));
	CU_ASSERT_PTR_NOT_NULL(strstr(flags, " de "));
	CU_ASSERT_PTR_NOT_NULL(strstr(flags, " dd "));
	CU_ASSERT_PTR_NOT_NULL(strstr(flags, " sh "));
	free(out);
}

static void test_bad_mappings_refused(void)
{
	expect("edu-mmap bad", 0,
	       "too-long: ENXIO\npast-end: ENXIO\nprivate: EINVAL\n");
}

static void test_syscall_paths(void)
{
	struct vm_result r;

	expect("edu-mmap pread 0", 0, "0x010000ed\n");
	expect("edu-mmap ioctl 0", 0, "0x010000ed\n");
	/* Each path writes, another reads back the inverse. */
	expect("edu-mmap pwrite 4 0x0badf00d && edu-mmap ioctl 4", 0,
	       "ok\n0xf4520ff2\n");
	expect("edu-mmap ioctl 4 0x11111111 && edu-mmap pread 4", 0,
	       "ok\n0xeeeeeeee\n");
	/* read()/write() advance the file offset: dd's seek lands on 0x04. */
	expect("printf '\\x78\\x56\\x34\\x12' | dd of=/dev/edu_mmap bs=4 seek=1 "
	       "conv=notrunc 2>/dev/null && edu-mmap id && "
	       "dd if=/dev/edu_mmap bs=4 count=2 2>/dev/null | od -An -tx4", 0,
	       "0x010000ed\n 010000ed edcba987\n");
	/* Refused: unaligned, past the 32-bit registers, not 4 bytes. */
	expect("edu-mmap pread 2", 1, "EINVAL\n");
	expect("edu-mmap pread 0x80", 1, "EINVAL\n");
	expect("edu-mmap ioctl 0x80", 1, "EINVAL\n");
	expect("edu-mmap pwrite 6 1", 1, "EINVAL\n");
	tv_sh(vm, "dd if=/dev/edu_mmap bs=8 count=1", 20000, &r);
	CU_ASSERT_NOT_EQUAL(r.exit_code, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "Invalid argument"));
	vm_result_free(&r);
}

static void test_iomem_and_devmem(void)
{
	char want[160], cmd[96], *out;
	struct vm_result r;

	/* pcim_iomap_regions() requested the BAR under the driver's name. */
	out = tv_out(vm, "cat /proc/iomem");
	snprintf(want, sizeof(want),
		 "  %08llx-%08llx : " EDU_BDF "\n    %08llx-%08llx : edu_mmap\n",
		 bar_start, bar_end, bar_start, bar_end);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	free(out);
	/* With IO_STRICT_DEVMEM, /dev/mem may not map a claimed BAR. */
	snprintf(cmd, sizeof(cmd), "devmem 0x%llx 32", bar_start);
	tv_sh(vm, cmd, 20000, &r);
	CU_ASSERT_NOT_EQUAL(r.exit_code, 0);
	CU_ASSERT_STRING_EQUAL(r.err, "devmem: mmap: Operation not permitted\n");
	vm_result_free(&r);
}

static void test_bench_mapping_beats_syscalls(void)
{
	char *out = tv_out(vm, "edu-mmap bench 20000");
	char *m = tv_field(out, "mmap_ns"), *p = tv_field(out, "pread_ns");
	char *i = tv_field(out, "ioctl_ns"), *rp = tv_field(out, "ratio_pread");
	char *ri = tv_field(out, "ratio_ioctl");

	CU_ASSERT_PTR_NOT_NULL_FATAL(m && p && i && rp && ri);
	CU_ASSERT(strtod(m, NULL) > 0);
	/* One load against a system call and the driver: only "faster" is
	 * certain on a shared, emulated machine. */
	CU_ASSERT(strtod(rp, NULL) > 1.0);
	CU_ASSERT(strtod(ri, NULL) > 1.0);
	fprintf(stderr, "\n    [bench: mmap %s ns, pread %s ns (%sx), ioctl %s ns (%sx)] ",
		m, p, rp, i, ri);
	free(m), free(p), free(i), free(rp), free(ri);
	free(out);
}

static void test_unload_then_cycles(void)
{
	char cmd[96];

	expect("rmmod edu_mmap && test ! -e /dev/edu_mmap && "
	       "grep -c edu_mmap /proc/iomem", 1, "0\n");
	/* The BAR is free again: /dev/mem reaches it. */
	snprintf(cmd, sizeof(cmd), "devmem 0x%llx 32", bar_start);
	expect(cmd, 0, "0x010000ED\n");
	tv_module_cycles(vm, "edu_mmap", NULL,
			 "edu-mmap id && edu-mmap bad && edu-mmap bench 100");
}

static void test_unbind_under_a_mapping(void)
{
	uint64_t cursor = UINT64_MAX;
	char *log = NULL;

	/*
	 * A process holds /dev/edu_mmap open with BAR0 mapped while the
	 * device is unbound under it.  Then pread() says the device is gone,
	 * a load through the mapping gets SIGBUS (the mapping was zapped: it
	 * must not reach a BAR the driver let go of), nothing in the kernel
	 * complains, and a bind, the tool and rmmod all work after it.
	 */
	CU_ASSERT_EQUAL_FATAL(vm_kmsg(vm, &cursor, &log), 0);
	free(log);
	expect(INSMOD " && { edu-mmap hold > /tmp/hold.out & p=$!; "
	       "for i in $(seq 100); do grep -q held /tmp/hold.out && break; sleep 0.1; done; "
	       "echo 0000:00:02.0 > /sys/bus/pci/drivers/edu_mmap/unbind; "
	       "test ! -e /dev/edu_mmap && grep -c edu_mmap /proc/iomem; "
	       "kill -USR1 $p; wait $p; echo rc=$?; cat /tmp/hold.out; }", 0,
	       "0\nrc=0\nheld: id 0x010000ed\npread: No such device\nload: SIGBUS\n");
	expect("echo 0000:00:02.0 > /sys/bus/pci/drivers/edu_mmap/bind && edu-mmap id && "
	       "rmmod edu_mmap && echo unloaded", 0, "0x010000ed\nunloaded\n");
	CU_ASSERT_EQUAL_FATAL(vm_kmsg(vm, &cursor, &log), 0);
	CU_ASSERT_PTR_NULL(strstr(log, "BUG"));
	CU_ASSERT_PTR_NULL(strstr(log, "WARNING"));
	CU_ASSERT_PTR_NULL(strstr(log, "Oops"));
	if (strstr(log, "BUG") || strstr(log, "WARNING"))
		fprintf(stderr, "\nkernel log: %s\n", log);
	free(log);
}

/* ---- suite: ch4 edu_mmap without edu ---- */

static int noedu_init(void)
{
	struct vm_options o = { .no_edu = true };

	vm = tv_boot(&o);
	return vm ? 0 : 1;
}

static void test_noedu_loads_without_device(void)
{
	uint64_t cursor = 0;
	char *log = NULL;
	struct vm_result r;

	expect("lspci -d 1234:11e8 | wc -l", 0, "0\n");
	CU_ASSERT_EQUAL_FATAL(vm_kmsg(vm, &cursor, &log), 0);
	free(log);
	expect(INSMOD " && test ! -e /dev/edu_mmap && "
	       "test -d /sys/bus/pci/drivers/edu_mmap && echo loaded", 0,
	       "loaded\n");
	tv_sh(vm, "edu-mmap id", 20000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 1);
	CU_ASSERT_STRING_EQUAL(r.err, "edu-mmap: no /dev/edu_mmap: edu_mmap is loaded but found no edu device (lspci -d 1234:11e8)\n");
	vm_result_free(&r);
	expect("rmmod edu_mmap && echo gone", 0, "gone\n");
	/* No device, nothing to say: no probe line, no warning, no error. */
	CU_ASSERT_EQUAL_FATAL(vm_kmsg(vm, &cursor, &log), 0);
	CU_ASSERT_PTR_NULL(strstr(log, "edu_mmap 0000"));
	CU_ASSERT_PTR_NULL(strstr(log, "WARNING"));
	CU_ASSERT_PTR_NULL(strcasestr(log, "error"));
	if (strstr(log, "edu_mmap 0000") || strcasestr(log, "error"))
		fprintf(stderr, "\nkernel log: %s\n", log);
	free(log);
	tv_module_cycles(vm, "edu_mmap", NULL, "test ! -e /dev/edu_mmap");
}

void register_ch4_tests(void)
{
	CU_pSuite s;

	s = CU_add_suite("ch4 edu_mmap: BAR0 mapped into a process",
			 mmap_init, mmap_cleanup);
	CU_add_test(s, "without the module: a one-line hint", test_hint_when_not_loaded);
	CU_add_test(s, "probe registers /dev/edu_mmap for the BAR sysfs shows", test_load_registers_device);
	CU_add_test(s, "the ID through the mapping is 0x010000ed", test_id_through_mapping);
	CU_add_test(s, "liveness through the mapping; QEMU sees the write", test_liveness_through_mapping);
	CU_add_test(s, "smaps: 1 MiB, Rss 0, VmFlags io pf de dd", test_smaps_shows_pfnmap);
	CU_add_test(s, "too long, past the end, private: ENXIO ENXIO EINVAL", test_bad_mappings_refused);
	CU_add_test(s, "pread/pwrite/read/write/ioctl and their EINVALs", test_syscall_paths);
	CU_add_test(s, "/proc/iomem names the driver; devmem is refused", test_iomem_and_devmem);
	CU_add_test(s, "a load through the mapping beats a system call", test_bench_mapping_beats_syscalls);
	CU_add_test(s, "unload frees the BAR; two clean load/unload cycles", test_unload_then_cycles);
	CU_add_test(s, "unbind under an open file and a live mapping: ENODEV, SIGBUS, no leak",
		    test_unbind_under_a_mapping);

	s = CU_add_suite("ch4 edu_mmap without edu", noedu_init, mmap_cleanup);
	CU_add_test(s, "loads, no device node, unloads cleanly", test_noedu_loads_without_device);
}
