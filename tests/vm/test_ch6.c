// SPDX-License-Identifier: MIT
/*
 * test_ch6.c - chapter 6, DMA mapping and the IOMMU: kmod/edu_dma.c.
 *
 * The module's own report is checked against what it does not control:
 * guest physical memory read by QEMU on the host (vm_read_phys), QEMU's
 * log, /proc/iomem, /proc/interrupts, lspci and the IOMMU group in sysfs.
 */
#define _GNU_SOURCE
#include "common.h"

#include "edu.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KO		"/lib/modules/$(uname -r)/extra/edu_dma.ko"
#define DBG		"/sys/kernel/debug/edu_dma"
#define DRV		"/sys/bus/pci/drivers/edu_dma"
#define PLAIN_BDF	"0000:00:02.0"
#define RAM_TOP		(256ull << 20)	/* the lab VM's RAM, all under 2^28 */

static struct vm *plain_vm, *iommu_vm, *noedu_vm;

/* The last run, as the module reports it. */
struct report {
	unsigned long long run, count, irqs, irqs_total, verified;
	unsigned long long to_dma, to_phys, from_dma, from_phys;
	char mode[16], result[16], cpu_map[16], mask[32], iommu[8], domain[16];
};

static unsigned long long num_field(const char *text, const char *key)
{
	char *v = tv_field(text, key), *end = NULL;
	unsigned long long n;

	CU_ASSERT_PTR_NOT_NULL(v);
	if (!v) {
		fprintf(stderr, "\nno '%s=' in the report:\n%s\n", key, text);
		return ~0ull;
	}
	n = strtoull(v, &end, 0);
	CU_ASSERT(end != v && *end == '\0');
	free(v);
	return n;
}

static void str_field(const char *text, const char *key, char *out, size_t n)
{
	char *v = tv_field(text, key);

	CU_ASSERT_PTR_NOT_NULL(v);
	snprintf(out, n, "%s", v ? v : "");
	free(v);
}

static void read_report(struct vm *vm, struct report *r)
{
	char *t = tv_out(vm, "cat " DBG "/report");

	r->run = num_field(t, "run");
	r->count = num_field(t, "count");
	r->irqs = num_field(t, "irqs");
	r->irqs_total = num_field(t, "irqs_total");
	r->verified = num_field(t, "verified");
	r->to_dma = num_field(t, "to_device_dma");
	r->to_phys = num_field(t, "to_device_phys");
	r->from_dma = num_field(t, "from_device_dma");
	r->from_phys = num_field(t, "from_device_phys");
	str_field(t, "mode", r->mode, sizeof(r->mode));
	str_field(t, "result", r->result, sizeof(r->result));
	str_field(t, "cpu_map", r->cpu_map, sizeof(r->cpu_map));
	str_field(t, "mask", r->mask, sizeof(r->mask));
	str_field(t, "iommu", r->iommu, sizeof(r->iommu));
	str_field(t, "iommu_domain", r->domain, sizeof(r->domain));
	free(t);
}

/* Runs "MODE COUNT" through the device; the write must succeed. */
static void do_run(struct vm *vm, const char *mode, int count,
		   struct report *before, struct report *after)
{
	char cmd[128];

	read_report(vm, before);
	snprintf(cmd, sizeof(cmd), "echo '%s %d' > " DBG "/run", mode, count);
	free(tv_out(vm, cmd));
	read_report(vm, after);

	CU_ASSERT_EQUAL(after->run, before->run + 1);
	CU_ASSERT_STRING_EQUAL(after->mode, mode);
	CU_ASSERT_EQUAL(after->count, (unsigned long long)count);
	CU_ASSERT_STRING_EQUAL(after->result, "ok");
	CU_ASSERT_EQUAL(after->verified, (unsigned long long)count);
	/* One DMA-done interrupt per leg, and nothing else. */
	CU_ASSERT_EQUAL(after->irqs, 2);
	CU_ASSERT_EQUAL(after->irqs_total, before->irqs_total + 2);
	CU_ASSERT_STRING_EQUAL(after->mask, "0xfffffff");
	/* Every bus address handed to edu fits its 28-bit engine. */
	CU_ASSERT(after->to_dma != 0 && after->to_dma < 1ull << EDU_DMA_BITS);
	CU_ASSERT(after->from_dma != 0 && after->from_dma < 1ull << EDU_DMA_BITS);
}

