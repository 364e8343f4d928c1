// SPDX-License-Identifier: MIT
/*
 * test_lab.c - the lab VM itself: the controller library, the guest agent,
 * the guest image, fault handling, the IOMMU profile and `addrlab vm`.
 */
#define _GNU_SOURCE
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define EDU_BDF		"0000:00:02.0"
#define EDU_SYSFS	"/sys/bus/pci/devices/" EDU_BDF

static struct vm *vm;		/* the plain-profile VM these suites share */

#define build tv_build
#define kver tv_kver
#define path_of tv_path

static void sh(const char *cmd, unsigned int timeout_ms, struct vm_result *res)
{
	tv_sh(vm, cmd, timeout_ms, res);
}

static int push_testko(void)
{
	char ko[PATH_MAX + 32];

	path_of(ko, sizeof(ko), "tests/kmod/vmtest.ko");
	return vm_push(vm, ko, "/tmp/vmtest.ko", 0644);
}

/* ---- suite: basics ---- */

static int basics_init(void)
{
	vm = tv_boot(NULL);
	return vm ? 0 : 1;
}

static void test_boot(void)
{
	CU_ASSERT_EQUAL(vm_state(vm), VM_READY);
	/* The guest runs the kernel the build picked, on x86-64. */
	CU_ASSERT_PTR_NOT_NULL(strstr(vm_guest_uname(vm), kver));
	CU_ASSERT_PTR_NOT_NULL(strstr(vm_guest_uname(vm), "x86_64"));
	CU_ASSERT(vm_boot_ms(vm) > 0);
	CU_ASSERT_STRING_EQUAL(vm_accel_name(vm), "tcg");
}

static void test_exec_streams_and_status(void)
{
	struct vm_result r;

	sh("echo out; echo err >&2; exit 7", 10000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_OK);
	CU_ASSERT_STRING_EQUAL(r.out, "out\n");
	CU_ASSERT_STRING_EQUAL(r.err, "err\n");
	CU_ASSERT_EQUAL(r.exit_code, 7);
	CU_ASSERT_EQUAL(r.signal, 0);
	CU_ASSERT_STRING_EQUAL(r.message, "");
	vm_result_free(&r);
}

static void test_exec_argv(void)
{
	const char *argv[] = { "/bin/echo", "two  spaces", "$HOME", NULL };
	const char *bad[] = { "/no/such/program", NULL };
	struct vm_exec_opts o = { .timeout_ms = 10000, .stdin_fd = -1 };
	struct vm_result r;

	CU_ASSERT_EQUAL_FATAL(vm_exec(vm, argv, &o, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.out, "two  spaces $HOME\n");	/* no shell */
	CU_ASSERT_EQUAL(r.exit_code, 0);
	vm_result_free(&r);

	CU_ASSERT_EQUAL_FATAL(vm_exec(vm, bad, &o, &r), 0);
	CU_ASSERT_EQUAL(r.verdict, VM_OK);
	CU_ASSERT_EQUAL(r.exit_code, 127);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "cannot run '/no/such/program'"));
	vm_result_free(&r);
}

static void test_exec_killed_by_signal(void)
{
	struct vm_result r;

	sh("kill -TERM $$", 10000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_OK);
	CU_ASSERT_EQUAL(r.signal, 15);
	CU_ASSERT_EQUAL(r.exit_code, 128 + 15);
	vm_result_free(&r);
}

static void test_exec_timeout_keeps_vm(void)
{
	unsigned int restarts = vm_restarts(vm);
	struct vm_result r;

	sh("echo started; sleep 30", 1000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_TIMEOUT);
	CU_ASSERT_STRING_EQUAL(r.out, "started\n");
	CU_ASSERT_EQUAL(r.signal, 9);
	/* Stopped by the agent at the limit (not by the host giving up, which
	 * would be 10 s later); a loaded host may take a few seconds more. */
	CU_ASSERT(r.elapsed_ms >= 1000 && r.elapsed_ms < 9000);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "1000 ms"));
	vm_result_free(&r);
	CU_ASSERT_EQUAL(vm_state(vm), VM_READY);
	CU_ASSERT_EQUAL(vm_restarts(vm), restarts);
}

