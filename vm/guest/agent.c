// SPDX-License-Identifier: MIT
/*
 * agent.c - the guest agent: runs commands, takes files and reports kernel
 * messages for the host controller, over the "addrlab" virtio-serial port.
 *
 * It is PID 1's only long-lived child and must outlive whatever a student
 * runs: it enforces each job's time limit and output cap itself, kills the
 * job's whole process group when the job ends, puts each job in a cgroup
 * with a process limit, and exempts itself from the OOM killer.  One thread,
 * one poll loop: the channel, every job's output pipes and a signalfd for
 * SIGCHLD.  Statically linked so the initramfs needs no libc.
 *
 * The same binary is the guest's /init: as PID 1 it mounts the file
 * systems, loads the channel's modules with finit_module() and then only
 * reaps orphans and restarts the agent should it ever die.  Doing this in C
 * rather than a shell script saves ~0.3 s of boot under emulation.
 */
#define _GNU_SOURCE
#include "../proto.h"
#include "request.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PORT_NAME	"addrlab"
#define MAX_JOBS	8
#define JOB_PIDS_MAX	"512"
/* Of the guest's 256 MiB, ~165 are free after boot: a job that takes more
 * than this is killed in its own cgroup, and the kernel, the agent and the
 * other jobs keep what they need. */
#define JOB_MEM_MAX	"128M"
#define STUCK_MS	2000	/* a killed job still there after this is stuck */

struct job {
	bool used;
	uint32_t id;
	pid_t pid;		/* the job's leader; its process group id too */
	bool reaped;		/* the leader has exited */
	int status;		/* exit code, or -signo */
	int out_fd, err_fd;	/* -1 when closed; a pty uses out_fd only */
	int in_fd;		/* -1 unless PROTO_EXEC_STDIN */
	bool pty;
	uint32_t flags;		/* PROTO_EXIT_* */
	uint64_t out_cap, out_total, err_total;
	uint64_t start_ms, deadline_ms;	/* deadline 0: none */
	const char *cgroup;	/* this slot's cgroup, or NULL */
	long pids_max_events;	/* the slot's pids.events "max" at the start */
	long oom_kills;		/* the slot's memory.events "oom_kill" then */
};

static int chan = -1;
static struct job jobs[MAX_JOBS];
static struct proto_buf txbuf;
/* One cgroup per job slot, made once: mkdir/rmdir per job cost ~10 ms. */
static char slot_cgroup[MAX_JOBS][32];
static int slot_cgroup_fd[MAX_JOBS] = { -1, -1, -1, -1, -1, -1, -1, -1 };

/* Push state: one file at a time, keyed by the host's push id. */
static struct {
	int fd;
	uint32_t id;
	int err;
	uint64_t size;
	uint32_t crc;
} push = { .fd = -1 };

/*
 * The kernel log, opened before /dev/kmsg is closed to everyone else (see
 * lock_down()): the agent keeps reading it and writing its own lines.
 */
static int kmsg_rd = -1, kmsg_wr = -1;

static void logmsg(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int fd = kmsg_wr, n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (fd < 0)
		fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (n > 0 && write(fd, buf, strlen(buf)) < 0)
			n = 0;
		if (fd != kmsg_wr)
			close(fd);
	}
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				poll(&pfd, 1, 100);
				continue;
			}
			logmsg("addrlab-agent: channel write failed: %s\n",
			       strerror(errno));
			return;
		}
		b += w;
		n -= (size_t)w;
	}
}

static void send_frame(unsigned int type, uint32_t id, const void *p, size_t n)
{
	if (proto_frame_build(&txbuf, type, id, p, n) == 0)
		write_all(chan, txbuf.data, txbuf.len);
}

static void send_buf(unsigned int type, uint32_t id, struct proto_buf *b)
{
	send_frame(type, id, b->data, b->len);
}

static void send_error(uint32_t id, int err, const char *fmt, ...)
{
	struct proto_buf b;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	proto_buf_init(&b);
	proto_put_u32(&b, (uint32_t)err);
	proto_put_str(&b, msg);
	send_buf(PT_ERROR, id, &b);
	proto_buf_free(&b);
}

static int find_port(char *path, size_t n)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char name[64] = "", p[300];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/class/virtio-ports/%s/name",
			 e->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f))
			name[strcspn(name, "\n")] = '\0';
		fclose(f);
		if (!strcmp(name, PORT_NAME)) {
			snprintf(path, n, "/dev/%s", e->d_name);
			found = 0;
			break;
		}
	}
	closedir(d);
	return found;
}

