// SPDX-License-Identifier: MIT
/*
 * test_ch3.c - chapter 3, MMIO and ioremap: the edu_mmio driver.
 *
 * The oracles are things the module does not control: lspci (config space),
 * /proc/iomem and /proc/interrupts, sysfs, QEMU reading the device's
 * registers from the host, and sparse itself.
 */
#define _GNU_SOURCE
#include "common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "edu.h"

#define EDU_BDF		"0000:00:02.0"
#define EDU_DEV		"/sys/bus/pci/devices/" EDU_BDF
#define EDU_ATTR	EDU_DEV "/edu/"
#define INSMOD		"insmod /lib/modules/$(uname -r)/extra/edu_mmio.ko"
#define DEV_MSG		"edu_mmio " EDU_BDF ": "

/* The kernel's ioremap()s, as /proc/vmallocinfo lists them (size, caller). */
#define IOREMAPS	"awk '$NF == \"ioremap\" { print $2, $3, $(NF - 1) }' " \
			"/proc/vmallocinfo | sort"

/* What a probe that failed must leave exactly as it found. */
#define SNAPSHOT	"cat /proc/iomem; awk 'NR > 1 { print $1, $NF }' /proc/interrupts; " \
			"lsmod | cut -d' ' -f1 | sort; " \
			"lspci -vv -s " EDU_BDF " | grep -E 'Control:|MSI:'; " \
			"cat " EDU_DEV "/enable; ls " EDU_DEV "; " IOREMAPS

static struct vm *vm;

/* ---- helpers ---- */

/* Asserts that cmd exits 0 and prints exactly want. */
static void expect_out(const char *cmd, const char *want)
{
	char *out = tv_out(vm, cmd);

	CU_ASSERT_STRING_EQUAL(out, want);
	if (strcmp(out, want))
		fprintf(stderr, "\n$ %s\nwant: %sgot:  %s\n", cmd, want, out);
	free(out);
}

/* Asserts that cmd fails and its stderr contains err. */
static void expect_fail(const char *cmd, const char *err)
{
	struct vm_result r;

	tv_sh(vm, cmd, 60000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_OK);
	CU_ASSERT_NOT_EQUAL(r.exit_code, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, err));
	if (r.exit_code == 0 || !strstr(r.err, err))
		fprintf(stderr, "\n$ %s\n(exit %d) want stderr with '%s', got: %s%s\n",
			cmd, r.exit_code, err, r.out, r.err);
	vm_result_free(&r);
}

static unsigned long long out_number(const char *cmd)
{
	char *out = tv_out(vm, cmd);
	unsigned long long v = strtoull(out, NULL, 0);

	free(out);
	return v;
}

/* Moves the cursor past every kernel message so far. */
static void kmsg_skip(uint64_t *cursor)
{
	char *text = NULL;

	CU_ASSERT_EQUAL(vm_kmsg(vm, cursor, &text), 0);
	free(text);
}

/* The kernel messages since *cursor, without their "[  time] " stamps
 * (malloc'd, never NULL). */
static char *kmsg_new(uint64_t *cursor)
{
	char *text = NULL, *to;
	const char *from;

	CU_ASSERT_EQUAL(vm_kmsg(vm, cursor, &text), 0);
	if (!text)
		return strdup("");
	for (from = to = text; *from;) {	/* one line each time */
		const char *eol = strchr(from, '\n'), *stamp = strstr(from, "] ");

		if (*from == '[' && stamp && (!eol || stamp < eol))
			from = stamp + 2;
		while (*from && *from != '\n')
			*to++ = *from++;
		if (*from)
			*to++ = *from++;
	}
	*to = '\0';
	return text;
}

/* The "undo: ..." messages in text, in order, as "a b c". */
static char *undo_steps(const char *text)
{
	char *list = calloc(1, strlen(text) + 1);
	const char *p = text;

	while (list && (p = strstr(p, DEV_MSG "undo: "))) {
		p += strlen(DEV_MSG "undo: ");
		if (*list)
			strcat(list, " ");
		strncat(list, p, strcspn(p, "\n"));
	}
	return list;
}