static void test_exec_output_cap(void)
{
	const char *argv[] = { "/bin/sh", "-c", "yes | head -c 5000000", NULL };
	struct vm_exec_opts o = { .timeout_ms = 20000, .stdin_fd = -1,
				  .out_cap = 1 << 20 };
	struct vm_result r;

	CU_ASSERT_EQUAL_FATAL(vm_exec(vm, argv, &o, &r), 0);
	CU_ASSERT_EQUAL(r.verdict, VM_OK);
	CU_ASSERT_EQUAL(r.out_len, 1u << 20);
	CU_ASSERT_TRUE(r.truncated);
	CU_ASSERT_EQUAL(strncmp(r.out, "y\ny\n", 4), 0);
	vm_result_free(&r);
}

static void test_lspci_shows_edu_bar(void)
{
	struct vm_result r;
	unsigned long long base = 0, sysfs = 0, end = 0;
	const char *mem;

	sh("lspci -v -s " EDU_BDF, 10000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "Unclassified device [00ff]: Device 1234:11e8 (rev 10)"));
	mem = strstr(r.out, "Memory at ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
	CU_ASSERT_EQUAL(sscanf(mem, "Memory at %llx (32-bit, non-prefetchable)", &base), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(mem, "[size=1M]"));
	vm_result_free(&r);

	/* sysfs agrees on base and size (end is inclusive). */
	sh("head -n 1 " EDU_SYSFS "/resource", 10000, &r);
	CU_ASSERT_EQUAL(sscanf(r.out, "%llx %llx", &sysfs, &end), 2);
	CU_ASSERT_EQUAL(sysfs, base);
	CU_ASSERT_EQUAL(end - sysfs + 1, 0x100000ull);
	vm_result_free(&r);
}

static void test_devmem_reads_edu_id(void)
{
	struct vm_result r;

	/*
	 * Firmware assigned the BAR but left memory decoding off; enabling the
	 * device (as pci_enable_device() would) turns it on.  Then /dev/mem at
	 * the BAR's physical address reaches the device's registers.
	 */
	sh("echo 1 > " EDU_SYSFS "/enable && "
	   "devmem $(head -n 1 " EDU_SYSFS "/resource | cut -d' ' -f1) 32", 10000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 0);
	CU_ASSERT_STRING_EQUAL(r.out, "0x010000ED\n");
	vm_result_free(&r);

	/* The liveness register reads back the inverse of what was written. */
	sh("a=$(head -n 1 " EDU_SYSFS "/resource | cut -d' ' -f1); "
	   "devmem $((a + 4)) 32 0x12345678; devmem $((a + 4)) 32", 10000, &r);
	CU_ASSERT_STRING_EQUAL(r.out, "0xEDCBA987\n");
	vm_result_free(&r);
}

static void test_push_1mib_checksums(void)
{
	char tmp[] = "/tmp/addrlab-push-XXXXXX", cmd[128], host_md5[64] = "";
	struct vm_result r;
	unsigned char *data = malloc(1 << 20);
	unsigned int seed = 12345;
	FILE *f;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	for (int i = 0; i < 1 << 20; i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (unsigned char)(seed >> 16);
	}
	fd = mkstemp(tmp);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, data, 1 << 20), 1 << 20);
	close(fd);
	snprintf(cmd, sizeof(cmd), "md5sum %s", tmp);
	f = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fscanf(f, "%32s", host_md5), 1);
	pclose(f);

	CU_ASSERT_EQUAL(vm_push(vm, tmp, "/tmp/in/blob.bin", 0600), 0);
	sh("md5sum /tmp/in/blob.bin; stat -c '%s %a' /tmp/in/blob.bin", 10000, &r);
	CU_ASSERT_EQUAL(strncmp(r.out, host_md5, 32), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\n1048576 600\n"));
	vm_result_free(&r);

	/* A path that cannot be written is refused in words. */
	CU_ASSERT_EQUAL(vm_push_data(vm, "x", 1, "/proc/nope/x", 0644), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(vm_error(vm), "cannot push to '/proc/nope/x'"));
	CU_ASSERT_EQUAL(vm_push_data(vm, "x", 1, "relative", 0644), -1);
	unlink(tmp);
	free(data);
}

static void test_pull(void)
{
	char *data = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(vm_pull(vm, "/proc/sys/kernel/osrelease", 0, &data, &len), 0);
	CU_ASSERT_EQUAL(len, strlen(kver) + 1);
	CU_ASSERT_EQUAL(strncmp(data, kver, strlen(kver)), 0);
	free(data);
	CU_ASSERT_EQUAL(vm_pull(vm, "/no/such/file", 0, &data, &len), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(vm_error(vm), "No such file"));
}

