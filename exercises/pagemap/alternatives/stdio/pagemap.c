// SPDX-License-Identifier: MIT
/* pagemap.c - stdio for pagemap (fseek + fread), memcpy of the text, bit tests by shifting. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long psize = sysconf(_SC_PAGESIZE), n;
	char *base, text[256];
	FILE *pm;
	int fd;

	if (argc != 3 || (n = atol(argv[2])) < 1 || n > 1024) {
		fputs("usage: pagemap FILE PAGES (1-1024)\n", stderr);
		return 1;
	}
	fd = open(argv[1], O_CREAT | O_TRUNC | O_RDWR, 0644);
	if (fd < 0 || ftruncate(fd, n * psize) < 0) {
		perror(argv[1]);
		return 1;
	}
	base = mmap(NULL, n * psize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		int len = snprintf(text, sizeof(text), "%s page %ld", argv[1], i);

		memcpy(base + i * psize, text, (size_t)len + 1);
	}
	pm = fopen("/proc/self/pagemap", "rb");
	if (!pm) {
		perror("/proc/self/pagemap");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		uintptr_t va = (uintptr_t)base + (uintptr_t)(i * psize);
		uint64_t e;

		if (fseek(pm, (long)(va / psize * sizeof(e)), SEEK_SET) ||
		    fread(&e, sizeof(e), 1, pm) != 1) {
			perror("pagemap entry");
			return 1;
		}
		if (!(e >> 63) || !(e << 9 >> 9)) {
			fprintf(stderr, "page %ld: no frame (entry %#llx)\n", i, (unsigned long long)e);
			return 1;
		}
		printf("page=%ld virt=0x%lx phys=0x%llx\n", i, (unsigned long)va,
		       (unsigned long long)((e << 9 >> 9) * (uint64_t)psize));
	}
	fclose(pm);
	return 0;
}