/* The edu_mmio line's interrupt count in /proc/interrupts. */
static unsigned long long proc_irq_count(void)
{
	return out_number("awk '/edu_mmio/ { print $2 }' /proc/interrupts");
}

static void check_no_edu_mmio_trace(void)
{
	char *out = tv_out(vm, "grep -c edu_mmio /proc/iomem /proc/interrupts /proc/vmallocinfo; true");

	CU_ASSERT_STRING_EQUAL(out, "/proc/iomem:0\n/proc/interrupts:0\n/proc/vmallocinfo:0\n");
	free(out);
}

/* ---- the driver, bound (suite "ch3 MMIO edu_mmio") ---- */

static int bound_init(void)
{
	vm = tv_boot(NULL);
	return vm ? 0 : 1;
}

static int suite_cleanup(void)
{
	vm_free(vm);
	vm = NULL;
	return 0;
}

static void test_before_insmod(void)
{
	/* Firmware assigned the BAR but left decoding and mastering off. */
	expect_out("lspci -vv -s " EDU_BDF " | grep -oE 'Mem[+-] BusMaster[+-]|MSI: Enable[+-]'",
		   "Mem- BusMaster-\nMSI: Enable-\n");
	expect_out("cat " EDU_DEV "/enable", "0\n");
	check_no_edu_mmio_trace();
}

static void test_insmod_binds(void)
{
	unsigned long long start = 0, end = 0;
	uint64_t cursor = 0;
	char *text, *iomem, *want = NULL, *res;

	kmsg_skip(&cursor);
	/* dyndbg=+p: the undo steps print when rmmod runs (test_rmmod). */
	expect_out(INSMOD " dyndbg=+p && readlink " EDU_DEV "/driver",
		   "../../../bus/pci/drivers/edu_mmio\n");
	expect_out("cat " EDU_ATTR "id", "0x010000ed\n");
	expect_out("ls " EDU_DEV "/edu",
		   "factorial_irq\nfactorial_poll\nid\nirq_count\nirq_mode\nliveness\n");

	text = kmsg_new(&cursor);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, DEV_MSG "edu version 1.0 (ID 0x010000ed)\n"));
	free(text);

	/* Our claim, nested under the PCI core's line for BAR0. */
	res = tv_out(vm, "head -n 1 " EDU_DEV "/resource");
	CU_ASSERT_EQUAL(sscanf(res, "%llx %llx", &start, &end), 2);
	CU_ASSERT_EQUAL(end - start + 1, (unsigned long long)EDU_BAR_SIZE);
	free(res);
	CU_ASSERT(asprintf(&want, "\n  %08llx-%08llx : " EDU_BDF "\n"
			   "    %08llx-%08llx : edu_mmio\n",
			   start, end, start, end) > 0);
	iomem = tv_out(vm, "cat /proc/iomem");
	CU_ASSERT_PTR_NOT_NULL(strstr(iomem, want));
	if (!strstr(iomem, want))
		fprintf(stderr, "\nwant in /proc/iomem:%s\ngot:\n%s", want, iomem);
	CU_ASSERT_EQUAL(tv_count(iomem, "edu_mmio"), 1);
	free(iomem);
	free(want);

	/* pci_iomap() made one virtual mapping of the whole BAR (plus the
	 * guard page vmalloc puts after every area). */
	CU_ASSERT(asprintf(&want, "awk '$(NF - 1) == \"phys=0x%016llx\" { print $2, $(NF - 2) }' "
			   "/proc/vmallocinfo", start) > 0);
	expect_out(want, "1052672 [edu_mmio]\n");
	free(want);

	expect_out("lspci -k -s " EDU_BDF " | grep 'in use'",
		   "\tKernel driver in use: edu_mmio\n");
	/* Enabled, decoding, mastering; MSI on, so INTx is masked (DisINTx+). */
	expect_out("lspci -vv -s " EDU_BDF " | grep -oE 'Mem[+-] BusMaster[+-]|DisINTx[+-]|MSI: Enable[+-]'",
		   "Mem+ BusMaster+\nDisINTx+\nMSI: Enable+\n");
	/* An MSI is a memory write to the local APIC's window, 0xfeexxxxx. */
	expect_out("lspci -vv -s " EDU_BDF " | grep -o 'Address: 00000000fee'",
		   "Address: 00000000fee\n");
	expect_out("cat " EDU_DEV "/enable", "1\n");
	expect_out("cat " EDU_ATTR "irq_mode", "msi\n");
	/* Probe's self-test raised exactly one interrupt. */
	expect_out("cat " EDU_ATTR "irq_count", "1\n");
	/* The IRQ in /proc/interrupts is the device's, per sysfs, and MSI
	 * (its chip is "PCI-MSI" on 6.1, "PCI-MSI-0000:00:02.0" on 6.12). */
	expect_out("i=$(cat " EDU_DEV "/irq); awk -v i=$i: '$1 == i { print substr($3, 1, 7), $NF }' /proc/interrupts",
		   "PCI-MSI edu_mmio\n");
	CU_ASSERT_EQUAL(proc_irq_count(), 1);
	expect_out("[ \"$(ls " EDU_DEV "/msi_irqs)\" = \"$(cat " EDU_DEV "/irq)\" ] && echo same",
		   "same\n");
}