static void test_kmsg_cursor(void)
{
	uint64_t cursor = 0;
	char *text = NULL;
	struct vm_result r;

	CU_ASSERT_EQUAL_FATAL(vm_kmsg(vm, &cursor, &text), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "Linux version " ));
	CU_ASSERT(cursor > 0);
	free(text);

	/* A kernel message made now (SysRq's help, at the kernel's level). */
	sh("echo h > /proc/sysrq-trigger", 10000, &r);
	vm_result_free(&r);
	CU_ASSERT_EQUAL_FATAL(vm_kmsg(vm, &cursor, &text), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "] sysrq: HELP : "));
	CU_ASSERT_PTR_NULL(strstr(text, "Linux version "));	/* only new ones */
	free(text);
}

/*
 * A job is root, yet cannot pass for the kernel: /dev/kmsg is closed to
 * it (a fake "Oops" there would reach the console), and what user space
 * wrote there earlier (the agent's own lines) is not in the kernel's log
 * as the lessons see it.  Nor can it attach to another process (the
 * agent's channel through pidfd_getfd): Yama's mode 3, which not even
 * root can lower.
 */
static void test_jobs_cannot_pass_for_the_kernel(void)
{
	uint64_t cursor = 0;
	char *text = NULL;
	struct vm_result r;

	sh("echo '<0>Oops: 0000 [#1] PREEMPT SMP' > /dev/kmsg", 10000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "Operation not permitted"));
	vm_result_free(&r);
	sh("cat /proc/sys/kernel/printk_devkmsg /proc/sys/kernel/yama/ptrace_scope; "
	   "echo 0 > /proc/sys/kernel/yama/ptrace_scope", 10000, &r);
	CU_ASSERT_STRING_EQUAL(r.out, "off\n3\n");
	CU_ASSERT_EQUAL(r.exit_code, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "Invalid argument"));
	vm_result_free(&r);
	CU_ASSERT_EQUAL_FATAL(vm_kmsg(vm, &cursor, &text), 0);
	CU_ASSERT_PTR_NULL(strstr(text, "Oops"));
	CU_ASSERT_PTR_NULL(strstr(text, "addrlab-init: agent "));	/* facility user */
	free(text);
}

static void test_read_phys_oracle(void)
{
	char probe[PATH_MAX + 32];
	unsigned char page[4096], back[4096];
	unsigned long long pa = 0;
	struct vm_result r;

	for (int i = 0; i < 4096; i++)
		page[i] = (unsigned char)(i * 7 + 3);
	path_of(probe, sizeof(probe), "tests/physprobe");
	CU_ASSERT_EQUAL_FATAL(vm_push(vm, probe, "/tmp/physprobe", 0755), 0);
	CU_ASSERT_EQUAL_FATAL(vm_push_data(vm, page, sizeof(page), "/dev/shm/page", 0644), 0);
	sh("/tmp/physprobe /dev/shm/page", 10000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 0);
	CU_ASSERT_EQUAL(sscanf(r.out, "0x%llx", &pa), 1);
	vm_result_free(&r);
	CU_ASSERT(pa > 0 && pa % 4096 == 0 && pa < 256ull << 20);

	/* QEMU reads that physical page: the bytes the guest wrote are there. */
	memset(back, 0, sizeof(back));
	CU_ASSERT_EQUAL_FATAL(vm_read_phys(vm, pa, back, sizeof(back)), 0);
	CU_ASSERT_EQUAL(memcmp(back, page, sizeof(page)), 0);
}

static void test_monitor(void)
{
	char *out = NULL;

	CU_ASSERT_EQUAL_FATAL(vm_monitor(vm, "info pci", &out), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "PCI device 1234:11e8"));
	free(out);
}

static void test_resync(void)
{
	struct vm_result r;

	CU_ASSERT_EQUAL(vm_resync(vm, 2000), 0);
	sh("echo after-resync", 10000, &r);
	CU_ASSERT_STRING_EQUAL(r.out, "after-resync\n");
	vm_result_free(&r);
}

/* ---- suite: faults (each leaves a crashed VM; the next request reboots) ---- */

