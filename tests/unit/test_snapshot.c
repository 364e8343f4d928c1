// SPDX-License-Identifier: MIT
/*
 * test_snapshot.c - suite "snapshot key and folder": what makes a lab VM
 * snapshot stale (vm/snapshot.c).  A snapshot restored into another QEMU,
 * kernel or command line would start a different machine than the one it
 * was taken of, so every one of those must change the key, and nothing
 * else (the runtime folder's sockets differ in every session) may.
 */
#define _GNU_SOURCE
#include "snapshot.h"

#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/addrlab-snaptest-XXXXXX";
static char kernel[64], initrd[64];

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int setup(void)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(kernel, sizeof(kernel), "%s/vmlinux", dir);
	snprintf(initrd, sizeof(initrd), "%s/initrd.cpio", dir);
	return write_file(kernel, "kernel one") || write_file(initrd, "initrd one");
}

static int teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static uint64_t key_of(const char *const argv[])
{
	const char *const files[] = { kernel, initrd, NULL };

	return snap_key(argv, "/tmp/addrlab-vm.", files, 2);
}

static void test_runtime_paths_ignored(void)
{
	const char *a[] = { "qemu", "-m", "256",
			    "file,id=con,path=/tmp/addrlab-vm.AAAA/console.log", NULL };
	const char *b[] = { "qemu", "-m", "256",
			    "file,id=con,path=/tmp/addrlab-vm.BBBB/console.log", NULL };

	CU_ASSERT_EQUAL(key_of(a), key_of(b));
}

static void test_command_line_counts(void)
{
	const char *a[] = { "qemu", "-m", "256", "-device", "edu", NULL };
	const char *b[] = { "qemu", "-m", "512", "-device", "edu", NULL };
	const char *c[] = { "qemu", "-m", "256", NULL };
	/* Arguments are kept apart: "-m" "256" is not "-m2" "56". */
	const char *d[] = { "qemu", "-m2", "56", "-device", "edu", NULL };

	CU_ASSERT_NOT_EQUAL(key_of(a), key_of(b));
	CU_ASSERT_NOT_EQUAL(key_of(a), key_of(c));
	CU_ASSERT_NOT_EQUAL(key_of(a), key_of(d));
	CU_ASSERT_EQUAL(key_of(a), key_of(a));
}

static void test_rebuilt_file_counts(void)
{
	const char *a[] = { "qemu", "-m", "256", NULL };
	const char *const files[] = { kernel, initrd, NULL };
	uint64_t before = key_of(a);
	struct timespec later[2] = { { .tv_sec = 1700000000 }, { .tv_sec = 1700000000 } };

	/* Same size, same bytes, a new modification time: a rebuild. */
	CU_ASSERT_EQUAL_FATAL(utimensat(AT_FDCWD, initrd, later, 0), 0);
	CU_ASSERT_NOT_EQUAL(key_of(a), before);
	before = key_of(a);
	CU_ASSERT_EQUAL_FATAL(write_file(kernel, "kernel two, longer"), 0);
	CU_ASSERT_NOT_EQUAL(key_of(a), before);
	/* The protocol version (a new agent) too. */
	CU_ASSERT_NOT_EQUAL(snap_key(a, NULL, files, 3), snap_key(a, NULL, files, 2));
}

