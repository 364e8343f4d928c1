// SPDX-License-Identifier: MIT
/*
 * physprobe FILE - prints the physical address of each page of FILE, one
 * "0x..." per line, by mapping it shared and reading /proc/self/pagemap
 * (64-bit entry per page: bit 63 present, bits 0-54 the PFN; needs root).
 * On tmpfs the pages stay in the page cache after we exit, so the host can
 * read them back through QEMU and compare: an oracle the guest cannot fake.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	volatile const uint8_t *p;
	struct stat st;
	int fd, pm;

	if (argc != 2) {
		fprintf(stderr, "usage: physprobe FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || st.st_size == 0) {
		perror(argv[1]);
		return 1;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (p == MAP_FAILED || pm < 0) {
		perror("mmap or pagemap");
		return 1;
	}
	for (off_t off = 0; off < st.st_size; off += page) {
		uintptr_t va = (uintptr_t)(p + off);
		uint64_t e;

		(void)p[off];	/* fault the page in */
		if (pread(pm, &e, sizeof(e), (off_t)(va / (uintptr_t)page) * 8) != 8 ||
		    !(e >> 63)) {
			fprintf(stderr, "page at offset %lld is not present\n",
				(long long)off);
			return 1;
		}
		printf("0x%llx\n", (unsigned long long)((e & ((1ULL << 55) - 1)) *
						       (uint64_t)page));
	}
	return 0;
}
