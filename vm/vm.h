/* SPDX-License-Identifier: MIT */
/*
 * vm.h - the lab VM controller: boots QEMU with the edu device, talks to the
 * guest agent, and turns every way a guest can die into a verdict in words.
 *
 * One `struct vm` is one lab VM session.  Lifecycle:
 *
 *	struct vm *vm = vm_new(&opts);		never NULL unless out of memory
 *	vm_start(vm);				boots or restores; 0 or -1 (see vm_error())
 *	vm_sh(vm, "lspci -v", 5000, &res);	any number of requests
 *	vm_result_free(&res);
 *	vm_free(vm);				stops QEMU, removes its files
 *
 * Invariants:
 * - Requests never hang: each has a time limit; when the guest does not
 *   answer within it plus a margin, the session resynchronises or declares
 *   the guest hung, kills QEMU and says so in the result.
 * - After any fault (oops, panic, hang, QEMU abort or exit) the session is
 *   "crashed"; the next request boots a fresh VM first, so it always runs on
 *   a healthy guest.  vm_restarts() counts those boots.
 * - Functions that act return 0 or -1; on -1, vm_error() holds one line
 *   saying what failed and what to do.  A request whose command ran (even
 *   one that crashed the guest) returns 0 with the verdict in the result.
 * - Not thread-safe: one thread drives one session.
 */
#ifndef ADDRLAB_VM_H
#define ADDRLAB_VM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum vm_accel {
	VM_ACCEL_AUTO,	/* ADDRLAB_ACCEL if set, else KVM only where it works */
	VM_ACCEL_KVM,
	VM_ACCEL_TCG,
};

struct vm_options {
	const char *guest_dir;	/* vmlinux + initrd.cpio; NULL: vm_default_guest_dir() */
	const char *kernel;	/* NULL: guest_dir/vmlinux */
	const char *initrd;	/* NULL: guest_dir/initrd.cpio */
	const char *firmware;	/* NULL: qboot; "" : QEMU's default (SeaBIOS) */
	const char *qemu;	/* NULL: $ADDRLAB_QEMU or qemu-system-x86_64 */
	const char *append;	/* extra kernel command line, or NULL */
	bool iommu;		/* q35 + intel-iommu: bus addresses become IOVAs */
	bool no_edu;		/* leave the edu device out (missing-device tests) */
	bool no_snapshot;	/* always boot cold (so does ADDRLAB_SNAPSHOTS=0) */
	unsigned int mem_mb;	/* 0: 256 (edu's 28-bit DMA reaches all of it) */
	enum vm_accel accel;
	unsigned int boot_timeout_ms;	/* 0: 60 s */
	size_t console_cap;	/* console.log's bytes kept on disk; 0: 8 MiB */
};

/* X(enum, short name, what it means to a person) */
#define VM_VERDICTS(X) \
	X(VM_OK,         "ok",          "the command ran") \
	X(VM_TIMEOUT,    "timeout",     "the command ran past its time limit and was stopped") \
	X(VM_OOPS,       "oops",        "the kernel oopsed") \
	X(VM_PANIC,      "panic",       "the kernel panicked") \
	X(VM_HANG,       "hang",        "the guest stopped answering") \
	X(VM_QEMU_ABORT, "qemu-abort",  "QEMU itself aborted") \
	X(VM_QEMU_EXIT,  "qemu-exit",   "QEMU exited unexpectedly") \
	X(VM_BOOT_FAIL,  "boot-failed", "the lab VM did not boot") \
	X(VM_ERROR,      "error",       "the request could not be carried out")

enum vm_verdict {
#define X(e, name, words) e,
	VM_VERDICTS(X)
#undef X
	VM_VERDICT_COUNT
};

const char *vm_verdict_name(enum vm_verdict v);	/* "oops" */
const char *vm_verdict_words(enum vm_verdict v);	/* "the kernel oopsed" */
/* True for the verdicts that leave the session crashed (a VM is rebooted). */
bool vm_verdict_is_fault(enum vm_verdict v);

struct vm_result {
	enum vm_verdict verdict;
	int exit_code;		/* VM_OK/VM_TIMEOUT: the exit code, 128+signal if
				 * killed; always 0..255 */
	int signal;		/* the signal that ended the command, or 0 */
	bool truncated;		/* output past out_cap was dropped */
	bool pids_limit;	/* it hit the guest's per-command process limit */
	bool oom_killed;	/* a task of it was killed for its memory limit
				 * (128 MiB per command) */
	bool stuck;		/* VM_TIMEOUT: it could not be killed (a task
				 * stuck in the kernel); that VM was discarded */
	char *out, *err;	/* NUL-terminated, never NULL after a request */
	size_t out_len, err_len;
	unsigned int elapsed_ms;	/* host-side, request to verdict */
	char *message;		/* one line; "" when verdict is VM_OK */
	char *evidence;		/* console or QEMU excerpt; "" if none */
};

