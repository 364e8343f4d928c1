// SPDX-License-Identifier: MIT
/*
 * boot.c - starting the lab VM: QEMU's command line, then either a restore
 * of the snapshot of a booted, idle lab VM, or a cold boot that saves one.
 *
 * Every VM a session starts is the same pristine machine: a restore (a
 * third of a second under emulation, against two seconds for a cold boot)
 * is followed by PT_FRESH, which gives the guest the host's clock, its own
 * random seed and a rescanned edu (see agent.c).  Any failure to restore
 * falls back to a cold boot, and the session stops trying snapshots.
 */
#define _GNU_SOURCE
#include "vm_int.h"
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RESTORE_MS	20000	/* loading a snapshot, and the guest's answer */
#define SAVE_MS		30000

/*
 * A controller killed outright (SIGKILL, a crash) leaves its runtime
 * directory behind; its QEMU died with it (PR_SET_PDEATHSIG).  Each
 * directory names its owner's pid: remove those whose owner is gone.
 */
static void sweep_stale_dirs(const char *tmp)
{
	char pattern[PATH_MAX];
	DIR *d = opendir(tmp);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char owner[PATH_MAX + 300];
		FILE *f;
		int pid = 0;

		if (strncmp(e->d_name, "addrlab-vm.", 11))
			continue;
		snprintf(pattern, sizeof(pattern), "%s/%s", tmp, e->d_name);
		snprintf(owner, sizeof(owner), "%s/owner", pattern);
		f = fopen(owner, "r");
		if (!f)
			continue;
		if (fscanf(f, "%d", &pid) == 1 && pid > 0 &&
		    snap_pid_gone(pid))
			vmi_remove_runtime_dir(pattern);
		fclose(f);
	}
	closedir(d);
}

static enum vm_accel pick_accel(const struct vm *vm, const char **why)
{
	int fd;
	bool dev_ok;
	char *cpuinfo;
	enum vm_accel a;

	if (vm->o.accel == VM_ACCEL_KVM || vm->o.accel == VM_ACCEL_TCG) {
		*why = "requested";
		return vm->o.accel;
	}
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	dev_ok = fd >= 0;
	if (fd >= 0)
		close(fd);
	cpuinfo = vmi_read_file("/proc/cpuinfo", 0, 1 << 20);
	a = vm_accel_pick(getenv("ADDRLAB_ACCEL"), dev_ok, cpuinfo, why);
	free(cpuinfo);
	return a;
}