/* ---- jobs ---- */

static struct job *job_find(uint32_t id)
{
	for (int i = 0; i < MAX_JOBS; i++)
		if (jobs[i].used && jobs[i].id == id)
			return &jobs[i];
	return NULL;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Kills everything left in the job's cgroup (or process group). */
static void job_kill_all(struct job *j)
{
	if (j->pid > 0)
		kill(-j->pid, SIGKILL);	/* the leader called setsid() */
	if (j->cgroup) {
		char p[128];
		int fd;

		/* cgroup.kill (5.14+) takes the whole tree, setsid or not. */
		snprintf(p, sizeof(p), "%s/cgroup.kill", j->cgroup);
		fd = open(p, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			write_all(fd, "1", 1);
			close(fd);
		}
	}
}

/* A count from one of the slot's cgroup event files: "max " of
 * pids.events (forks refused for the process limit), "oom_kill " of
 * memory.events (tasks killed for the memory limit). */
static long cgroup_event(const struct job *j, const char *file, const char *key)
{
	char p[128], buf[512], *m;
	long n = 0;
	int fd;
	ssize_t r;

	if (!j->cgroup)
		return 0;
	snprintf(p, sizeof(p), "%s/%s", j->cgroup, file);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = '\0';
	for (m = buf; (m = strstr(m, key)); m++)
		if (m == buf || m[-1] == '\n') {
			n = strtol(m + strlen(key), NULL, 10);
			break;
		}
	return n;
}

static long pids_max_events(const struct job *j)
{
	return cgroup_event(j, "pids.events", "max ");
}

static long oom_kill_events(const struct job *j)
{
	return cgroup_event(j, "memory.events", "oom_kill ");
}

/* Reaps every exited child there is (jobs' leaders and orphans alike). */
static void reap(void);
static pid_t fork_into(int cgroup_fd, bool *placed);

/*
 * After the kill, waits (at most wait_ms) until the job's cgroup is empty,
 * so that when the host hears "exited", nothing of the job is left: the
 * next command sees a clean guest, even after a fork bomb.  cgroup.events
 * says "populated 0" then, and poll() wakes us (POLLPRI) the moment it
 * changes; sleeping in poll also lets the dying tasks run, which our
 * real-time priority would otherwise hold off.  Whether it emptied.
 */
static bool job_wait_gone(struct job *j, unsigned int wait_ms)
{
	uint64_t deadline = now_ms() + wait_ms;
	char p[128], buf[256];
	bool gone = true;
	int fd;

	if (!j->cgroup)
		return true;
	snprintf(p, sizeof(p), "%s/cgroup.events", j->cgroup);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		uint64_t now = now_ms();

		if (n <= 0)
			break;
		buf[n] = '\0';
		if (strstr(buf, "populated 0"))
			break;
		if (now >= deadline) {
			logmsg("addrlab-agent: job %u left processes behind\n", j->id);
			gone = false;
			break;
		}
		poll(&pfd, 1, (int)(deadline - now) < 20 ? (int)(deadline - now) : 20);
		reap();
	}
	close(fd);
	return gone;
}

static void job_finish(struct job *j)
{
	/* Killed for its time limit, and not already found stuck. */
	bool timed_out = (j->flags & PROTO_EXIT_TIMED_OUT) && !(j->flags & PROTO_EXIT_STUCK);
	struct proto_buf b;

	job_kill_all(j);
	/*
	 * A job killed for its time limit whose own process died, but whose
	 * child did not (a shell waiting on an insmod asleep in the kernel for
	 * good): stuck all the same, and the host must hear it.
	 */
	if (!job_wait_gone(j, timed_out ? STUCK_MS : 1000) && timed_out)
		j->flags |= PROTO_EXIT_STUCK;
	if (pids_max_events(j) > j->pids_max_events)
		j->flags |= PROTO_EXIT_PIDS_MAX;
	if (oom_kill_events(j) > j->oom_kills)
		j->flags |= PROTO_EXIT_OOM;
	close_fd(&j->out_fd);
	close_fd(&j->err_fd);
	close_fd(&j->in_fd);
	proto_buf_init(&b);
	proto_put_u32(&b, (uint32_t)j->status);
	proto_put_u32(&b, j->flags);
	proto_put_u64(&b, j->out_total);
	proto_put_u64(&b, j->err_total);
	proto_put_u32(&b, (uint32_t)(now_ms() - j->start_ms));
	send_buf(PT_EXIT, j->id, &b);
	proto_buf_free(&b);
	memset(j, 0, sizeof(*j));
	j->out_fd = j->err_fd = j->in_fd = -1;
}

