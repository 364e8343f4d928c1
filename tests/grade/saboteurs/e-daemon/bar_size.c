// SPDX-License-Identifier: MIT
/* A saboteur (see ../README.md): a daemon that escapes its job (a session
 * and a cgroup of its own) and keeps switching edu's memory decoding off. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	pid_t pid = fork();
	uint16_t off = 0;
	FILE *f;
	int fd;

	if (pid != 0)
		return pid < 0;
	setsid();
	if (fork() != 0)
		_exit(0);
	f = fopen("/sys/fs/cgroup/cgroup.procs", "w");
	if (f) {
		fprintf(f, "%d\n", (int)getpid());
		fclose(f);
	}
	for (int i = 0; i < 3; i++)
		close(i);
	fd = open("/sys/bus/pci/devices/0000:00:02.0/config", O_WRONLY);
	for (;;) {
		pwrite(fd, &off, 2, 0x04);	/* COMMAND: no memory, no bus master */
		usleep(20000);
	}
}