/*
 * The oracle: QEMU reads guest RAM at phys.  The pattern of run N is byte i
 * = (u8)(i * 7 + N); only the device's DMA put it into the destination.
 */
static void expect_pattern_at(struct vm *vm, unsigned long long phys,
			      size_t count, unsigned long long run)
{
	unsigned char buf[EDU_DMA_BUF_SIZE];
	size_t i;

	CU_ASSERT_FATAL(count <= sizeof(buf));
	memset(buf, 0, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(vm_read_phys(vm, phys, buf, count), 0);
	for (i = 0; i < count; i++)
		if (buf[i] != (unsigned char)(i * 7 + run))
			break;
	CU_ASSERT_EQUAL(i, count);
	if (i != count)
		fprintf(stderr, "\nphys 0x%llx byte %zu: 0x%02x, want 0x%02x\n",
			phys, i, buf[i], (unsigned char)(i * 7 + run));
}

/* True when [phys, phys + len) lies in a "System RAM" range of /proc/iomem. */
static bool in_system_ram(struct vm *vm, unsigned long long phys, size_t len)
{
	char *t = tv_out(vm, "grep ' : System RAM$' /proc/iomem"), *save = NULL;
	unsigned long long lo, hi;
	bool found = false;

	for (char *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (sscanf(l, " %llx-%llx", &lo, &hi) == 2 &&
		    phys >= lo && phys + len - 1 <= hi)
			found = true;
	free(t);
	return found;
}

/* The count /proc/interrupts shows for edu_dma; *line gets its text. */
static unsigned long long proc_interrupts(struct vm *vm, char **line)
{
	unsigned long long n = ~0ull;

	*line = tv_out(vm, "grep ' edu_dma$' /proc/interrupts");
	CU_ASSERT_EQUAL(tv_count(*line, "\n"), 1);
	CU_ASSERT_EQUAL(sscanf(*line, " %*u: %llu", &n), 1);
	return n;
}

/* QEMU's own output: edu complains there ("EDU: DMA range ... out of bounds"). */
static bool qemu_log_has(struct vm *vm, const char *needle)
{
	FILE *f = fopen(vm_qemu_log_path(vm), "r");
	char line[1024];
	bool found = false;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle);
	fclose(f);
	return found;
}

static struct vm *boot_with_module(const struct vm_options *o)
{
	struct vm *vm = tv_boot(o);
	struct vm_result r;

	if (!vm)
		return NULL;
	if (vm_sh(vm, "insmod " KO, 30000, &r) || r.verdict != VM_OK ||
	    r.exit_code) {
		fprintf(stderr, "insmod edu_dma: %s%s\n", r.err, r.message);
		vm_result_free(&r);
		vm_free(vm);
		return NULL;
	}
	vm_result_free(&r);
	return vm;
}

/* ---- suite: the plain profile (no IOMMU) ---- */

static int plain_init(void)
{
	plain_vm = boot_with_module(NULL);
	return plain_vm ? 0 : 1;
}

static int plain_cleanup(void)
{
	vm_free(plain_vm);
	plain_vm = NULL;
	return 0;
}

static void test_plain_probe(void)
{
	struct report r;
	char *t;

	read_report(plain_vm, &r);
	CU_ASSERT_EQUAL(r.run, 0);
	CU_ASSERT_STRING_EQUAL(r.mode, "none");
	CU_ASSERT_STRING_EQUAL(r.result, "none");
	CU_ASSERT_EQUAL(r.irqs_total, 0);
	CU_ASSERT_STRING_EQUAL(r.mask, "0xfffffff");
	CU_ASSERT_STRING_EQUAL(r.iommu, "no");
	CU_ASSERT_STRING_EQUAL(r.domain, "none");
	t = tv_out(plain_vm, "cat " DBG "/report");
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\ncoherent_mask=0xfffffff\n"));
	free(t);

	/* The driver holds edu; no IOMMU group exists for it. */
	t = tv_out(plain_vm, "ls " DRV " | grep 0000; "
		   "test -e /sys/bus/pci/devices/" PLAIN_BDF "/iommu_group || "
		   "echo no-group");
	CU_ASSERT_STRING_EQUAL(t, PLAIN_BDF "\nno-group\n");
	free(t);

	/* lspci, reading config space: bus master on, MSI on with 1 vector. */
	t = tv_out(plain_vm, "lspci -v -s " PLAIN_BDF);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "Flags: bus master"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "MSI: Enable+ Count=1/1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "Kernel driver in use: edu_dma"));
	free(t);

	/* The BAR is claimed under the driver's name. */
	t = tv_out(plain_vm, "grep -c ' : edu_dma$' /proc/iomem");
	CU_ASSERT_STRING_EQUAL(t, "1\n");
	free(t);
}

static void test_plain_streaming(void)
{
	struct report b, a;

	do_run(plain_vm, "streaming", EDU_DMA_MAX_COUNT, &b, &a);
	/* No IOMMU and no bus offset on x86: the DMA address is physical. */
	CU_ASSERT_EQUAL(a.to_dma, a.to_phys);
	CU_ASSERT_EQUAL(a.from_dma, a.from_phys);
	CU_ASSERT_NOT_EQUAL(a.to_phys, a.from_phys);
	CU_ASSERT(a.to_phys < RAM_TOP && a.from_phys < RAM_TOP);
	CU_ASSERT_STRING_EQUAL(a.cpu_map, "direct");
	CU_ASSERT_TRUE(in_system_ram(plain_vm, a.to_phys, a.count));
	CU_ASSERT_TRUE(in_system_ram(plain_vm, a.from_phys, a.count));
	expect_pattern_at(plain_vm, a.from_phys, a.count, a.run);

	/* A second run sends a different pattern to a fresh buffer. */
	do_run(plain_vm, "streaming", 1, &b, &a);
	expect_pattern_at(plain_vm, a.from_phys, 1, a.run);
}

static void test_plain_coherent(void)
{
	struct report b, a;

	do_run(plain_vm, "coherent", 100, &b, &a);
	CU_ASSERT_EQUAL(a.to_dma, a.to_phys);
	CU_ASSERT_EQUAL(a.from_dma, a.from_phys);
	/* Source and destination are the two pages of one allocation. */
	CU_ASSERT_EQUAL(a.from_dma, a.to_dma + 4096);
	CU_ASSERT_EQUAL(a.to_phys % 4096, 0);
	CU_ASSERT_STRING_EQUAL(a.cpu_map, "direct");
	CU_ASSERT_TRUE(in_system_ram(plain_vm, a.to_phys, 8192));
	/* The whole allocation is kept: the source page still holds the
	 * pattern, and the device copied it into the second page. */
	expect_pattern_at(plain_vm, a.to_phys, a.count, a.run);
	expect_pattern_at(plain_vm, a.from_phys, a.count, a.run);
}

static void test_plain_interrupts(void)
{
	struct report r;
	char *line, *t;
	unsigned int irq = 0;

	read_report(plain_vm, &r);
	CU_ASSERT(r.irqs_total >= 6);	/* three runs so far, two legs each */
	CU_ASSERT_EQUAL(proc_interrupts(plain_vm, &line), r.irqs_total);
	/* "PCI-MSI 32768-edge" on 6.1, "PCI-MSI-0000:00:02.0 0-edge" on 6.12 */
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " PCI-MSI"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "-edge "));
	CU_ASSERT_EQUAL(sscanf(line, " %u:", &irq), 1);
	free(line);

	/* sysfs names the same Linux IRQ as edu's one MSI vector. */
	t = tv_out(plain_vm, "ls /sys/bus/pci/devices/" PLAIN_BDF "/msi_irqs");
	CU_ASSERT_EQUAL(strtoul(t, NULL, 10), irq);
	CU_ASSERT_EQUAL(tv_count(t, "\n"), 1);
	free(t);
}