/* Reads what is there on one output fd; returns false at EOF or error. */
static bool job_pump(struct job *j, int fd, unsigned int type)
{
	static uint8_t buf[PROTO_CHUNK];
	uint64_t *total = type == PT_STDERR ? &j->err_total : &j->out_total;
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;	/* EOF, or EIO from a pty whose slave is gone */
	if (j->out_cap && *total + (uint64_t)n > j->out_cap) {
		uint64_t room = *total < j->out_cap ? j->out_cap - *total : 0;

		j->flags |= PROTO_EXIT_TRUNCATED;
		if (room)
			send_frame(type, j->id, buf, (size_t)room);
	} else {
		send_frame(type, j->id, buf, (size_t)n);
	}
	*total += (uint64_t)n;
	return true;
}

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void child_exec(struct job *j, char **argv, const char *cwd,
		       int in, int out, int err, const char *slave, bool placed)
{
	sigset_t all;

	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	setsid();
	/* Only the agent is spared by the OOM killer: a job inherits its
	 * -1000, and a fork bomb or memory hog that nothing may kill makes
	 * the kernel panic ("System is deadlocked on memory") instead of
	 * losing the hog. */
	{
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			(void)!write(fd, "0", 1);
			close(fd);
		}
	}
	if (j->cgroup && !placed) {
		char p[128], pid[24];
		int fd;

		snprintf(p, sizeof(p), "%s/cgroup.procs", j->cgroup);
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		fd = open(p, O_WRONLY);
		if (fd >= 0) {
			/* Best effort: without a cgroup the job still runs. */
			(void)!write(fd, pid, strlen(pid));
			close(fd);
		}
	}
	if (slave) {
		int s = open(slave, O_RDWR);

		if (s < 0)
			_exit(126);
		ioctl(s, TIOCSCTTY, 0);
		in = out = err = s;
	}
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	if (cwd[0] && chdir(cwd)) {
		dprintf(2, "addrlab-agent: cannot enter '%s': %s\n", cwd,
			strerror(errno));
		_exit(126);
	}
	setenv("PATH", "/sbin:/bin:/usr/sbin:/usr/bin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", slave ? "xterm" : "dumb", 1);
	if (slave)
		setenv("PS1", "\\u@\\h:\\w\\$ ", 1);	/* root@addrlab:~# */
	execvp(argv[0], argv);
	dprintf(2, "addrlab-agent: cannot run '%s': %s\n", argv[0],
		strerror(errno));
	_exit(127);
}

static void handle_exec(uint32_t id, struct proto_cursor *c)
{
	struct request_exec x;
	struct job *j = NULL;
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int master = -1;
	char slave[64] = "";
	bool placed;
	pid_t pid;
	int rc = request_exec_decode(c, &x);
	uint32_t flags = x.flags, timeout_ms = x.timeout_ms;
	uint64_t out_cap = x.out_cap;
	uint16_t rows = x.rows, cols = x.cols;
	char *cwd = x.cwd, **argv = x.argv;

	if (rc == -ENOMEM) {
		send_error(id, ENOMEM, "out of memory");
		goto out;
	}
	if (rc == -EINVAL) {
		send_error(id, EINVAL, "malformed exec request");
		goto out;
	}
	if (rc) {
		send_error(id, EINVAL, "malformed exec arguments");
		goto out;
	}
	if (job_find(id)) {
		send_error(id, EEXIST, "job %u already runs", id);
		goto out;
	}
	for (int i = 0; i < MAX_JOBS && !j; i++)
		if (!jobs[i].used)
			j = &jobs[i];
	if (!j) {
		send_error(id, EBUSY, "too many jobs (at most %d)", MAX_JOBS);
		goto out;
	}
	memset(j, 0, sizeof(*j));
	j->id = id;
	j->out_cap = out_cap;
	j->pty = flags & PROTO_EXEC_PTY;
	j->out_fd = j->err_fd = j->in_fd = -1;

	if (j->pty) {
		struct winsize ws = { .ws_row = rows, .ws_col = cols };

		master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (master < 0 || grantpt(master) || unlockpt(master) ||
		    ptsname_r(master, slave, sizeof(slave))) {
			send_error(id, errno, "no pseudo terminal: %s",
				   strerror(errno));
			close_fd(&master);
			goto out;
		}
		if (rows && cols)
			ioctl(master, TIOCSWINSZ, &ws);
	} else if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) ||
		   ((flags & PROTO_EXEC_STDIN) ? pipe2(in, O_CLOEXEC) :
		    (in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)) {
		send_error(id, errno, "cannot make pipes: %s", strerror(errno));
		goto fail_fds;
	}
	j->used = true;
	j->cgroup = slot_cgroup[j - jobs][0] ? slot_cgroup[j - jobs] : NULL;
	j->pids_max_events = pids_max_events(j);
	j->oom_kills = oom_kill_events(j);
	j->start_ms = now_ms();
	j->deadline_ms = timeout_ms ? j->start_ms + timeout_ms : 0;
	pid = fork_into(j->cgroup ? slot_cgroup_fd[j - jobs] : -1, &placed);
	if (pid < 0) {
		send_error(id, errno, "fork: %s", strerror(errno));
		j->used = false;
		goto fail_fds;
	}
	if (pid == 0)
		child_exec(j, argv, cwd, in[0], out[1], err[1],
			   j->pty ? slave : NULL, placed);
	j->pid = pid;
	if (j->pty) {
		j->out_fd = master;
		j->in_fd = dup(master);
		set_nonblock(master);
	} else {
		close(out[1]);
		close(err[1]);
		close(in[0]);
		j->out_fd = out[0];
		j->err_fd = err[0];
		j->in_fd = in[1];	/* -1 without PROTO_EXEC_STDIN */
		set_nonblock(out[0]);
		set_nonblock(err[0]);
	}
	goto out;