/* Reads a 32-bit register of BAR0 from the host: QEMU, not the guest. */
static uint32_t host_read_reg(unsigned int reg)
{
	unsigned long long bar = out_number("cut -d' ' -f1 " EDU_DEV "/resource | head -n 1");
	unsigned char b[4] = { 0 };

	CU_ASSERT_EQUAL(vm_read_phys(vm, bar + reg, b, sizeof(b)), 0);
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static void test_liveness(void)
{
	expect_out("echo 0x12345678 > " EDU_ATTR "liveness && cat " EDU_ATTR "liveness",
		   "0xedcba987\n");
	/* The write reached the device: QEMU's own read of the register. */
	CU_ASSERT_EQUAL(host_read_reg(EDU_REG_LIVENESS), 0xedcba987u);
	CU_ASSERT_EQUAL(host_read_reg(EDU_REG_ID), EDU_ID_VALUE);
	expect_out("echo 0 > " EDU_ATTR "liveness && cat " EDU_ATTR "liveness",
		   "0xffffffff\n");
	CU_ASSERT_EQUAL(host_read_reg(EDU_REG_LIVENESS), 0xffffffffu);
}

/* n and what edu answers: n! modulo 2^32 (33! = 2^31 * odd; 2^32 | 34!). */
static const struct { const char *n, *want; } factorials[] = {
	{ "0", "0! = 1\n" },
	{ "5", "5! = 120\n" },
	{ "10", "10! = 3628800\n" },
	{ "12", "12! = 479001600\n" },
	{ "13", "13! = 1932053504\n" },	/* 6227020800 mod 2^32 */
	{ "33", "33! = 2147483648\n" },
	{ "34", "34! = 0\n" },
	{ "0x7", "7! = 5040\n" },
};

static void check_factorials(const char *attr, int irqs_each)
{
	for (size_t i = 0; i < sizeof(factorials) / sizeof(factorials[0]); i++) {
		unsigned long long before = out_number("cat " EDU_ATTR "irq_count");
		unsigned long long proc = proc_irq_count();
		char *cmd = NULL;

		CU_ASSERT(asprintf(&cmd, "echo %s > " EDU_ATTR "%s && cat " EDU_ATTR "%s",
				   factorials[i].n, attr, attr) > 0);
		expect_out(cmd, factorials[i].want);
		free(cmd);
		CU_ASSERT_EQUAL(out_number("cat " EDU_ATTR "irq_count"),
				before + irqs_each);
		CU_ASSERT_EQUAL(proc_irq_count(), proc + irqs_each);
	}
}

static void test_factorial_poll(void)
{
	check_factorials("factorial_poll", 0);
}

static void test_factorial_irq(void)
{
	check_factorials("factorial_irq", 1);
}

static void test_invalid_input(void)
{
	expect_out("echo 6 > " EDU_ATTR "factorial_poll", "");
	expect_fail("echo abc > " EDU_ATTR "factorial_poll", "Invalid argument");
	expect_fail("echo abc > " EDU_ATTR "factorial_irq", "Invalid argument");
	expect_fail("echo -1 > " EDU_ATTR "factorial_poll", "Invalid argument");
	expect_fail("echo xyz > " EDU_ATTR "liveness", "Invalid argument");
	expect_fail("echo 4294967296 > " EDU_ATTR "factorial_poll",
		    "Numerical result out of range");
	/* A refused write changes nothing. */
	expect_out("cat " EDU_ATTR "factorial_poll", "6! = 720\n");
	expect_fail("echo 1 > " EDU_ATTR "id", "Permission denied");
}

/* Until the device is idle again (at most 120 s), 5! by polling. */
#define WAIT_IDLE	"i=0; until echo 5 > " EDU_ATTR "factorial_poll && " \
			"dd if=" EDU_ATTR "factorial_poll bs=64 count=1 2>/dev/null; do " \
			"i=$((i + 1)); [ $i -lt 120 ] || exit 1; sleep 1; done"

static void test_huge_n_times_out(void)
{
	unsigned long long count;

	/*
	 * QEMU multiplies 2^32 - 1 times: seconds.  dd reads once (busybox
	 * cat would retry with read() after its sendfile() failed).
	 */
	expect_fail("echo 0xffffffff > " EDU_ATTR "factorial_poll && "
		    "dd if=" EDU_ATTR "factorial_poll bs=64 count=1",
		    "Connection timed out");
	/* The device ignores a new n while computing: the driver says busy. */
	expect_fail("dd if=" EDU_ATTR "factorial_irq bs=64 count=1",
		    "Device or resource busy");
	expect_out(WAIT_IDLE, "5! = 120\n");

	/* The same by interrupt; its interrupt comes after we gave up. */
	count = out_number("cat " EDU_ATTR "irq_count");
	expect_fail("echo 0xffffffff > " EDU_ATTR "factorial_irq && "
		    "dd if=" EDU_ATTR "factorial_irq bs=64 count=1",
		    "Connection timed out");
	expect_out(WAIT_IDLE, "5! = 120\n");
	/* The late interrupt is counted, and does not fool the next wait. */
	expect_out("echo 8 > " EDU_ATTR "factorial_irq && cat " EDU_ATTR "factorial_irq",
		   "8! = 40320\n");
	CU_ASSERT_EQUAL(out_number("cat " EDU_ATTR "irq_count"), count + 2);
}

static void test_rmmod(void)
{
	uint64_t cursor = 0;
	char *text, *undo;

	kmsg_skip(&cursor);
	expect_out("rmmod edu_mmio && ls " EDU_DEV " | grep -cx -e driver -e edu; true",
		   "0\n");
	text = kmsg_new(&cursor);
	undo = undo_steps(text);
	/* Exactly the reverse of probe. */
	CU_ASSERT_STRING_EQUAL(undo, "free_irq() pci_free_irq_vectors() "
			       "pci_clear_master() pci_iounmap() "
			       "pci_release_region() pci_disable_device()");
	free(undo);
	free(text);
	check_no_edu_mmio_trace();
	/*
	 * pci_disable_device() clears bus mastering (and MSI went with the
	 * vectors), but leaves memory decoding on: Mem+ stays.
	 */
	expect_out("lspci -vv -s " EDU_BDF " | grep -oE 'Mem[+-] BusMaster[+-]|DisINTx[+-]|MSI: Enable[+-]'",
		   "Mem+ BusMaster-\nDisINTx-\nMSI: Enable-\n");
	expect_out("cat " EDU_DEV "/enable", "0\n");
}

/* ---- probe's error paths (suite "ch3 MMIO probe unwinding") ---- */

static int unwind_init(void)
{
	vm = tv_boot(NULL);
	return vm ? 0 : 1;
}

static void test_cycles(void)
{
	char *before = tv_out(vm, IOREMAPS), *after;

	tv_module_cycles(vm, "edu_mmio", NULL,
			 "[ \"$(cat " EDU_ATTR "id)\" = 0x010000ed ]");
	after = tv_out(vm, IOREMAPS);	/* no mapping left behind */
	CU_ASSERT_STRING_EQUAL(after, before);
	free(before);
	free(after);
}

/*
 * The probe steps in order: the name fail_probe_at takes, what undoes the
 * step, and the error probe then returns.  pci_set_master() cannot fail
 * (no name), but it has an undo.
 */
static const struct {
	const char *step, *undo;
	int err;
} steps[] = {
	{ "enable", "pci_disable_device()", -5 },
	{ "region", "pci_release_region()", -16 },
	{ "iomap", "pci_iounmap()", -12 },
	{ "id", NULL, -19 },
	{ "liveness", NULL, -5 },
	{ NULL, "pci_clear_master()", 0 },
	{ "vectors", "pci_free_irq_vectors()", -28 },
	{ "irq", "free_irq()", -16 },
	{ "irqtest", NULL, -110 },
};

static void fail_at(const char *step)
{
	char want_undo[512] = "", *before, *after, *text, *undo, *line = NULL,
	     *cmd = NULL;
	size_t k = 0, n = sizeof(steps) / sizeof(steps[0]);
	uint64_t cursor = 0;
	int said;

	while (k < n && !(steps[k].step && !strcmp(steps[k].step, step)))
		k++;
	CU_ASSERT_FATAL(k < n);
	for (size_t i = k; i-- > 0;) {
		if (!steps[i].undo)
			continue;
		if (*want_undo)
			strcat(want_undo, " ");
		strcat(want_undo, steps[i].undo);
	}

	before = tv_out(vm, SNAPSHOT);
	kmsg_skip(&cursor);
	/* insmod succeeds: the driver registers; only its probe fails. */
	CU_ASSERT(asprintf(&cmd, INSMOD " fail_probe_at=%s dyndbg=+p && "
			   "ls /sys/bus/pci/drivers/edu_mmio", step) > 0);
	expect_out(cmd, "bind\nmodule\nnew_id\nremove_id\nuevent\nunbind\n");
	free(cmd);
	expect_out("ls " EDU_DEV " | grep -cx -e driver -e edu; true", "0\n");

	text = kmsg_new(&cursor);
	CU_ASSERT(asprintf(&line, DEV_MSG "fail_probe_at=%s: failing this step on purpose\n"
			   DEV_MSG "%s: ", step, step) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, line));
	if (!strstr(text, line))
		fprintf(stderr, "\nwant in dmesg: %s\ngot:\n%s", line, text);
	free(line);
	undo = undo_steps(text);
	CU_ASSERT_STRING_EQUAL(undo, want_undo);
	if (strcmp(undo, want_undo))
		fprintf(stderr, "\nundo steps: want '%s', got '%s'\n", want_undo, undo);
	free(undo);
	/* The driver core reports the error, except the quiet -ENODEV:
	 * "edu_mmio: probe of BDF failed with error E" up to 6.2,
	 * "edu_mmio BDF: probe with driver edu_mmio failed with error E" since. */
	CU_ASSERT(asprintf(&line, "edu_mmio: probe of " EDU_BDF " failed with error %d\n",
			   steps[k].err) > 0);
	said = tv_count(text, line);
	free(line);
	CU_ASSERT(asprintf(&line, "edu_mmio " EDU_BDF ": probe with driver edu_mmio "
			   "failed with error %d\n", steps[k].err) > 0);
	said += tv_count(text, line);
	CU_ASSERT_EQUAL(said, steps[k].err == -19 ? 0 : 1);
	free(line);
	CU_ASSERT_EQUAL(tv_count(text, "Call Trace"), 0);
	free(text);

	expect_out("rmmod edu_mmio", "");
	after = tv_out(vm, SNAPSHOT);
	CU_ASSERT_STRING_EQUAL(after, before);
	if (strcmp(after, before))
		fprintf(stderr, "\nbefore:\n%s\nafter:\n%s\n", before, after);
	free(before);
	free(after);
}