static void test_plain_refused_counts(void)
{
	static const char *const bad[] = {
		"streaming 4096", "coherent 4096", "streaming 0", "coherent 0",
		"streaming -1", "streaming 12x", "streaming", "sideways 10",
	};
	unsigned int restarts = vm_restarts(plain_vm);
	struct report b, a;
	struct vm_result r;
	char cmd[128], *t;

	read_report(plain_vm, &b);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd), "echo '%s' > " DBG "/run", bad[i]);
		tv_sh(plain_vm, cmd, 30000, &r);
		CU_ASSERT_EQUAL(r.verdict, VM_OK);
		CU_ASSERT_EQUAL(r.exit_code, 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "Invalid argument"));
		vm_result_free(&r);
	}
	/* Nothing ran; the device was never started. */
	read_report(plain_vm, &a);
	CU_ASSERT_EQUAL(a.run, b.run);
	CU_ASSERT_EQUAL(a.irqs_total, b.irqs_total);

	/* The module said why, for the two out-of-range counts. */
	t = tv_out(plain_vm, "dmesg | grep -c 'refused: 1 to 4095 bytes; QEMU 7.2 aborts'");
	CU_ASSERT_STRING_EQUAL(t, "4\n");
	free(t);

	/* QEMU is alive, never complained, and the same VM still works. */
	CU_ASSERT_EQUAL(vm_state(plain_vm), VM_READY);
	CU_ASSERT_EQUAL(vm_restarts(plain_vm), restarts);
	CU_ASSERT_FALSE(qemu_log_has(plain_vm, "out of bounds"));
	CU_ASSERT_FALSE(qemu_log_has(plain_vm, "EDU:"));
	do_run(plain_vm, "streaming", 10, &b, &a);
	CU_ASSERT_EQUAL(vm_restarts(plain_vm), restarts);
}