fail_fds:
	for (int i = 0; i < 2; i++) {
		close_fd(&in[i]);
		close_fd(&out[i]);
		close_fd(&err[i]);
	}
out:
	request_exec_free(&x);
}

static void reap(void)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < MAX_JOBS; i++) {
			struct job *j = &jobs[i];

			if (!j->used || j->pid != pid)
				continue;
			j->status = WIFEXITED(st) ? WEXITSTATUS(st) :
				    -WTERMSIG(st);
			j->reaped = true;
		}
	}
}

/* A job ends when its main process is reaped and its output drained. */
static void jobs_settle(void)
{
	uint64_t now = now_ms();

	for (int i = 0; i < MAX_JOBS; i++) {
		struct job *j = &jobs[i];

		if (!j->used)
			continue;
		if (!j->reaped && j->deadline_ms && now >= j->deadline_ms &&
		    (j->flags & PROTO_EXIT_TIMED_OUT)) {
			/* SIGKILLed STUCK_MS ago and still there: asleep in
			 * the kernel for good (an insmod whose init never
			 * returns).  Reported now, not after the host's
			 * margin; its process stays, and so does the VM's
			 * trouble: the host does not use this VM again. */
			j->flags |= PROTO_EXIT_STUCK;
			j->status = -SIGKILL;
			j->reaped = true;
		} else if (!j->reaped && j->deadline_ms && now >= j->deadline_ms) {
			j->flags |= PROTO_EXIT_TIMED_OUT;
			job_kill_all(j);
			j->deadline_ms = now + STUCK_MS;
		}
		if (j->reaped) {
			/* Drain what is buffered; a grandchild holding the
			 * pipe open must not keep the job alive. */
			while (j->out_fd >= 0 && job_pump(j, j->out_fd,
					PT_STDOUT)) {
				int n = 0;

				if (ioctl(j->out_fd, FIONREAD, &n) || n <= 0)
					break;
			}
			while (j->err_fd >= 0 && job_pump(j, j->err_fd,
					PT_STDERR)) {
				int n = 0;

				if (ioctl(j->err_fd, FIONREAD, &n) || n <= 0)
					break;
			}
			job_finish(j);
		}
	}
}

/* ---- files and kernel messages ---- */