static void expect_healthy_next(unsigned int restarts_before)
{
	struct vm_result r;

	sh("echo healthy; cat /proc/sys/kernel/tainted", 20000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_OK);
	CU_ASSERT_STRING_EQUAL(r.out, "healthy\n0\n");	/* a fresh kernel */
	vm_result_free(&r);
	CU_ASSERT_EQUAL(vm_restarts(vm), restarts_before + 1);
	CU_ASSERT_EQUAL(vm_state(vm), VM_READY);
}

/* QEMU going away on its own is noticed without a request, and the next
 * request boots a fresh VM. */
static void test_alive(void)
{
	unsigned int restarts = vm_restarts(vm);
	char *out = NULL;

	CU_ASSERT_TRUE(vm_alive(vm));
	vm_monitor(vm, "quit", &out);	/* QEMU exits; the answer may not come */
	free(out);
	for (int i = 0; i < 50 && vm_alive(vm); i++)
		usleep(100000);
	CU_ASSERT_FALSE(vm_alive(vm));
	CU_ASSERT_EQUAL(vm_state(vm), VM_CRASHED);
	CU_ASSERT_STRING_EQUAL(vm_error(vm), "QEMU exited with status 0");
	expect_healthy_next(restarts);
	CU_ASSERT_TRUE(vm_alive(vm));
}

static void test_fault_panic(void)
{
	unsigned int restarts = vm_restarts(vm);
	struct vm_result r;

	sh("echo c > /proc/sysrq-trigger", 20000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_PANIC);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "the kernel panicked: Kernel panic - not syncing: sysrq triggered crash"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.evidence, "sysrq_handle_crash"));
	CU_ASSERT(r.elapsed_ms < 30000);
	vm_result_free(&r);
	CU_ASSERT_EQUAL(vm_state(vm), VM_CRASHED);
	expect_healthy_next(restarts);
}

/*
 * A restart that fails for its own reason is described by that reason, not
 * by the panic an earlier boot left in the same console log.  QEMU is a
 * script that runs the real one until a flag file exists, then says why it
 * cannot and exits.
 */
static void test_fault_boot_after_panic(void)
{
	char dir[] = "/tmp/addrlab-test-qemu.XXXXXX", script[64], flag[64];
	const char *real = getenv("ADDRLAB_QEMU");
	struct vm_options o = { 0 };
	struct vm_result r;
	struct vm *v;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/qemu", dir);
	snprintf(flag, sizeof(flag), "%s/broken", dir);
	f = fopen(script, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "#!/bin/sh\n"
		"if [ -e %s ]; then echo 'qemu: no such disk: lab.img' >&2; exit 1; fi\n"
		"exec %s \"$@\"\n", flag,
		real && *real ? real : "qemu-system-x86_64");
	fclose(f);
	chmod(script, 0755);
	o.qemu = script;
	v = vm_new(&o);
	CU_ASSERT_EQUAL_FATAL(vm_start(v), 0);
	CU_ASSERT_EQUAL(vm_sh(v, "echo c > /proc/sysrq-trigger", 20000, &r), 0);
	CU_ASSERT_EQUAL(r.verdict, VM_PANIC);
	vm_result_free(&r);
	fclose(fopen(flag, "w"));
	CU_ASSERT_EQUAL(vm_start(v), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(vm_error(v), "the lab VM did not boot: QEMU exited"));
	CU_ASSERT_PTR_NOT_NULL(strstr(vm_error(v), "QEMU said: qemu: no such disk: lab.img"));
	CU_ASSERT_PTR_NULL(strstr(vm_error(v), "panic"));
	if (strstr(vm_error(v), "panic"))
		fprintf(stderr, "\n%s\n", vm_error(v));
	vm_free(v);
	unlink(flag);
	unlink(script);
	rmdir(dir);
}

/*
 * A module flooding the console: what console.log keeps on disk stays near
 * the cap, what is read to judge is the tail, and an oops after the flood is
 * still found there.
 */