void vm_result_free(struct vm_result *res);

/* Output callback for streaming: stream 1 is stdout, 2 stderr. */
typedef void (*vm_output_fn)(void *ctx, int stream, const char *buf, size_t len);
/* A ready-made vm_output_fn: the guest's stdout and stderr to ours (ctx
 * unused), as `addrlab vm run` and the interactive shells want. */
void vm_output_to_stdio(void *ctx, int stream, const char *buf, size_t len);

struct vm_exec_opts {
	unsigned int timeout_ms;	/* 0: no limit (interactive use only) */
	size_t out_cap;		/* per stream; 0: 16 MiB */
	const char *cwd;	/* NULL: /root */
	bool pty;		/* run on a pseudo terminal */
	int stdin_fd;		/* forwarded to the command until EOF; -1: none */
	vm_output_fn on_output;	/* NULL: collect into the result */
	void *ctx;
	/* Interactive use: when *winch is set the session clears it and sends
	 * the size of stdin_fd's terminal to the guest. */
	volatile sig_atomic_t *winch;
};

struct vm *vm_new(const struct vm_options *opts);
void vm_free(struct vm *vm);

int vm_start(struct vm *vm);
void vm_stop(struct vm *vm);

enum vm_state { VM_STOPPED, VM_BOOTING, VM_READY, VM_CRASHED };
enum vm_state vm_state(const struct vm *vm);
/*
 * Is QEMU still running?  Cheap (no request to the guest).  When a ready
 * session's QEMU has gone on its own (killed, exited) the session becomes
 * crashed, with vm_error() saying so, and false is returned; requests would
 * boot a fresh VM anyway, this lets a front end show it happening.
 */
bool vm_alive(struct vm *vm);
const char *vm_state_name(enum vm_state s);

/* Runs argv in the guest.  0 with *res filled (see the verdict), or -1. */
int vm_exec(struct vm *vm, const char *const argv[],
	    const struct vm_exec_opts *opts, struct vm_result *res);
/* Runs a shell command line with /bin/sh -c. */
int vm_sh(struct vm *vm, const char *cmd, unsigned int timeout_ms,
	  struct vm_result *res);

/* Copies a host file, or bytes, to an absolute guest path (parents made);
 * the agent's CRC-32 of what it wrote is checked against ours. */
int vm_push(struct vm *vm, const char *host_path, const char *guest_path,
	    unsigned int mode);
int vm_push_data(struct vm *vm, const void *data, size_t len,
		 const char *guest_path, unsigned int mode);
/* Reads up to max bytes (0: no limit) of a guest file; *data is malloc'd
 * and NUL-terminated. */
int vm_pull(struct vm *vm, const char *guest_path, size_t max, char **data,
	    size_t *len);

/* Kernel messages numbered *cursor and later ("[  sec.usec] text" lines);
 * *cursor advances past every message there is.  Start with 0 for
 * everything; UINT64_MAX gives no text, just the cursor for "from now on".
 * Numbers start again at 0 when the VM reboots (see vm_restarts()). */
int vm_kmsg(struct vm *vm, uint64_t *cursor, char **text);

/* The host-side oracle: guest physical memory, read by QEMU (not the guest). */
int vm_read_phys(struct vm *vm, uint64_t addr, void *buf, size_t len);
/* Turns one of QEMU's trace events (`qemu-system-x86_64 -trace help`,
 * e.g. pci_cfg_write) on or off; QEMU writes each event it records as a
 * line of vm_qemu_log_path(). */
int vm_trace(struct vm *vm, const char *event, bool on);
/* A QEMU human-monitor command ("info pci"); *out is malloc'd. */
int vm_monitor(struct vm *vm, const char *cmd, char **out);

/* Puts the channel back in step: PT_SYNC with a fresh nonce, everything
 * before the matching acknowledgement discarded.  0, or -1 if the guest did
 * not answer within timeout_ms. */
int vm_resync(struct vm *vm, unsigned int timeout_ms);

/*
 * The kernel console (first serial port), kept across reboots of the
 * session; vm_console_since() returns what was added after byte offset, at
 * most its last console_cap/8 bytes (1 MiB by default): a module flooding
 * printk costs a bounded read.  Once the file passes console_cap, all but
 * its last half is punched out (it reads back as NUL bytes, the offsets
 * stay): what is on disk stays near console_cap.
 */