static int mkdirs(const char *path)
{
	char tmp[4096];

	if (strlen(path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	strcpy(tmp, path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

static void handle_push_open(uint32_t id, struct proto_cursor *c)
{
	uint32_t mode;
	char *path;
	int rc = request_push_open_decode(c, &mode, &path);

	close_fd(&push.fd);
	push.id = id;
	push.err = 0;
	push.size = 0;
	push.crc = 0;
	if (rc) {
		push.err = EINVAL;
	} else if (mkdirs(path)) {
		push.err = errno;
	} else {
		push.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			       mode & 07777);
		if (push.fd < 0)
			push.err = errno;
		else
			fchmod(push.fd, mode & 07777);
	}
	free(path);
}

static void handle_push_data(uint32_t id, const uint8_t *p, uint32_t n)
{
	if (id != push.id || push.err)
		return;
	push.crc = proto_crc32(push.crc, p, n);
	push.size += n;
	while (n) {
		ssize_t w = write(push.fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			push.err = errno;
			return;
		}
		p += w;
		n -= (uint32_t)w;
	}
}

static void handle_push_close(uint32_t id)
{
	struct proto_buf b;

	if (id != push.id) {
		send_error(id, EBADF, "no push %u is open", id);
		return;
	}
	if (push.fd >= 0 && close(push.fd) && !push.err)
		push.err = errno;
	push.fd = -1;
	if (push.err) {
		send_error(id, push.err, "cannot write the file: %s",
			   strerror(push.err));
		return;
	}
	proto_buf_init(&b);
	proto_put_u64(&b, push.size);
	proto_put_u32(&b, push.crc);
	send_buf(PT_OK, id, &b);
	proto_buf_free(&b);
}

static void handle_pull(uint32_t id, struct proto_cursor *c)
{
	static uint8_t buf[PROTO_CHUNK];
	uint64_t max, size = 0;
	char *path;
	struct proto_buf b;
	int fd;

	if (request_pull_decode(c, &max, &path)) {
		send_error(id, EINVAL, "malformed pull request");
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		send_error(id, errno, "cannot open '%s': %s", path,
			   strerror(errno));
		goto out;
	}
	while (!max || size < max) {
		size_t want = sizeof(buf);
		ssize_t n;

		if (max && max - size < want)
			want = (size_t)(max - size);
		n = read(fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			send_error(id, errno, "cannot read '%s': %s", path,
				   strerror(errno));
			close(fd);
			goto out;
		}
		if (n == 0)
			break;
		send_frame(PT_DATA, id, buf, (size_t)n);
		size += (uint64_t)n;
	}
	close(fd);
	proto_buf_init(&b);
	proto_put_u64(&b, size);
	send_buf(PT_OK, id, &b);
	proto_buf_free(&b);
out:
	free(path);
}

/*
 * /dev/kmsg gives one record per read: "prio,seq,usec,flags;text\n" and
 * maybe " KEY=value" lines.  Returns the records numbered >= cursor as
 * "[   sec.usec] text" lines, and the cursor to ask with next time.
 */
static void handle_kmsg(uint32_t id, struct proto_cursor *c)
{
	uint64_t cursor = proto_get_u64(c), next = cursor;
	static char rec[8192];
	struct proto_buf out, b;
	int fd;

	if (c->bad) {
		send_error(id, EINVAL, "malformed kmsg request");
		return;
	}
	fd = kmsg_rd;
	/* SEEK_SET 0: back to the oldest record still in the buffer. */
	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		send_error(id, fd < 0 ? EBADF : errno,
			   "cannot read the kernel log: %s",
			   strerror(fd < 0 ? EBADF : errno));
		return;
	}
	proto_buf_init(&out);
	for (;;) {
		unsigned long long seq, usec;
		unsigned int prio;
		char line[8300];
		char *text, *nl;
		ssize_t n = read(fd, rec, sizeof(rec) - 1);

		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten while we read */
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (sscanf(rec, "%u,%llu,%llu", &prio, &seq, &usec) != 3)
			continue;
		/* The cursor to come back with is past everything read, so
		 * asking with UINT64_MAX gets "now" without any text. */
		if (seq + 1 > next || next == cursor)
			next = seq + 1;
		if (seq < cursor)
			continue;
		text = strchr(rec, ';');
		/* Facility 0 is the kernel's: a record written to /dev/kmsg
		 * (before it was closed) is never taken for the kernel's. */
		if (!text || prio >> 3)
			continue;
		text++;
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		snprintf(line, sizeof(line), "[%5llu.%06llu] %s\n",
			 usec / 1000000, usec % 1000000, text);
		proto_put_bytes(&out, line, strlen(line));
		if (out.len >= PROTO_CHUNK) {
			send_buf(PT_DATA, id, &out);
			proto_buf_reset(&out);
		}
	}
	if (out.len)
		send_buf(PT_DATA, id, &out);
	proto_buf_free(&out);
	proto_buf_init(&b);
	proto_put_u64(&b, next);
	send_buf(PT_OK, id, &b);
	proto_buf_free(&b);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = -1;

	if (fd >= 0) {
		rc = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
		close(fd);
	}
	return rc;
}

/* Counts every edu device (vendor 1234, device 11e8), removing each one
 * if remove is set; how many, or -1. */
static int find_edu(bool remove)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char p[300], id[16] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor", e->d_name);
		f = fopen(p, "r");
		if (f && fgets(id, sizeof(id), f) && !strncmp(id, "0x1234", 6)) {
			fclose(f);
			f = NULL;
			snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/device",
				 e->d_name);
			f = fopen(p, "r");
			if (f && fgets(id, sizeof(id), f) &&
			    !strncmp(id, "0x11e8", 6)) {
				snprintf(p, sizeof(p),
					 "/sys/bus/pci/devices/%s/remove", e->d_name);
				n += !remove || write_str(p, "1") == 0;
			}
		}
		if (f)
			fclose(f);
	}
	closedir(d);
	return n;
}

