// SPDX-License-Identifier: MIT
/*
 * test_vm.c - suite "controller": the pure helpers of the lab VM controller
 * (vm/vm.c): accelerator choice, the verdict on what happened to a guest,
 * names and words, and a session that cannot start for want of an image.
 */
#define _GNU_SOURCE
#include "vm.h"

#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers ---- */

static bool starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool contains(const char *s, const char *part)
{
	return s && strstr(s, part) != NULL;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

/* ---- vm_accel_pick ---- */

static const char cpu_novmx[] =
	"processor\t: 0\n"
	"vendor_id\t: GenuineIntel\n"
	"model name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\n"
	"flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge "
	"mca cmov pat pse36 clflush mmx fxsr sse sse2 ss syscall nx "
	"rdtscp lm constant_tsc rep_good nopl xtopology cpuid tsc_known_freq "
	"pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 x2apic hypervisor\n"
	"bugs\t\t: cpu_meltdown spectre_v1 spectre_v2\n"
	"\n";

static const char cpu_vmx[] =
	"processor\t: 0\n"
	"vendor_id\t: GenuineIntel\n"
	"model name\t: Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz\n"
	"flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic vmx smx est "
	"tm2 ssse3 sdbg fma cx16\n"
	"vmx flags\t: vnmi preemption_timer invvpid ept_x_only ept_ad\n"
	"\n";

static const char cpu_svm[] =
	"processor\t: 0\n"
	"vendor_id\t: AuthenticAMD\n"
	"model name\t: AMD Ryzen 7 5800X 8-Core Processor\n"
	"flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr "
	"lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a\n"
	"\n";

static const char cpu_vmx_elsewhere[] =
	"processor\t: 0\n"
	"model name\t: vmxfake svm-like CPU\n"
	"flags\t\t: fpu vme de pse\n"
	"\n";

static void check_why(const char *why)
{
	CU_ASSERT_PTR_NOT_NULL(why);
	CU_ASSERT(why && why[0] != '\0');
}

static void test_accel_env(void)
{
	const char *why = NULL;

	CU_ASSERT_EQUAL(vm_accel_pick("kvm", false, NULL, &why), VM_ACCEL_KVM);
	check_why(why);
	why = NULL;
	CU_ASSERT_EQUAL(vm_accel_pick("kvm", false, cpu_novmx, &why),
			VM_ACCEL_KVM);
	check_why(why);
	why = NULL;
	CU_ASSERT_EQUAL(vm_accel_pick("tcg", true, cpu_vmx, &why), VM_ACCEL_TCG);
	check_why(why);
	why = NULL;
	CU_ASSERT_EQUAL(vm_accel_pick("tcg", false, NULL, &why), VM_ACCEL_TCG);
	check_why(why);
}

static void test_accel_no_dev(void)
{
	const char *why = NULL;

	CU_ASSERT_EQUAL(vm_accel_pick(NULL, false, cpu_vmx, &why), VM_ACCEL_TCG);
	check_why(why);
	why = NULL;
	CU_ASSERT_EQUAL(vm_accel_pick(NULL, false, NULL, &why), VM_ACCEL_TCG);
	check_why(why);
}

static void test_accel_dev_without_vmx(void)
{
	const char *why = NULL;

	/* The trap: /dev/kvm opens, but the CPU has no vmx: KVM would hang. */
	CU_ASSERT_EQUAL(vm_accel_pick(NULL, true, cpu_novmx, &why),
			VM_ACCEL_TCG);
	check_why(why);
	why = NULL;
	CU_ASSERT_EQUAL(vm_accel_pick(NULL, true, NULL, &why), VM_ACCEL_TCG);
	check_why(why);
	why = NULL;
	CU_ASSERT_EQUAL(vm_accel_pick(NULL, true, "", &why), VM_ACCEL_TCG);
	check_why(why);
}

static void test_accel_vmx_svm(void)
{
	const char *why = NULL;

	CU_ASSERT_EQUAL(vm_accel_pick(NULL, true, cpu_vmx, &why), VM_ACCEL_KVM);
	check_why(why);
	why = NULL;
	CU_ASSERT_EQUAL(vm_accel_pick(NULL, true, cpu_svm, &why), VM_ACCEL_KVM);
	check_why(why);
	why = NULL;
	CU_ASSERT_EQUAL(vm_accel_pick(NULL, true,
				      "processor\t: 0\nflags\t\t: fpu vme de pse vmx\n",
				      &why), VM_ACCEL_KVM);
	check_why(why);
	why = NULL;
	/* The last line of the text need not end in a newline. */
	CU_ASSERT_EQUAL(vm_accel_pick(NULL, true,
				      "processor\t: 0\nflags\t\t: fpu svm",
				      &why), VM_ACCEL_KVM);
	check_why(why);
}

static void test_accel_vmx_elsewhere(void)
{
	const char *why = NULL;

	CU_ASSERT_EQUAL(vm_accel_pick(NULL, true, cpu_vmx_elsewhere, &why),
			VM_ACCEL_TCG);
	check_why(why);
	why = NULL;
	/* A flags line without vmx before a "vmx flags" line. */
	CU_ASSERT_EQUAL(vm_accel_pick(NULL, true,
				      "processor\t: 0\nflags\t\t: fpu vme\n"
				      "vmx flags\t: vnmi\n", &why),
			VM_ACCEL_TCG);
	check_why(why);
}

/* ---- vm_classify ---- */

/* A Linux 6.1 NULL-pointer oops in the lab's "faulty" module. */
static const char con_oops[] =
	"[    2.101234] faulty: loading out-of-tree module taints kernel.\n"
	"[    2.301234] faulty: write to /dev/faulty\n"
	"[    2.345678] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
	"[    2.345901] #PF: supervisor write access in kernel mode\n"
	"[    2.346012] #PF: error_code(0x0002) - not-present page\n"
	"[    2.346120] PGD 0 P4D 0 \n"
	"[    2.346200] Oops: 0002 [#1] PREEMPT SMP NOPTI\n"
	"[    2.346310] CPU: 0 PID: 97 Comm: sh Tainted: G           O       6.1.0 #1\n"
	"[    2.346420] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS rel-1.16.2-0-gea1b7a073390-prebuilt.qemu.org 04/01/2014\n"
	"[    2.346530] RIP: 0010:faulty_oops+0x5/0x10 [faulty]\n"
	"[    2.346640] Code: Unable to access opcode bytes at 0xffffffffc0000fdb.\n"
	"[    2.346750] RSP: 0018:ffffc900001cfe08 EFLAGS: 00010246\n"
	"[    2.346860] RAX: 0000000000000000 RBX: ffff888003c1e000 RCX: 0000000000000000\n"
	"[    2.347000] Call Trace:\n"
	"[    2.347100]  <TASK>\n"
	"[    2.347200]  faulty_write+0x1e/0x30 [faulty]\n"
	"[    2.347300]  vfs_write+0xb7/0x290\n"
	"[    2.347400]  ksys_write+0x5f/0xe0\n"
	"[    2.347500]  do_syscall_64+0x3b/0x90\n"
	"[    2.347600]  entry_SYSCALL_64_after_hwframe+0x63/0xcd\n"
	"[    2.347700]  </TASK>\n"
	"[    2.347800] Modules linked in: faulty(O)\n"
	"[    2.347900] CR2: 0000000000000000\n"
	"[    2.348000] ---[ end trace 0000000000000000 ]---\n";

static void test_classify_oops(void)
{
	char *msg = NULL, *ev = NULL;

	CU_ASSERT_EQUAL(vm_classify(con_oops, "", -1, true, &msg, &ev), VM_OOPS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_TRUE(starts_with(msg, "the kernel oopsed: BUG: kernel NULL pointer dereference"));
	CU_ASSERT_TRUE(contains(msg, "faulty_oops+0x5/0x10 [faulty]"));
	CU_ASSERT_STRING_EQUAL(msg, "the kernel oopsed: BUG: kernel NULL pointer dereference, address: 0000000000000000 (at faulty_oops+0x5/0x10 [faulty])");
	CU_ASSERT_PTR_NULL(strchr(msg, '\n'));
	CU_ASSERT_TRUE(contains(ev, "[    2.346200] Oops: 0002 [#1] PREEMPT SMP NOPTI\n"));
	/* Two lines of context before the marker's line. */
	CU_ASSERT_TRUE(starts_with(ev, "[    2.101234] faulty: loading out-of-tree module"));
	CU_ASSERT_TRUE(contains(ev, "[    2.348000] ---[ end trace 0000000000000000 ]---\n"));
	free(msg);
	free(ev);
}

static void test_classify_oops_crlf(void)
{
	/* The serial console writes "\r\n": no '\r' may reach the message. */
	static const char con[] =
		"[    2.345678] BUG: kernel NULL pointer dereference, address: 0000000000000000\r\n"
		"[    2.346200] Oops: 0002 [#1] PREEMPT SMP NOPTI\r\n"
		"[    2.346530] RIP: 0010:faulty_oops+0x5/0x10 [faulty]\r\n";
	char *msg = NULL, *ev = NULL;

	CU_ASSERT_EQUAL(vm_classify(con, "", -1, true, &msg, &ev), VM_OOPS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(msg, "the kernel oopsed: BUG: kernel NULL pointer dereference, address: 0000000000000000 (at faulty_oops+0x5/0x10 [faulty])");
	CU_ASSERT_STRING_EQUAL(ev, con);
	free(msg);
	free(ev);
}

static void test_classify_escapes(void)
{
	/* A module prints what it likes: no escape reaches a terminal. */
	static const char con[] =
		"[    2.101234] x\033]0;owned\007 \033[2J\n"
		"[    2.345678] BUG: kernel NULL pointer dereference, address: \033[8m0000\n"
		"[    2.346530] RIP: 0010:faulty_oops+0x5/0x10 [faulty]\n";
	char *msg = NULL, *ev = NULL;

	CU_ASSERT_EQUAL(vm_classify(con, "", -1, true, &msg, &ev), VM_OOPS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(msg, "the kernel oopsed: BUG: kernel NULL pointer dereference, address: ?[8m0000 (at faulty_oops+0x5/0x10 [faulty])");
	CU_ASSERT_STRING_EQUAL(ev,
		"[    2.101234] x?]0;owned? ?[2J\n"
		"[    2.345678] BUG: kernel NULL pointer dereference, address: ?[8m0000\n"
		"[    2.346530] RIP: 0010:faulty_oops+0x5/0x10 [faulty]\n");
	free(msg);
	free(ev);
}

static const char con_panic[] =
	"[   12.345678] sysrq: Trigger a crash\n"
	"[   12.345901] Kernel panic - not syncing: sysrq triggered crash\n"
	"[   12.346012] CPU: 0 PID: 101 Comm: sh Not tainted 6.1.0 #1\n"
	"[   12.346120] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS rel-1.16.2-0-gea1b7a073390-prebuilt.qemu.org 04/01/2014\n"
	"[   12.346200] Call Trace:\n"
	"[   12.346310]  <TASK>\n"
	"[   12.346420]  dump_stack_lvl+0x44/0x5c\n"
	"[   12.346530]  panic+0x11d/0x2d3\n"
	"[   12.346640]  sysrq_handle_crash+0x16/0x20\n"
	"[   12.346750]  __handle_sysrq.cold+0x43/0x11b\n"
	"[   12.346860]  write_sysrq_trigger+0x24/0x40\n"
	"[   12.346970]  </TASK>\n"
	"[   12.347000] Kernel Offset: disabled\n"
	"[   12.347100] ---[ end Kernel panic - not syncing: sysrq triggered crash ]---\n";

static void test_classify_panic(void)
{
	char *msg = NULL, *ev = NULL;

	CU_ASSERT_EQUAL(vm_classify(con_panic, "", W_EXITCODE(0, 0), true,
				    &msg, &ev), VM_PANIC);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_TRUE(contains(msg, "sysrq triggered crash"));
	CU_ASSERT_STRING_EQUAL(msg, "the kernel panicked: Kernel panic - not syncing: sysrq triggered crash");
	/* Only one line precedes the marker: the excerpt starts there. */
	CU_ASSERT_TRUE(starts_with(ev, "[   12.345678] sysrq: Trigger a crash\n"));
	CU_ASSERT_TRUE(contains(ev, "sysrq_handle_crash+0x16/0x20"));
	free(msg);
	free(ev);
}

static void test_classify_panic_after_oops(void)
{
	/* An oops in interrupt context that panics: the panic line names
	 * the verdict, the evidence starts at the first marker (the BUG). */
	static const char con[] =
		"[    3.000001] faulty: arming timer\n"
		"[    3.100000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
		"[    3.100100] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
		"[    3.100200] RIP: 0010:faulty_timer+0x9/0x20 [faulty]\n"
		"[    3.100300] Kernel panic - not syncing: Fatal exception in interrupt\n"
		"[    3.100400] Kernel Offset: disabled\n";
	char *msg = NULL, *ev = NULL;

	CU_ASSERT_EQUAL(vm_classify(con, "", 0, true, &msg, &ev), VM_PANIC);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(msg, "the kernel panicked: Kernel panic - not syncing: Fatal exception in interrupt");
	CU_ASSERT_STRING_EQUAL(ev, con);
	free(msg);
	free(ev);
}

static const char qlog_dma[] =
	"qemu-system-x86_64: EDU: DMA range 0x40000-0x41000 out of bounds (0x40000-0x40fff)!\n";

static void test_classify_qemu_abort(void)
{
	static const char con[] =
		"[    4.000000] edu: starting DMA to device\n";
	char *msg = NULL, *ev = NULL;

	CU_ASSERT_EQUAL(vm_classify(con, qlog_dma, SIGABRT, true, &msg, &ev),
			VM_QEMU_ABORT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_TRUE(contains(msg, "EDU: DMA range"));
	CU_ASSERT_TRUE(contains(msg, "0x41000"));
	CU_ASSERT_TRUE(starts_with(msg, "QEMU itself aborted: qemu-system-x86_64: EDU: DMA range 0x40000-0x41000 out of bounds (0x40000-0x40fff)!"));
	CU_ASSERT_STRING_EQUAL(msg, "QEMU itself aborted: qemu-system-x86_64: EDU: DMA range 0x40000-0x41000 out of bounds (0x40000-0x40fff)! (edu's DMA must end below 0x41000: its buffer is 4096 bytes at 0x40000)");
	CU_ASSERT_PTR_NULL(strchr(msg, '\n'));
	CU_ASSERT_TRUE(contains(ev, "qemu-system-x86_64: EDU: DMA range 0x40000-0x41000 out of bounds (0x40000-0x40fff)!"));
	free(msg);
	free(ev);

	/* The DMA complaint decides even when QEMU's status is not SIGABRT. */
	msg = ev = NULL;
	CU_ASSERT_EQUAL(vm_classify(con, qlog_dma, W_EXITCODE(1, 0), true,
				    &msg, &ev), VM_QEMU_ABORT);
	free(msg);
	free(ev);

	/* QEMU 7.2's edu reports through hw_error(): "qemu: hardware error: "
	 * with 16-digit addresses, then a CPU dump, then abort(). */
	msg = ev = NULL;
	CU_ASSERT_EQUAL(vm_classify(con,
				    "qemu: hardware error: EDU: DMA range 0x0000000000040000-0x0000000000041000 out of bounds (0x0000000000040000-0x0000000000040fff)!\n"
				    "CPU #0:\n"
				    "RAX=0000000000000000 RBX=0000000000000000 RCX=0000000000000000 RDX=0000000000000000\n",
				    SIGABRT, true, &msg, &ev), VM_QEMU_ABORT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_TRUE(starts_with(msg, "QEMU itself aborted: qemu: hardware error: EDU: DMA range 0x0000000000040000-0x0000000000041000 out of bounds"));
	CU_ASSERT_TRUE(contains(msg, "must end below 0x41000"));
	CU_ASSERT_TRUE(starts_with(ev, "qemu: hardware error: EDU: DMA range"));
	CU_ASSERT_TRUE(contains(ev, "CPU #0:\n"));
	free(msg);
	free(ev);

	/* Death by SIGABRT alone (a failed assertion in QEMU) is an abort;
	 * the message quotes QEMU's first line. */
	msg = ev = NULL;
	CU_ASSERT_EQUAL(vm_classify(con,
				    "qemu-system-x86_64: ../hw/misc/edu.c:162: edu_dma_timer: Assertion `0' failed.\n",
				    SIGABRT, true, &msg, &ev), VM_QEMU_ABORT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_STRING_EQUAL(msg, "QEMU itself aborted: qemu-system-x86_64: ../hw/misc/edu.c:162: edu_dma_timer: Assertion `0' failed.");
	free(msg);
	free(ev);

	/* A "hardware error" from QEMU is an abort, too. */
	msg = ev = NULL;
	CU_ASSERT_EQUAL(vm_classify(con, "qemu: hardware error: bad state\n",
				    SIGABRT, true, &msg, &ev), VM_QEMU_ABORT);
	CU_ASSERT_TRUE(contains(msg, "qemu: hardware error: bad state"));
	free(msg);
	free(ev);
}

static void test_classify_qemu_exit(void)
{
	char *msg = NULL, *ev = NULL;

	CU_ASSERT_EQUAL(W_EXITCODE(1, 0), 256);
	CU_ASSERT_EQUAL(vm_classify("", "", W_EXITCODE(1, 0), true, &msg, &ev),
			VM_QEMU_EXIT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_TRUE(contains(msg, "status 1"));
	CU_ASSERT_STRING_EQUAL(msg, "QEMU exited unexpectedly (status 1)");
	CU_ASSERT_STRING_EQUAL(ev, "");
	free(msg);
	free(ev);

	/* Killed by a signal other than SIGABRT; QEMU's log is the evidence. */
	msg = ev = NULL;
	CU_ASSERT_EQUAL(vm_classify("[    1.000000] Run /init as init process\n",
				    "qemu-system-x86_64: terminating on signal 9\n",
				    SIGKILL, true, &msg, &ev), VM_QEMU_EXIT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(msg, "QEMU exited unexpectedly (signal 9)");
	CU_ASSERT_STRING_EQUAL(ev, "qemu-system-x86_64: terminating on signal 9\n");
	free(msg);
	free(ev);
}

static void test_classify_hang(void)
{
	static const char con[] =
		"[    5.100000] faulty: loading out-of-tree module taints kernel.\n"
		"[    5.200000] faulty: spinning with interrupts off\n";
	char *msg = NULL, *ev = NULL;

	CU_ASSERT_EQUAL(vm_classify(con, "", -1, false, &msg, &ev), VM_HANG);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT(msg[0] != '\0');
	CU_ASSERT_TRUE(starts_with(msg, "the guest stopped answering"));
	CU_ASSERT_TRUE(contains(ev, "faulty: spinning with interrupts off"));
	CU_ASSERT_STRING_EQUAL(ev, con);
	free(msg);
	free(ev);
}

static void test_classify_hang_tail(void)
{
	char con[30 * 64], line[64], *msg = NULL, *ev = NULL;
	size_t n = 0;

	/* 30 lines, no marker: the evidence is the tail of the console. */
	for (int i = 1; i <= 30; i++) {
		int k = snprintf(line, sizeof(line), "[    6.%06d] line %02d\n",
				 i, i);

		memcpy(con + n, line, (size_t)k);
		n += (size_t)k;
	}
	con[n] = '\0';
	CU_ASSERT_EQUAL(vm_classify(con, "", -1, false, &msg, &ev), VM_HANG);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_TRUE(contains(ev, "] line 30\n"));
	CU_ASSERT_FALSE(contains(ev, "] line 01\n"));
	CU_ASSERT(count_lines(ev) <= 40 + 3);
	/* 16 newlines back from the end, then 2 lines of context: 13..30. */
	CU_ASSERT_TRUE(starts_with(ev, "[    6.000013] line 13\n"));
	CU_ASSERT_EQUAL(count_lines(ev), 18);
	free(msg);
	free(ev);
}

static void test_classify_hang_soft_lockup(void)
{
	/* A soft lockup report carries "BUG: ", but no answer is a hang. */
	static const char con[] =
		"[    7.000000] faulty: spinning\n"
		"[   32.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [sh:97]\n"
		"[   32.000100] Modules linked in: faulty(O)\n";
	char *msg = NULL, *ev = NULL;

	CU_ASSERT_EQUAL(vm_classify(con, "", -1, false, &msg, &ev), VM_HANG);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(ev, con);
	free(msg);
	free(ev);
}

static void test_classify_ok(void)
{
	char *msg = NULL, *ev = NULL;

	CU_ASSERT_EQUAL(vm_classify("hello\n", "", -1, true, &msg, &ev), VM_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(msg, "");
	CU_ASSERT_STRING_EQUAL(ev, "");
	free(msg);
	free(ev);

	msg = ev = NULL;
	CU_ASSERT_EQUAL(vm_classify("", "", -1, true, &msg, &ev), VM_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(msg, "");
	CU_ASSERT_STRING_EQUAL(ev, "");
	free(msg);
	free(ev);
}

static void test_classify_evidence_capped(void)
{
	size_t cap = 64 * 1024, n = 0;
	char *con = malloc(cap), *msg = NULL, *ev = NULL;
	char want[64];
	int lines;

	CU_ASSERT_PTR_NOT_NULL_FATAL(con);
#define ADD(...) (n += (size_t)snprintf(con + n, cap - n, __VA_ARGS__))
	for (int i = 1; i <= 5; i++)
		ADD("[    8.%06d] before %d\n", i, i);
	ADD("[    8.100000] BUG: unable to handle page fault for address: ffffc90000400000\n");
	for (int i = 1; i <= 200; i++)
		ADD("[    8.%06d] after %03d\n", 200000 + i, i);
#undef ADD
	CU_ASSERT_FATAL(n < cap);

	CU_ASSERT_EQUAL(vm_classify(con, "", -1, true, &msg, &ev), VM_OOPS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	lines = count_lines(ev);
	CU_ASSERT(lines <= 40 + 3);
	CU_ASSERT_EQUAL(lines, 40);	/* EVIDENCE_LINES, all newline-ended */
	CU_ASSERT(ev[0] != '\0' && ev[strlen(ev) - 1] == '\n');
	/* At most 2 lines before the marker: "before 4" and "before 5". */
	snprintf(want, sizeof(want), "[    8.%06d] before 4\n", 4);
	CU_ASSERT_TRUE(starts_with(ev, want));
	CU_ASSERT_FALSE(contains(ev, "before 3"));
	CU_ASSERT_TRUE(contains(ev, "BUG: unable to handle page fault"));
	CU_ASSERT_TRUE(contains(ev, "] after 037\n"));
	CU_ASSERT_FALSE(contains(ev, "] after 038\n"));
	free(msg);
	free(ev);
	free(con);
}

/* ---- text from the guest ---- */

static void test_guest_text(void)
{
	char esc[] = "no such file\n\033[2J\033]0;owned\007\r\x7f!";
	char longer[] = "0123456789";
	char utf8[] = "ab\xc3\xa9\xc3\xa9x";	/* "abééx" */
	char shorter[] = "ok";

	CU_ASSERT_STRING_EQUAL(vm_guest_text(esc, 300),
			       "no such file??[2J?]0;owned??" "?!");
	CU_ASSERT_STRING_EQUAL(vm_guest_text(longer, 8), "01234...");
	CU_ASSERT_EQUAL(strlen(longer), 8);
	/* "a" "b" + half an é + "..." would be 6: the whole é goes. */
	CU_ASSERT_STRING_EQUAL(vm_guest_text(utf8, 6), "ab...");
	CU_ASSERT_STRING_EQUAL(vm_guest_text(shorter, 2), "ok");
	CU_ASSERT_PTR_NULL(vm_guest_text(NULL, 10));
}

/* ---- the exit status a (possibly hostile) agent reports ---- */

static void test_exit_status(void)
{
	int code = -7, sig = -7;

	CU_ASSERT_TRUE(vm_exit_status(0, &code, &sig));
	CU_ASSERT_EQUAL(code, 0);
	CU_ASSERT_EQUAL(sig, 0);
	CU_ASSERT_TRUE(vm_exit_status(255, &code, &sig));
	CU_ASSERT_EQUAL(code, 255);
	CU_ASSERT_EQUAL(sig, 0);
	CU_ASSERT_TRUE(vm_exit_status(-9, &code, &sig));
	CU_ASSERT_EQUAL(code, 137);
	CU_ASSERT_EQUAL(sig, 9);
	CU_ASSERT_TRUE(vm_exit_status(-64, &code, &sig));
	CU_ASSERT_EQUAL(code, 192);
	CU_ASSERT_EQUAL(sig, 64);
}

static void test_exit_status_impossible(void)
{
	/* -INT32_MIN and 128 - INT32_MIN overflow; 256 would exit 0. */
	const int32_t bad[] = { INT32_MIN, INT32_MIN + 1, INT32_MIN + 127,
				-65, 256, 512, INT32_MAX };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int code = -7, sig = -7;

		CU_ASSERT_FALSE(vm_exit_status(bad[i], &code, &sig));
		CU_ASSERT_EQUAL(code, 255);
		CU_ASSERT_EQUAL(sig, 0);
	}
}

/* ---- names ---- */

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(vm_verdict_name(VM_QEMU_ABORT), "qemu-abort");
	CU_ASSERT_STRING_EQUAL(vm_verdict_name(VM_OK), "ok");
	CU_ASSERT_STRING_EQUAL(vm_verdict_name(VM_BOOT_FAIL), "boot-failed");
	CU_ASSERT_STRING_EQUAL(vm_verdict_name(VM_VERDICT_COUNT), "?");
	CU_ASSERT_STRING_EQUAL(vm_verdict_words(VM_HANG),
			       "the guest stopped answering");
	CU_ASSERT_STRING_EQUAL(vm_verdict_words(VM_OOPS), "the kernel oopsed");
	CU_ASSERT_STRING_EQUAL(vm_verdict_words(VM_VERDICT_COUNT), "?");
	CU_ASSERT_STRING_EQUAL(vm_state_name(VM_READY), "ready");
	CU_ASSERT_STRING_EQUAL(vm_state_name(VM_STOPPED), "stopped");
	CU_ASSERT_STRING_EQUAL(vm_state_name(VM_CRASHED), "crashed");
	CU_ASSERT_STRING_EQUAL(vm_state_name((enum vm_state)4), "?");
}

static void test_is_fault(void)
{
	CU_ASSERT_TRUE(vm_verdict_is_fault(VM_OOPS));
	CU_ASSERT_TRUE(vm_verdict_is_fault(VM_PANIC));
	CU_ASSERT_TRUE(vm_verdict_is_fault(VM_HANG));
	CU_ASSERT_TRUE(vm_verdict_is_fault(VM_QEMU_ABORT));
	CU_ASSERT_TRUE(vm_verdict_is_fault(VM_QEMU_EXIT));
	CU_ASSERT_TRUE(vm_verdict_is_fault(VM_BOOT_FAIL));
	CU_ASSERT_FALSE(vm_verdict_is_fault(VM_OK));
	CU_ASSERT_FALSE(vm_verdict_is_fault(VM_TIMEOUT));
	CU_ASSERT_FALSE(vm_verdict_is_fault(VM_ERROR));
}

/* ---- a session without a guest image ---- */

static void test_no_image(void)
{
	char dir[] = "/tmp/addrlab-unit.XXXXXX", kernel[64];
	const char *argv[] = { "true", NULL };
	char *old = getenv("ADDRLAB_GUEST_DIR");
	struct vm_result res;
	struct vm *vm;

	old = old ? strdup(old) : NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(kernel, sizeof(kernel), "%s/vmlinux", dir);
	CU_ASSERT_EQUAL_FATAL(setenv("ADDRLAB_GUEST_DIR", dir, 1), 0);

	vm = vm_new(NULL);
	CU_ASSERT_PTR_NOT_NULL(vm);
	if (vm) {
		CU_ASSERT_EQUAL(vm_state(vm), VM_STOPPED);
		CU_ASSERT_EQUAL(vm_start(vm), -1);
		CU_ASSERT_TRUE(contains(vm_error(vm), "no guest kernel"));
		CU_ASSERT_TRUE(contains(vm_error(vm), kernel));
		CU_ASSERT_NOT_EQUAL(vm_state(vm), VM_READY);
		CU_ASSERT_EQUAL(vm_state(vm), VM_STOPPED);

		memset(&res, 0x55, sizeof(res));
		CU_ASSERT_EQUAL(vm_exec(vm, argv, NULL, &res), -1);
		CU_ASSERT_EQUAL(res.verdict, VM_ERROR);
		CU_ASSERT_TRUE(contains(vm_error(vm), "no guest kernel"));
		CU_ASSERT_NOT_EQUAL(vm_state(vm), VM_READY);
		vm_result_free(&res);
		vm_free(vm);
	}
	vm_free(NULL);	/* allowed, like free(NULL) */

	if (old) {
		setenv("ADDRLAB_GUEST_DIR", old, 1);
		free(old);
	} else {
		unsetenv("ADDRLAB_GUEST_DIR");
	}
	CU_ASSERT_EQUAL(rmdir(dir), 0);	/* and nothing was left in it */
}

int register_vm_tests(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "accel: ADDRLAB_ACCEL decides", test_accel_env },
		{ "accel: no /dev/kvm", test_accel_no_dev },
		{ "accel: /dev/kvm but no vmx/svm", test_accel_dev_without_vmx },
		{ "accel: vmx or svm in flags", test_accel_vmx_svm },
		{ "accel: vmx outside the flags line", test_accel_vmx_elsewhere },
		{ "classify: oops", test_classify_oops },
		{ "classify: oops on a CRLF console", test_classify_oops_crlf },
		{ "classify: no escape sequence gets out", test_classify_escapes },
		{ "classify: panic", test_classify_panic },
		{ "classify: panic after an oops", test_classify_panic_after_oops },
		{ "classify: QEMU abort", test_classify_qemu_abort },
		{ "classify: QEMU exit", test_classify_qemu_exit },
		{ "classify: hang", test_classify_hang },
		{ "classify: hang evidence is the tail", test_classify_hang_tail },
		{ "classify: soft lockup is a hang", test_classify_hang_soft_lockup },
		{ "classify: ok", test_classify_ok },
		{ "classify: evidence capped", test_classify_evidence_capped },
		{ "text from the guest: one line, capped", test_guest_text },
		{ "exit status: codes and signals", test_exit_status },
		{ "exit status: INT32_MIN and other impossible ones", test_exit_status_impossible },
		{ "verdict and state names", test_names },
		{ "verdict is a fault", test_is_fault },
		{ "no guest image", test_no_image },
	};
	CU_pSuite s = CU_add_suite("controller", NULL, NULL);

	if (!s)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(s, tests[i].name, tests[i].fn))
			return CU_get_error();
	return CUE_SUCCESS;
}