/* Builds QEMU's argument vector into argv (at most max entries). */
static size_t build_argv(struct vm *vm, enum vm_accel accel, const char **argv,
			 char bufs[][PATH_MAX + 128], size_t max)
{
	size_t n = 0, b = 0;

#define ARG(s) do { if (n + 1 < max) argv[n++] = (s); } while (0)
#define ARGF(...) do { snprintf(bufs[b], sizeof(bufs[b]), __VA_ARGS__); \
		       ARG(bufs[b]); b++; } while (0)
	ARG(vm->qemu);
	ARG("-nodefaults");
	ARG("-no-user-config");
	ARG("-S");		/* stay paused until our sockets are connected */
	ARG("-display");
	ARG("none");
	ARG("-no-reboot");	/* with panic=-1, a panic ends QEMU at once */
	/*
	 * Devices' complaints about what the guest asked of them, in QEMU's
	 * log.  edu's "EDU: DMA range ... out of bounds" and "EDU: clamping
	 * DMA" are guest errors in QEMU 10 (7.2 aborts on the first and
	 * prints the second anyway): without this they are never shown.
	 */
	ARG("-d");
	ARG("guest_errors");
	ARG("-machine");
	if (vm->o.iommu)
		ARGF("q35,accel=%s%s", accel == VM_ACCEL_KVM ? "kvm" : "tcg",
		     accel == VM_ACCEL_KVM ? ",kernel-irqchip=split" : "");
	else
		ARGF("pc,accel=%s", accel == VM_ACCEL_KVM ? "kvm" : "tcg");
	if (accel == VM_ACCEL_KVM) {
		ARG("-cpu");
		ARG("host");
	}
	ARG("-m");
	ARGF("%u", vm->o.mem_mb);
	if (vm->firmware[0]) {
		ARG("-bios");
		ARG(vm->firmware);
	}
	ARG("-kernel");
	ARG(vm->kernel);
	ARG("-initrd");
	ARG(vm->initrd);
	ARG("-append");
	/*
	 * Under emulation every boot-time self-test and probe costs real
	 * seconds.  None of these matter in a throwaway lab VM: the crypto
	 * self-tests (~0.5 s), the speculation mitigations' patching, and
	 * probing for a PS/2 keyboard and mouse nobody has.  panic=-1 with
	 * -no-reboot turns a panic into QEMU exiting, which the host sees.
	 */
	ARGF("console=ttyS0 quiet panic=-1 tsc=reliable no_timer_check "
	     "mitigations=off cryptomgr.notests initcall_blacklist=crypto_kdf108_init "
	     "i8042.noaux i8042.nokbd i8042.nopnp%s%s",
	     vm->append ? " " : "", vm->append ? vm->append : "");
	ARG("-chardev");
	ARGF("file,id=con,path=%s,append=on", vm->console_path);
	ARG("-serial");
	ARG("chardev:con");
	ARG("-chardev");
	ARGF("socket,id=chan,path=%s,server=on,wait=off", vm->chan_path);
	ARG("-qmp");
	ARGF("unix:%s,server=on,wait=off", vm->qmp_path);
	if (vm->o.iommu) {
		/* The IOMMU must exist before the devices it translates for. */
		ARG("-device");
		ARG("intel-iommu,intremap=on");
	}
	if (!vm->o.no_edu) {
		ARG("-device");
		ARG("edu");
	}
	ARG("-device");
	ARG("virtio-serial-pci,id=vser");
	ARG("-device");
	ARG("virtserialport,bus=vser.0,chardev=chan,name=addrlab");
	argv[n] = NULL;
	return n;
#undef ARG
#undef ARGF
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}


/* The runtime folder (made once per session): console, logs, sockets. */
static int make_runtime_dir(struct vm *vm)
{
	const char *tmp = getenv("TMPDIR");
	char owner[PATH_MAX + 16];
	FILE *of;

	if (vm->dir[0])
		return 0;
	if (!tmp || !*tmp)
		tmp = "/tmp";
	sweep_stale_dirs(tmp);
	snprintf(vm->dir, sizeof(vm->dir), "%s/addrlab-vm.XXXXXX", tmp);
	if (!mkdtemp(vm->dir)) {
		int e = errno;

		vm->dir[0] = '\0';
		return vmi_fail(vm, "cannot make a runtime directory in '%s': %s",
				tmp, strerror(e));
	}
	snprintf(owner, sizeof(owner), "%s/owner", vm->dir);
	of = fopen(owner, "w");
	if (of) {
		fprintf(of, "%d\n", (int)getpid());
		fclose(of);
	}
	snprintf(vm->console_path, sizeof(vm->console_path), "%s/console.log",
		 vm->dir);
	snprintf(vm->qemu_log_path, sizeof(vm->qemu_log_path), "%s/qemu.log",
		 vm->dir);
	snprintf(vm->chan_path, sizeof(vm->chan_path), "%s/chan.sock", vm->dir);
	snprintf(vm->qmp_path, sizeof(vm->qmp_path), "%s/qmp.sock", vm->dir);
	return 0;
}

/* QEMU's version over QMP (query-version) into vm->qemu_version. */
static int qemu_version(struct vm *vm)
{
	json_t *ret = NULL, *q;

	if (vmi_qmp_call(vm, json_pack("{s:s}", "execute", "query-version"), &ret))
		return -1;
	q = json_object_get(ret, "qemu");
	vm->qemu_version = (unsigned int)(json_integer_value(json_object_get(q, "major")) * 10000 +
					  json_integer_value(json_object_get(q, "minor")) * 100 +
					  json_integer_value(json_object_get(q, "micro")));
	json_decref(ret);
	return 0;
}

