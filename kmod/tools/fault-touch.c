// SPDX-License-Identifier: MIT
/*
 * fault-touch - chapter 5's guest tool: maps /dev/fault_pages (module
 * fault_pages) and touches its pages one at a time, so each first touch is
 * one page fault the module handles.
 *
 *	fault-touch [--dev PATH] [--pages N] [--offset N] [--ro] [--hold]
 *		    [--private] [ACTION...]
 *	fault-touch [--dev PATH] --past-end
 *
 * Actions run in order, in one mapping:
 *	K		read page K: print the text at its start
 *	--write K TEXT	write TEXT (and a NUL) at the start of page K
 * Each prints "page K pfn=0x... faults=F text=\"...\"": the page's frame
 * from /proc/self/pagemap and the module's fault counter after the touch
 * (debugfs).  --pages sets the mapping's length (default: the module's
 * npages); --hold keeps the mapping until the tool is killed, so the
 * page references can be watched from debugfs; --private asks for a
 * private mapping, which the module refuses.  --offset N maps from the
 * device's page N (the mmap() offset): page K of the mapping is the
 * device's page N + K, and that is the number printed.  --ro opens the
 * device read-only and maps it PROT_READ (shared all the same: no
 * VM_SHARED, but VM_MAYSHARE).  --past-end maps npages + 1
 * pages and reads the last one, which must raise SIGBUS: it prints
 * "SIGBUS at page N" and exits 0.  --dev maps another device node that
 * works the same way (an exercise's /dev/NAME): npages and the fault
 * counter then come from the module named like the node,
 * /sys/module/NAME/parameters/npages and /sys/kernel/debug/NAME/faults.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define DEVICE		"/dev/fault_pages"
#define NPAGES_PARAM	"/sys/module/%s/parameters/npages"
#define FAULTS_FILE	"/sys/kernel/debug/%s/faults"
#define TEXT_MAX	64

static const char *device = DEVICE;
static char faults_file[256];

static sigjmp_buf bus_jump;
static volatile void *bus_addr;

static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fault-touch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int usage(void)
{
	fputs("usage: fault-touch [--dev PATH] [--pages N] [--offset N] [--ro] [--hold] "
	      "[--private] [K | --write K TEXT]...\n"
	      "       fault-touch [--dev PATH] --past-end\n", stderr);
	return 2;
}

/* A small non-negative number from a file or an argument, or -1. */
static long parse_count(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || (*end && *end != '\n') || v < 0 || v > 1 << 20)
		return -1;
	return v;
}

static long read_number(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return parse_count(buf);
}

/* The module's fault counter, as text ("?" without debugfs). */
static const char *faults_now(void)
{
	static char buf[32];
	long n = read_number(faults_file);

	if (n < 0)
		return "?";
	snprintf(buf, sizeof(buf), "%ld", n);
	return buf;
}

/* The physical frame behind addr, from the page tables (root only). */
static unsigned long long pfn_of(const volatile void *addr)
{
	long psize = sysconf(_SC_PAGESIZE);
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry),
		  (off_t)((uintptr_t)addr / psize) * sizeof(entry)) !=
	    sizeof(entry))
		entry = 0;
	close(fd);
	return entry >> 63 ? entry & ((1ull << 55) - 1) : 0;
}

static void print_text(const volatile char *p)
{
	putchar('"');
	for (int i = 0; i < TEXT_MAX && p[i]; i++)
		putchar(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
	putchar('"');
}

/* The mapping, where the SIGBUS path (after siglongjmp) can see it. */
static volatile char *map;
static long map_pages, page_size, offset_pages;
static long sigbus_expected_at = -1;	/* --past-end: the page past the end */

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	bus_addr = si->si_addr;
	siglongjmp(bus_jump, 1);
}

