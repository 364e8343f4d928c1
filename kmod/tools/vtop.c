// SPDX-License-Identifier: MIT
/*
 * vtop - where does one of my pages live in physical memory?  Asked twice:
 * once of /proc/self/pagemap (the kernel's published answer) and once of
 * the addrspace module, which walks this process's page tables itself.
 *
 *	insmod addrspace.ko
 *	vtop [--hold SECONDS]
 *
 * vtop maps one anonymous page, writes "addrlab vtop pid N" and then the
 * byte 0x3c into it, and prints both answers and a machine-readable line
 *
 *	virt=0x7f... pagemap_pfn=0x... module_pfn=0x... pid=N
 *
 * It exits 0 only when the two PFNs agree.  --hold keeps the page mapped
 * for SECONDS after the report, so someone outside the guest (QEMU reading
 * guest physical memory) can look at the frame while it is still ours.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define UWALK		"/sys/kernel/debug/addrspace/uwalk"
#define PAGEMAP		"/proc/self/pagemap"
#define FILL		0x3c

#define PM_PRESENT	(1ull << 63)
#define PM_PFN_MASK	((1ull << 55) - 1)	/* bits 0-54 */

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("vtop: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* The PFN /proc/self/pagemap gives for virt: one 64-bit entry per page. */
static int pagemap_pfn(uintptr_t virt, long page_size, uint64_t *pfn)
{
	off_t off = (off_t)(virt / page_size) * sizeof(uint64_t);
	uint64_t entry;
	int fd;
	ssize_t n;

	fd = open(PAGEMAP, O_RDONLY);
	if (fd < 0)
		return fail("cannot open '%s': %s", PAGEMAP, strerror(errno));
	n = pread(fd, &entry, sizeof(entry), off);
	close(fd);
	if (n != sizeof(entry))
		return fail("cannot read '%s': %s", PAGEMAP,
			    n < 0 ? strerror(errno) : "short read");
	if (!(entry & PM_PRESENT))
		return fail("pagemap says the page is not present");
	*pfn = entry & PM_PFN_MASK;
	/* Since Linux 4.2 the PFN reads as 0 without CAP_SYS_ADMIN. */
	if (*pfn == 0)
		return fail("pagemap hides the PFN: run vtop as root");
	return 0;
}

/* Writes virt to uwalk, reads the module's walk into buf (NUL-ended). */
static int module_walk(uintptr_t virt, char *buf, size_t size)
{
	char addr[32];
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(UWALK, O_RDWR);
	if (fd < 0) {
		if (errno == ENOENT)
			return fail("'%s' does not exist: insmod addrspace.ko first",
				    UWALK);
		return fail("cannot open '%s': %s", UWALK, strerror(errno));
	}
	snprintf(addr, sizeof(addr), "0x%" PRIxPTR "\n", virt);
	if (write(fd, addr, strlen(addr)) < 0) {
		fail("cannot write to '%s': %s", UWALK, strerror(errno));
		goto err_close;
	}
	/* The address is kept per open file; read the walk from the start. */
	if (lseek(fd, 0, SEEK_SET) < 0) {
		fail("cannot seek '%s': %s", UWALK, strerror(errno));
		goto err_close;
	}
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	if (n < 0) {
		fail("cannot read '%s': %s", UWALK, strerror(errno));
		goto err_close;
	}
	buf[len] = '\0';
	close(fd);
	return 0;

err_close:
	close(fd);
	return -1;
}

/* The module's "pfn=0x..." on its machine-readable line. */
static int parse_module_pfn(const char *walk, uint64_t *pfn)
{
	const char *p = strstr(walk, " pfn=0x");

	if (!p || sscanf(p, " pfn=0x%" SCNx64, pfn) != 1)
		return fail("the module found no page: its walk says\n%s", walk);
	return 0;
}

int main(int argc, char **argv)
{
	long page_size = sysconf(_SC_PAGESIZE);
	uint64_t pm_pfn, mod_pfn;
	unsigned int hold = 0;
	char walk[8192];
	uintptr_t virt;
	char *page;

	if (argc == 3 && !strcmp(argv[1], "--hold"))
		hold = (unsigned int)strtoul(argv[2], NULL, 10);
	else if (argc != 1) {
		fprintf(stderr, "usage: vtop [--hold SECONDS]\n");
		return 2;
	}

	page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		fail("cannot map a page: %s", strerror(errno));
		return 1;
	}
	virt = (uintptr_t)page;
	/*
	 * Until it is written, an anonymous page has no frame of its own
	 * (reads would see the shared zero page): writing gives it one.
	 */
	memset(page, FILL, page_size);
	snprintf(page, page_size, "addrlab vtop pid %d", (int)getpid());

	if (pagemap_pfn(virt, page_size, &pm_pfn) ||
	    module_walk(virt, walk, sizeof(walk)) ||
	    parse_module_pfn(walk, &mod_pfn))
		return 1;

	printf("vtop: one anonymous page of process %d\n", (int)getpid());
	printf("  virtual address        0x%" PRIxPTR "\n", virt);
	printf("  wrote                  \"%s\", NUL, then 0x%02x\n", page, FILL);
	printf("  /proc/self/pagemap     PFN 0x%" PRIx64 " -> phys 0x%" PRIx64 "\n",
	       pm_pfn, pm_pfn * page_size);
	printf("  addrspace module walk  PFN 0x%" PRIx64 " -> phys 0x%" PRIx64 "\n",
	       mod_pfn, mod_pfn * page_size);
	printf("  %s\n", pm_pfn == mod_pfn ? "they agree" : "THEY DIFFER");
	printf("\nthe module's walk:\n%s\n", walk);
	printf("virt=0x%" PRIxPTR " pagemap_pfn=0x%" PRIx64 " module_pfn=0x%" PRIx64
	       " pid=%d\n", virt, pm_pfn, mod_pfn, (int)getpid());
	fflush(stdout);

	if (hold)
		sleep(hold);
	munmap(page, page_size);
	if (pm_pfn != mod_pfn) {
		fail("pagemap and the module disagree");
		return 1;
	}
	return 0;
}