const char *vm_console_path(const struct vm *vm);
off_t vm_console_size(const struct vm *vm);
char *vm_console_since(const struct vm *vm, off_t offset);
/* QEMU's own stdout and stderr (edu writes its complaints there, trace
 * events their lines); vm_qemu_log_since() as vm_console_since(), its last
 * max bytes at most. */
const char *vm_qemu_log_path(const struct vm *vm);
off_t vm_qemu_log_size(const struct vm *vm);
char *vm_qemu_log_since(const struct vm *vm, off_t offset, size_t max);

const char *vm_error(const struct vm *vm);
unsigned int vm_restarts(const struct vm *vm);	/* boots after the first */
/*
 * The version of the QEMU running the VM, as major * 10000 + minor * 100 +
 * micro (70219 for 7.2.19, 100013 for 10.0.13), asked over QMP at start; 0
 * before the first start.  edu's limits depend on it, see EDU_DMA_* in
 * kmod/edu.h and vm_edu_dma_max().
 */
unsigned int vm_qemu_version(const struct vm *vm);
/* The longest edu DMA from the start of its buffer that this QEMU takes:
 * 4095 before 8.2.1 (an off-by-one, fixed there), 4096 from 8.2.1 on. */
unsigned int vm_edu_dma_max(unsigned int qemu_version);
/* Whether this QEMU aborts on an out-of-bounds edu DMA (hw_error, before
 * 8.0) rather than logging a guest error (8.0 on). */
bool vm_edu_dma_aborts(unsigned int qemu_version);
/*
 * Snapshots: the first start of a machine boots cold and saves a snapshot
 * of the booted, idle VM (in $ADDRLAB_CACHE_DIR, else ~/.cache/addrlab);
 * every later start, by any process, restores it instead: the same
 * pristine VM each time, with the host's clock, its own random seed and
 * edu rescanned.  The snapshot is keyed by QEMU's command line and the
 * files that made it (rebuilt when any changes); a restore that fails
 * falls back to a cold boot.  vm_restored(): the running VM came from a
 * snapshot; vm_snapshot_note(): why the last start did not, or "".
 */
bool vm_restored(const struct vm *vm);
pid_t vm_qemu_pid(const struct vm *vm);	/* 0 when none runs (benchmarks) */
const char *vm_snapshot_note(const struct vm *vm);
unsigned int vm_boot_ms(const struct vm *vm);	/* last boot: spawn to agent */
const char *vm_guest_uname(const struct vm *vm);
const char *vm_accel_name(const struct vm *vm);	/* "tcg" or "kvm" */

/* Where the guest image is: $ADDRLAB_GUEST_DIR, else next to the running
 * binary (../guest, then ../share/addrlab/guest).  Static storage. */
const char *vm_default_guest_dir(void);

/*
 * Pure helpers, exposed for the controller's unit tests.
 */

/* The accelerator to use: env ("kvm", "tcg" or NULL), whether /dev/kvm
 * opens read-write, and /proc/cpuinfo's text.  *why gets a reason. */
enum vm_accel vm_accel_pick(const char *env, bool kvm_dev_ok,
			    const char *cpuinfo, const char **why);

/*
 * Makes text from the guest (an agent's error message, its uname) fit for
 * one line of a terminal or a report, in place: control bytes (below 0x20,
 * 0x7f: newlines, escape sequences) become '?', and it is cut to at most
 * max bytes, "..." included.  Returns s; NULL stays NULL.
 */
char *vm_guest_text(char *s, size_t max);

/*
 * Maps the wait status a PT_EXIT carries (an exit code 0..255, or -signo for
 * a signal 1..64) to *exit_code (128+signo for a signal) and *signal.  Any
 * other value, INT32_MIN included, comes from an agent that cannot be
 * trusted: false, with *exit_code 255 and *signal 0.
 */
bool vm_exit_status(int32_t status, int *exit_code, int *signal);

/*
 * Names what happened to the guest.  console: console output since the
 * request began; qemu_log: QEMU's output; qemu_status: its wait status, or
 * -1 while it runs; answered: the agent replied in time.  *message and
 * *evidence are malloc'd (never NULL) and hold no control bytes but the
 * evidence's line ends and tabs: the console is the guest's to write.
 */
enum vm_verdict vm_classify(const char *console, const char *qemu_log,
			    int qemu_status, bool answered, char **message,
			    char **evidence);

#endif /* ADDRLAB_VM_H */
