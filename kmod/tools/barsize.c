// SPDX-License-Identifier: MIT
/*
 * barsize - size a PCI device's BAR0 the way firmware does, through the
 * device's configuration space file in sysfs, and say each step in words.
 *
 *	barsize [BDF]		default: the first edu device (PCI 1234:11e8)
 *
 * Who decides what: the DEVICE decides the size of a BAR, by hard-wiring
 * its low address bits to zero; FIRMWARE (here qboot or SeaBIOS) decided
 * the base, by writing an address into the writable high bits at boot.
 * Writing all ones and reading back shows which bits are writable.
 *
 * The last line is machine-readable:
 *
 *	bar=0 base=0x10000000 size=0x100000 type=mem32 prefetchable=no
 *
 * The whole 256-byte configuration space is compared before and after;
 * barsize exits non-zero if a single byte differs, if the device has a
 * driver (sizing moves the BAR away under it), or on any error.  Run as
 * root: without it, sysfs shows only the first 64 bytes and refuses writes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edu.h"

#define SYSFS_PCI		"/sys/bus/pci/devices"
#define CFG_SIZE		256	/* conventional PCI configuration space */

/* Configuration space offsets and bits (PCI Local Bus 3.0, 6.2). */
#define PCI_COMMAND		0x04	/* 16 bits; the status register follows */
#define  PCI_COMMAND_IO		0x1	/* decode I/O BARs */
#define  PCI_COMMAND_MEMORY	0x2	/* decode memory BARs */
#define PCI_BAR0		0x10
#define  BAR_IO			0x1	/* bit 0: I/O space, not memory */
#define  BAR_IO_FLAGS		0x3
#define  BAR_MEM_TYPE		0x6	/* bits 1-2: where it may be placed */
#define  BAR_MEM_TYPE_32	0x0
#define  BAR_MEM_TYPE_1M	0x2	/* legacy: below 1 MiB */
#define  BAR_MEM_TYPE_64	0x4	/* a pair: this BAR and the next */
#define  BAR_MEM_PREFETCH	0x8	/* bit 3: reads have no side effects */
#define  BAR_MEM_FLAGS		0xf

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("barsize: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* ---- finding the device ---- */

static unsigned long read_hex_file(const char *dir, const char *name)
{
	char path[512], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoul(buf, NULL, 16);
}

/* The first edu device in sysfs order into bdf, or -1. */
static int find_edu(char *bdf, size_t size)
{
	struct dirent **names;
	int n, found = -1;

	n = scandir(SYSFS_PCI, &names, NULL, alphasort);
	if (n < 0)
		return fail("cannot list '%s': %s", SYSFS_PCI, strerror(errno));
	for (int i = 0; i < n; i++) {
		char dir[512];

		snprintf(dir, sizeof(dir), "%s/%s", SYSFS_PCI, names[i]->d_name);
		if (found < 0 && names[i]->d_name[0] != '.' &&
		    read_hex_file(dir, "vendor") == EDU_VENDOR_ID &&
		    read_hex_file(dir, "device") == EDU_DEVICE_ID) {
			snprintf(bdf, size, "%s", names[i]->d_name);
			found = 0;
		}
		free(names[i]);
	}
	free(names);
	if (found)
		return fail("no edu device (PCI %04x:%04x) found; boot with "
			    "-device edu, or name a device: barsize 0000:00:02.0",
			    EDU_VENDOR_ID, EDU_DEVICE_ID);
	return 0;
}

/* ---- configuration space access (little-endian, whatever the CPU) ---- */

static int cfg_read(int fd, unsigned int off, unsigned int len, uint32_t *val)
{
	uint8_t b[4];

	if (pread(fd, b, len, off) != (ssize_t)len)
		return fail("cannot read config offset 0x%02x: %s", off,
			    strerror(errno));
	*val = 0;
	for (unsigned int i = 0; i < len; i++)
		*val |= (uint32_t)b[i] << (8 * i);
	return 0;
}

/* A write of exactly len bytes: sysfs turns it into one config cycle. */
static int cfg_write(int fd, unsigned int off, unsigned int len, uint32_t val)
{
	uint8_t b[4];

	for (unsigned int i = 0; i < len; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	if (pwrite(fd, b, len, off) != (ssize_t)len)
		return fail("cannot write config offset 0x%02x: %s", off,
			    strerror(errno));
	return 0;
}

static int cfg_dump(int fd, uint8_t *buf)
{
	ssize_t n = pread(fd, buf, CFG_SIZE, 0);

	if (n < 0)
		return fail("cannot read the configuration space: %s",
			    strerror(errno));
	if (n != CFG_SIZE)
		return fail("read %zd of %d configuration bytes: run as root",
			    n, CFG_SIZE);
	return 0;
}

/* ---- sizing ---- */

struct bar {
	uint64_t orig;		/* as firmware left it (both halves if 64-bit) */
	uint64_t probe;		/* read back after writing all ones */
	uint64_t flags_mask;	/* the low bits that are flags, not address */
	bool io, mem64, prefetch;
	const char *type;
};

static void decode(struct bar *bar)
{
	uint32_t lo = (uint32_t)bar->orig;

	bar->io = lo & BAR_IO;
	bar->mem64 = !bar->io && (lo & BAR_MEM_TYPE) == BAR_MEM_TYPE_64;
	bar->prefetch = !bar->io && (lo & BAR_MEM_PREFETCH);
	bar->flags_mask = bar->io ? BAR_IO_FLAGS : BAR_MEM_FLAGS;
	if (bar->io)
		bar->type = "io";
	else if (bar->mem64)
		bar->type = "mem64";
	else if ((lo & BAR_MEM_TYPE) == BAR_MEM_TYPE_1M)
		bar->type = "mem1m";
	else
		bar->type = "mem32";
}

/* Reads the BAR (and its upper half for a 64-bit pair) as one value. */
static int bar_read(int fd, const struct bar *bar, uint64_t *val)
{
	uint32_t lo, hi = 0;

	if (cfg_read(fd, PCI_BAR0, 4, &lo) ||
	    (bar->mem64 && cfg_read(fd, PCI_BAR0 + 4, 4, &hi)))
		return -1;
	*val = (uint64_t)hi << 32 | lo;
	return 0;
}

static int bar_write(int fd, const struct bar *bar, uint64_t val)
{
	if (cfg_write(fd, PCI_BAR0, 4, (uint32_t)val) ||
	    (bar->mem64 && cfg_write(fd, PCI_BAR0 + 4, 4, (uint32_t)(val >> 32))))
		return -1;
	return 0;
}

/*
 * The sizing itself, with decoding off around it.  Returns 0 with
 * bar->probe set; whatever happens, the BAR and the command register are
 * put back before returning.
 */
static int size_bar(int fd, struct bar *bar)
{
	uint32_t cmd, off_bit;
	uint64_t ones = bar->mem64 ? UINT64_MAX : UINT32_MAX;
	int ret;

	if (cfg_read(fd, PCI_COMMAND, 2, &cmd))
		return -1;
	off_bit = bar->io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	printf("2. the command register is 0x%04x: %s decoding is %s\n", cmd,
	       bar->io ? "I/O" : "memory", cmd & off_bit ? "on" : "already off");

	/*
	 * While the BAR holds all ones, the device would answer at the very
	 * top of the address space (0xfff00000 for a 1 MiB 32-bit BAR) where
	 * a PC keeps its boot ROM, next to the APICs: any access there, by
	 * this CPU, another one or a DMA engine, would reach the device.  So
	 * firmware turns decoding off first, and the device claims no address
	 * at all until the BAR holds a real one again.  Only the 16-bit
	 * command register is written, never the status register beside it:
	 * its error bits are cleared by writing 1s to them.
	 */
	if (cmd & off_bit) {
		printf("   turn it off while sizing (write 0x%04x)\n", cmd & ~off_bit);
		if (cfg_write(fd, PCI_COMMAND, 2, cmd & ~off_bit))
			return -1;
	}

	printf("3. write all ones to BAR0%s\n", bar->mem64 ? " and BAR1 (a 64-bit pair)" : "");
	ret = bar_write(fd, bar, ones);
	if (!ret)
		ret = bar_read(fd, bar, &bar->probe);
	if (!ret)
		printf("4. read back 0x%0*" PRIx64 ": the device keeps its low "
		       "address bits at zero\n", bar->mem64 ? 16 : 8, bar->probe);

	printf("5. restore BAR0 to 0x%0*" PRIx64 " and the command register to 0x%04x\n",
	       bar->mem64 ? 16 : 8, bar->orig, cmd);
	if (bar_write(fd, bar, bar->orig))
		ret = -1;
	if ((cmd & off_bit) && cfg_write(fd, PCI_COMMAND, 2, cmd))
		ret = -1;
	return ret;
}

/* A BDF as given ("00:02.0" or "0000:00:02.0") into its sysfs name. */
static int check_device(const char *arg, char *bdf, size_t size)
{
	char path[512];
	struct stat st;

	if (strlen(arg) > 16)	/* "dddd:bb:dd.f" is 12 */
		return fail("'%.20s...' is not a PCI address like 0000:00:02.0", arg);
	snprintf(bdf, size, "%s%.16s", strchr(arg, ':') == strrchr(arg, ':') ?
		 "0000:" : "", arg);
	snprintf(path, sizeof(path), "%s/%s", SYSFS_PCI, bdf);
	if (strchr(bdf, '/') || stat(path, &st))
		return fail("no PCI device '%s' in %s", arg, SYSFS_PCI);
	/* Sizing moves the BAR away for a moment: not under a driver's feet. */
	snprintf(path, sizeof(path), "%s/%s/driver", SYSFS_PCI, bdf);
	if (!lstat(path, &st))
		return fail("%s has a driver bound; unbind it (or rmmod the "
			    "module) first: sizing moves the BAR under it", bdf);
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t before[CFG_SIZE], after[CFG_SIZE];
	char found[256], bdf[256], path[1024];
	struct bar bar = { 0 };
	uint64_t addr_bits, size, base;
	int fd, differ = 0;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: barsize [BDF]    (default: the first edu device)\n");
		return 2;
	}
	if (argc == 1 && find_edu(found, sizeof(found)))
		return 1;
	if (check_device(argc == 2 ? argv[1] : found, bdf, sizeof(bdf)))
		return 1;

	snprintf(path, sizeof(path), "%s/%s/config", SYSFS_PCI, bdf);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		fail("cannot open '%s': %s (run as root)", path, strerror(errno));
		return 1;
	}
	if (cfg_dump(fd, before))
		goto err_close;

	printf("barsize: sizing BAR0 of %s through %s\n", bdf, path);
	/* Decode the type from the original value: it says if BAR1 belongs too. */
	bar.orig = before[PCI_BAR0] | before[PCI_BAR0 + 1] << 8 |
		   before[PCI_BAR0 + 2] << 16 | (uint32_t)before[PCI_BAR0 + 3] << 24;
	decode(&bar);
	if (bar.mem64 && bar_read(fd, &bar, &bar.orig))
		goto err_close;
	base = bar.orig & ~bar.flags_mask;
	printf("1. BAR0 reads 0x%0*" PRIx64 ": %s BAR%s%s; base 0x%" PRIx64 "\n",
	       bar.mem64 ? 16 : 8, bar.orig, bar.io ? "an I/O" : "a memory",
	       bar.io ? "" : bar.mem64 ? ", 64-bit" : ", 32-bit",
	       bar.io ? "" : bar.prefetch ? ", prefetchable" : ", not prefetchable",
	       base);
	printf("   firmware chose that base and wrote it there at boot\n");

	if (size_bar(fd, &bar))
		goto err_close;

	/* The address bits that stuck; the lowest of them is the size. */
	addr_bits = bar.probe & ~bar.flags_mask;
	if (!bar.mem64)
		addr_bits &= UINT32_MAX;
	if (!addr_bits) {
		fail("BAR0 of %s reads back 0: the device does not implement it", bdf);
		goto err_close;
	}
	size = addr_bits & -addr_bits;
	printf("6. mask the flag bits (0x%" PRIx64 "): 0x%" PRIx64 "; the lowest "
	       "bit set is the size: 0x%" PRIx64 " bytes\n",
	       bar.flags_mask, addr_bits, size);
	printf("   the device decided that size: its low bits cannot be written\n");

	if (cfg_dump(fd, after))
		goto err_close;
	close(fd);
	for (int i = 0; i < CFG_SIZE; i++) {
		if (before[i] != after[i]) {
			printf("   config byte 0x%02x was 0x%02x, is now 0x%02x\n",
			       i, before[i], after[i]);
			differ++;
		}
	}
	if (differ) {
		fail("the configuration space changed in %d bytes", differ);
		return 1;
	}
	printf("7. all %d configuration bytes are as they were before\n", CFG_SIZE);
	printf("bar=0 base=0x%" PRIx64 " size=0x%" PRIx64 " type=%s prefetchable=%s\n",
	       base, size, bar.type, bar.prefetch ? "yes" : "no");
	return 0;

err_close:
	close(fd);
	return 1;
}
