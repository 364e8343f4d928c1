// SPDX-License-Identifier: MIT
/* vm.c - the lab VM controller (see vm.h). */
#define _GNU_SOURCE
#include "vm.h"
#include "proto.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vm_int.h"


static const struct {
	const char *name, *words;
} verdicts[] = {
#define X(e, name, words) [e] = { name, words },
	VM_VERDICTS(X)
#undef X
};

const char *vm_verdict_name(enum vm_verdict v)
{
	return v < VM_VERDICT_COUNT ? verdicts[v].name : "?";
}

const char *vm_verdict_words(enum vm_verdict v)
{
	return v < VM_VERDICT_COUNT ? verdicts[v].words : "?";
}

bool vm_verdict_is_fault(enum vm_verdict v)
{
	return v == VM_OOPS || v == VM_PANIC || v == VM_HANG ||
	       v == VM_QEMU_ABORT || v == VM_QEMU_EXIT || v == VM_BOOT_FAIL;
}

const char *vm_state_name(enum vm_state s)
{
	static const char *const names[] = {
		[VM_STOPPED] = "stopped", [VM_BOOTING] = "booting",
		[VM_READY] = "ready", [VM_CRASHED] = "crashed",
	};

	return s <= VM_CRASHED ? names[s] : "?";
}

int vmi_fail(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->err, sizeof(vm->err), fmt, ap);
	va_end(ap);
	return -1;
}

uint64_t vmi_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *vmi_read_file(const char *path, off_t from, size_t max)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return strdup("");
	if (from > 0)
		fseeko(f, from, SEEK_SET);
	buf = malloc(max + 1);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, max, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* ---- pure helpers ---- */

enum vm_accel vm_accel_pick(const char *env, bool kvm_dev_ok,
			    const char *cpuinfo, const char **why)
{
	const char *flags;

	if (env && !strcmp(env, "kvm")) {
		*why = "ADDRLAB_ACCEL=kvm";
		return VM_ACCEL_KVM;
	}
	if (env && !strcmp(env, "tcg")) {
		*why = "ADDRLAB_ACCEL=tcg";
		return VM_ACCEL_TCG;
	}
	if (!kvm_dev_ok) {
		*why = "/dev/kvm is not usable";
		return VM_ACCEL_TCG;
	}
	/* A /dev/kvm without vmx/svm hangs the guest: trust only the flags. */
	flags = !cpuinfo ? NULL : !strncmp(cpuinfo, "flags", 5) ? cpuinfo :
		strstr(cpuinfo, "\nflags");
	for (; flags; flags = strstr(flags + 1, "\nflags")) {
		const char *end = strchr(flags + 1, '\n');
		size_t n = end ? (size_t)(end - flags) : strlen(flags);
		char *line = strndup(flags, n);
		bool hw = line && (strstr(line, " vmx") || strstr(line, " svm"));

		free(line);
		if (hw) {
			*why = "/dev/kvm works and the CPU has vmx/svm";
			return VM_ACCEL_KVM;
		}
	}
	*why = "the CPU advertises neither vmx nor svm";
	return VM_ACCEL_TCG;
}

