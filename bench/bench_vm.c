// SPDX-License-Identifier: MIT
/*
 * bench_vm.c - the lab VM's figures, as medians over repeated runs:
 *
 *   lab VM ready, restored from its snapshot (edu working)    target <= 0.5 s
 *   cold boot to agent ready, fast path (vmlinux + PVH + qboot)  target <= 3 s
 *   the ratio of the two, and QEMU's memory (PSS) for each kind of VM
 *   cold boot, the usual path (bzImage + SeaBIOS), and its ratio to the fast one
 *   command round trip through the agent (/bin/true)            target <= 20 ms
 *   protocol round trip (a sync frame and its answer)
 *   file push throughput                                        target >= 20 MB/s
 *
 * Usage: bench-vm [RUNS]   (default 5; the guest image is found as addrlab
 * finds it).  Prints one line per figure; exit status 0 when every target is
 * met, 1 otherwise.
 */
#define _GNU_SOURCE
#include "vm.h"
#include "bench.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RUNS	64

static bool all_met = true;

static double *scale(double *v, int n, double by)
{
	for (int i = 0; i < n; i++)
		v[i] *= by;
	return v;
}

/* QEMU's proportional set size in MB (shared pages split between the
 * processes mapping them), or -1. */
static double pss_mb(pid_t pid)
{
	char path[64], line[256];
	double kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pss: %lf kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb / 1024;
}

/*
 * Starts a VM with these options `runs` times; times to a ready VM in
 * seconds, and QEMU's PSS right after (an edu register read first, so the
 * device is known to work).  restored: each start must have come from the
 * snapshot (or must not have).
 */
static int boots(const struct vm_options *o, int runs, bool restored,
		 double *out, double *mem)
{
	for (int i = 0; i < runs; i++) {
		struct vm *vm = vm_new(o);
		double t0 = now_s();
		struct vm_result res;

		if (!vm || vm_start(vm)) {
			fprintf(stderr, "bench-vm: %s\n", vm ? vm_error(vm) : "out of memory");
			vm_free(vm);
			return -1;
		}
		out[i] = now_s() - t0;
		if (vm_restored(vm) != restored) {
			fprintf(stderr, "bench-vm: the VM was %srestored from its snapshot%s%s\n",
				restored ? "not " : "", *vm_snapshot_note(vm) ? ": " : "",
				vm_snapshot_note(vm));
			vm_free(vm);
			return -1;
		}
		if (mem) {
			/* edu's ID register, through its BAR, decoding on. */
			if (vm_sh(vm, "echo 1 > /sys/bus/pci/devices/0000:00:02.0/enable && "
				  "devmem 0x10000000 32", 10000, &res) ||
			    strncmp(res.out, "0x010000ED", 10)) {
				fprintf(stderr, "bench-vm: edu does not answer: %s\n", res.out);
				vm_free(vm);
				return -1;
			}
			vm_result_free(&res);
			mem[i] = pss_mb(vm_qemu_pid(vm));
		}
		vm_free(vm);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	double fast[MAX_RUNS], slow[MAX_RUNS], v[MAX_RUNS], snap[MAX_RUNS];
	double mem_cold[MAX_RUNS], mem_snap[MAX_RUNS];
	char bzimage[PATH_MAX];
	struct vm_options fast_o = { .no_snapshot = true }, slow_o = { .no_snapshot = true };
	struct vm_options snap_o = { 0 };
	const char *uname;
	struct vm *vm;
	char *blob;
	size_t blob_len = 32u << 20;
	int rtt_n = 200;

	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "bench-vm: RUNS must be 1 to %d\n", MAX_RUNS);
		return 2;
	}

	/* Start once to learn the kernel version, warm the page cache and
	 * have a snapshot (this start saves one if there is none). */
	vm = vm_new(&snap_o);
	if (!vm || vm_start(vm)) {
		fprintf(stderr, "bench-vm: %s\n", vm ? vm_error(vm) : "out of memory");
		return 2;
	}
	uname = vm_guest_uname(vm);
	snprintf(bzimage, sizeof(bzimage), "/boot/vmlinuz-%.*s",
		 (int)strcspn(uname, " "), uname);
	printf("lab VM: kernel %s, accelerator %s, %d runs per figure\n", uname,
	       vm_accel_name(vm), runs);

	/* Command and protocol round trips on the warm VM. */
	for (int r = 0; r < runs; r++) {
		const char *true_argv[] = { "/bin/true", NULL };
		struct vm_exec_opts eo = { .timeout_ms = 10000, .stdin_fd = -1 };
		double t0 = now_s();

		for (int i = 0; i < rtt_n / 10; i++) {
			struct vm_result res;

			if (vm_exec(vm, true_argv, &eo, &res) || res.verdict != VM_OK) {
				fprintf(stderr, "bench-vm: /bin/true failed: %s\n", vm_error(vm));
				return 2;
			}
			vm_result_free(&res);
		}
		v[r] = (now_s() - t0) / (rtt_n / 10);
	}
	all_met &= bench_report("command round trip (/bin/true)", scale(v, runs, 1e3), runs, "ms", "<=", 20);
	for (int r = 0; r < runs; r++) {
		double t0 = now_s();

		for (int i = 0; i < rtt_n; i++)
			if (vm_resync(vm, 5000)) {
				fprintf(stderr, "bench-vm: %s\n", vm_error(vm));
				return 2;
			}
		v[r] = (now_s() - t0) / rtt_n;
	}
	bench_report("protocol round trip (sync frame)", scale(v, runs, 1e3), runs, "ms", NULL, 0);

	blob = malloc(blob_len);
	if (!blob)
		return 2;
	for (size_t i = 0; i < blob_len; i++)
		blob[i] = (char)(i * 2654435761u >> 13);
	for (int r = 0; r < runs; r++) {
		double t0 = now_s();

		if (vm_push_data(vm, blob, blob_len, "/tmp/bench.bin", 0644)) {
			fprintf(stderr, "bench-vm: %s\n", vm_error(vm));
			return 2;
		}
		v[r] = (double)blob_len / (now_s() - t0);
	}
	free(blob);
	all_met &= bench_report("file push, 32 MiB (CRC-checked)", scale(v, runs, 1e-6), runs, "MB/s", ">=", 20);
	vm_free(vm);

	if (boots(&snap_o, runs, true, snap, mem_snap) ||
	    boots(&fast_o, runs, false, fast, mem_cold))
		return 2;
	all_met &= bench_report("lab VM ready, restored (edu working)", snap, runs, "s", "<=", 0.5);
	all_met &= bench_report("cold boot to agent ready (vmlinux+PVH+qboot)", fast, runs, "s", "<=", 3);
	printf("%-44s %9.2fx faster (median / median, same run)\n",
	       "restore speed-up over a cold boot", median(fast, runs) / median(snap, runs));
	bench_report("QEMU memory (PSS), restored VM", mem_snap, runs, "MB", NULL, 0);
	bench_report("QEMU memory (PSS), cold-booted VM", mem_cold, runs, "MB", NULL, 0);
	slow_o.kernel = bzimage;
	slow_o.firmware = "";	/* QEMU's default firmware: SeaBIOS */
	if (boots(&slow_o, runs, false, slow, NULL))
		return 2;
	bench_report("cold boot, bzImage + SeaBIOS", slow, runs, "s", NULL, 0);
	printf("%-44s %9.2fx faster (median / median, same run)\n",
	       "fast path speed-up", median(slow, runs) / median(fast, runs));
	return all_met ? 0 : 1;
}
