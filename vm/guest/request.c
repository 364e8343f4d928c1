// SPDX-License-Identifier: MIT
/* request.c - decoding the host's requests in the agent (see request.h). */
#include "request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int request_exec_decode(struct proto_cursor *c, struct request_exec *x)
{
	memset(x, 0, sizeof(*x));
	x->flags = proto_get_u32(c);
	x->timeout_ms = proto_get_u32(c);
	x->out_cap = proto_get_u64(c);
	x->rows = proto_get_u16(c);
	x->cols = proto_get_u16(c);
	x->cwd = proto_get_str(c);
	x->argc = proto_get_u32(c);
	if (c->bad || x->argc == 0 || x->argc > REQUEST_MAX_ARGC) {
		x->argc = 0;
		return -EINVAL;
	}
	x->argv = calloc((size_t)x->argc + 1, sizeof(*x->argv));
	if (!x->argv)
		return -ENOMEM;
	for (uint32_t i = 0; i < x->argc; i++)
		x->argv[i] = proto_get_str(c);
	return c->bad ? -EBADMSG : 0;
}

void request_exec_free(struct request_exec *x)
{
	if (x->argv)
		for (uint32_t i = 0; i < x->argc; i++)
			free(x->argv[i]);
	free(x->argv);
	free(x->cwd);
	memset(x, 0, sizeof(*x));
}

int request_push_open_decode(struct proto_cursor *c, uint32_t *mode,
			     char **path)
{
	*mode = proto_get_u32(c);
	*path = proto_get_str(c);
	if (c->bad || !*path || (*path)[0] != '/') {
		free(*path);
		*path = NULL;
		return -EINVAL;
	}
	return 0;
}

int request_pull_decode(struct proto_cursor *c, uint64_t *max, char **path)
{
	*max = proto_get_u64(c);
	*path = proto_get_str(c);
	if (c->bad) {
		free(*path);
		*path = NULL;
		return -EINVAL;
	}
	return 0;
}
