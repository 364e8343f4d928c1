// SPDX-License-Identifier: MIT
/*
 * bench_vm.c - the lab VM's figures, as medians over repeated runs:
 *
 *   cold boot to agent ready, fast path (vmlinux + PVH + qboot)  target <= 3 s
 *   cold boot, the usual path (bzImage + SeaBIOS), and the ratio of the two
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

/* Boots a VM with these options `runs` times; boot times in seconds. */
static int boots(const struct vm_options *o, int runs, double *out)
{
	for (int i = 0; i < runs; i++) {
		struct vm *vm = vm_new(o);
		double t0 = now_s();

		if (!vm || vm_start(vm)) {
			fprintf(stderr, "bench-vm: %s\n", vm ? vm_error(vm) : "out of memory");
			vm_free(vm);
			return -1;
		}
		out[i] = now_s() - t0;
		vm_free(vm);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	double fast[MAX_RUNS], slow[MAX_RUNS], v[MAX_RUNS];
	char bzimage[PATH_MAX];
	struct vm_options fast_o = { 0 }, slow_o = { 0 };
	const char *uname;
	struct vm *vm;
	char *blob;
	size_t blob_len = 32u << 20;
	int rtt_n = 200;

	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "bench-vm: RUNS must be 1 to %d\n", MAX_RUNS);
		return 2;
	}

	/* Boot once to learn the kernel version and warm the page cache. */
	vm = vm_new(&fast_o);
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

	if (boots(&fast_o, runs, fast))
		return 2;
	all_met &= bench_report("cold boot to agent ready (vmlinux+PVH+qboot)", fast, runs, "s", "<=", 3);
	slow_o.kernel = bzimage;
	slow_o.firmware = "";	/* QEMU's default firmware: SeaBIOS */
	if (boots(&slow_o, runs, slow))
		return 2;
	bench_report("cold boot, bzImage + SeaBIOS", slow, runs, "s", NULL, 0);
	printf("%-44s %9.2fx faster (median / median, same run)\n",
	       "fast path speed-up", median(slow, runs) / median(fast, runs));
	return all_met ? 0 : 1;
}
