// SPDX-License-Identifier: MIT
/*
 * pagemap.c - chapter 1: where do my pages live in physical memory?
 *
 *	pagemap FILE PAGES
 *
 * Creates FILE (on tmpfs: /dev/shm/NAME) with PAGES pages, maps it shared,
 * writes the text "FILE page K" at the start of page K, then asks
 * /proc/self/pagemap which physical frame holds each page and prints one
 * line per page:
 *
 *	page=0 virt=0x7f2c1a3b4000 phys=0x2b4e000
 *
 * Nothing else goes to standard output; errors go to standard error and
 * the exit status is 1.  FILE stays behind on purpose: its pages stay in
 * the page cache after the program exits, so someone outside the guest
 * can read them at the printed physical addresses.  Run as root (without
 * CAP_SYS_ADMIN the kernel hides the frame numbers).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGEMAP		"/proc/self/pagemap"
#define PM_ENTRY_SIZE	8			/* one 64-bit entry per page */
#define PM_PRESENT	(1ull << 63)		/* the page is in RAM */
#define PM_PFN_MASK	((1ull << 55) - 1)	/* bits 0-54: the frame number */
#define MAX_PAGES	1024

static int virt_to_phys_user(int pm, uintptr_t virt, long page_size,
			     uint64_t *phys);

int main(int argc, char **argv)
{
	long page_size = sysconf(_SC_PAGESIZE);
	const char *path;
	char *map, *end;
	long pages;
	int fd, pm;

	if (argc != 3) {
		fprintf(stderr, "usage: pagemap FILE PAGES\n");
		return 1;
	}
	path = argv[1];
	errno = 0;
	pages = strtol(argv[2], &end, 10);
	if (errno || *end || pages < 1 || pages > MAX_PAGES) {
		fprintf(stderr, "pagemap: PAGES must be 1 to %d\n", MAX_PAGES);
		return 1;
	}

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		fprintf(stderr, "pagemap: cannot create %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (ftruncate(fd, pages * page_size)) {
		fprintf(stderr, "pagemap: cannot size %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* Shared: the writes go to the file's own pages in the page cache. */
	map = mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "pagemap: cannot map %s: %s\n", path, strerror(errno));
		return 1;
	}
	close(fd);

	/* STEP 1: Write "FILE page K" into each page: the first touch. */
	for (long k = 0; k < pages; k++)
		snprintf(map + k * page_size, page_size, "%s page %ld", path, k);
	/* END STEP 1 */

	pm = open(PAGEMAP, O_RDONLY);
	if (pm < 0) {
		fprintf(stderr, "pagemap: cannot open %s: %s\n", PAGEMAP, strerror(errno));
		return 1;
	}
	for (long k = 0; k < pages; k++) {
		uintptr_t virt = (uintptr_t)(map + k * page_size);
		uint64_t phys = 0;

		if (virt_to_phys_user(pm, virt, page_size, &phys))
			return 1;
		printf("page=%ld virt=0x%" PRIxPTR " phys=0x%" PRIx64 "\n", k, virt, phys);
	}
	close(pm);
	munmap(map, pages * page_size);
	return 0;
}

/*
 * The physical address of the page at virt, from this process's pagemap
 * (pm, open for reading).  Returns 0, or -1 after saying why.
 */
static int virt_to_phys_user(int pm, uintptr_t virt, long page_size,
			     uint64_t *phys)
{
	uint64_t entry = 0, pfn = 0;
	uint64_t vpn = virt / page_size;
	off_t off = 0;

	/* STEP 2: Read the page's 64-bit entry: one per virtual page number. */
	off = (off_t)(vpn * PM_ENTRY_SIZE);
	if (pread(pm, &entry, sizeof(entry), off) != sizeof(entry)) {
		fprintf(stderr, "pagemap: cannot read %s at 0x%llx: %s\n",
			PAGEMAP, (unsigned long long)off, strerror(errno));
		return -1;
	}
	/* SKELETON: (void)pm; (void)vpn; (void)off; (void)entry; (void)virt; */
	/* END STEP 2 */

	/* STEP 3: Bit 63: present? Bits 0-54: the PFN (0 if hidden: not root). */
	if (!(entry & PM_PRESENT)) {
		fprintf(stderr, "pagemap: 0x%" PRIxPTR " is not present (entry 0x%016" PRIx64 ")\n",
			virt, entry);
		return -1;
	}
	pfn = entry & PM_PFN_MASK;
	if (pfn == 0) {
		fprintf(stderr, "pagemap: the frame number is hidden: run as root\n");
		return -1;
	}
	/* END STEP 3 */

	/* STEP 4: A frame number counts pages: turn it into a byte address. */
	*phys = pfn * (uint64_t)page_size + virt % page_size;
	/* SKELETON: *phys = pfn; */
	/* END STEP 4 */
	return 0;
}