static void test_fault_console_flood(void)
{
	struct vm_options o = { .console_cap = 64 * 1024 };
	struct vm *saved = vm;
	struct vm_result r;
	struct stat st;
	char *con;

	vm = vm_new(&o);
	CU_ASSERT_EQUAL_FATAL(vm_start(vm), 0);
	CU_ASSERT_EQUAL_FATAL(push_testko(), 0);
	sh("insmod /tmp/vmtest.ko what=flood lines=5000 || echo refused", 120000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_OK);
	CU_ASSERT_STRING_EQUAL(r.out, "refused\n");
	if (strcmp(r.out, "refused\n"))
		fprintf(stderr, "\nout: %s\nerr: %s\n", r.out, r.err);
	vm_result_free(&r);
	CU_ASSERT_EQUAL_FATAL(stat(vm_console_path(vm), &st), 0);
	CU_ASSERT(st.st_size > 5000 * 100);	/* all of it went through */
	CU_ASSERT(st.st_blocks * 512 <= 64 * 1024 + 8192);
	if (st.st_blocks * 512 > 64 * 1024 + 8192)
		fprintf(stderr, "\nconsole.log: %lld bytes, %lld on disk\n",
			(long long)st.st_size, (long long)st.st_blocks * 512);
	con = vm_console_since(vm, 0);
	CU_ASSERT_EQUAL(strlen(con), 8 * 1024);
	CU_ASSERT_PTR_NOT_NULL(strstr(con, "vmtest: flood 0004999 xxx"));
	free(con);
	sh("insmod /tmp/vmtest.ko what=oops", 20000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_OOPS);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "NULL pointer dereference"));
	vm_result_free(&r);
	vm_free(vm);
	vm = saved;
}

static void test_fault_oops_in_module(void)
{
	unsigned int restarts = vm_restarts(vm);
	struct vm_result r;

	CU_ASSERT_EQUAL_FATAL(push_testko(), 0);
	sh("insmod /tmp/vmtest.ko what=oops", 20000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_OOPS);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "the kernel oopsed: BUG: kernel NULL pointer dereference, address: 0000000000000000"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "vmtest_oops"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.evidence, "Oops: "));
	CU_ASSERT_EQUAL(r.signal, 9);	/* the oops killed insmod */
	CU_ASSERT(r.elapsed_ms < 30000);
	vm_result_free(&r);
	expect_healthy_next(restarts);
}

/* An oops inside a page-fault handler leaves the faulting task stuck in
 * the kernel: the command cannot end or be killed, the agent cannot report
 * it, and the verdict must still be the oops (from the console), not a
 * time-out. */
static void test_fault_oops_in_fault_handler(void)
{
	unsigned int restarts = vm_restarts(vm);
	struct vm_result r;

	CU_ASSERT_EQUAL_FATAL(push_testko(), 0);
	sh("insmod /tmp/vmtest.ko what=faultoops && fault-touch --dev /dev/vmtest 0", 5000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_OOPS);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "the kernel oopsed: BUG: kernel NULL pointer dereference"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "vmtest_fault"));
	CU_ASSERT(r.elapsed_ms < 30000);
	if (r.verdict != VM_OOPS)
		fprintf(stderr, "\nverdict %s: %s\n%s\n", vm_verdict_name(r.verdict), r.message,
			r.out);
	vm_result_free(&r);
	CU_ASSERT_EQUAL(vm_state(vm), VM_CRASHED);
	expect_healthy_next(restarts);
}

static void test_fault_hang(void)
{
	unsigned int restarts = vm_restarts(vm);
	struct vm_result r;

	CU_ASSERT_EQUAL_FATAL(push_testko(), 0);
	/* No time limit on the command: the heartbeat must notice. */
	sh("insmod /tmp/vmtest.ko what=spin", 0, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_HANG);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "the guest stopped answering"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.evidence, "vmtest: spinning with interrupts off"));
	CU_ASSERT(r.elapsed_ms < 30000);
	vm_result_free(&r);
	expect_healthy_next(restarts);
}

