// SPDX-License-Identifier: MIT
/* common.c - helpers shared by the lab VM integration suites (common.h). */
#define _GNU_SOURCE
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char tv_build[PATH_MAX];
char tv_kver[128];

void tv_path(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/%s", tv_build, rel);
}

struct vm *tv_boot(const struct vm_options *opts)
{
	struct vm *vm = vm_new(opts);

	if (!vm || vm_start(vm)) {
		fprintf(stderr, "cannot boot the lab VM: %s\n",
			vm ? vm_error(vm) : "out of memory");
		vm_free(vm);
		return NULL;
	}
	return vm;
}

void tv_sh(struct vm *vm, const char *cmd, unsigned int timeout_ms,
	   struct vm_result *res)
{
	int rc = vm_sh(vm, cmd, timeout_ms, res);

	if (rc)
		fprintf(stderr, "\nvm_sh(%s): %s\n", cmd, vm_error(vm));
	CU_ASSERT_EQUAL_FATAL(rc, 0);
}

char *tv_out(struct vm *vm, const char *cmd)
{
	struct vm_result r;
	char *out;

	tv_sh(vm, cmd, 60000, &r);
	CU_ASSERT_EQUAL(r.verdict, VM_OK);
	CU_ASSERT_EQUAL(r.exit_code, 0);
	if (r.verdict != VM_OK || r.exit_code != 0)
		fprintf(stderr, "\n$ %s\n(exit %d, %s)\nstdout: %s\nstderr: %s\n%s\n",
			cmd, r.exit_code, r.message, r.out, r.err, r.evidence);
	out = r.out;
	r.out = NULL;
	vm_result_free(&r);
	return out ? out : strdup("");
}

void tv_push_build(struct vm *vm, const char *rel, const char *guest,
		   unsigned int mode)
{
	char path[PATH_MAX + 64];
	int rc;

	tv_path(path, sizeof(path), rel);
	rc = vm_push(vm, path, guest, mode);
	if (rc)
		fprintf(stderr, "\npush %s: %s\n", path, vm_error(vm));
	CU_ASSERT_EQUAL_FATAL(rc, 0);
}

/* What a module must give back when it goes. */
#define SNAPSHOT "cat /proc/iomem; awk 'NR > 1 { print $1, $NF }' /proc/interrupts; " \
		 "lsmod | cut -d' ' -f1 | sort"

void tv_module_cycles(struct vm *vm, const char *name, const char *args,
		      const char *during)
{
	char *before = tv_out(vm, SNAPSHOT), *after, *cmd;

	for (int i = 0; i < 2; i++) {
		struct vm_result r;

		if (asprintf(&cmd, "insmod /lib/modules/$(uname -r)/extra/%s.ko %s && "
			     "%s && rmmod %s", name, args ? args : "",
			     i == 0 && during ? during : "true", name) < 0)
			return;
		tv_sh(vm, cmd, 60000, &r);
		CU_ASSERT_EQUAL(r.verdict, VM_OK);
		CU_ASSERT_EQUAL(r.exit_code, 0);
		if (r.verdict != VM_OK || r.exit_code)
			fprintf(stderr, "\n$ %s\n(exit %d, %s)\n%s%s\n%s\n", cmd,
				r.exit_code, r.message, r.out, r.err, r.evidence);
		vm_result_free(&r);
		free(cmd);
	}
	after = tv_out(vm, SNAPSHOT);
	CU_ASSERT_STRING_EQUAL(after, before);
	free(before);
	free(after);
}

char *tv_field(const char *text, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = text; (p = strstr(p, key)); p++) {
		if ((p == text || p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t') &&
		    p[k] == '=')
			return strndup(p + k + 1, strcspn(p + k + 1, " \t\n"));
	}
	return NULL;
}

int tv_count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

int tv_capture(const char *cmd, char **out)
{
	size_t len = 0, n;
	char buf[4096];
	FILE *f = popen(cmd, "r"), *mem;
	int st;

	*out = NULL;
	mem = open_memstream(out, &len);
	if (!mem)
		return -1;
	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, mem);
	fclose(mem);
	if (!f)
		return -1;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

unsigned int tv_qemu_version(void)
{
	const char *q = getenv("ADDRLAB_QEMU");
	unsigned int a = 0, b = 0, c = 0;
	char cmd[PATH_MAX + 32], line[256] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' --version 2>/dev/null",
		 q && *q ? q : "qemu-system-x86_64");
	p = popen(cmd, "r");
	if (!p)
		return 0;
	if (!fgets(line, sizeof(line), p) ||
	    sscanf(line, "QEMU emulator version %u.%u.%u", &a, &b, &c) != 3)
		a = b = c = 0;
	pclose(p);
	return a * 10000 + b * 100 + c;
}