/* Starts QEMU paused (-S) and connects to its monitor and the channel.
 * 0, or -1 with vm_error() set; QEMU may be running either way. */
static int spawn_qemu(struct vm *vm, const char *const argv[])
{
	pid_t parent = getpid();
	uint64_t deadline;
	int logfd;
	pid_t pid;

	unlink(vm->chan_path);
	unlink(vm->qmp_path);
	logfd = open(vm->qemu_log_path, O_WRONLY | O_CREAT | O_TRUNC |
		     O_CLOEXEC, 0644);
	if (logfd < 0)
		return vmi_fail(vm, "cannot create '%s': %s", vm->qemu_log_path,
				strerror(errno));
	vm->state = VM_BOOTING;
	vm->qemu_status = -1;
	pid = fork();
	if (pid < 0) {
		close(logfd);
		return vmi_fail(vm, "cannot start QEMU: %s", strerror(errno));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		/* Our own process group keeps the terminal's ^C away from
		 * QEMU; the death signal keeps no QEMU alive without us.
		 * It is armed only from here on: a parent that died since
		 * the fork would leave this QEMU running for good. */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(null, 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(logfd);
	vm->pid = pid;
	vm->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	/* QEMU makes its sockets before it reads -S's pause; wait for them. */
	deadline = vmi_now_ms() + 10000;
	while (vm->chan < 0 || vm->qmp < 0) {
		if (!vmi_qemu_alive(vm))
			return vmi_fail(vm, "QEMU exited at once");
		if (vmi_now_ms() > deadline)
			return vmi_fail(vm, "QEMU made no sockets in 10 s");
		if (vm->qmp < 0)
			vm->qmp = connect_unix(vm->qmp_path);
		if (vm->chan < 0)
			vm->chan = connect_unix(vm->chan_path);
		if (vm->chan < 0 || vm->qmp < 0)
			usleep(2000);
	}
	if (vmi_qmp_call(vm, json_pack("{s:s}", "execute", "qmp_capabilities"),
			 NULL))
		return -1;
	return qemu_version(vm);
}

/* QEMU's run state ("paused", "inmigrate", ...) into st; 0 or -1. */
static int run_state(struct vm *vm, char *st, size_t n)
{
	json_t *ret = NULL;

	if (vmi_qmp_call(vm, json_pack("{s:s}", "execute", "query-status"), &ret))
		return -1;
	snprintf(st, n, "%s", json_string_value(json_object_get(ret, "status")) ?
		 json_string_value(json_object_get(ret, "status")) : "?");
	json_decref(ret);
	return 0;
}

/* Cold boot: run the paused QEMU and wait for the agent's hello. */
static int cold_boot(struct vm *vm, const char *const argv[], const char *why)
{
	uint64_t deadline;
	struct proto_frame f;
	struct proto_cursor c;
	uint32_t version;
	char *name;
	int w;

	if (spawn_qemu(vm, argv) ||
	    vmi_qmp_call(vm, json_pack("{s:s}", "execute", "cont"), NULL))
		return vmi_boot_failed(vm, vm->err);
	deadline = vmi_now_ms() + vm->o.boot_timeout_ms;
	for (;;) {
		w = vmi_wait_any(vm, &f, deadline, -1);
		if (w == W_DEAD)
			return vmi_boot_failed(vm, "QEMU exited while the guest booted");
		if (w == W_TIMEOUT) {
			char msg[128];

			snprintf(msg, sizeof(msg),
				 "the guest agent did not report within %u s (%s)",
				 vm->o.boot_timeout_ms / 1000, why);
			return vmi_boot_failed(vm, msg);
		}
		if (w == W_FRAME && f.type == PT_HELLO)
			break;
	}
	proto_cursor_init(&c, f.payload, f.len);
	version = proto_get_u32(&c);
	name = vmi_guest_str(&c);
	snprintf(vm->uname, sizeof(vm->uname), "%s", name ? name : "?");
	free(name);
	if (version != PROTO_VERSION)
		return vmi_boot_failed(vm, "the guest agent speaks another protocol version; run 'make' to rebuild the guest image");
	return 0;
}

/* A restored guest: its clock, its own randomness, edu found again. */
static int freshen(struct vm *vm)
{
	uint8_t seed[64];
	struct timespec ts;
	struct proto_buf b;
	struct proto_cursor ok;
	uint32_t id = ++vm->next_id & 0x7fffffff, edu;
	char *name;
	int rc;

	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		return vmi_fail(vm, "no random seed for the guest: %s", strerror(errno));
	clock_gettime(CLOCK_REALTIME, &ts);
	proto_buf_init(&b);
	proto_put_u64(&b, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	proto_put_bytes(&b, seed, sizeof(seed));
	rc = vmi_send_buf(vm, PT_FRESH, id, &b);
	proto_buf_free(&b);
	if (rc)
		return vmi_fail(vm, "the channel closed");
	if (vmi_wait_reply(vm, id, NULL, &ok, "the restored guest"))
		return -1;
	edu = proto_get_u32(&ok);
	name = vmi_guest_str(&ok);
	snprintf(vm->uname, sizeof(vm->uname), "%s", name ? name : "?");
	free(name);
	if (ok.bad)
		return vmi_fail(vm, "the restored guest's answer is malformed");
	if (edu != (vm->o.no_edu ? 0u : 1u))
		return vmi_fail(vm, "the restored guest has %u edu devices, not %u",
				edu, vm->o.no_edu ? 0u : 1u);
	return 0;
}

enum { RESTORED = 0, RESTORE_FAILED = -1, RESTORE_BAD_FILE = -2 };

/* Restores the snapshot at path: RESTORED with the VM ready; otherwise
 * QEMU is killed, vm_error() says why (the caller boots cold), and
 * RESTORE_BAD_FILE says QEMU could not load the file itself. */
static int restore(struct vm *vm, const char **argv, size_t argc,
		   const char *path)
{
	char incoming[PATH_MAX + 64], st[64] = "";
	uint64_t deadline;
	int rc = RESTORE_FAILED;

	if (strchr(path, '\''))
		return vmi_fail(vm, "the snapshot's path has a quote in it");
	snprintf(incoming, sizeof(incoming), "exec:cat '%s'", path);
	argv[argc] = "-incoming";
	argv[argc + 1] = incoming;
	argv[argc + 2] = NULL;
	if (spawn_qemu(vm, argv)) {
		/* QEMU reads the file as it starts: one it cannot load may
		 * end it before we have talked to it (QEMU 10 often does). */
		if (vm->pid > 0 && !vmi_qemu_alive(vm)) {
			char why[512];

			snprintf(why, sizeof(why), "%s", vm_error(vm));
			vmi_fail(vm, "QEMU did not load the snapshot (it exited: %s)", why);
			rc = RESTORE_BAD_FILE;
		}
		goto fail;
	}
	/* With -S, a loaded VM waits in "paused" for our cont. */
	deadline = vmi_now_ms() + RESTORE_MS;
	while (!run_state(vm, st, sizeof(st)) && !strcmp(st, "inmigrate")) {
		if (vmi_now_ms() > deadline) {
			vmi_fail(vm, "QEMU did not load the snapshot within %u s",
				 RESTORE_MS / 1000);
			rc = RESTORE_BAD_FILE;
			goto fail;
		}
		usleep(2000);
	}
	if (strcmp(st, "paused")) {
		vmi_fail(vm, "QEMU did not load the snapshot (state '%s')", st);
		rc = RESTORE_BAD_FILE;
		goto fail;
	}
	if (vmi_qmp_call(vm, json_pack("{s:s}", "execute", "cont"), NULL))
		goto fail;
	if (vmi_do_resync(vm, RESTORE_MS)) {
		vmi_fail(vm, "the restored guest did not answer");
		goto fail;
	}
	if (freshen(vm))
		goto fail;
	argv[argc] = NULL;
	return RESTORED;
fail:
	argv[argc] = NULL;
	vmi_kill_qemu(vm);
	return rc;
}

/*
 * Saves the ready, idle VM to path (through a temporary file, renamed
 * when whole) and lets it run on.  The VM is left as it was on any
 * failure; 0 or -1 with vm_error() set.
 */
static int save(struct vm *vm, const char *path)
{
	char tmp[PATH_MAX + 32], uri[PATH_MAX + 64], st[64] = "";
	uint64_t deadline = vmi_now_ms() + SAVE_MS;
	json_t *ret;
	int rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (strchr(tmp, '\''))
		return vmi_fail(vm, "the snapshot's path has a quote in it");
	snprintf(uri, sizeof(uri), "exec:cat > '%s'", tmp);
	if (vmi_qmp_call(vm, json_pack("{s:s, s:{s:I}}", "execute",
				       "migrate-set-parameters", "arguments",
				       "max-bandwidth", (json_int_t)1 << 40), NULL) ||
	    vmi_qmp_call(vm, json_pack("{s:s}", "execute", "stop"), NULL))
		return -1;
	if (vmi_qmp_call(vm, json_pack("{s:s, s:{s:s}}", "execute", "migrate",
				       "arguments", "uri", uri), NULL))
		goto out;
	for (;;) {
		ret = NULL;
		if (vmi_qmp_call(vm, json_pack("{s:s}", "execute", "query-migrate"),
				 &ret))
			goto out;
		snprintf(st, sizeof(st), "%s",
			 json_string_value(json_object_get(ret, "status")) ?
			 json_string_value(json_object_get(ret, "status")) : "?");
		json_decref(ret);
		if (!strcmp(st, "completed") || !strcmp(st, "failed") ||
		    !strcmp(st, "cancelled") || vmi_now_ms() > deadline)
			break;
		usleep(5000);
	}
	if (strcmp(st, "completed"))
		vmi_fail(vm, "QEMU did not save the snapshot (migration %s)", st);
	else if (chmod(tmp, 0600) || rename(tmp, path))
		vmi_fail(vm, "cannot keep the snapshot '%s': %s", path, strerror(errno));
	else
		rc = 0;
out:
	if (rc)
		unlink(tmp);
	/* The source of a migration may run on ("postmigrate" -> running). */
	if (vmi_qmp_call(vm, json_pack("{s:s}", "execute", "cont"), NULL))
		rc = -1;
	return rc;
}

static bool snapshots_wanted(const struct vm *vm)
{
	const char *env = getenv("ADDRLAB_SNAPSHOTS");

	if (vm->snap_off || vm->o.no_snapshot)
		return false;
	return !env || strcmp(env, "0");
}

/* Where this session's snapshot is; false when snapshots cannot be kept
 * anywhere. */
static bool snapshot_path(struct vm *vm, const char *const argv[], char *out,
			  size_t n)
{
	const char *const files[] = { vm->qemu, vm->kernel, vm->initrd,
				      vm->firmware[0] ? vm->firmware : vm->qemu,
				      NULL };
	const char *const ids[] = { vm->qemu, vm->kernel, vm->initrd,
				    vm->firmware, vm->append ? vm->append : "",
				    NULL };
	char dir[PATH_MAX], machine[64], variant[96];

	if (snap_dir(dir, sizeof(dir))) {
		snprintf(vm->snap_note, sizeof(vm->snap_note),
			 "no folder for snapshots (set ADDRLAB_CACHE_DIR)");
		return false;
	}
	/* The variant is the machine (one file per kind, the rest pruned);
	 * the key is every byte of what made it. */
	snprintf(machine, sizeof(machine), "%s%s%s%u",
		 vm->o.iommu ? "q35iommu" : "pc", vm->o.no_edu ? "noedu" : "",
		 vm->accel, vm->o.mem_mb);
	snap_variant(variant, sizeof(variant), machine, ids);
	snap_path(out, n, dir, variant, snap_key(argv, vm->dir, files, PROTO_VERSION));
	{
		char parts[PATH_MAX + 128];

		snprintf(parts, sizeof(parts), "%s/%s.parts", dir, variant);
		if (access(parts, F_OK))
			snap_note_parts(out, ids);
	}
	return true;
}

int vm_start(struct vm *vm)
{
	const char *argv[64], *why;
	char bufs[12][PATH_MAX + 128], snap[PATH_MAX];
	enum vm_accel accel;
	uint64_t t0 = vmi_now_ms();
	size_t argc;
	bool want;

	if (vm->state == VM_READY)
		return 0;
	vmi_kill_qemu(vm);
	vm->restored = false;
	if (access(vm->kernel, R_OK))
		return vmi_fail(vm, "no guest kernel at '%s'; run 'make' first",
			    vm->kernel);
	if (access(vm->initrd, R_OK))
		return vmi_fail(vm, "no guest image at '%s'; run 'make' first",
			    vm->initrd);
	if (vm->firmware[0] && access(vm->firmware, R_OK))
		return vmi_fail(vm, "no firmware at '%s'; install qemu-system-x86",
			    vm->firmware);
	if (make_runtime_dir(vm))
		return -1;
	accel = pick_accel(vm, &why);
	vm->accel = accel == VM_ACCEL_KVM ? "kvm" : "tcg";
	argc = build_argv(vm, accel, argv, bufs, sizeof(argv) / sizeof(argv[0]) - 2);

	if (vm->boots) {
		FILE *c = fopen(vm->console_path, "a");

		if (c) {
			fprintf(c, "\n--- addrlab: the lab VM restarts (boot %u) ---\n",
				vm->boots + 1);
			fclose(c);
		}
	}
	vmi_console_trim(vm);
	vm->boot_con_off = vm_console_size(vm);
	want = snapshots_wanted(vm) && snapshot_path(vm, argv, snap, sizeof(snap));
	if (want && !access(snap, R_OK)) {
		int rc = restore(vm, argv, argc, snap);

		if (rc == RESTORED) {
			snap_touch(snap);	/* in use: snap_sweep() keeps it */
			vm->restored = true;
			vm->snap_note[0] = '\0';
			goto ready;
		}
		/* Never again in this session; a snapshot QEMU cannot load
		 * is of no use to anyone. */
		snprintf(vm->snap_note, sizeof(vm->snap_note),
			 "the snapshot did not restore: %.400s", vm->err);
		vm->snap_off = true;
		want = false;
		if (rc == RESTORE_BAD_FILE)
			unlink(snap);
	}
	if (cold_boot(vm, argv, why))
		return -1;
	if (want && access(snap, F_OK)) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s", snap);
		*strrchr(dir, '/') = '\0';
		snap_prune(snap);
		snap_sweep(dir);	/* snapshots of machines that are gone */
		if (save(vm, snap)) {
			snprintf(vm->snap_note, sizeof(vm->snap_note),
				 "the snapshot was not saved: %.400s", vm->err);
			vm->snap_off = true;
			if (!vmi_qemu_alive(vm))
				return vmi_boot_failed(vm, "QEMU exited while saving the snapshot");
		}
	}
ready:
	vm->boots++;
	vm->boot_ms = (unsigned int)(vmi_now_ms() - t0);
	vm->state = VM_READY;
	vm->err[0] = '\0';
	return 0;
}

bool vm_restored(const struct vm *vm)
{
	return vm->restored;
}

const char *vm_snapshot_note(const struct vm *vm)
{
	return vm->snap_note;
}

pid_t vm_qemu_pid(const struct vm *vm)
{
	return vm->pid;
}