/*
 * PT_FRESH: this VM was restored from a snapshot, as every other VM of the
 * same machine was.  It takes the host's clock (a restored guest's is the
 * snapshot's), its own randomness (restored VMs would otherwise draw the
 * same random numbers: the CRNG was seeded before the snapshot), and a new
 * edu: QEMU does not migrate edu's state, so its config space comes back
 * zeroed; removing it and rescanning the bus brings it back exactly as
 * after a cold boot.  Answered with how many edu devices there are then
 * and the kernel's uname.
 */
static void handle_fresh(uint32_t id, struct proto_cursor *c)
{
	struct {
		int entropy_count;
		int buf_size;
		uint32_t buf[128];
	} pool = { 0 };
	uint64_t ns = proto_get_u64(c);
	size_t n = c->left < sizeof(pool.buf) ? c->left : sizeof(pool.buf);
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };
	struct proto_buf b;
	struct utsname u;
	int fd;

	if (c->bad || !n) {
		send_error(id, EINVAL, "malformed fresh request");
		return;
	}
	memcpy(pool.buf, c->p, n);
	pool.buf_size = (int)n;
	pool.entropy_count = (int)n * 8;
	if (clock_settime(CLOCK_REALTIME, &ts)) {
		send_error(id, errno, "cannot set the clock: %s", strerror(errno));
		return;
	}
	fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, RNDADDENTROPY, &pool) ||
	    ioctl(fd, RNDRESEEDCRNG, 0)) {
		send_error(id, errno, "cannot reseed the random number generator: %s",
			   strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	if (find_edu(true) < 0 || write_str("/sys/bus/pci/rescan", "1")) {
		send_error(id, errno, "cannot rescan the PCI bus for edu: %s",
			   strerror(errno));
		return;
	}
	uname(&u);
	snprintf((char *)pool.buf, sizeof(pool.buf), "%s %s", u.release, u.machine);
	proto_buf_init(&b);
	proto_put_u32(&b, (uint32_t)find_edu(false));
	proto_put_str(&b, (char *)pool.buf);
	send_buf(PT_OK, id, &b);
	proto_buf_free(&b);
}

static void handle_frame(const struct proto_frame *f)
{
	struct proto_cursor c;
	struct job *j;

	proto_cursor_init(&c, f->payload, f->len);
	switch (f->type) {
	case PT_SYNC:
		send_frame(PT_SYNC_ACK, f->id, NULL, 0);
		break;
	case PT_EXEC:
		handle_exec(f->id, &c);
		break;
	case PT_STDIN:
		j = job_find(f->id);
		if (!j || j->in_fd < 0)
			break;
		if (!f->len) {
			if (j->pty) {
				/* End of input on a terminal is ^D. */
				write_all(j->in_fd, "\004", 1);
			} else {
				close_fd(&j->in_fd);
			}
			break;
		}
		write_all(j->in_fd, f->payload, f->len);
		break;
	case PT_SIGNAL:
		j = job_find(f->id);
		if (j && !j->reaped)
			kill(-j->pid, (int)proto_get_u32(&c));
		break;
	case PT_WINSIZE:
		j = job_find(f->id);
		if (j && j->pty) {
			struct winsize ws = { 0 };

			ws.ws_row = proto_get_u16(&c);
			ws.ws_col = proto_get_u16(&c);
			if (!c.bad)
				ioctl(j->out_fd, TIOCSWINSZ, &ws);
		}
		break;
	case PT_PUSH_OPEN:
		handle_push_open(f->id, &c);
		break;
	case PT_PUSH_DATA:
		handle_push_data(f->id, f->payload, f->len);
		break;
	case PT_PUSH_CLOSE:
		handle_push_close(f->id);
		break;
	case PT_PULL:
		handle_pull(f->id, &c);
		break;
	case PT_KMSG:
		handle_kmsg(f->id, &c);
		break;
	case PT_FRESH:
		handle_fresh(f->id, &c);
		break;
	default:
		send_error(f->id, ENOSYS, "unknown request %s (%u)",
			   proto_type_name(f->type), f->type);
	}
}

static void send_hello(void)
{
	struct utsname u;
	struct proto_buf b;
	struct timespec ts;
	char name[400];

	uname(&u);
	snprintf(name, sizeof(name), "%s %s", u.release, u.machine);
	clock_gettime(CLOCK_BOOTTIME, &ts);
	proto_buf_init(&b);
	proto_put_u32(&b, PROTO_VERSION);
	proto_put_str(&b, name);
	proto_put_u32(&b, (uint32_t)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000));
	send_buf(PT_HELLO, 0, &b);
	proto_buf_free(&b);
}

