/* SPDX-License-Identifier: MIT */
/*
 * request.h - the guest agent's decoding of the host's request payloads
 * (proto.h), apart from acting on them, so that the agent and the fuzzer
 * (tests/fuzz/agent_frames.c) run the same code over untrusted bytes.
 * Each function decodes one payload through a proto_cursor and returns 0,
 * or a negative errno: -EINVAL for a malformed request, -ENOMEM.
 */
#ifndef ADDRLAB_REQUEST_H
#define ADDRLAB_REQUEST_H

#include <stdint.h>

#include "../proto.h"

#define REQUEST_MAX_ARGC	4096

/* PT_EXEC.  On success cwd and argv[0..argc) are malloc'd strings and
 * argv[argc] is NULL; request_exec_free() frees whatever was decoded. */
struct request_exec {
	uint32_t flags, timeout_ms;
	uint64_t out_cap;
	uint16_t rows, cols;
	char *cwd;
	uint32_t argc;
	char **argv;
};

/* -EINVAL for a malformed header (cwd, argc), -EBADMSG for a malformed
 * argument list, -ENOMEM. */
int request_exec_decode(struct proto_cursor *c, struct request_exec *x);
void request_exec_free(struct request_exec *x);

/* PT_PUSH_OPEN: *path is malloc'd and absolute on success, else NULL. */
int request_push_open_decode(struct proto_cursor *c, uint32_t *mode,
			     char **path);

/* PT_PULL: *path is malloc'd on success, else NULL. */
int request_pull_decode(struct proto_cursor *c, uint64_t *max, char **path);

#endif /* ADDRLAB_REQUEST_H */
