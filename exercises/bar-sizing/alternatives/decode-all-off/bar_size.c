// SPDX-License-Identifier: MIT
/* bar_size.c - turns all decoding off (command = 0) while sizing; size from the lowest bit set. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD	0x04
#define BAR0	0x10

static void die(const char *what)
{
	fprintf(stderr, "bar_size: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	char path[256], link[300], target[8];
	uint32_t bar, probe, all = ~0u;
	uint16_t cmd, none = 0;
	int fd, ok;

	if (argc > 2)
		return 1;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", argc > 1 ? argv[1] : "0000:00:02.0");
	snprintf(link, sizeof(link), "%s/driver", path);
	if (readlink(link, target, sizeof(target)) >= 0 || errno != ENOENT) {
		fprintf(stderr, "bar_size: the device has a driver; not touching it\n");
		return 1;
	}
	strcat(path, "/config");
	fd = open(path, O_RDWR);
	if (fd < 0)
		die(path);
	if (pread(fd, &cmd, 2, CMD) != 2 || pread(fd, &bar, 4, BAR0) != 4)
		die("read");
	ok = pwrite(fd, &none, 2, CMD) == 2;
	ok = ok && pwrite(fd, &all, 4, BAR0) == 4 && pread(fd, &probe, 4, BAR0) == 4;
	/* Put back even after a failure: BAR0 first, decoding last. */
	if (pwrite(fd, &bar, 4, BAR0) != 4 || pwrite(fd, &cmd, 2, CMD) != 2 || !ok)
		die("sizing");
	close(fd);
	probe &= ~0xfu;
	if (!probe)
		return 1;
	printf("base=0x%x size=0x%x\n", bar & ~0xfu, probe & -probe);
	return 0;
}
