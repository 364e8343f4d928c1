// SPDX-License-Identifier: MIT
/*
 * bar_size.c - chapter 2: size BAR0 of a PCI device the way firmware does.
 *
 *	bar_size [BDF]		default: 0000:00:02.0 (edu in the lab VM)
 *
 * Works through the device's configuration space file in sysfs, as root:
 * save the command register and BAR0, turn memory decoding off, write all
 * ones to BAR0, read it back, put BAR0 and the command register back, and
 * work out the size from the bits that stayed zero.  Prints one line:
 *
 *	base=0x10000000 size=0x100000
 *
 * The device decides the size (it hard-wires its low address bits to
 * zero); the firmware decided the base (it wrote it into the high bits).
 * Refuses a device that has a driver bound: sizing moves the BAR away under
 * the driver's feet.  Errors go to standard error, with exit status 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSFS_PCI		"/sys/bus/pci/devices"
#define PCI_COMMAND		0x04	/* 16 bits; the status register follows */
#define PCI_COMMAND_MEMORY	0x0002	/* bit 1: decode memory BARs */
#define PCI_BAR0		0x10	/* the first base address register */
#define BAR_IO			0x1	/* bit 0: an I/O BAR (not handled here) */
#define BAR_MEM_FLAGS		0xfu	/* bits 0-3: space, type, prefetchable */

/* Configuration space is little-endian, whatever the CPU. */
static int cfg_read(int fd, unsigned int off, unsigned int len, uint32_t *val)
{
	uint8_t b[4];

	if (pread(fd, b, len, off) != (ssize_t)len) {
		fprintf(stderr, "bar_size: cannot read config offset 0x%02x: %s\n",
			off, strerror(errno));
		return -1;
	}
	*val = 0;
	for (unsigned int i = 0; i < len; i++)
		*val |= (uint32_t)b[i] << (8 * i);
	return 0;
}

/* Exactly len bytes in one write: sysfs makes it one config cycle. */
static int cfg_write(int fd, unsigned int off, unsigned int len, uint32_t val)
{
	uint8_t b[4];

	for (unsigned int i = 0; i < len; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	if (pwrite(fd, b, len, off) != (ssize_t)len) {
		fprintf(stderr, "bar_size: cannot write config offset 0x%02x: %s\n",
			off, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *bdf = argc > 1 ? argv[1] : "0000:00:02.0";
	uint32_t cmd = 0, bar = 0, probe = 0, size = 0;
	char path[512];
	struct stat st;
	int fd, ret = 0;

	if (argc > 2 || strchr(bdf, '/')) {
		fprintf(stderr, "usage: bar_size [BDF]\n");
		return 1;
	}

	/* STEP 1: Refuse a device with a driver: its "driver" link exists. */
	snprintf(path, sizeof(path), "%s/%s/driver", SYSFS_PCI, bdf);
	if (lstat(path, &st) == 0) {
		fprintf(stderr, "bar_size: %s has a driver bound; sizing would move its BAR under it\n",
			bdf);
		return 1;
	}
	/* END STEP 1 */

	snprintf(path, sizeof(path), "%s/%s/config", SYSFS_PCI, bdf);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "bar_size: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}

	/* STEP 2: Save the command register (16 bits) and BAR0 (32 bits). */
	if (cfg_read(fd, PCI_COMMAND, 2, &cmd) || cfg_read(fd, PCI_BAR0, 4, &bar))
		goto err_close;
	if (bar & BAR_IO) {
		fprintf(stderr, "bar_size: BAR0 of %s is an I/O BAR\n", bdf);
		goto err_close;
	}
	/* END STEP 2 */

	/* STEP 3: Decoding off, all ones into BAR0, read it back. */
	if (cfg_write(fd, PCI_COMMAND, 2, cmd & ~PCI_COMMAND_MEMORY))
		goto err_close;
	ret = cfg_write(fd, PCI_BAR0, 4, 0xffffffff);
	if (!ret)
		ret = cfg_read(fd, PCI_BAR0, 4, &probe);
	/* SKELETON: probe = bar; */
	/* END STEP 3 */

	/* STEP 4: Put BAR0 back, then the command register, whatever happened. */
	if (cfg_write(fd, PCI_BAR0, 4, bar))
		ret = -1;
	if (cfg_write(fd, PCI_COMMAND, 2, cmd))
		ret = -1;
	/* END STEP 4 */
	close(fd);
	if (ret)
		return 1;

	/* STEP 5: Mask the flag bits; the bits that stayed zero give the size. */
	probe &= ~BAR_MEM_FLAGS;
	if (!probe) {
		fprintf(stderr, "bar_size: BAR0 of %s reads back 0: not implemented\n", bdf);
		return 1;
	}
	size = ~probe + 1;
	/* END STEP 5 */

	printf("base=0x%" PRIx32 " size=0x%" PRIx32 "\n", bar & ~BAR_MEM_FLAGS, size);
	return 0;

err_close:
	close(fd);
	return 1;
}