char *vm_guest_text(char *s, size_t max)
{
	size_t n;

	if (!s)
		return NULL;
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	n = strlen(s);
	if (n > max && max >= 3) {
		/* Whole UTF-8 characters only: no continuation byte first. */
		size_t cut = max - 3;

		while (cut && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
		memcpy(s + cut, "...", 4);
	} else if (n > max) {
		s[max] = '\0';
	}
	return s;
}

/* A string from the guest, fit for one line (see vm_guest_text()). */
char *vmi_guest_str(struct proto_cursor *c)
{
	return vm_guest_text(proto_get_str(c), GUEST_TEXT_MAX);
}

bool vm_exit_status(int32_t status, int *exit_code, int *signal)
{
	*exit_code = 255;
	*signal = 0;
	if (status >= 0 && status <= 255) {
		*exit_code = (int)status;
		return true;
	}
	if (status >= -64 && status <= -1) {
		*signal = (int)-status;
		*exit_code = 128 + *signal;
		return true;
	}
	return false;
}

/* Lines of the console that start a kernel fault report. */
static const char *const oops_markers[] = {
	"Kernel panic - not syncing",
	"BUG: ",
	"Oops: ",
	"general protection fault",
	"kernel BUG at",
	"Unable to handle kernel",
	NULL,
};

static const char *find_marker(const char *text, const char *const *markers)
{
	const char *best = NULL;

	for (int i = 0; markers[i]; i++) {
		const char *p = strstr(text, markers[i]);

		if (p && (!best || p < best))
			best = p;
	}
	return best;
}

static const char *line_start(const char *text, const char *p)
{
	while (p > text && p[-1] != '\n')
		p--;
	return p;
}

/* The line at p without "[  1.234] " and without its newline. */
static char *line_text(const char *p)
{
	const char *end = strchr(p, '\n');
	size_t n = end ? (size_t)(end - p) : strlen(p);

	if (n && end && end[-1] == '\r')
		n--;
	return strndup(p, n);
}

/* From a couple of lines before `at`, EVIDENCE_LINES lines of text. */
static char *excerpt(const char *text, const char *at)
{
	const char *s, *e;
	int lines;

	if (!at) {
		/* No marker: the last lines are the best we have. */
		at = text + strlen(text);
		for (lines = 0; at > text && lines <= 15; at--)
			if (at[-1] == '\n')
				lines++;
	}
	s = line_start(text, at);
	for (int back = 0; back < 2 && s > text; back++)
		s = line_start(text, s - 1);
	for (e = s, lines = 0; *e && lines < EVIDENCE_LINES; e++)
		if (*e == '\n')
			lines++;
	return strndup(s, (size_t)(e - s));
}

/* "faulty_oops+0x15/0x30 [faulty]" out of an "RIP: 0010:..." line. */
static char *rip_of(const char *text)
{
	const char *p = strstr(text, "RIP: 0010:");
	char *line;

	if (!p)
		return NULL;
	line = line_text(p + strlen("RIP: 0010:"));
	return line;
}

char *vmi_strfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static char *marker_message(const char *words, const char *text,
			    const char *at)
{
	char *line = line_text(at), *rip = rip_of(at), *msg;

	if (rip && !strstr(line, rip))
		msg = vmi_strfmt("%s: %s (at %s)", words, line, rip);
	else
		msg = vmi_strfmt("%s: %s", words, line);
	(void)text;
	free(line);
	free(rip);
	return msg;
}

static enum vm_verdict classify(const char *console, const char *qemu_log,
				int qemu_status, bool answered, char **message,
				char **evidence)
{
	const char *at = find_marker(console, oops_markers);

	if (qemu_status != -1) {
		const char *dma = strstr(qemu_log, "out of bounds");
		const char *hw = strstr(qemu_log, "qemu: hardware error");
		bool aborted = WIFSIGNALED(qemu_status) &&
			       WTERMSIG(qemu_status) == SIGABRT;

		if (dma || hw || aborted) {
			const char *p = dma ? line_start(qemu_log, dma) :
					hw ? hw : qemu_log;
			char *line = line_text(p);

			*message = vmi_strfmt("QEMU itself aborted: %s%s",
					  *line ? line : "killed by SIGABRT with nothing on its output",
					  dma ? " (edu's DMA must end below 0x41000: its buffer is 4096 bytes at 0x40000)" : "");
			*evidence = excerpt(qemu_log, p);
			free(line);
			return VM_QEMU_ABORT;
		}
		if (at && (at = strstr(console, "Kernel panic - not syncing"))) {
			const char *first = find_marker(console, oops_markers);

			*message = marker_message("the kernel panicked", console, at);
			*evidence = excerpt(console, first);
			return VM_PANIC;
		}
		*message = vmi_strfmt("QEMU exited unexpectedly (%s %d)",
				  WIFSIGNALED(qemu_status) ? "signal" : "status",
				  WIFSIGNALED(qemu_status) ?
				  WTERMSIG(qemu_status) :
				  WEXITSTATUS(qemu_status));
		*evidence = excerpt(*qemu_log ? qemu_log : console, NULL);
		return VM_QEMU_EXIT;
	}
	if (!answered) {
		*message = strdup("the guest stopped answering: no reply from the agent, so the kernel is stuck (a loop with interrupts off, a deadlock?)");
		*evidence = excerpt(console, at);
		return VM_HANG;
	}
	if (at) {
		*message = marker_message("the kernel oopsed", console, at);
		*evidence = excerpt(console, at);
		return VM_OOPS;
	}
	*message = strdup("");
	*evidence = strdup("");
	return VM_OK;
}

/* The console is the guest's to write: a module can print escape
 * sequences.  Only lines (\n, \r) and tabs stay in an excerpt. */
static void printable_lines(char *s)
{
	for (; s && *s; s++)
		if (((unsigned char)*s < 0x20 && !strchr("\n\r\t", *s)) ||
		    *s == 0x7f)
			*s = '?';
}

enum vm_verdict vm_classify(const char *console, const char *qemu_log,
			    int qemu_status, bool answered, char **message,
			    char **evidence)
{
	enum vm_verdict v = classify(console, qemu_log, qemu_status, answered,
				     message, evidence);

	vm_guest_text(*message, SIZE_MAX);
	printable_lines(*evidence);
	return v;
}

/* ---- lifecycle ---- */

const char *vm_default_guest_dir(void)
{
	static char dir[PATH_MAX + 64];
	static const char *const rel[] = {
		"../guest", "../share/addrlab/guest",
	};
	const char *env = getenv("ADDRLAB_GUEST_DIR");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			char probe[PATH_MAX + 64];

			snprintf(probe, sizeof(probe), "%s/%s/initrd.cpio",
				 exe, rel[i]);
			if (access(probe, R_OK) == 0) {
				snprintf(dir, sizeof(dir), "%s/%s", exe, rel[i]);
				return dir;
			}
		}
	}
	return "build/guest";
}

static char *join(const char *dir, const char *name)
{
	return vmi_strfmt("%s/%s", dir, name);
}

struct vm *vm_new(const struct vm_options *opts)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	const char *env;

	if (!vm)
		return NULL;
	if (opts)
		vm->o = *opts;
	vm->guest_dir = strdup(vm->o.guest_dir ? vm->o.guest_dir :
			       vm_default_guest_dir());
	vm->kernel = vm->o.kernel ? strdup(vm->o.kernel) :
		     join(vm->guest_dir, "vmlinux");
	vm->initrd = vm->o.initrd ? strdup(vm->o.initrd) :
		     join(vm->guest_dir, "initrd.cpio");
	vm->firmware = strdup(vm->o.firmware ? vm->o.firmware : QBOOT);
	env = getenv("ADDRLAB_QEMU");
	vm->qemu = strdup(vm->o.qemu ? vm->o.qemu :
			  env && *env ? env : "qemu-system-x86_64");
	env = getenv("ADDRLAB_APPEND");
	vm->append = xstrdup(vm->o.append ? vm->o.append :
			     env && *env ? env : NULL);
	if (!vm->o.mem_mb)
		vm->o.mem_mb = DEFAULT_MEM_MB;
	if (!vm->o.console_cap)
		vm->o.console_cap = DEFAULT_CONSOLE_CAP;
	if (!vm->o.boot_timeout_ms)
		vm->o.boot_timeout_ms = DEFAULT_BOOT_MS;
	vm->chan = vm->qmp = vm->pidfd = -1;
	vm->qemu_status = -1;
	vm->accel = "tcg";
	proto_reader_init(&vm->rd);
	proto_buf_init(&vm->tx);
	if (!vm->guest_dir || !vm->kernel || !vm->initrd || !vm->firmware ||
	    !vm->qemu) {
		vm_free(vm);
		return NULL;
	}
	return vm;
}

