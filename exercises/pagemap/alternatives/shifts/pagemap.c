// SPDX-License-Identifier: MIT
/* pagemap.c - page shift instead of divisions, lseek + read, pages touched by a byte each first. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define PFN_BITS	55

int main(int argc, char **argv)
{
	unsigned int shift = (unsigned int)__builtin_ctzl((unsigned long)sysconf(_SC_PAGESIZE));
	unsigned long n, size;
	volatile char *p;
	int fd, pm;

	if (argc != 3 || (n = strtoul(argv[2], NULL, 10)) == 0 || n > 1024)
		return 1;
	size = n << shift;
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || ftruncate(fd, (off_t)size) == -1)
		return 1;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	for (unsigned long i = 0; i < n; i++)
		p[i << shift] = 0;	/* the first touch */
	for (unsigned long i = 0; i < n; i++)
		snprintf((char *)p + (i << shift), 1ul << shift, "%s page %lu", argv[1], i);
	pm = open("/proc/self/pagemap", O_RDONLY);
	if (pm == -1)
		return 1;
	for (unsigned long i = 0; i < n; i++) {
		uint64_t va = (uint64_t)(uintptr_t)(p + (i << shift)), entry;

		if (lseek(pm, (off_t)((va >> shift) << 3), SEEK_SET) == -1 ||
		    read(pm, &entry, sizeof(entry)) != sizeof(entry))
			return 1;
		if (!((entry >> 63) & 1))
			return 2;
		entry &= (1ull << PFN_BITS) - 1;
		printf("page=%lu virt=0x%llx phys=0x%llx\n", i, (unsigned long long)va,
		       (unsigned long long)(entry << shift | (va & ((1ull << shift) - 1))));
	}
	return 0;
}