static void test_path_and_prune(void)
{
	char path[512], old[512], other[512], tmp_dead[512], tmp_live[512];

	snprintf(old, sizeof(old), "%s/pctcg256_1-00000000000000aa.vmstate", dir);
	snprintf(other, sizeof(other), "%s/q35iommutcg256_1-00000000000000aa.vmstate", dir);
	/* A writer that is gone (pid 2^22 + 1 is above any pid_max) and one
	 * that is alive (us). */
	snprintf(tmp_dead, sizeof(tmp_dead),
		 "%s/pctcg256_1-00000000000000bb.vmstate.tmp.4194305", dir);
	snprintf(tmp_live, sizeof(tmp_live),
		 "%s/pctcg256_1-00000000000000bb.vmstate.tmp.%d", dir, (int)getpid());
	CU_ASSERT_FATAL(!write_file(old, "old") && !write_file(other, "other machine") &&
			!write_file(tmp_dead, "half") && !write_file(tmp_live, "half"));

	snap_path(path, sizeof(path), dir, "pctcg256_1", 0xbbu);
	CU_ASSERT_STRING_EQUAL(path + strlen(dir),
			       "/pctcg256_1-00000000000000bb.vmstate");
	CU_ASSERT_EQUAL(access(old, F_OK), 0);	/* not pruned unless asked */
	snap_prune(path);
	CU_ASSERT_NOT_EQUAL(access(old, F_OK), 0);
	CU_ASSERT_EQUAL(access(other, F_OK), 0);
	CU_ASSERT_NOT_EQUAL(access(tmp_dead, F_OK), 0);
	CU_ASSERT_EQUAL(access(tmp_live, F_OK), 0);
}

/* A file whose modification time is days ago. */
static void age(const char *path, int days)
{
	struct timespec t[2] = { { .tv_sec = time(NULL) - (time_t)days * 24 * 3600 },
				 { .tv_sec = time(NULL) - (time_t)days * 24 * 3600 } };

	CU_ASSERT_EQUAL(utimensat(AT_FDCWD, path, t, 0), 0);
}

/*
 * What no one will restore again goes: the snapshots of a checkout that
 * was deleted (its .parts names a file that is gone), and snapshots or
 * Kbuild recordings unused for 30 days; the rest stays.
 */
static void test_sweep(void)
{
	char part[512], gone_p[512], gone_s[512], live_p[512], live_s[512], stale[512],
	     fresh[512], recipe[512], objs[512], obj[600], used[512];

	snprintf(part, sizeof(part), "%s/vmlinux", dir);
	snprintf(gone_p, sizeof(gone_p), "%s/pctcg256_dead.parts", dir);
	snprintf(gone_s, sizeof(gone_s), "%s/pctcg256_dead-00000000000000aa.vmstate", dir);
	snprintf(live_p, sizeof(live_p), "%s/pctcg256_live.parts", dir);
	snprintf(live_s, sizeof(live_s), "%s/pctcg256_live-00000000000000aa.vmstate", dir);
	snprintf(stale, sizeof(stale), "%s/pctcg256_old-00000000000000aa.vmstate", dir);
	snprintf(fresh, sizeof(fresh), "%s/pctcg256_new-00000000000000aa.vmstate", dir);
	snprintf(recipe, sizeof(recipe), "%s/kbuild-00000000000000aa.recipe", dir);
	snprintf(objs, sizeof(objs), "%s/kbuild-00000000000000aa.mod.o", dir);
	snprintf(obj, sizeof(obj), "%s/%064d", objs, 0);
	snprintf(used, sizeof(used), "%s/kbuild-00000000000000bb.recipe", dir);
	CU_ASSERT_FATAL(!write_file(part, "kernel") && !write_file(gone_s, "s") &&
			!write_file(live_s, "s") && !write_file(stale, "s") &&
			!write_file(fresh, "s") && !write_file(recipe, "r") &&
			!write_file(used, "r") && !mkdir(objs, 0700) && !write_file(obj, "o"));
	{
		char deleted[512];
		const char *const dead_ids[] = { deleted, "console=ttyS0", NULL };
		const char *const live_ids[] = { part, "console=ttyS0", NULL };

		/* A checkout's kernel, noted, then the checkout deleted. */
		snprintf(deleted, sizeof(deleted), "%s/checkout-vmlinux", dir);
		CU_ASSERT_FATAL(!write_file(deleted, "kernel"));
		snap_note_parts(gone_s, dead_ids);
		unlink(deleted);
		snap_note_parts(live_s, live_ids);
	}
	age(stale, SNAP_UNUSED_DAYS + 1);
	age(recipe, SNAP_UNUSED_DAYS + 1);
	age(objs, SNAP_UNUSED_DAYS + 1);
	age(used, SNAP_UNUSED_DAYS + 1);
	snap_touch(used);	/* used again today */

	CU_ASSERT_EQUAL(snap_sweep(dir), 5);	/* dead's two, stale, recipe, objects */
	CU_ASSERT_NOT_EQUAL(access(gone_s, F_OK), 0);
	CU_ASSERT_NOT_EQUAL(access(gone_p, F_OK), 0);
	CU_ASSERT_NOT_EQUAL(access(stale, F_OK), 0);
	CU_ASSERT_NOT_EQUAL(access(recipe, F_OK), 0);
	CU_ASSERT_NOT_EQUAL(access(objs, F_OK), 0);
	CU_ASSERT_EQUAL(access(live_s, F_OK), 0);
	CU_ASSERT_EQUAL(access(live_p, F_OK), 0);
	CU_ASSERT_EQUAL(access(fresh, F_OK), 0);
	CU_ASSERT_EQUAL(access(used, F_OK), 0);
	CU_ASSERT_EQUAL(access(part, F_OK), 0);
	CU_ASSERT_EQUAL(snap_sweep(dir), 0);	/* nothing more */
}