static void test_fault_qemu_abort(void)
{
	unsigned int restarts = vm_restarts(vm);
	struct vm_result r;

	off_t log_at;
	char *log;

	CU_ASSERT_EQUAL_FATAL(push_testko(), 0);
	log_at = vm_qemu_log_size(vm);
	sh("insmod /tmp/vmtest.ko what=dma", 20000, &r);
	CU_ASSERT(r.elapsed_ms < 30000);
	if (vm_edu_dma_aborts(vm_qemu_version(vm))) {
		CU_ASSERT_EQUAL(r.verdict, VM_QEMU_ABORT);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "QEMU itself aborted: "));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.message, "out of bounds"));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.evidence, "EDU: DMA range"));
		vm_result_free(&r);
		expect_healthy_next(restarts);
		return;
	}
	/* QEMU 8.0 on: a guest error in QEMU's log, and the VM lives on. */
	CU_ASSERT_EQUAL(r.verdict, VM_OK);
	CU_ASSERT_NOT_EQUAL(r.exit_code, 0);	/* the module's -EIO */
	vm_result_free(&r);
	log = vm_qemu_log_since(vm, log_at, 65536);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "EDU: DMA range 0x0000000000040000-0x0000000000041000 out of bounds"));
	free(log);
	CU_ASSERT_EQUAL(vm_restarts(vm), restarts);
}

/*
 * A shell whose child sleeps in the kernel for good: killing the job for
 * its time limit kills the shell, not the insmod.  Stuck all the same (it
 * used to read as a plain time-out, and the VM, holding a task no one can
 * kill, was used again).
 */
static void test_stuck_child(void)
{
	unsigned int restarts = vm_restarts(vm);
	struct vm_result r;

	CU_ASSERT_EQUAL_FATAL(push_testko(), 0);
	sh("insmod /tmp/vmtest.ko what=sleep; echo after", 3000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_TIMEOUT);
	CU_ASSERT_TRUE(r.stuck);
	CU_ASSERT_STRING_EQUAL(r.message, "the command ran past its 3 s limit and could not be "
			       "killed: it is stuck in the kernel");
	CU_ASSERT(r.elapsed_ms < 15000);
	vm_result_free(&r);
	expect_healthy_next(restarts);
}

static void test_user_loop_and_fork_bomb_keep_vm(void)
{
	unsigned int restarts = vm_restarts(vm);
	struct vm_result r;

	sh("while :; do :; done", 2000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_TIMEOUT);
	vm_result_free(&r);
	sh("bomb() { bomb | bomb & }; bomb; sleep 60", 4000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_TIMEOUT);
	vm_result_free(&r);
	/* Everything the bomb made is gone; the same VM answers. */
	sh("ps -o comm | grep -cx sh", 20000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_OK);
	CU_ASSERT_STRING_EQUAL(r.out, "1\n");
	vm_result_free(&r);
	CU_ASSERT_EQUAL(vm_restarts(vm), restarts);
}

static int faults_init(void)
{
	if (!vm)
		vm = tv_boot(NULL);	/* run on its own, without the basics */
	return vm ? 0 : 1;
}

static int faults_cleanup(void)
{
	vm_free(vm);
	vm = NULL;
	return 0;
}

/* ---- suite: DMA addresses, plain profile versus IOMMU ---- */

static void dmamap(bool iommu, unsigned long long *phys, unsigned long long *dma)
{
	struct vm_options o = { .iommu = iommu };
	struct vm *saved = vm;
	struct vm_result r;
	const char *p;

	vm = vm_new(&o);
	CU_ASSERT_EQUAL_FATAL(vm_start(vm), 0);
	CU_ASSERT_EQUAL_FATAL(push_testko(), 0);
	sh("insmod /tmp/vmtest.ko what=dmamap; dmesg | grep 'vmtest: phys='", 20000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_OK);
	p = strstr(r.out, "vmtest: phys=");
	CU_ASSERT_PTR_NOT_NULL(p);
	if (p)
		CU_ASSERT_EQUAL(sscanf(p, "vmtest: phys=%llx dma=%llx", phys, dma), 2);
	vm_result_free(&r);
	if (iommu) {
		sh("ls /sys/class/iommu", 10000, &r);
		CU_ASSERT_STRING_EQUAL(r.out, "dmar0\n");
		vm_result_free(&r);
	}
	vm_free(vm);
	vm = saved;
}

static void test_dma_plain_equals_phys(void)
{
	unsigned long long phys = 1, dma = 2;

	dmamap(false, &phys, &dma);
	CU_ASSERT_EQUAL(dma, phys);	/* no IOMMU, no offset on x86 */
}

static void test_dma_iommu_differs(void)
{
	unsigned long long phys = 0, dma = 0;

	dmamap(true, &phys, &dma);
	CU_ASSERT_NOT_EQUAL(dma, phys);
	CU_ASSERT(dma != 0 && dma < (1ull << 28));	/* an IOVA under edu's mask */
}

/* ---- suite: the addrlab vm command line ---- */

