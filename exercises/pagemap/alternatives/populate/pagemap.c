// SPDX-License-Identifier: MIT
/* pagemap.c - writes the text through the file first, then MAP_POPULATE faults the pages in. */
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

int main(int argc, char **argv)
{
	const long pg = getpagesize();
	char *end, line[512];
	long pages;
	void *map;
	int fd, pm;

	if (argc != 3)
		return 1;
	pages = strtol(argv[2], &end, 0);
	if (*end || pages <= 0 || pages > 1024)
		return 1;
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)pages * pg))
		return 1;
	for (long k = 0; k < pages; k++) {
		int len = snprintf(line, sizeof(line), "%s page %ld", argv[1], k);

		if (pwrite(fd, line, (size_t)len + 1, (off_t)k * pg) != len + 1)
			return 1;
	}
	map = mmap(NULL, (size_t)(pages * pg), PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
	close(fd);
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (map == MAP_FAILED || pm < 0) {
		fprintf(stderr, "pagemap: %s\n", strerror(errno));
		return 1;
	}
	for (long k = 0; k < pages; k++) {
		uintptr_t v = (uintptr_t)map + (uintptr_t)(k * pg);
		uint64_t ent;

		if (pread(pm, &ent, 8, (off_t)(v / (uintptr_t)pg) * 8) != 8)
			return 1;
		if (!(ent & 1ull << 63))
			return 1;
		printf("page=%ld virt=0x%" PRIxPTR " phys=0x%" PRIx64 "\n", k, v,
		       (uint64_t)((ent & UINT64_C(0x7fffffffffffff)) * (uint64_t)pg));
	}
	return 0;
}