static void test_folder(void)
{
	char out[512], want[512], *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	char *cache = getenv("ADDRLAB_CACHE_DIR") ? strdup(getenv("ADDRLAB_CACHE_DIR")) : NULL;
	char *xdg = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
	struct stat st;

	unsetenv("XDG_CACHE_HOME");
	snprintf(want, sizeof(want), "%s/given/deeper", dir);
	setenv("ADDRLAB_CACHE_DIR", want, 1);
	CU_ASSERT_EQUAL(snap_dir(out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, want);
	CU_ASSERT(stat(want, &st) == 0 && S_ISDIR(st.st_mode) &&
		  (st.st_mode & 0777) == 0700);

	unsetenv("ADDRLAB_CACHE_DIR");
	setenv("HOME", dir, 1);
	CU_ASSERT_EQUAL(snap_dir(out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "%s/.cache/addrlab", dir);
	CU_ASSERT_STRING_EQUAL(out, want);

	/* A home nobody can write to: the temporary folder, per user.  As
	 * root every folder is writable, so a file stands in for home. */
	snprintf(want, sizeof(want), "%s/vmlinux", dir);
	setenv("HOME", want, 1);
	setenv("TMPDIR", dir, 1);
	CU_ASSERT_EQUAL(snap_dir(out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "%s/addrlab-cache-%u", dir, (unsigned int)getuid());
	CU_ASSERT_STRING_EQUAL(out, want);
	unsetenv("TMPDIR");

	if (home)
		setenv("HOME", home, 1);
	if (cache)
		setenv("ADDRLAB_CACHE_DIR", cache, 1);
	if (xdg)
		setenv("XDG_CACHE_HOME", xdg, 1);
	free(home);
	free(cache);
	free(xdg);
}

int register_snapshot_tests(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "the runtime folder's paths do not change the key", test_runtime_paths_ignored },
		{ "every argument of QEMU's command line does", test_command_line_counts },
		{ "a rebuilt kernel or image does, and a new protocol", test_rebuilt_file_counts },
		{ "file name, and older snapshots pruned", test_path_and_prune },
		{ "snapshots of deleted machines, and what is unused for 30 days, swept", test_sweep },
		{ "the folder: given, home's cache, else the temporary one", test_folder },
	};
	CU_pSuite s = CU_add_suite("snapshot key and folder", setup, teardown);

	if (!s)
		return CU_get_error();
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(s, tests[i].name, tests[i].fn))
			return CU_get_error();
	return CUE_SUCCESS;
}
