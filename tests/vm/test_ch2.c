// SPDX-License-Identifier: MIT
/*
 * test_ch2.c - chapter 2, the physical map and BARs: the barsize tool
 * (kmod/tools/barsize.c) against lspci, sysfs, /proc/iomem and QEMU's own
 * view of the device ("info pci"); the configuration space must come out
 * of the sizing byte for byte as it went in.
 */
#define _GNU_SOURCE
#include "common.h"

#include "edu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EDU_BDF		"0000:00:02.0"
#define EDU_SYSFS	"/sys/bus/pci/devices/" EDU_BDF
#define OD_CONFIG	"od -An -v -tx1 " EDU_SYSFS "/config"
#define ADDRSPACE_KO	"/lib/modules/$(uname -r)/extra/addrspace.ko"

static struct vm *vm;

/* barsize's last line, "bar=0 base=0x... size=0x... type=... prefetchable=...". */
struct bar_line {
	unsigned long long base, size;
	char type[16], prefetchable[8];
};

static void run_barsize(const char *cmd, char **out, struct bar_line *b)
{
	const char *last;

	*out = tv_out(vm, cmd);
	last = strstr(*out, "\nbar=0 ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(last);
	CU_ASSERT_EQUAL(sscanf(last, "\nbar=0 base=0x%llx size=0x%llx type=%15s prefetchable=%7s",
			       &b->base, &b->size, b->type, b->prefetchable), 4);
}

/* ---- suite: ch2 the physical map and BARs ---- */

static int ch2_init(void)
{
	vm = tv_boot(NULL);
	return vm ? 0 : 1;
}

static int ch2_cleanup(void)
{
	vm_free(vm);
	vm = NULL;
	return 0;
}

static void test_barsize_agrees_with_the_kernel(void)
{
	unsigned long long lspci_base = 0, res_start = 0, res_end = 0;
	unsigned long long io_start = 0, io_end = 0;
	struct bar_line b = { 0 };
	char *out, *lspci, *res, *iomem;
	const char *m;

	run_barsize("barsize", &out, &b);
	CU_ASSERT_EQUAL(b.size, (unsigned long long)EDU_BAR_SIZE);	/* 1 MiB, exactly */
	CU_ASSERT_EQUAL(b.size, 0x100000ull);
	CU_ASSERT_STRING_EQUAL(b.type, "mem32");
	CU_ASSERT_STRING_EQUAL(b.prefetchable, "no");
	CU_ASSERT_EQUAL(b.base % b.size, 0);	/* a BAR is aligned to its size */
	/* qboot gives edu the first address of the PCI window. */
	CU_ASSERT_EQUAL(b.base, 0x10000000ull);

	/* The teaching trace: who decided what. */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "barsize: sizing BAR0 of " EDU_BDF " through "
				      EDU_SYSFS "/config\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "firmware chose that base"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "4. read back 0xfff00000: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "the device decided that size"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "7. all 256 configuration bytes are as they were before\n"));

	/* lspci: "Memory at 10000000 (32-bit, non-prefetchable) [disabled] [size=1M]". */
	lspci = tv_out(vm, "lspci -v -s " EDU_BDF);
	m = strstr(lspci, "Memory at ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(sscanf(m, "Memory at %llx (32-bit, non-prefetchable)", &lspci_base), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "[size=1M]"));
	CU_ASSERT_EQUAL(lspci_base, b.base);

	/* sysfs resource: "start end flags", end inclusive. */
	res = tv_out(vm, "head -n 1 " EDU_SYSFS "/resource");
	CU_ASSERT_EQUAL(sscanf(res, "%llx %llx", &res_start, &res_end), 2);
	CU_ASSERT_EQUAL(res_start, b.base);
	CU_ASSERT_EQUAL(res_end - res_start + 1, b.size);

	/* /proc/iomem: "  10000000-100fffff : 0000:00:02.0", inside the PCI window. */
	iomem = tv_out(vm, "grep ' : " EDU_BDF "$' /proc/iomem");
	CU_ASSERT_EQUAL(sscanf(iomem, " %llx-%llx : " EDU_BDF, &io_start, &io_end), 2);
	CU_ASSERT_EQUAL(io_start, b.base);
	CU_ASSERT_EQUAL(io_end - io_start + 1, b.size);
	CU_ASSERT_EQUAL(tv_count(iomem, "\n"), 1);

	free(out);
	free(lspci);
	free(res);
	free(iomem);
}

static void test_config_space_unchanged(void)
{
	char *before = tv_out(vm, OD_CONFIG), *after, *out;
	struct bar_line b;

	CU_ASSERT_EQUAL(tv_count(before, "\n"), 16);	/* 256 bytes, 16 a line (-v: no "*" for repeats) */
	/* The ID bytes: vendor 1234, device 11e8, little-endian. */
	CU_ASSERT_EQUAL(strncmp(before, " 34 12 e8 11 ", 13), 0);
	run_barsize("barsize", &out, &b);
	after = tv_out(vm, OD_CONFIG);
	CU_ASSERT_STRING_EQUAL(after, before);
	free(before);
	free(after);
	free(out);
}