/*
 * A job runs as root, but it must not pass for the kernel or for us: the
 * agent opens the kernel log first, then closes /dev/kmsg to everyone (a
 * program writing "<0>Oops: ..." there would read like the kernel on the
 * console), and no process may attach to another (ptrace, pidfd_getfd,
 * process_vm_readv: a job taking the agent's channel).  Yama's mode 3
 * cannot be undone, even by root; printk_devkmsg could be set back by a
 * hostile root job, whose records the log reader still tells apart.
 */
static void lock_down(void)
{
	kmsg_rd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	kmsg_wr = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (write_str("/proc/sys/kernel/printk_devkmsg", "off\n"))
		logmsg("addrlab-agent: cannot close /dev/kmsg: %s\n", strerror(errno));
	if (write_str("/proc/sys/kernel/yama/ptrace_scope", "3"))
		logmsg("addrlab-agent: cannot forbid ptrace: %s\n", strerror(errno));
}

/*
 * Job slot i runs in /sys/fs/cgroup/jobI: at most JOB_PIDS_MAX tasks and
 * JOB_MEM_MAX of memory, and one task killed for memory kills them all
 * (memory.oom.group): a fork bomb of memory hogs ends as a whole.
 */
static void setup_cgroups(void)
{
	bool ok = !write_str("/sys/fs/cgroup/cgroup.subtree_control", "+pids");

	if (write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory"))
		logmsg("addrlab-agent: no memory controller: %s\n", strerror(errno));
	for (int i = 0; ok && i < MAX_JOBS; i++) {
		char dir[32], p[64];

		snprintf(dir, sizeof(dir), "/sys/fs/cgroup/job%d", i);
		if (mkdir(dir, 0755) && errno != EEXIST)
			continue;
		snprintf(p, sizeof(p), "%s/pids.max", dir);
		if (write_str(p, JOB_PIDS_MAX))
			continue;
		snprintf(p, sizeof(p), "%s/memory.max", dir);
		write_str(p, JOB_MEM_MAX);
		snprintf(p, sizeof(p), "%s/memory.oom.group", dir);
		write_str(p, "1");
		memcpy(slot_cgroup[i], dir, sizeof(dir));
		slot_cgroup_fd[i] = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
}

/*
 * fork(), straight into the job's cgroup when it can: clone3() with
 * CLONE_INTO_CGROUP (Linux 5.7).  Moving a process in afterwards (writing
 * cgroup.procs) waits for an RCU grace period, ~10 ms under emulation on
 * every other command.  *placed says whether the child is in the cgroup.
 */
static pid_t fork_into(int cgroup_fd, bool *placed)
{
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};
	long pid;

	*placed = false;
	if (cgroup_fd >= 0) {
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0) {
			*placed = true;
			return (pid_t)pid;
		}
	}
	return fork();
}