static void test_plain_no_bus_master(void)
{
	struct report r;
	struct vm_result res;
	char *t;

	/*
	 * Clear Bus Master in the command register behind the driver's back
	 * (mask 0x4 changes only that bit): the device's DMA and its MSI, both
	 * memory writes of its own, go nowhere, and the run times out.
	 */
	t = tv_out(plain_vm, "setpci -s " PLAIN_BDF " COMMAND=0:4; "
		   "setpci -s " PLAIN_BDF " COMMAND");
	CU_ASSERT_STRING_EQUAL(t, "0402\n");	/* INTx off, memory on */
	free(t);
	tv_sh(plain_vm, "echo 'streaming 100' > " DBG "/run", 60000, &res);
	CU_ASSERT_EQUAL(res.verdict, VM_OK);
	CU_ASSERT_EQUAL(res.exit_code, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "Connection timed out"));
	CU_ASSERT(res.elapsed_ms >= 5000);
	vm_result_free(&res);
	read_report(plain_vm, &r);
	CU_ASSERT_STRING_EQUAL(r.result, "error");
	CU_ASSERT_EQUAL(r.irqs, 0);
	CU_ASSERT_EQUAL(r.verified, 0);
	t = tv_out(plain_vm, "grep -x error=-110 " DBG "/report; "
		   "dmesg | grep -c 'did not finish within 5000 ms'");
	CU_ASSERT_STRING_EQUAL(t, "error=-110\n1\n");
	free(t);

	/* Fenced: no more runs until the module is loaded again. */
	tv_sh(plain_vm, "echo 'streaming 100' > " DBG "/run", 60000, &res);
	CU_ASSERT_EQUAL(res.exit_code, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err, "Input/output error"));
	vm_result_free(&res);
	t = tv_out(plain_vm, "rmmod edu_dma && insmod " KO " && "
		   "setpci -s " PLAIN_BDF " COMMAND && "
		   "echo 'streaming 100' > " DBG "/run && "
		   "grep -x -e result=ok -e irqs=2 " DBG "/report");
	CU_ASSERT_STRING_EQUAL(t, "0406\nirqs=2\nresult=ok\n");
	free(t);
}