static int run_cli(const char *args, const char *input, char *out, size_t n)
{
	char cmd[PATH_MAX + 512];
	size_t got;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "%s%s%s %s/bin/addrlab %s 2>&1",
		 input ? "printf '%s' '" : "", input ? input : "",
		 input ? "' |" : "", build, args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	got = fread(out, 1, n - 1, f);
	out[got] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 256;
}

static void test_cli_run(void)
{
	char out[16384];

	CU_ASSERT_EQUAL(run_cli("vm run -- 'echo hi; echo oops >&2; exit 3'", NULL,
				out, sizeof(out)), 3);
	CU_ASSERT_STRING_EQUAL(out, "hi\noops\n");
	CU_ASSERT_EQUAL(run_cli("vm run --timeout 1 -- sleep 20", NULL, out,
				sizeof(out)), 124);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "addrlab: the command ran past its 1000 ms limit"));
	CU_ASSERT_EQUAL(run_cli("vm run -- 'echo c > /proc/sysrq-trigger'", NULL,
				out, sizeof(out)), 125);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "addrlab: the kernel panicked: Kernel panic - not syncing: sysrq triggered crash"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "--- evidence ---"));
}

static void test_cli_bad_usage(void)
{
	char out[4096];

	CU_ASSERT_EQUAL(run_cli("vm run", NULL, out, sizeof(out)), 2);
	CU_ASSERT_STRING_EQUAL(out, "addrlab: 'vm run' needs a command: addrlab vm run -- COMMAND...\n");
	CU_ASSERT_EQUAL(run_cli("vm run --timeout soon -- true", NULL, out, sizeof(out)), 2);
	CU_ASSERT_STRING_EQUAL(out, "addrlab: '--timeout soon' is not a number of seconds (0 to 86400)\n");
	CU_ASSERT_EQUAL(run_cli("vm frobnicate", NULL, out, sizeof(out)), 2);
	CU_ASSERT_STRING_EQUAL(out, "addrlab: unknown vm command 'frobnicate'; see 'addrlab vm --help'\n");
	CU_ASSERT_EQUAL(run_cli("--help", NULL, out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "vm shell"));
}

static void test_cli_shell_from_pipe(void)
{
	char out[16384];

	/* Without a terminal the shell reads commands from our stdin. */
	CU_ASSERT_EQUAL(run_cli("vm shell", "echo $((6 * 7)); hostname; exit 5\n",
				out, sizeof(out)), 5);
	CU_ASSERT_STRING_EQUAL(out, "42\naddrlab\n");
}

/* Polls a tmux pane until it shows `want` (or ~40 s pass). */
static bool pane_shows(const char *session, const char *want, char *screen, size_t n)
{
	for (int i = 0; i < 400; i++) {
		char cmd[128];
		FILE *f;
		size_t got;

		snprintf(cmd, sizeof(cmd), "tmux capture-pane -p -t %s 2>/dev/null", session);
		f = popen(cmd, "r");
		if (!f)
			return false;
		got = fread(screen, 1, n - 1, f);
		screen[got] = '\0';
		pclose(f);
		if (strstr(screen, want))
			return true;
		usleep(100000);
	}
	return false;
}

