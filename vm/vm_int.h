/* SPDX-License-Identifier: MIT */
/*
 * vm_int.h - the lab VM controller's insides, shared by vm.c (requests,
 * verdicts) and boot.c (starting QEMU: a cold boot or a snapshot's
 * restore).  Nothing outside vm/ includes it.
 */
#ifndef ADDRLAB_VM_INT_H
#define ADDRLAB_VM_INT_H

#include "vm.h"
#include "proto.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define DEFAULT_MEM_MB		256
#define DEFAULT_BOOT_MS		60000
#define DEFAULT_OUT_CAP		(16u << 20)
#define DEFAULT_CONSOLE_CAP	(8u << 20)
#define GUEST_TEXT_MAX		300	/* bytes of an agent's message we repeat */
#define CONSOLE_CHECK_MS	1000	/* a running command's console is trimmed */
/* Past a command's limit, for the agent's own kill and report: a loaded
 * host is slow, and hangs are the heartbeat's job, not this margin's. */
#define REPLY_MARGIN_MS		10000
#define RESYNC_MS		2000
#define HEARTBEAT_MS		2000	/* silence before we ask "are you there?" */
#define HEARTBEAT_GRACE_MS	8000	/* no answer by then: the guest hangs */
#define QEMU_EXIT_WAIT_MS	3000	/* a closed channel: QEMU is on its way out */
#define REQUEST_MS		30000	/* push, pull, kmsg: generous under TCG */
#define QMP_MS			10000
#define EVIDENCE_LINES		40
#define LOG_FLOOD_BYTES		(256 << 10)	/* console output that makes a hang a log flood */
#define QBOOT			"/usr/share/qemu/qboot.rom"

struct vm {
	struct vm_options o;	/* string fields point into the strdup'd copies below */
	char *guest_dir, *kernel, *initrd, *firmware, *qemu, *append;

	char dir[PATH_MAX];	/* runtime directory, "" until the first start */
	char console_path[PATH_MAX + 16];
	char qemu_log_path[PATH_MAX + 16];
	char chan_path[PATH_MAX + 16];
	char qmp_path[PATH_MAX + 16];

	enum vm_state state;
	pid_t pid;		/* QEMU, or 0 */
	int pidfd;		/* readable when QEMU exits */
	int qemu_status;	/* wait status once reaped, -1 while running */
	unsigned int qemu_version;	/* vm_qemu_version() */
	int chan, qmp;
	struct proto_reader rd;
	struct proto_buf tx;
	char *qmp_buf;
	size_t qmp_len;
	uint32_t next_id, next_nonce;

	unsigned int boots, boot_ms;
	/* Snapshots (boot.c): off for this session (an option, the
	 * environment, or a restore that failed); the running VM came from
	 * one; why the last start did not restore, "" if it did or none was
	 * tried. */
	bool snap_off, restored;
	char snap_note[512];
	uint8_t okbuf[512];	/* the payload of the last PT_OK (wait_reply) */
	off_t boot_con_off;	/* where this boot's console text begins */
	off_t con_punched;	/* console.log's bytes before this are a hole */
	uint64_t con_checked;	/* vmi_now_ms() of the last vmi_console_trim() */
	char uname[128];
	const char *accel;
	char err[1024];
};

enum { W_FRAME = 1, W_TIMEOUT = 0, W_DEAD = -1, W_EXTRA = -2, W_INTR = -3 };

struct sink;

/* One line in vm->err; returns -1. */
int vmi_fail(struct vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint64_t vmi_now_ms(void);
char *vmi_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *vmi_read_file(const char *path, off_t from, size_t max);
char *vmi_guest_str(struct proto_cursor *c);
void vmi_close_fd(int *fd);
void vmi_kill_qemu(struct vm *vm);
void vmi_remove_runtime_dir(const char *dir);
void vmi_console_trim(struct vm *vm);
bool vmi_qemu_alive(struct vm *vm);
int vmi_qmp_call(struct vm *vm, json_t *cmd, json_t **ret);
/* Waits for a frame (W_FRAME), the deadline (W_TIMEOUT), QEMU's death
 * (W_DEAD), extra_fd readable (W_EXTRA) or a signal (W_INTR). */
int vmi_wait_any(struct vm *vm, struct proto_frame *f, uint64_t deadline,
		 int extra_fd);
int vmi_send_frame(struct vm *vm, unsigned int type, uint32_t id,
		   const void *payload, size_t len);
int vmi_send_buf(struct vm *vm, unsigned int type, uint32_t id,
		 struct proto_buf *b);
int vmi_do_resync(struct vm *vm, unsigned int timeout_ms);
/* Waits for the PT_OK or PT_ERROR ending request id: 0 with *ok over the
 * PT_OK's payload (in vm->okbuf), or -1 with vm_error() saying what. */
int vmi_wait_reply(struct vm *vm, uint32_t id, struct sink *data,
		   struct proto_cursor *ok, const char *what);
/* The boot failed: vm_error() says why (with the console's cause), QEMU
 * is killed, the session is crashed; returns -1. */
int vmi_boot_failed(struct vm *vm, const char *why);

#endif /* ADDRLAB_VM_INT_H */