#define FAIL_TEST(name) static void test_fail_##name(void) { fail_at(#name); }
FAIL_TEST(enable)
FAIL_TEST(region)
FAIL_TEST(iomap)
FAIL_TEST(id)
FAIL_TEST(liveness)
FAIL_TEST(vectors)
FAIL_TEST(irq)
FAIL_TEST(irqtest)

/* ---- legacy INTx (suite "ch3 MMIO legacy INTx") ---- */

static int legacy_init(void)
{
	struct vm_options o = { .append = "pci=nomsi" };

	vm = tv_boot(&o);
	return vm ? 0 : 1;
}

static void test_legacy_irq(void)
{
	unsigned long long proc;

	expect_out(INSMOD " && cat " EDU_ATTR "irq_mode " EDU_ATTR "irq_count",
		   "legacy\n1\n");
	/* The IO-APIC line of pin A, as sysfs names it, level-triggered. */
	expect_out("i=$(cat " EDU_DEV "/irq); awk -v i=$i: '$1 == i { print $3, $NF }' /proc/interrupts",
		   "IO-APIC edu_mmio\n");
	expect_out("i=$(cat " EDU_DEV "/irq); grep -c \" $i-fasteoi .*edu_mmio\" /proc/interrupts",
		   "1\n");
	expect_out("lspci -vv -s " EDU_BDF " | grep -oE 'Mem[+-] BusMaster[+-]|DisINTx[+-]|MSI: Enable[+-]'",
		   "Mem+ BusMaster+\nDisINTx-\nMSI: Enable-\n");
	proc = proc_irq_count();
	CU_ASSERT_EQUAL(proc, 1);
	expect_out("echo 12 > " EDU_ATTR "factorial_irq && cat " EDU_ATTR "factorial_irq "
		   EDU_ATTR "irq_count", "12! = 479001600\n2\n");
	/* The handler acked: the line dropped, no storm of re-entries. */
	CU_ASSERT_EQUAL(proc_irq_count(), proc + 1);
	expect_out("echo 10 > " EDU_ATTR "factorial_poll && cat " EDU_ATTR "factorial_poll "
		   EDU_ATTR "irq_count", "10! = 3628800\n2\n");
	expect_out("rmmod edu_mmio", "");
	check_no_edu_mmio_trace();
}

