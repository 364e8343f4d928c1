// SPDX-License-Identifier: MIT
/* bar_size.c - handles 64-bit BARs too (sizing BAR1 with BAR0), via pread/pwrite. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int fd;

static uint32_t get(off_t off, size_t len)
{
	uint32_t v = 0;

	if (pread(fd, &v, len, off) != (ssize_t)len)
		return 0;
	return v;
}

static int put(off_t off, size_t len, uint32_t v)
{
	return pwrite(fd, &v, len, off) == (ssize_t)len ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *bdf = argc == 2 ? argv[1] : "0000:00:02.0";
	uint64_t base, mask, size;
	uint32_t lo, hi = 0, plo, phi = 0xffffffff;
	uint16_t cmd;
	char path[300];
	struct stat st;
	int is64, err = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	if (!lstat(path, &st)) {
		fprintf(stderr, "bar_size: a driver is bound to %s\n", bdf);
		return 1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("bar_size: open");
		return 1;
	}
	cmd = (uint16_t)get(0x04, 2);
	lo = get(0x10, 4);
	if (lo & 1) {
		fprintf(stderr, "bar_size: I/O BAR\n");
		close(fd);
		return 1;
	}
	is64 = (lo & 0x6) == 0x4;
	if (is64)
		hi = get(0x14, 4);

	err |= put(0x04, 2, cmd & ~0x0002u);
	err |= put(0x10, 4, ~0u);
	plo = get(0x10, 4);
	if (is64) {
		err |= put(0x14, 4, ~0u);
		phi = get(0x14, 4);
		err |= put(0x14, 4, hi);
	}
	err |= put(0x10, 4, lo);
	err |= put(0x04, 2, cmd);
	close(fd);
	if (err)
		return 1;

	base = ((uint64_t)hi << 32 | lo) & ~0xfull;
	mask = ((uint64_t)phi << 32 | plo) & ~0xfull;
	if (!is64)
		mask |= 0xffffffff00000000ull;
	size = ~mask + 1;
	printf("base=0x%" PRIx64 " size=0x%" PRIx64 "\n", base, size);
	return 0;
}
