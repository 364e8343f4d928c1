// SPDX-License-Identifier: MIT
/*
 * test_request.c - suite "request": the guest agent's decoding of the
 * host's requests (vm/guest/request.c), run on the host: a whole exec
 * request, its malformed forms, push and pull paths.
 */
#include "guest/request.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void exec_header(struct proto_buf *b, const char *cwd, uint32_t argc)
{
	proto_buf_init(b);
	proto_put_u32(b, PROTO_EXEC_PTY);
	proto_put_u32(b, 2500);
	proto_put_u64(b, 1u << 20);
	proto_put_u16(b, 24);
	proto_put_u16(b, 80);
	proto_put_str(b, cwd);
	proto_put_u32(b, argc);
}

static void test_exec_whole(void)
{
	struct request_exec x;
	struct proto_cursor c;
	struct proto_buf b;

	exec_header(&b, "/root", 3);
	proto_put_str(&b, "/bin/sh");
	proto_put_str(&b, "-c");
	proto_put_str(&b, "echo hi");
	proto_cursor_init(&c, b.data, b.len);
	CU_ASSERT_EQUAL_FATAL(request_exec_decode(&c, &x), 0);
	CU_ASSERT_EQUAL(x.flags, PROTO_EXEC_PTY);
	CU_ASSERT_EQUAL(x.timeout_ms, 2500);
	CU_ASSERT_EQUAL(x.out_cap, 1u << 20);
	CU_ASSERT_EQUAL(x.rows, 24);
	CU_ASSERT_EQUAL(x.cols, 80);
	CU_ASSERT_STRING_EQUAL(x.cwd, "/root");
	CU_ASSERT_EQUAL_FATAL(x.argc, 3);
	CU_ASSERT_STRING_EQUAL(x.argv[0], "/bin/sh");
	CU_ASSERT_STRING_EQUAL(x.argv[2], "echo hi");
	CU_ASSERT_PTR_NULL(x.argv[3]);
	CU_ASSERT_EQUAL(c.left, 0);
	request_exec_free(&x);
	CU_ASSERT_PTR_NULL(x.argv);
	CU_ASSERT_PTR_NULL(x.cwd);
	proto_buf_free(&b);
}

static void test_exec_malformed(void)
{
	struct request_exec x;
	struct proto_cursor c;
	struct proto_buf b;

	/* No arguments at all, and more than the agent takes. */
	exec_header(&b, "/", 0);
	proto_cursor_init(&c, b.data, b.len);
	CU_ASSERT_EQUAL(request_exec_decode(&c, &x), -EINVAL);
	CU_ASSERT_PTR_NULL(x.argv);
	request_exec_free(&x);
	proto_buf_free(&b);
	exec_header(&b, "/", REQUEST_MAX_ARGC + 1);
	proto_cursor_init(&c, b.data, b.len);
	CU_ASSERT_EQUAL(request_exec_decode(&c, &x), -EINVAL);
	request_exec_free(&x);
	proto_buf_free(&b);
	/* Two arguments announced, one sent: the list is malformed. */
	exec_header(&b, "/", 2);
	proto_put_str(&b, "/bin/true");
	proto_cursor_init(&c, b.data, b.len);
	CU_ASSERT_EQUAL(request_exec_decode(&c, &x), -EBADMSG);
	CU_ASSERT_EQUAL(x.argc, 2);
	CU_ASSERT_STRING_EQUAL(x.argv[0], "/bin/true");
	CU_ASSERT_PTR_NULL(x.argv[1]);
	request_exec_free(&x);
	proto_buf_free(&b);
	/* Cut inside the header: no cwd. */
	proto_cursor_init(&c, "\1\0\0", 3);
	CU_ASSERT_EQUAL(request_exec_decode(&c, &x), -EINVAL);
	CU_ASSERT_PTR_NULL(x.cwd);
	request_exec_free(&x);
}

static void test_push_open_and_pull(void)
{
	struct proto_cursor c;
	struct proto_buf b;
	uint32_t mode;
	uint64_t max;
	char *path;

	proto_buf_init(&b);
	proto_put_u32(&b, 0644);
	proto_put_str(&b, "/tmp/edu_id.ko");
	proto_cursor_init(&c, b.data, b.len);
	CU_ASSERT_EQUAL(request_push_open_decode(&c, &mode, &path), 0);
	CU_ASSERT_EQUAL(mode, 0644);
	CU_ASSERT_STRING_EQUAL(path, "/tmp/edu_id.ko");
	free(path);
	proto_buf_reset(&b);
	proto_put_u32(&b, 0644);
	proto_put_str(&b, "tmp/relative");
	proto_cursor_init(&c, b.data, b.len);
	CU_ASSERT_EQUAL(request_push_open_decode(&c, &mode, &path), -EINVAL);
	CU_ASSERT_PTR_NULL(path);
	proto_buf_reset(&b);
	proto_put_u64(&b, 4096);
	proto_put_str(&b, "/proc/iomem");
	proto_cursor_init(&c, b.data, b.len);
	CU_ASSERT_EQUAL(request_pull_decode(&c, &max, &path), 0);
	CU_ASSERT_EQUAL(max, 4096);
	CU_ASSERT_STRING_EQUAL(path, "/proc/iomem");
	free(path);
	proto_cursor_init(&c, b.data, 10);	/* the path cut short */
	CU_ASSERT_EQUAL(request_pull_decode(&c, &max, &path), -EINVAL);
	CU_ASSERT_PTR_NULL(path);
	proto_buf_free(&b);
}

int register_request_tests(void)
{
	CU_pSuite s = CU_add_suite("request", NULL, NULL);

	if (!s ||
	    !CU_add_test(s, "exec: a whole request", test_exec_whole) ||
	    !CU_add_test(s, "exec: malformed header and arguments",
			 test_exec_malformed) ||
	    !CU_add_test(s, "push open and pull: paths", test_push_open_and_pull))
		return CU_get_error();
	return CUE_SUCCESS;
}