static void test_legacy_cycles(void)
{
	tv_module_cycles(vm, "edu_mmio", NULL,
			 "echo 5 > " EDU_ATTR "factorial_irq && "
			 "[ \"$(cat " EDU_ATTR "factorial_irq)\" = '5! = 120' ]");
}

/* ---- no edu device (suite "ch3 MMIO without edu") ---- */

static int no_edu_init(void)
{
	struct vm_options o = { .no_edu = true };

	vm = tv_boot(&o);
	return vm ? 0 : 1;
}

static void test_no_edu(void)
{
	uint64_t cursor = 0;
	char *text;
	int n;

	expect_out("lspci -n | grep -c 1234:11e8; true", "0\n");
	kmsg_skip(&cursor);
	/* Nothing to bind: the driver waits, registered, with no device. */
	expect_out(INSMOD " && ls /sys/bus/pci/drivers/edu_mmio",
		   "bind\nmodule\nnew_id\nremove_id\nuevent\nunbind\n");
	expect_out("rmmod edu_mmio", "");
	text = kmsg_new(&cursor);
	/* At most the kernel's taint notices name the module. */
	n = tv_count(text, "edu_mmio: loading out-of-tree module taints kernel.\n") +
	    tv_count(text, "edu_mmio: module verification failed: signature and/or required key missing - tainting kernel\n");
	CU_ASSERT_EQUAL(tv_count(text, "edu_mmio"), n);
	if (tv_count(text, "edu_mmio") != n)
		fprintf(stderr, "\nkernel messages:\n%s", text);
	CU_ASSERT_EQUAL(tv_count(text, "Call Trace"), 0);
	free(text);
	tv_module_cycles(vm, "edu_mmio", NULL, NULL);
}