static void test_plain_unbind_mid_transfer(void)
{
	struct report b, a;
	char *t;

	/*
	 * A run takes two ~100 ms legs; unbinding 100 ms in must wait for it
	 * (the write still succeeds) and then leave nothing behind.
	 */
	t = tv_out(plain_vm,
		   "(echo 'streaming 4095' > " DBG "/run; echo write=$? >> /tmp/seq) & "
		   "sleep 0.1; echo unbinding >> /tmp/seq; "
		   "echo " PLAIN_BDF " > " DRV "/unbind; echo unbound >> /tmp/seq; "
		   "wait; cat /tmp/seq; test -e " DBG " || echo no-debugfs; "
		   "grep -c edu_dma /proc/interrupts /proc/iomem; true");
	CU_ASSERT_STRING_EQUAL(t, "unbinding\nwrite=0\nunbound\nno-debugfs\n"
			       "/proc/interrupts:0\n/proc/iomem:0\n");
	free(t);
	CU_ASSERT_FALSE(qemu_log_has(plain_vm, "EDU:"));

	/* Bound again, it starts afresh and works. */
	free(tv_out(plain_vm, "echo " PLAIN_BDF " > " DRV "/bind"));
	do_run(plain_vm, "streaming", 64, &b, &a);
	CU_ASSERT_EQUAL(a.run, 1);
	CU_ASSERT_EQUAL(a.irqs_total, 2);
}

static void test_plain_module_cycles(void)
{
	char *t = tv_out(plain_vm, "rmmod edu_dma && "
			 "grep -c edu_dma /proc/interrupts /proc/iomem; true");

	CU_ASSERT_STRING_EQUAL(t, "/proc/interrupts:0\n/proc/iomem:0\n");
	free(t);
	tv_module_cycles(plain_vm, "edu_dma", NULL,
			 "echo 'streaming 4095' > " DBG "/run && "
			 "grep -qx result=ok " DBG "/report");
	CU_ASSERT_FALSE(qemu_log_has(plain_vm, "EDU:"));
}

/* ---- suite: the IOMMU profile (q35 + intel-iommu) ---- */

static int iommu_init(void)
{
	struct vm_options o = { .iommu = true };

	iommu_vm = boot_with_module(&o);
	return iommu_vm ? 0 : 1;
}

static int iommu_cleanup(void)
{
	vm_free(iommu_vm);
	iommu_vm = NULL;
	return 0;
}

/* sysfs's name for edu's IOMMU domain type, found through lspci. */
static char *iommu_group_type(struct vm *vm)
{
	return tv_out(vm, "cat /sys/bus/pci/devices/$(lspci -D -d 1234:11e8 | "
		      "cut -d' ' -f1)/iommu_group/type");
}

static void test_iommu_streaming(void)
{
	struct report b, a;
	char *t;

	do_run(iommu_vm, "streaming", EDU_DMA_MAX_COUNT, &b, &a);
	/* The device was given IOVAs, not the buffers' physical addresses. */
	CU_ASSERT_NOT_EQUAL(a.to_dma, a.to_phys);
	CU_ASSERT_NOT_EQUAL(a.from_dma, a.from_phys);
	CU_ASSERT_TRUE(in_system_ram(iommu_vm, a.to_phys, a.count));
	CU_ASSERT_TRUE(in_system_ram(iommu_vm, a.from_phys, a.count));
	CU_ASSERT_STRING_EQUAL(a.iommu, "yes");
	t = iommu_group_type(iommu_vm);
	t[strcspn(t, "\n")] = '\0';
	CU_ASSERT_STRING_EQUAL(a.domain, t);
	CU_ASSERT(!strcmp(t, "DMA") || !strcmp(t, "DMA-FQ"));
	free(t);
	/* The IOMMU translated the IOVA: the bytes are at the physical page. */
	expect_pattern_at(iommu_vm, a.from_phys, a.count, a.run);
}