/* Runs the actions in argv[first..]; 0, or 1 after saying why. */
static int run_actions(int argc, char **argv, int first)
{
	for (int i = first; i < argc; i++) {
		int write = !strcmp(argv[i], "--write");
		const char *arg = argv[write ? i + 1 : i];
		volatile char *page;
		long k;

		if (write && i + 2 >= argc)
			return usage();
		k = parse_count(arg);
		if (k < 0 || k >= map_pages)
			return fail("'%s' is not a page of the %ld-page mapping",
				    arg, map_pages);
		page = map + k * page_size;

		if (write) {
			const char *text = argv[i + 2];
			size_t n = strlen(text);

			if (n >= (size_t)page_size)
				return fail("the text does not fit in a page");
			for (size_t j = 0; j <= n; j++)
				page[j] = text[j];
			i += 2;
		} else {
			(void)page[0];
		}
		printf("page %ld pfn=0x%llx faults=%s %s=", offset_pages + k, pfn_of(page),
		       faults_now(), write ? "wrote" : "text");
		print_text(page);
		putchar('\n');
	}
	return 0;
}

/* Touches the pages, turning a SIGBUS into a message: 0 when all went
 * as expected, 1 otherwise. */
static int touch(int argc, char **argv, int first)
{
	if (sigsetjmp(bus_jump, 1)) {
		long k = ((uintptr_t)bus_addr - (uintptr_t)map) / page_size;

		printf("SIGBUS at page %ld\n", k);
		return k == sigbus_expected_at ? 0 : 1;
	}
	if (sigbus_expected_at >= 0) {
		(void)map[sigbus_expected_at * page_size];
		printf("no SIGBUS at page %ld\n", sigbus_expected_at);
		return 1;
	}
	if (run_actions(argc, argv, first))
		return 1;
	printf("faults after: %s\n", faults_now());
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO };
	char npages_param[256];
	const char *name;
	long npages, len = -1;
	int fd, first = 1, past_end = 0, hold = 0, share = MAP_SHARED, ro = 0, ret;

	for (; first < argc && !strncmp(argv[first], "--", 2); first++) {
		if (!strcmp(argv[first], "--past-end")) {
			past_end = 1;
		} else if (!strcmp(argv[first], "--hold")) {
			hold = 1;
		} else if (!strcmp(argv[first], "--private")) {
			share = MAP_PRIVATE;	/* the module must refuse it */
		} else if (!strcmp(argv[first], "--ro")) {
			ro = 1;
		} else if (!strcmp(argv[first], "--offset") && first + 1 < argc) {
			offset_pages = parse_count(argv[++first]);
			if (offset_pages < 0)
				return fail("'--offset %s' is not a page number",
					    argv[first]);
		} else if (!strcmp(argv[first], "--dev") && first + 1 < argc) {
			device = argv[++first];
		} else if (!strcmp(argv[first], "--pages") && first + 1 < argc) {
			len = parse_count(argv[++first]);
			if (len < 1)
				return fail("'--pages %s' is not a page count",
					    argv[first]);
		} else {
			break;	/* --write: the actions begin */
		}
	}
	if (past_end && (first < argc || len >= 0))
		return usage();

	/* The module is named like the node: /dev/NAME, NAME.ko. */
	name = strrchr(device, '/') ? strrchr(device, '/') + 1 : device;
	snprintf(npages_param, sizeof(npages_param), NPAGES_PARAM, name);
	snprintf(faults_file, sizeof(faults_file), FAULTS_FILE, name);
	npages = read_number(npages_param);
	fd = open(device, ro ? O_RDONLY : O_RDWR);
	if (npages < 0 || (fd < 0 && errno == ENOENT))
		return fail("no %s: insmod %s.ko first", device, name);
	if (fd < 0)
		return fail("cannot open '%s': %s", device, strerror(errno));
	page_size = sysconf(_SC_PAGESIZE);
	map_pages = len < 0 ? npages + past_end : len;
	map = mmap(NULL, map_pages * page_size, PROT_READ | (ro ? 0 : PROT_WRITE),
		   share, fd, (off_t)offset_pages * page_size);
	if (map == MAP_FAILED)
		return fail("cannot map %ld pages of '%s': %s", map_pages,
			    device, strerror(errno));
	sigaction(SIGBUS, &sa, NULL);

	printf("mapped %ld pages; the module has %ld\n", map_pages, npages);
	printf("faults before: %s\n", faults_now());
	if (past_end)
		sigbus_expected_at = npages;
	ret = touch(argc, argv, first);
	if (!ret && hold) {
		/* Keep the mapping (and the page references) until killed. */
		printf("holding the mapping until killed\n");
		fflush(stdout);
		pause();
	}
	munmap((void *)map, map_pages * page_size);
	close(fd);
	return ret;
}