/* ---- sparse sees the plain dereference (suite "ch3 sparse") ---- */

static const char bad_c[] =
	"// SPDX-License-Identifier: GPL-2.0\n"
	"/* What edu_mmio.c must never do: touch __iomem as memory. */\n"
	"#include <linux/io.h>\n"
	"#include <linux/module.h>\n"
	"\n"
	"u32 with_cast(void __iomem *regs);\n"
	"u32 with_cast(void __iomem *regs)\n"
	"{\n"
	"\tu32 v = *(u32 *)regs;\n"		/* line 9 */
	"\n"
	"\treturn v;\n"
	"}\n"
	"\n"
	"u32 without_cast(u32 __iomem *regs);\n"
	"u32 without_cast(u32 __iomem *regs)\n"
	"{\n"
	"\treturn *regs;\n"			/* line 17 */
	"}\n"
	"\n"
	"u32 the_right_way(void __iomem *regs);\n"
	"u32 the_right_way(void __iomem *regs)\n"
	"{\n"
	"\treturn readl(regs);\n"
	"}\n"
	"MODULE_LICENSE(\"GPL\");\n";

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void test_sparse_iomem(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], *cmd = NULL, out[16384];
	size_t got;
	FILE *f;

	/* Under build/, never in the source tree. */
	tv_path(dir, sizeof(dir), "ch3-sparse");
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/Kbuild", dir);
	CU_ASSERT_EQUAL_FATAL(write_file(path, "obj-m := iomem_deref.o\n"), 0);
	snprintf(path, sizeof(path), "%s/iomem_deref.c", dir);
	CU_ASSERT_EQUAL_FATAL(write_file(path, bad_c), 0);

	CU_ASSERT_FATAL(asprintf(&cmd, "make -s -C /usr/src/linux-headers-%s M=%s C=2 modules 2>&1",
				 tv_kver, dir) > 0);
	f = popen(cmd, "r");
	free(cmd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	got = fread(out, 1, sizeof(out) - 1, f);
	out[got] = '\0';
	CU_ASSERT_EQUAL(pclose(f), 0);	/* sparse warns; the build goes on */

	CU_ASSERT_PTR_NOT_NULL(strstr(out, "iomem_deref.c:9:19: warning: cast removes address space '__iomem' of expression"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "iomem_deref.c:17:17: warning: dereference of noderef expression"));
	/* readl() is clean: exactly those two warnings. */
	CU_ASSERT_EQUAL(tv_count(out, "warning:"), 2);
	if (tv_count(out, "warning:") != 2 || !strstr(out, ":9:19: warning: cast removes"))
		fprintf(stderr, "\nsparse said:\n%s\n", out);
}