static void test_device_argument(void)
{
	struct bar_line a, b;
	struct vm_result r;
	char *out1, *out2;

	run_barsize("barsize", &out1, &a);
	run_barsize("barsize 00:02.0", &out2, &b);	/* the domain is optional */
	CU_ASSERT_EQUAL(a.base, b.base);
	CU_ASSERT_EQUAL(a.size, b.size);
	free(out1);
	free(out2);

	tv_sh(vm, "barsize 00:09.0", 10000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 1);
	CU_ASSERT_STRING_EQUAL(r.out, "");
	CU_ASSERT_STRING_EQUAL(r.err, "barsize: no PCI device '00:09.0' in /sys/bus/pci/devices\n");
	vm_result_free(&r);

	/* The host bridge has no BAR0: all ones read back as 0. */
	tv_sh(vm, "barsize 0000:00:00.0", 10000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "BAR0 of 0000:00:00.0 reads back 0: "
				      "the device does not implement it\n"));
	vm_result_free(&r);

	tv_sh(vm, "barsize a b", 10000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 2);
	vm_result_free(&r);
}

/* Run last: it leaves memory decoding on. */
static void test_decoding_on(void)
{
	unsigned long long qbase = 0, qend = 0;
	char *before, *after, *out, *id, *pci = NULL;
	struct bar_line b;
	const char *bar0;

	/*
	 * Firmware left decoding off and no driver turned it on; "enable"
	 * does what pci_enable_device() does.  Now sizing must switch it off
	 * around the all-ones write and back on after.
	 */
	free(tv_out(vm, "echo 1 > " EDU_SYSFS "/enable"));
	before = tv_out(vm, OD_CONFIG);
	run_barsize("barsize", &out, &b);
	after = tv_out(vm, OD_CONFIG);
	CU_ASSERT_STRING_EQUAL(after, before);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "memory decoding is on\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "   turn it off while sizing (write 0x"));
	CU_ASSERT_EQUAL(b.size, 0x100000ull);

	/* The device still answers at the base: its ID register. */
	id = tv_out(vm, "devmem $(head -n 1 " EDU_SYSFS "/resource | cut -d' ' -f1) 32");
	CU_ASSERT_STRING_EQUAL(id, "0x010000ED\n");

	/* QEMU's own view of the BAR, now that the device decodes it. */
	CU_ASSERT_EQUAL_FATAL(vm_monitor(vm, "info pci", &pci), 0);
	bar0 = strstr(pci, "PCI device 1234:11e8");
	CU_ASSERT_PTR_NOT_NULL_FATAL(bar0);
	bar0 = strstr(bar0, "BAR0: ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(bar0);
	CU_ASSERT_EQUAL(sscanf(bar0, "BAR0: 32 bit memory at 0x%llx [0x%llx].", &qbase, &qend), 2);
	CU_ASSERT_EQUAL(qbase, b.base);
	CU_ASSERT_EQUAL(qend - qbase + 1, b.size);

	free(before);
	free(after);
	free(out);
	free(id);
	free(pci);
}

/* ---- suite: ch2 without edu ---- */

static int noedu_init(void)
{
	struct vm_options o = { .no_edu = true };

	vm = tv_boot(&o);
	return vm ? 0 : 1;
}

static void test_noedu_barsize(void)
{
	struct vm_result r;

	tv_sh(vm, "barsize", 10000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 1);
	CU_ASSERT_STRING_EQUAL(r.out, "");
	CU_ASSERT_STRING_EQUAL(r.err, "barsize: no edu device (PCI 1234:11e8) found; boot with "
			       "-device edu, or name a device: barsize 0000:00:02.0\n");
	vm_result_free(&r);
}

static void test_noedu_addrspace(void)
{
	char *out = tv_out(vm, "insmod " ADDRSPACE_KO " && grep -c '^page=.* leaf=' "
			   "/sys/kernel/debug/addrspace/kmalloc /sys/kernel/debug/addrspace/vmalloc "
			   "&& vtop | tail -n 1 && rmmod addrspace");

	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/kmalloc:2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/vmalloc:8\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nvirt=0x"));
	free(out);
	tv_module_cycles(vm, "addrspace", NULL, "vtop > /dev/null");
}

void register_ch2_tests(void)
{
	CU_pSuite s;

	s = CU_add_suite("ch2 the physical map and BARs", ch2_init, ch2_cleanup);
	CU_add_test(s, "barsize: 1 MiB at the base lspci, sysfs and /proc/iomem show",
		    test_barsize_agrees_with_the_kernel);
	CU_add_test(s, "the 256 config bytes are the same before and after", test_config_space_unchanged);
	CU_add_test(s, "a device named on the command line, or a wrong one", test_device_argument);
	CU_add_test(s, "with decoding on: turned off, restored, the device still answers",
		    test_decoding_on);
	s = CU_add_suite("ch2 without edu", noedu_init, ch2_cleanup);
	CU_add_test(s, "barsize says there is no edu in one line", test_noedu_barsize);
	CU_add_test(s, "addrspace needs no device", test_noedu_addrspace);
}
