// SPDX-License-Identifier: MIT
/*
 * bench_tui.c - the workbook's first frame: from exec to the chapter list
 * on the terminal, without waiting for the lab VM (which boots in the
 * background).  The real build/bin/addrlab runs on a pseudo terminal of
 * 80x24; the clock stops when the screen bytes contain the list's heading.
 *
 *	build/bench/bench-tui [RUNS]	(default 7)
 */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The heading of the chapter list, as the workbook draws it in English. */
#define FIRST_FRAME	"Chapters: how Linux reaches memory and devices"

static double first_frame(const char *addrlab, const char *state)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	char buf[65536];
	size_t len = 0;
	double t0 = now_s(), t = -1;
	int fd, st;
	pid_t pid = forkpty(&fd, NULL, NULL, &ws);

	if (pid < 0)
		return -1;
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("XDG_STATE_HOME", state, 1);
		setenv("ADDRLAB_WORKSPACE", state, 1);
		setenv("LANG", "C.UTF-8", 1);
		execl(addrlab, addrlab, (char *)NULL);
		_exit(127);
	}
	while (now_s() - t0 < 10) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		r = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = 0;
		if (strstr(buf, FIRST_FRAME)) {
			t = now_s() - t0;
			break;
		}
		if (len > sizeof(buf) - 1024)
			len = 0;
	}
	kill(pid, SIGTERM);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	close(fd);
	return t;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 7;
	char self[4096], addrlab[4200], state[] = "/tmp/addrlab-bench-tui-XXXXXX";
	double *v;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	bool met;

	if (runs < 1 || n < 0 || !mkdtemp(state)) {
		fprintf(stderr, "usage: bench-tui [RUNS]\n");
		return 2;
	}
	self[n] = 0;
	*strrchr(self, '/') = 0;	/* build/bench */
	snprintf(addrlab, sizeof(addrlab), "%s/../bin/addrlab", self);
	v = calloc((size_t)runs, sizeof(*v));
	if (!v)
		return 2;
	for (int i = 0; i < runs; i++) {
		v[i] = first_frame(addrlab, state) * 1000;
		if (v[i] < 0) {
			fprintf(stderr, "bench-tui: the chapter list did not appear within 10 s\n");
			return 1;
		}
	}
	met = bench_report("TUI first frame (80x24, VM still booting)", v, runs, "ms", "<=", 150);
	free(v);
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state);
		if (system(cmd) != 0)
			fprintf(stderr, "bench-tui: could not remove '%s'\n", state);
	}
	return met ? 0 : 1;
}