static void test_iommu_coherent(void)
{
	struct report b, a;

	do_run(iommu_vm, "coherent", 100, &b, &a);
	CU_ASSERT_NOT_EQUAL(a.to_dma, a.to_phys);
	CU_ASSERT_NOT_EQUAL(a.from_dma, a.from_phys);
	/* Contiguous for the device (one IOVA range) ... */
	CU_ASSERT_EQUAL(a.from_dma, a.to_dma + 4096);
	/* ... but the CPU sees the pages through a vmap. */
	CU_ASSERT_STRING_EQUAL(a.cpu_map, "vmalloc");
	CU_ASSERT_TRUE(in_system_ram(iommu_vm, a.to_phys, 4096));
	CU_ASSERT_TRUE(in_system_ram(iommu_vm, a.from_phys, 4096));
	expect_pattern_at(iommu_vm, a.to_phys, a.count, a.run);
	expect_pattern_at(iommu_vm, a.from_phys, a.count, a.run);
}

static void test_iommu_interrupts(void)
{
	struct report r;
	char *line;

	read_report(iommu_vm, &r);
	CU_ASSERT_EQUAL(r.irqs_total, 4);
	CU_ASSERT_EQUAL(proc_interrupts(iommu_vm, &line), r.irqs_total);
	/* With interrupt remapping, the MSI goes through the IOMMU too. */
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " IR-PCI-MSI"));
	free(line);
	CU_ASSERT_FALSE(qemu_log_has(iommu_vm, "EDU:"));
}

/* ---- suite: no edu device ---- */

static int noedu_init(void)
{
	struct vm_options o = { .no_edu = true };

	noedu_vm = tv_boot(&o);
	return noedu_vm ? 0 : 1;
}

static int noedu_cleanup(void)
{
	vm_free(noedu_vm);
	noedu_vm = NULL;
	return 0;
}

static void test_noedu_load_unload(void)
{
	char *t;

	/* The driver registers, finds nothing to bind, and creates no files. */
	t = tv_out(noedu_vm, "lspci -d 1234:11e8 | wc -l; insmod " KO " && "
		   "ls " DRV " | grep -c 0000; test -e " DBG " || echo no-debugfs; "
		   "rmmod edu_dma && dmesg | grep edu_dma | "
		   "grep -v -e 'taints kernel' -e 'verification failed' | wc -l");
	CU_ASSERT_STRING_EQUAL(t, "0\n0\nno-debugfs\n0\n");
	free(t);
	tv_module_cycles(noedu_vm, "edu_dma", NULL, "test ! -e " DBG);
}

void register_ch6_tests(void)
{
	CU_pSuite s;

	s = CU_add_suite("ch6 DMA, plain profile", plain_init, plain_cleanup);
	CU_add_test(s, "probe: bus master, one MSI, 28-bit mask, no IOMMU", test_plain_probe);
	CU_add_test(s, "streaming 4095: through the device and back, dma == phys", test_plain_streaming);
	CU_add_test(s, "coherent 100: one buffer, two pages, dma == phys", test_plain_coherent);
	CU_add_test(s, "/proc/interrupts counts what the handler counted", test_plain_interrupts);
	CU_add_test(s, "counts 4096 and 0 are EINVAL and QEMU lives", test_plain_refused_counts);
	CU_add_test(s, "bus master off: no DMA, no MSI, a timeout", test_plain_no_bus_master);
	CU_add_test(s, "unbind during a transfer waits for it", test_plain_unbind_mid_transfer);
	CU_add_test(s, "load, run, unload twice: nothing leaks", test_plain_module_cycles);
	s = CU_add_suite("ch6 DMA, IOMMU profile", iommu_init, iommu_cleanup);
	CU_add_test(s, "streaming 4095: IOVAs under 2^28, data at phys", test_iommu_streaming);
	CU_add_test(s, "coherent 100: contiguous IOVAs, vmapped pages", test_iommu_coherent);
	CU_add_test(s, "interrupts are remapped MSIs", test_iommu_interrupts);
	s = CU_add_suite("ch6 DMA, no edu device", noedu_init, noedu_cleanup);
	CU_add_test(s, "insmod and rmmod cleanly with nothing to drive", test_noedu_load_unload);
}