void vmi_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Kills QEMU (if it runs) and reaps it; keeps the runtime directory. */
void vmi_kill_qemu(struct vm *vm)
{
	vmi_close_fd(&vm->chan);
	vmi_close_fd(&vm->qmp);
	if (vm->pid > 0) {
		if (vm->qemu_status == -1) {
			kill(vm->pid, SIGKILL);
			waitpid(vm->pid, &vm->qemu_status, 0);
		}
		vm->pid = 0;
	}
	vmi_close_fd(&vm->pidfd);
	proto_reader_reset(&vm->rd);
	free(vm->qmp_buf);
	vm->qmp_buf = NULL;
	vm->qmp_len = 0;
}

static const char *const runtime_files[] = {
	"console.log", "qemu.log", "chan.sock", "qmp.sock", "phys.bin", "owner",
};

void vmi_remove_runtime_dir(const char *dir)
{
	char p[PATH_MAX + 32];

	for (size_t i = 0; i < sizeof(runtime_files) / sizeof(runtime_files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, runtime_files[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void remove_dir(struct vm *vm)
{
	if (!vm->dir[0])
		return;
	vmi_remove_runtime_dir(vm->dir);
	vm->dir[0] = '\0';
}

void vm_stop(struct vm *vm)
{
	vmi_kill_qemu(vm);
	vm->state = VM_STOPPED;
}

void vm_free(struct vm *vm)
{
	if (!vm)
		return;
	vm_stop(vm);
	remove_dir(vm);
	proto_reader_free(&vm->rd);
	proto_buf_free(&vm->tx);
	free(vm->guest_dir);
	free(vm->kernel);
	free(vm->initrd);
	free(vm->firmware);
	free(vm->qemu);
	free(vm->append);
	free(vm);
}

enum vm_state vm_state(const struct vm *vm)
{
	return vm->state;
}

const char *vm_error(const struct vm *vm)
{
	return vm->err;
}

unsigned int vm_restarts(const struct vm *vm)
{
	return vm->boots ? vm->boots - 1 : 0;
}

unsigned int vm_qemu_version(const struct vm *vm)
{
	return vm->qemu_version;
}

unsigned int vm_edu_dma_max(unsigned int qemu_version)
{
	return qemu_version >= 80201 ? 4096 : 4095;
}

/*
 * QEMU 8.0 made edu's hw_error() a guest error ("hw: misc: edu: use
 * qemu_log_mask instead of hw_error"); measured here: 7.2 aborts, 10.0 logs.
 */
bool vm_edu_dma_aborts(unsigned int qemu_version)
{
	return qemu_version < 80000;
}

unsigned int vm_boot_ms(const struct vm *vm)
{
	return vm->boot_ms;
}

const char *vm_guest_uname(const struct vm *vm)
{
	return vm->uname;
}

const char *vm_accel_name(const struct vm *vm)
{
	return vm->accel;
}

const char *vm_console_path(const struct vm *vm)
{
	return vm->console_path;
}

const char *vm_qemu_log_path(const struct vm *vm)
{
	return vm->qemu_log_path;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_size;
}

/* What path gained after byte offset, at most its last tail bytes; a file
 * shorter than offset was begun again (a new boot), so all of it. */
static char *file_since(const char *path, off_t offset, off_t tail)
{
	off_t size = file_size(path);

	if (offset > size)
		offset = 0;
	if (size - offset > tail)
		offset = size - tail;
	return vmi_read_file(path, offset, (size_t)(size - offset));
}

off_t vm_console_size(const struct vm *vm)
{
	return file_size(vm->console_path);
}

char *vm_console_since(const struct vm *vm, off_t offset)
{
	return file_since(vm->console_path, offset, (off_t)(vm->o.console_cap / 8));
}

off_t vm_qemu_log_size(const struct vm *vm)
{
	return file_size(vm->qemu_log_path);
}

char *vm_qemu_log_since(const struct vm *vm, off_t offset, size_t max)
{
	return file_since(vm->qemu_log_path, offset, (off_t)max);
}

/*
 * Bounds what console.log keeps on disk: past console_cap bytes, everything
 * but the last half is punched out.  QEMU appends meanwhile (O_APPEND); the
 * file's size and so every offset stays as it was.  Cheap (one stat) while
 * the file is under the cap.
 */
void vmi_console_trim(struct vm *vm)
{
	off_t size = vm_console_size(vm), keep = (off_t)(vm->o.console_cap / 2);
	int fd;

	vm->con_checked = vmi_now_ms();
	if (size < vm->con_punched)
		vm->con_punched = 0;	/* the file was replaced */
	if (size - vm->con_punched <= (off_t)vm->o.console_cap)
		return;
	fd = open(vm->console_path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		       vm->con_punched, size - keep - vm->con_punched))
		vm->con_punched = size - keep;
	else if (ftruncate(fd, 0) == 0)	/* no holes here: start again */
		vm->con_punched = 0;
	close(fd);
}

bool vmi_qemu_alive(struct vm *vm)
{
	if (vm->pid <= 0)
		return false;
	if (vm->qemu_status == -1 && waitpid(vm->pid, &vm->qemu_status,
					     WNOHANG) == 0)
		return true;
	return false;
}

void vm_output_to_stdio(void *ctx, int stream, const char *buf, size_t len)
{
	int fd = stream == 2 ? STDERR_FILENO : STDOUT_FILENO;

	(void)ctx;
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

bool vm_alive(struct vm *vm)
{
	if (vm->state != VM_READY)
		return false;
	if (vmi_qemu_alive(vm)) {
		vmi_console_trim(vm);	/* a front end's poll bounds an idle VM's */
		return true;
	}
	if (WIFSIGNALED(vm->qemu_status))
		snprintf(vm->err, sizeof(vm->err), "QEMU was killed by signal %d",
			 WTERMSIG(vm->qemu_status));
	else
		snprintf(vm->err, sizeof(vm->err), "QEMU exited with status %d",
			 WEXITSTATUS(vm->qemu_status));
	vm->state = VM_CRASHED;
	return false;
}

/* The last 64 KiB of QEMU's log: its last words are at the end, after
 * whatever trace events a check recorded. */
static char *qemu_log_tail(struct vm *vm)
{
	return vm_qemu_log_since(vm, 0, 64 << 10);
}

/* ---- QMP (JSON over the monitor socket) ---- */

static int qmp_read_line(struct vm *vm, char **line, uint64_t deadline)
{
	for (;;) {
		char *nl = vm->qmp_buf ? memchr(vm->qmp_buf, '\n', vm->qmp_len) : NULL;
		struct pollfd pfd = { .fd = vm->qmp, .events = POLLIN };
		char buf[4096], *p;
		uint64_t now;
		ssize_t n;

		if (nl) {
			size_t len = (size_t)(nl - vm->qmp_buf) + 1;

			*line = strndup(vm->qmp_buf, len);
			memmove(vm->qmp_buf, vm->qmp_buf + len, vm->qmp_len - len);
			vm->qmp_len -= len;
			return *line ? 0 : -1;
		}
		now = vmi_now_ms();
		if (now >= deadline)
			return vmi_fail(vm, "QEMU's monitor did not answer in time");
		if (poll(&pfd, 1, (int)(deadline - now)) <= 0)
			continue;
		n = read(vm->qmp, buf, sizeof(buf));
		if (n <= 0)
			return vmi_fail(vm, "QEMU's monitor closed (QEMU exited?)");
		p = realloc(vm->qmp_buf, vm->qmp_len + (size_t)n);
		if (!p)
			return vmi_fail(vm, "out of memory");
		vm->qmp_buf = p;
		memcpy(p + vm->qmp_len, buf, (size_t)n);
		vm->qmp_len += (size_t)n;
	}
}

/* Sends one command; *ret gets the "return" member (a new reference). */
int vmi_qmp_call(struct vm *vm, json_t *cmd, json_t **ret)
{
	uint64_t deadline = vmi_now_ms() + QMP_MS;
	char *text = json_dumps(cmd, JSON_COMPACT);
	size_t len;
	int rc = -1;

	json_decref(cmd);
	if (!text)
		return vmi_fail(vm, "out of memory");
	len = strlen(text);
	text[len] = '\n';	/* json_dumps' NUL becomes the line end */
	if (vm->qmp < 0 || write(vm->qmp, text, len + 1) != (ssize_t)len + 1) {
		free(text);
		return vmi_fail(vm, "cannot write to QEMU's monitor");
	}
	free(text);
	for (;;) {
		char *line;
		json_t *msg, *r, *e;

		if (qmp_read_line(vm, &line, deadline))
			return -1;
		msg = json_loads(line, 0, NULL);
		free(line);
		if (!msg)
			continue;
		r = json_object_get(msg, "return");
		e = json_object_get(msg, "error");
		if (r) {
			if (ret)
				*ret = json_incref(r);
			rc = 0;
		} else if (e) {
			vmi_fail(vm, "QEMU's monitor refused: %s",
			     json_string_value(json_object_get(e, "desc")));
		} else {
			json_decref(msg);
			continue;	/* an event, or the greeting */
		}
		json_decref(msg);
		return rc;
	}
}

int vm_monitor(struct vm *vm, const char *cmd, char **out)
{
	json_t *ret = NULL;

	if (vm->state != VM_READY)
		return vmi_fail(vm, "the lab VM is not running");
	if (vmi_qmp_call(vm, json_pack("{s:s, s:{s:s}}", "execute",
				   "human-monitor-command", "arguments",
				   "command-line", cmd), &ret))
		return -1;
	*out = strdup(json_is_string(ret) ? json_string_value(ret) : "");
	json_decref(ret);
	return *out ? 0 : vmi_fail(vm, "out of memory");
}

int vm_read_phys(struct vm *vm, uint64_t addr, void *buf, size_t len)
{
	char path[PATH_MAX + 16];
	FILE *f;
	size_t n;

	if (vm->state != VM_READY)
		return vmi_fail(vm, "the lab VM is not running");
	snprintf(path, sizeof(path), "%s/phys.bin", vm->dir);
	unlink(path);
	if (vmi_qmp_call(vm, json_pack("{s:s, s:{s:I, s:I, s:s}}", "execute",
				   "pmemsave", "arguments", "val", (json_int_t)addr,
				   "size", (json_int_t)len, "filename", path), NULL))
		return -1;
	f = fopen(path, "rb");
	if (!f)
		return vmi_fail(vm, "QEMU wrote no memory dump to '%s'", path);
	n = fread(buf, 1, len, f);
	fclose(f);
	unlink(path);
	if (n != len)
		return vmi_fail(vm, "short read of guest physical memory at 0x%llx",
			    (unsigned long long)addr);
	return 0;
}

int vm_trace(struct vm *vm, const char *event, bool on)
{
	if (vm->state != VM_READY)
		return vmi_fail(vm, "the lab VM is not running");
	return vmi_qmp_call(vm, json_pack("{s:s, s:{s:s, s:b}}", "execute",
					  "trace-event-set-state", "arguments",
					  "name", event, "enable", on), NULL);
}

/* ---- the channel ---- */


/*
 * Waits until a frame is there (returned in *f), the deadline passes (0: no
 * deadline), QEMU dies, or extra_fd (if >= 0) is readable.
 */
int vmi_wait_any(struct vm *vm, struct proto_frame *f, uint64_t deadline,
		    int extra_fd)
{
	for (;;) {
		struct pollfd pfd[3];
		int n = 0, timeout = -1;
		uint8_t buf[PROTO_CHUNK];
		ssize_t r;

		if (proto_reader_next(&vm->rd, f) == 1)
			return W_FRAME;
		if (vm->chan < 0)
			return W_DEAD;
		if (deadline) {
			uint64_t now = vmi_now_ms();

			if (now >= deadline)
				return W_TIMEOUT;
			timeout = (int)(deadline - now);
		}
		pfd[n++] = (struct pollfd){ .fd = vm->chan, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = vm->pidfd, .events = POLLIN };
		if (extra_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = extra_fd,
						    .events = POLLIN };
		if (poll(pfd, (nfds_t)n, timeout) < 0) {
			if (errno == EINTR)
				return W_INTR;	/* let the caller look at flags */
			continue;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = read(vm->chan, buf, sizeof(buf));
			if (r > 0) {
				if (proto_reader_feed(&vm->rd, buf, (size_t)r))
					return W_DEAD;
				continue;
			}
			if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
				vmi_close_fd(&vm->chan);
				vmi_qemu_alive(vm);
				return W_DEAD;
			}
		}
		if (pfd[1].revents && !vmi_qemu_alive(vm)) {
			/* Take what the channel still holds, then report. */
			vmi_close_fd(&vm->chan);
			return W_DEAD;
		}
		if (n == 3 && pfd[2].revents)
			return W_EXTRA;
	}
}

/* Writes a whole frame; keeps reading the channel meanwhile, so a guest
 * that floods us while we push cannot deadlock the pair. */
int vmi_send_frame(struct vm *vm, unsigned int type, uint32_t id,
		      const void *payload, size_t len)
{
	size_t off = 0;

	if (vm->chan < 0)
		return -EPIPE;
	if (proto_frame_build(&vm->tx, type, id, payload, len))
		return -ENOMEM;
	while (off < vm->tx.len) {
		struct pollfd pfd = { .fd = vm->chan, .events = POLLOUT | POLLIN };
		ssize_t w;

		if (poll(&pfd, 1, 1000) <= 0) {
			if (!vmi_qemu_alive(vm))
				return -EPIPE;
			continue;
		}
		if (pfd.revents & POLLIN) {
			uint8_t buf[PROTO_CHUNK];
			ssize_t r = read(vm->chan, buf, sizeof(buf));

			if (r > 0 && proto_reader_feed(&vm->rd, buf, (size_t)r))
				return -ENOMEM;
			if (r == 0)
				return -EPIPE;
		}
		if (!(pfd.revents & POLLOUT)) {
			if (pfd.revents & (POLLHUP | POLLERR))
				return -EPIPE;
			continue;
		}
		w = send(vm->chan, vm->tx.data + off, vm->tx.len - off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -EPIPE;
		}
		off += (size_t)w;
	}
	return 0;
}

int vmi_send_buf(struct vm *vm, unsigned int type, uint32_t id,
		    struct proto_buf *b)
{
	if (b->failed)
		return -ENOMEM;
	return vmi_send_frame(vm, type, id, b->data, b->len);
}

int vmi_do_resync(struct vm *vm, unsigned int timeout_ms)
{
	uint32_t nonce = 0x80000000u | ++vm->next_nonce;
	uint64_t deadline = vmi_now_ms() + timeout_ms;
	struct proto_frame f;

	proto_reader_reset(&vm->rd);
	if (vmi_send_frame(vm, PT_SYNC, nonce, NULL, 0))
		return -1;
	for (;;) {
		int w = vmi_wait_any(vm, &f, deadline, -1);

		if (w == W_INTR)
			continue;
		if (w != W_FRAME)
			return -1;
		if (f.type == PT_SYNC_ACK && f.id == nonce)
			return 0;
		/* anything else is from before the sync: drop it */
	}
}

int vm_resync(struct vm *vm, unsigned int timeout_ms)
{
	if (vm->state != VM_READY)
		return vmi_fail(vm, "the lab VM is not running");
	if (vmi_do_resync(vm, timeout_ms))
		return vmi_fail(vm, "the guest agent did not answer a resync within %u ms",
			    timeout_ms);
	return 0;
}

int vmi_boot_failed(struct vm *vm, const char *why)
{
	/* This boot's text only: an earlier boot's panic is history. */
	char *con = vm_console_since(vm, vm->boot_con_off);
	char *ql = qemu_log_tail(vm);
	char *msg = NULL, reason[sizeof(vm->err)];
	const char *at = con ? find_marker(con, oops_markers) : NULL;

	/* why may be vm->err itself, which vmi_fail() rewrites. */
	snprintf(reason, sizeof(reason), "%s", why);
	if (at)
		msg = marker_message("the kernel failed while booting", con, at);
	vmi_fail(vm, "the lab VM did not boot: %s%s%s%s", reason,
	     msg ? " (" : "", msg ? msg : "", msg ? ")" : "");
	if (ql && *ql) {
		size_t l = strlen(vm->err);
		char *first = line_text(ql);

		snprintf(vm->err + l, sizeof(vm->err) - l, "; QEMU said: %s",
			 first ? first : "");
		free(first);
	}
	free(con);
	free(ql);
	free(msg);
	vmi_kill_qemu(vm);
	vm->state = VM_CRASHED;
	return -1;
}

/* Boots a fresh VM if the last one crashed (or none ran yet). */
static int ensure_ready(struct vm *vm)
{
	if (vm->state == VM_READY && vmi_qemu_alive(vm))
		return 0;
	return vm_start(vm);
}

/* ---- requests ---- */

static void result_init(struct vm_result *res)
{
	memset(res, 0, sizeof(*res));
}

void vm_result_free(struct vm_result *res)
{
	free(res->out);
	free(res->err);
	free(res->message);
	free(res->evidence);
	result_init(res);
}

struct sink {
	char *buf;
	size_t len, cap, limit;
	bool truncated;
};

static void sink_add(struct sink *s, const void *p, size_t n)
{
	if (s->len + n > s->limit) {
		s->truncated = true;
		n = s->limit - s->len;
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *b;

		while (cap < s->len + n + 1)
			cap *= 2;
		b = realloc(s->buf, cap);
		if (!b) {
			s->truncated = true;
			return;
		}
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

static char *sink_take(struct sink *s, size_t *len)
{
	char *b = s->buf ? s->buf : strdup("");

	*len = s->len;
	memset(s, 0, sizeof(*s));
	return b;
}

/*
 * Fills the verdict of a request that did not end normally (or to look for
 * an oops after one that did), and leaves the session crashed if the guest
 * is not healthy any more.
 */
static void judge(struct vm *vm, struct vm_result *res, off_t con_off,
		  bool answered)
{
	enum vm_verdict v;
	char *con, *ql;

	if (vm->chan < 0 && vm->pid > 0 && vm->qemu_status == -1) {
		/* The channel closed: QEMU is exiting; let it finish so its
		 * status and last words are there to judge by. */
		struct pollfd pfd = { .fd = vm->pidfd, .events = POLLIN };

		poll(&pfd, 1, QEMU_EXIT_WAIT_MS);
		vmi_qemu_alive(vm);
	}
	vmi_console_trim(vm);
	con = vm_console_since(vm, con_off);
	ql = vm->qemu_status != -1 ? qemu_log_tail(vm) : strdup("");

	free(res->message);
	free(res->evidence);
	v = vm_classify(con ? con : "", ql ? ql : "", vm->qemu_status,
			answered, &res->message, &res->evidence);
	free(con);
	free(ql);
	if (v == VM_HANG && vm_console_size(vm) - con_off >= LOG_FLOOD_BYTES) {
		/* Not stuck: printing.  Every printk goes out through the
		 * emulated serial console with the console lock held, and a
		 * loop of them leaves no time for anything else. */
		free(res->message);
		res->message = vmi_strfmt("the guest stopped answering while flooding the kernel log "
					  "(%.1f MiB of console output since the command began): printing "
					  "without pause starves everything else (pr_info in a loop, or in "
					  "an interrupt handler?)",
					  (double)(vm_console_size(vm) - con_off) / (1 << 20));
	}
	if (v != VM_OK)
		res->verdict = v;
	if (vm_verdict_is_fault(v)) {
		/* A kernel that oopsed may hold locks; one that hangs or died
		 * is gone: either way the next request gets a fresh VM. */
		vmi_kill_qemu(vm);
		vm->state = VM_CRASHED;
	}
}

static void send_winsize(struct vm *vm, uint32_t id, int fd)
{
	struct winsize ws;
	struct proto_buf b;

	if (fd < 0 || ioctl(fd, TIOCGWINSZ, &ws))
		return;
	proto_buf_init(&b);
	proto_put_u16(&b, ws.ws_row);
	proto_put_u16(&b, ws.ws_col);
	vmi_send_buf(vm, PT_WINSIZE, id, &b);
	proto_buf_free(&b);
}

int vm_exec(struct vm *vm, const char *const argv[],
	    const struct vm_exec_opts *opts, struct vm_result *res)
{
	static const struct vm_exec_opts defaults = { .stdin_fd = -1 };
	const struct vm_exec_opts *o = opts ? opts : &defaults;
	struct sink out = { 0 }, err = { 0 };
	uint64_t t0 = vmi_now_ms(), deadline, last_rx, hb_sent = 0;
	uint32_t hb_nonce = 0;
	struct proto_buf b;
	struct winsize ws = { 0 };
	int stdin_fd = o->stdin_fd;
	off_t con_off;
	uint32_t id;
	int argc, rc;
	bool done = false;

	result_init(res);
	res->verdict = VM_ERROR;
	for (argc = 0; argv[argc]; argc++)
		;
	if (!argc)
		return vmi_fail(vm, "no command to run");
	if (ensure_ready(vm))
		return -1;
	out.limit = err.limit = o->out_cap ? o->out_cap : DEFAULT_OUT_CAP;
	id = ++vm->next_id & 0x7fffffff;	/* high bit: sync nonces */
	vmi_console_trim(vm);
	con_off = vm_console_size(vm);
	if (o->pty && stdin_fd >= 0)
		ioctl(stdin_fd, TIOCGWINSZ, &ws);

	proto_buf_init(&b);
	proto_put_u32(&b, (o->pty ? PROTO_EXEC_PTY : 0) |
			  (stdin_fd >= 0 ? PROTO_EXEC_STDIN : 0));
	proto_put_u32(&b, o->timeout_ms);
	proto_put_u64(&b, out.limit);
	proto_put_u16(&b, ws.ws_row);
	proto_put_u16(&b, ws.ws_col);
	proto_put_str(&b, o->cwd ? o->cwd : "/root");
	proto_put_u32(&b, (uint32_t)argc);
	for (int i = 0; i < argc; i++)
		proto_put_str(&b, argv[i]);
	rc = vmi_send_buf(vm, PT_EXEC, id, &b);
	proto_buf_free(&b);
	deadline = o->timeout_ms ? t0 + o->timeout_ms + REPLY_MARGIN_MS : 0;
	last_rx = vmi_now_ms();

	while (!done && rc == 0) {
		struct proto_frame f;
		struct proto_cursor c;
		uint64_t wake;
		int w;

		if (vmi_now_ms() - vm->con_checked >= CONSOLE_CHECK_MS)
			vmi_console_trim(vm);
		/* Between frames: no frame taken from the reader is in use
		 * while sending reads the channel. */
		if (o->winch && *o->winch) {
			*o->winch = 0;
			send_winsize(vm, id, stdin_fd);
		}
		/*
		 * Wake for the command's deadline, or to check on a silent
		 * guest: a PT_SYNC the agent answers even while a job runs.
		 * No answer means the kernel itself is stuck.
		 */
		wake = hb_nonce ? hb_sent + HEARTBEAT_GRACE_MS :
			last_rx + HEARTBEAT_MS;
		if (deadline && deadline < wake)
			wake = deadline;
		w = vmi_wait_any(vm, &f, wake, stdin_fd);
		if (w == W_TIMEOUT && !(deadline && vmi_now_ms() >= deadline)) {
			if (hb_nonce) {
				judge(vm, res, con_off, false);
				break;
			}
			hb_nonce = 0x80000000u | ++vm->next_nonce;
			hb_sent = vmi_now_ms();
			rc = vmi_send_frame(vm, PT_SYNC, hb_nonce, NULL, 0);
			continue;
		}
		if (w == W_INTR)
			continue;
		if (w == W_FRAME) {
			last_rx = vmi_now_ms();
			hb_nonce = 0;	/* anything at all: the guest lives */
		}
		if (w == W_EXTRA) {
			char buf[4096];
			ssize_t n;

			if (stdin_fd < 0)
				continue;
			n = read(stdin_fd, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				vmi_send_frame(vm, PT_STDIN, id, NULL, 0);
				stdin_fd = -1;
			} else {
				vmi_send_frame(vm, PT_STDIN, id, buf, (size_t)n);
			}
			continue;
		}
		if (w == W_DEAD) {
			judge(vm, res, con_off, false);
			break;
		}
		if (w == W_TIMEOUT) {
			if (vmi_do_resync(vm, RESYNC_MS) == 0) {
				/* The agent lives but could not end the job:
				 * a task stuck in the kernel (an init waiting
				 * for ever, or a task that died holding
				 * mmap_lock after an oops in a fault handler).
				 * The console says which if it can; either
				 * way the guest keeps a task nothing can
				 * kill, so it is not used again. */
				res->verdict = VM_TIMEOUT;
				res->exit_code = 124;
				res->stuck = true;
				done = true;
				break;
			}
			judge(vm, res, con_off, false);
			break;
		}
		if (f.id != id)
			continue;	/* heartbeats, late answers to old requests */
		proto_cursor_init(&c, f.payload, f.len);
		switch (f.type) {
		case PT_STDOUT:
		case PT_STDERR:
			if (o->on_output)
				o->on_output(o->ctx, f.type == PT_STDOUT ? 1 : 2,
					     (const char *)f.payload, f.len);
			else
				sink_add(f.type == PT_STDOUT ? &out : &err,
					 f.payload, f.len);
			break;
		case PT_EXIT: {
			int32_t st = (int32_t)proto_get_u32(&c);
			uint32_t flags = proto_get_u32(&c);

			res->verdict = (flags & PROTO_EXIT_TIMED_OUT) ?
				       VM_TIMEOUT : VM_OK;
			res->stuck = flags & PROTO_EXIT_STUCK;
			res->truncated = flags & PROTO_EXIT_TRUNCATED;
			res->pids_limit = flags & PROTO_EXIT_PIDS_MAX;
			res->oom_killed = flags & PROTO_EXIT_OOM;
			done = true;
			if (!vm_exit_status(st, &res->exit_code, &res->signal) ||
			    c.bad) {
				/* Not what our agent sends: the guest is not
				 * to be trusted with the next command. */
				res->verdict = VM_ERROR;
				res->message = vmi_strfmt("the guest agent reported an impossible exit status %" PRId32 "%s; the lab VM restarts for the next command",
						      st, c.bad ? " in a short frame" : "");
				vmi_kill_qemu(vm);
				vm->state = VM_CRASHED;
			}
			break;
		}
		case PT_ERROR: {
			int32_t e = (int32_t)proto_get_u32(&c);
			char *msg = vmi_guest_str(&c);

			res->verdict = VM_ERROR;
			res->message = vmi_strfmt("the guest agent refused: %s (%s)",
					      msg ? msg : "?", strerror(e));
			free(msg);
			done = true;
			break;
		}
		default:
			break;
		}
	}
	if (rc) {
		judge(vm, res, con_off, false);
	} else if (done && res->verdict != VM_ERROR) {
		/* It ran; did the kernel oops meanwhile?  (Then that is
		 * the verdict, not the task it left stuck.) */
		judge(vm, res, con_off, true);
		res->stuck = res->stuck && res->verdict == VM_TIMEOUT;
		if (res->verdict == VM_TIMEOUT && !res->message[0]) {
			free(res->message);
			res->message = res->stuck ?
				vmi_strfmt("the command ran past its %u s limit and could not be killed: it is stuck in the kernel",
					   (o->timeout_ms + 999) / 1000) :
				vmi_strfmt("the command ran past its %u ms limit and was stopped",
					   o->timeout_ms);
		}
		if (res->stuck) {
			/* A guest with a task nothing can kill is not used
			 * again: the next request gets a fresh VM. */
			vmi_kill_qemu(vm);
			vm->state = VM_CRASHED;
		}
	}
	res->out = sink_take(&out, &res->out_len);
	res->err = sink_take(&err, &res->err_len);
	res->truncated |= out.truncated || err.truncated;
	if (!res->message)
		res->message = strdup("");
	if (!res->evidence)
		res->evidence = strdup("");
	res->elapsed_ms = (unsigned int)(vmi_now_ms() - t0);
	return 0;
}

int vm_sh(struct vm *vm, const char *cmd, unsigned int timeout_ms,
	  struct vm_result *res)
{
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct vm_exec_opts o = { .timeout_ms = timeout_ms, .stdin_fd = -1 };

	return vm_exec(vm, argv, &o, res);
}

/* Waits for the PT_OK/PT_ERROR that ends request id; PT_DATA goes to sink. */
int vmi_wait_reply(struct vm *vm, uint32_t id, struct sink *data,
		      struct proto_cursor *ok, const char *what)
{
	uint64_t deadline = vmi_now_ms() + REQUEST_MS;
	uint8_t *okbuf = vm->okbuf;	/* per session: two VMs, two replies */

	for (;;) {
		struct proto_frame f;
		int w = vmi_wait_any(vm, &f, deadline, -1);

		if (w == W_DEAD || w == W_TIMEOUT) {
			struct vm_result r;

			result_init(&r);
			judge(vm, &r, vm_console_size(vm), false);
			vmi_fail(vm, "%s: %s", what, r.message && *r.message ?
			     r.message : "the guest did not answer");
			vm_result_free(&r);
			return -1;
		}
		if (w != W_FRAME || f.id != id)
			continue;
		if (f.type == PT_DATA && data) {
			sink_add(data, f.payload, f.len);
		} else if (f.type == PT_OK) {
			size_t n = f.len < sizeof(vm->okbuf) ? f.len : sizeof(vm->okbuf);

			memcpy(okbuf, f.payload, n);
			proto_cursor_init(ok, okbuf, n);
			return 0;
		} else if (f.type == PT_ERROR) {
			struct proto_cursor c;
			char *msg;

			proto_cursor_init(&c, f.payload, f.len);
			proto_get_u32(&c);
			msg = vmi_guest_str(&c);
			vmi_fail(vm, "%s: %s", what, msg ? msg : "the guest agent refused");
			free(msg);
			return -1;
		}
	}
}

int vm_push_data(struct vm *vm, const void *data, size_t len,
		 const char *guest_path, unsigned int mode)
{
	const uint8_t *p = data;
	struct proto_cursor ok;
	struct proto_buf b;
	uint64_t size;
	uint32_t id, crc;
	char what[PATH_MAX + 32];
	int rc;

	snprintf(what, sizeof(what), "cannot push to '%s'", guest_path);
	if (guest_path[0] != '/')
		return vmi_fail(vm, "%s: the guest path must be absolute", what);
	if (ensure_ready(vm))
		return -1;
	id = ++vm->next_id & 0x7fffffff;
	proto_buf_init(&b);
	proto_put_u32(&b, mode);
	proto_put_str(&b, guest_path);
	rc = vmi_send_buf(vm, PT_PUSH_OPEN, id, &b);
	proto_buf_free(&b);
	for (size_t off = 0; rc == 0 && off < len; off += PROTO_CHUNK) {
		size_t n = len - off < PROTO_CHUNK ? len - off : PROTO_CHUNK;

		rc = vmi_send_frame(vm, PT_PUSH_DATA, id, p + off, n);
	}
	if (rc == 0)
		rc = vmi_send_frame(vm, PT_PUSH_CLOSE, id, NULL, 0);
	if (rc)
		return vmi_fail(vm, "%s: the channel closed", what);
	if (vmi_wait_reply(vm, id, NULL, &ok, what))
		return -1;
	size = proto_get_u64(&ok);
	crc = proto_get_u32(&ok);
	if (ok.bad || size != len || crc != proto_crc32(0, data, len))
		return vmi_fail(vm, "%s: the guest wrote %llu bytes with CRC %08x, expected %zu bytes with CRC %08x",
			    what, (unsigned long long)size, crc, len,
			    proto_crc32(0, data, len));
	return 0;
}

int vm_push(struct vm *vm, const char *host_path, const char *guest_path,
	    unsigned int mode)
{
	struct stat st;
	char *buf;
	FILE *f;
	int rc;

	f = fopen(host_path, "rb");
	if (!f || fstat(fileno(f), &st)) {
		if (f)
			fclose(f);
		return vmi_fail(vm, "cannot read '%s': %s", host_path,
			    strerror(errno));
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		free(buf);
		fclose(f);
		return vmi_fail(vm, "cannot read '%s'", host_path);
	}
	fclose(f);
	rc = vm_push_data(vm, buf, (size_t)st.st_size, guest_path, mode);
	free(buf);
	return rc;
}

int vm_pull(struct vm *vm, const char *guest_path, size_t max, char **data,
	    size_t *len)
{
	struct sink s = { .limit = max ? max : SIZE_MAX - 1 };
	struct proto_cursor ok;
	struct proto_buf b;
	char what[PATH_MAX + 32];
	uint32_t id;
	int rc;

	snprintf(what, sizeof(what), "cannot read guest file '%s'", guest_path);
	if (ensure_ready(vm))
		return -1;
	id = ++vm->next_id & 0x7fffffff;
	proto_buf_init(&b);
	proto_put_u64(&b, max);
	proto_put_str(&b, guest_path);
	rc = vmi_send_buf(vm, PT_PULL, id, &b);
	proto_buf_free(&b);
	if (rc)
		return vmi_fail(vm, "%s: the channel closed", what);
	if (vmi_wait_reply(vm, id, &s, &ok, what)) {
		free(s.buf);
		return -1;
	}
	*data = sink_take(&s, len);
	return 0;
}

int vm_kmsg(struct vm *vm, uint64_t *cursor, char **text)
{
	struct sink s = { .limit = 64u << 20 };
	struct proto_cursor ok;
	struct proto_buf b;
	size_t len;
	uint32_t id;
	int rc;

	if (ensure_ready(vm))
		return -1;
	id = ++vm->next_id & 0x7fffffff;
	proto_buf_init(&b);
	proto_put_u64(&b, *cursor);
	rc = vmi_send_buf(vm, PT_KMSG, id, &b);
	proto_buf_free(&b);
	if (rc)
		return vmi_fail(vm, "cannot read kernel messages: the channel closed");
	if (vmi_wait_reply(vm, id, &s, &ok, "cannot read kernel messages")) {
		free(s.buf);
		return -1;
	}
	*cursor = proto_get_u64(&ok);
	*text = sink_take(&s, &len);
	return 0;
}