static int agent_main(void)
{
	struct proto_reader rd;
	char path[300];
	sigset_t mask;
	int sfd, fd;

	for (int i = 0; i < 500 && find_port(path, sizeof(path)); i++)
		usleep(10000);
	chan = open(path, O_RDWR | O_CLOEXEC);
	if (chan < 0) {
		logmsg("addrlab-agent: no virtio port named '%s'\n", PORT_NAME);
		return 1;
	}
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		write_all(fd, "-1000", 5);
		close(fd);
	}
	setup_cgroups();
	/*
	 * Real-time priority: a job that spins or forks without end must not
	 * starve the agent, or the host would take a busy guest for a hung
	 * one.  The agent never spins; its children start as ordinary tasks.
	 */
	sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK,
			   &(struct sched_param){ .sched_priority = 10 });
	/* Orphans of a job come back to us, not to PID 1: we reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	for (int i = 0; i < MAX_JOBS; i++)
		jobs[i].out_fd = jobs[i].err_fd = jobs[i].in_fd = -1;
	proto_buf_init(&txbuf);
	proto_reader_init(&rd);
	send_hello();

	for (;;) {
		struct pollfd pfd[2 + 2 * MAX_JOBS];
		struct job *owner[2 + 2 * MAX_JOBS];
		int n = 0, timeout = -1;
		uint64_t now = now_ms();

		pfd[n++] = (struct pollfd){ .fd = chan, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		for (int i = 0; i < MAX_JOBS; i++) {
			struct job *j = &jobs[i];

			if (!j->used)
				continue;
			if (j->out_fd >= 0) {
				owner[n] = j;
				pfd[n++] = (struct pollfd){ .fd = j->out_fd,
							    .events = POLLIN };
			}
			if (j->err_fd >= 0) {
				owner[n] = j;
				pfd[n++] = (struct pollfd){ .fd = j->err_fd,
							    .events = POLLIN };
			}
			if (j->deadline_ms) {
				int left = j->deadline_ms > now ?
					   (int)(j->deadline_ms - now) : 0;

				if (timeout < 0 || left < timeout)
					timeout = left;
			}
		}
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
			continue;

		if (pfd[0].revents & POLLIN) {
			static uint8_t buf[PROTO_CHUNK * 2];
			struct proto_frame f;
			ssize_t r = read(chan, buf, sizeof(buf));

			if (r > 0 && proto_reader_feed(&rd, buf, (size_t)r) == 0)
				while (proto_reader_next(&rd, &f) == 1)
					handle_frame(&f);
		} else if (pfd[0].revents & POLLHUP) {
			usleep(20000);	/* host side not connected */
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				;
		}
		for (int i = 2; i < n; i++) {
			struct job *j = owner[i];
			int *fdp;

			if (!pfd[i].revents || !j->used)
				continue;
			fdp = pfd[i].fd == j->out_fd ? &j->out_fd : &j->err_fd;
			if (*fdp != pfd[i].fd)
				continue;
			if (!job_pump(j, *fdp, fdp == &j->err_fd ? PT_STDERR :
				      PT_STDOUT))
				close_fd(fdp);
		}
		reap();
		jobs_settle();
	}
}

static void early_mounts(void)
{
	static const struct {
		const char *src, *dir, *type, *opts;
	} m[] = {
		{ "proc", "/proc", "proc", NULL },
		{ "sysfs", "/sys", "sysfs", NULL },
		{ "devtmpfs", "/dev", "devtmpfs", NULL },
		{ "devpts", "/dev/pts", "devpts", "ptmxmode=666" },
		{ "tmpfs", "/dev/shm", "tmpfs", NULL },
		{ "tmpfs", "/tmp", "tmpfs", NULL },
		{ "tmpfs", "/run", "tmpfs", NULL },
		{ "cgroup2", "/sys/fs/cgroup", "cgroup2", NULL },
		{ "debugfs", "/sys/kernel/debug", "debugfs", NULL },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		mkdir(m[i].dir, 0755);
		if (mount(m[i].src, m[i].dir, m[i].type, 0, m[i].opts))
			logmsg("addrlab-init: cannot mount %s: %s\n", m[i].dir,
			       strerror(errno));
	}
}

/* /etc/addrlab/modules lists the channel's modules in load order. */
static void load_modules(void)
{
	FILE *f = fopen("/etc/addrlab/modules", "r");
	char path[512];

	if (!f)
		return;
	while (fgets(path, sizeof(path), f)) {
		int fd;

		path[strcspn(path, "\n")] = '\0';
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || syscall(SYS_finit_module, fd, "", 0))
			logmsg("addrlab-init: cannot load %s: %s\n", path,
			       strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
}

/* PID 1: set up, then keep one agent running and reap every orphan. */
static int init_main(void)
{
	int fd;

	early_mounts();
	sethostname("addrlab", 7);
	/* Module messages (a student's pr_info) reach the console, where the
	 * host keeps them as evidence; the boot itself stayed quiet. */
	fd = open("/proc/sys/kernel/printk", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		write_all(fd, "7", 1);
		close(fd);
	}
	load_modules();
	lock_down();	/* before the agent: a restarted one inherits the log */
	for (;;) {
		pid_t agent = fork(), pid;
		int st;

		if (agent == 0) {
			prctl(PR_SET_NAME, "addrlab-agent");
			_exit(agent_main());
		}
		logmsg("addrlab-init: agent %d started\n", (int)agent);
		while ((pid = wait(&st)) != agent)
			if (pid < 0 && errno == ECHILD)
				break;
		logmsg("addrlab-init: the agent exited (status %d); restarting it\n",
		       st);
		sleep(1);
	}
}

int main(void)
{
	if (getpid() == 1)
		return init_main();
	return agent_main();
}