static void tmux_keys(const char *session, const char *keys)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "tmux send-keys -t %s %s", session, keys);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_cli_shell_in_a_terminal(void)
{
	char cmd[PATH_MAX + 512], screen[8192];
	const char *s = "addrlab-test-shell";

	/* A real terminal: ^C must reach the guest's command, not kill
	 * addrlab; the exit status must come back; the terminal must be as
	 * it was (stty -g before and after, compared byte for byte). */
	snprintf(cmd, sizeof(cmd),
		 "tmux kill-session -t %s 2>/dev/null; tmux new-session -d -s %s -x 80 -y 24 "
		 "\"stty -g > /tmp/%s.before; %s/bin/addrlab vm shell; echo EXIT=\\$?; "
		 "stty -g > /tmp/%s.after; cmp -s /tmp/%s.before /tmp/%s.after && echo TERMINAL-SAME; sleep 60\"",
		 s, s, s, build, s, s, s);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	CU_ASSERT_TRUE(pane_shows(s, "root@addrlab:~#", screen, sizeof(screen)));
	tmux_keys(s, "'sleep 100' Enter");
	usleep(1500000);
	tmux_keys(s, "C-c");
	tmux_keys(s, "'echo rc=$?' Enter");
	CU_ASSERT_TRUE(pane_shows(s, "rc=130", screen, sizeof(screen)));
	tmux_keys(s, "'stty size' Enter");
	CU_ASSERT_TRUE(pane_shows(s, "24 80", screen, sizeof(screen)));
	tmux_keys(s, "'exit 7' Enter");
	CU_ASSERT_TRUE(pane_shows(s, "EXIT=7", screen, sizeof(screen)));
	CU_ASSERT_TRUE(pane_shows(s, "TERMINAL-SAME", screen, sizeof(screen)));
	if (!strstr(screen, "TERMINAL-SAME"))
		fprintf(stderr, "\n%s\n", screen);
	snprintf(cmd, sizeof(cmd), "tmux kill-session -t %s; rm -f /tmp/%s.before /tmp/%s.after",
		 s, s, s);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

void register_lab_tests(void)
{
	CU_pSuite s;

	s = CU_add_suite("lab VM basics", basics_init, NULL);
	CU_add_test(s, "boots the packaged kernel", test_boot);
	CU_add_test(s, "stdout, stderr and exit status apart", test_exec_streams_and_status);
	CU_add_test(s, "argv runs without a shell; a missing program is 127", test_exec_argv);
	CU_add_test(s, "a command killed by a signal", test_exec_killed_by_signal);
	CU_add_test(s, "a time limit stops the command, not the VM", test_exec_timeout_keeps_vm);
	CU_add_test(s, "output is capped", test_exec_output_cap);
	CU_add_test(s, "lspci -v shows edu's 1 MiB BAR, as sysfs does", test_lspci_shows_edu_bar);
	CU_add_test(s, "devmem at the BAR reads the ID 0x010000ed", test_devmem_reads_edu_id);
	CU_add_test(s, "a 1 MiB push arrives intact", test_push_1mib_checksums);
	CU_add_test(s, "pull a guest file", test_pull);
	CU_add_test(s, "kernel messages since a cursor", test_kmsg_cursor);
	CU_add_test(s, "a job cannot write the kernel's log or attach to the agent",
		    test_jobs_cannot_pass_for_the_kernel);
	CU_add_test(s, "QEMU reads the guest's physical page", test_read_phys_oracle);
	CU_add_test(s, "the QEMU monitor", test_monitor);
	CU_add_test(s, "resync", test_resync);
	CU_add_test(s, "QEMU gone on its own: noticed, then a fresh VM", test_alive);
	s = CU_add_suite("faults", faults_init, faults_cleanup);
	CU_add_test(s, "kernel panic", test_fault_panic);
	CU_add_test(s, "a failed restart is judged by its own boot, not the last panic",
		    test_fault_boot_after_panic);
	CU_add_test(s, "oops inside a module", test_fault_oops_in_module);
	CU_add_test(s, "a console flood: capped on disk, the tail judged",
		    test_fault_console_flood);
	CU_add_test(s, "oops in a page-fault handler: the oops, not a time-out",
		    test_fault_oops_in_fault_handler);
	CU_add_test(s, "guest stops answering", test_fault_hang);
	CU_add_test(s, "an edu DMA overrun: QEMU aborts (before 8.0) or logs it", test_fault_qemu_abort);
	CU_add_test(s, "a user-space loop and a fork bomb keep the VM", test_user_loop_and_fork_bomb_keep_vm);
	CU_add_test(s, "a shell's child asleep in the kernel for good: stuck, a fresh VM next",
		    test_stuck_child);
	s = CU_add_suite("DMA addresses", NULL, NULL);
	CU_add_test(s, "plain profile: DMA address = physical", test_dma_plain_equals_phys);
	CU_add_test(s, "IOMMU profile: DMA address is an IOVA below 2^28", test_dma_iommu_differs);
	s = CU_add_suite("addrlab vm", NULL, NULL);
	CU_add_test(s, "vm run: output, status, timeout, fault", test_cli_run);
	CU_add_test(s, "bad command lines", test_cli_bad_usage);
	CU_add_test(s, "vm shell reading a pipe", test_cli_shell_from_pipe);
	CU_add_test(s, "vm shell in a terminal: ^C, status, terminal restored",
		    test_cli_shell_in_a_terminal);

}
