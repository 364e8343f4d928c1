// SPDX-License-Identifier: MIT
/* bar_size.c - stdio on the config file (unbuffered), sizes by size = -probe. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static FILE *cfg;

static int rd(long off, void *v, size_t n)
{
	return fseek(cfg, off, SEEK_SET) == 0 && fread(v, 1, n, cfg) == n ? 0 : -1;
}

static int wr(long off, const void *v, size_t n)
{
	return fseek(cfg, off, SEEK_SET) == 0 && fwrite(v, 1, n, cfg) == n ? 0 : -1;
}

int main(int argc, char *argv[])
{
	const char *bdf = argc > 1 ? argv[1] : "0000:00:02.0";
	uint16_t cmd, off;
	uint32_t bar, ones = 0xffffffff, probe = 0;
	char path[256];
	int bad;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "bar_size: %s is in use by a driver\n", bdf);
		return 1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	cfg = fopen(path, "r+b");
	if (!cfg) {
		perror(path);
		return 1;
	}
	setvbuf(cfg, NULL, _IONBF, 0);	/* each access goes straight to the device */
	if (rd(4, &cmd, 2) || rd(0x10, &bar, 4) || (bar & 1)) {
		fprintf(stderr, "bar_size: cannot read BAR0 of %s, or it is an I/O BAR\n", bdf);
		fclose(cfg);
		return 1;
	}
	off = cmd & (uint16_t)~0x2;
	bad = wr(4, &off, 2) || wr(0x10, &ones, 4) || rd(0x10, &probe, 4);
	bad |= wr(0x10, &bar, 4);
	bad |= wr(4, &cmd, 2);
	fclose(cfg);
	probe &= ~0xfu;
	if (bad || !probe) {
		fprintf(stderr, "bar_size: sizing BAR0 of %s failed\n", bdf);
		return 1;
	}
	printf("base=0x%x size=0x%x\n", bar & ~0xfu, -probe);
	return 0;
}