void register_ch3_tests(void)
{
	CU_pSuite s;

	s = CU_add_suite("ch3 MMIO edu_mmio", bound_init, suite_cleanup);
	CU_add_test(s, "before insmod: no decoding, no mastering", test_before_insmod);
	CU_add_test(s, "insmod binds: id, dmesg, iomem, lspci, interrupts", test_insmod_binds);
	CU_add_test(s, "liveness reads back the inverse, as QEMU sees", test_liveness);
	CU_add_test(s, "factorials by polling: no interrupt", test_factorial_poll);
	CU_add_test(s, "factorials by interrupt: one each", test_factorial_irq);
	CU_add_test(s, "invalid input is refused", test_invalid_input);
	CU_add_test(s, "a huge n times out, then busy, then recovers", test_huge_n_times_out);
	CU_add_test(s, "rmmod undoes probe in reverse order", test_rmmod);

	s = CU_add_suite("ch3 MMIO probe unwinding", unwind_init, suite_cleanup);
	CU_add_test(s, "load and unload twice leave no trace", test_cycles);
	CU_add_test(s, "fail at enable", test_fail_enable);
	CU_add_test(s, "fail at region", test_fail_region);
	CU_add_test(s, "fail at iomap", test_fail_iomap);
	CU_add_test(s, "fail at id", test_fail_id);
	CU_add_test(s, "fail at liveness", test_fail_liveness);
	CU_add_test(s, "fail at vectors", test_fail_vectors);
	CU_add_test(s, "fail at irq", test_fail_irq);
	CU_add_test(s, "fail at irqtest", test_fail_irqtest);

	s = CU_add_suite("ch3 MMIO legacy INTx", legacy_init, suite_cleanup);
	CU_add_test(s, "pci=nomsi: a shared IO-APIC line, acked", test_legacy_irq);
	CU_add_test(s, "load and unload twice leave no trace", test_legacy_cycles);

	s = CU_add_suite("ch3 MMIO without edu", no_edu_init, suite_cleanup);
	CU_add_test(s, "loads, binds nothing, unloads quietly", test_no_edu);

	s = CU_add_suite("ch3 sparse", NULL, NULL);
	CU_add_test(s, "a plain __iomem dereference is flagged", test_sparse_iomem);
}
