// SPDX-License-Identifier: MIT
/*
 * edu-mmap - chapter 4's guest tool: edu's registers through a mapping of
 * BAR0 (/dev/edu_mmap, module edu_mmap), and the cost of the alternatives.
 *
 *	edu-mmap id		read the ID register through the mapping
 *	edu-mmap alive VALUE	write the liveness register, read it back
 *	edu-mmap smaps		this process's /proc/self/smaps entry for
 *				the mapping (see VmFlags: io pf)
 *	edu-mmap bad		mappings the driver must refuse, with errno
 *	edu-mmap bench N	N reads of the ID register by each path
 *	edu-mmap hold		keep it mapped until SIGUSR1, then try both paths
 *				(what an unbind in between did to them)
 *	edu-mmap window OFFSET LENGTH [ro]
 *				map LENGTH bytes at OFFSET (shared; ro: the
 *				device opened read-only and mapped PROT_READ)
 *				and print the first 32-bit word there, or the
 *				errno's name if mmap() refuses
 *
 * and the system call paths, one call per access (OFFSET and VALUE in C
 * notation; a refused access prints the errno's name, e.g. EINVAL):
 *	edu-mmap pread OFFSET		edu-mmap pwrite OFFSET VALUE
 *	edu-mmap ioctl OFFSET [VALUE]	(EDU_MMAP_IOC_READ32 / WRITE32)
 *
 * --dev PATH, before the command, maps PATH instead of /dev/edu_mmap: any
 * driver's device node that maps edu's BAR0 at offset 0 (chapter 4's
 * exercise, /dev/bar_mmap).  id, alive, smaps and bad need only mmap().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "edu.h"
#include "edu_mmap.h"

static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("edu-mmap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* The device node mapped: EDU_MMAP_DEVICE unless --dev says otherwise. */
static const char *dev_path = EDU_MMAP_DEVICE;

static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

/*
 * hold: keep the file open and BAR0 mapped until SIGUSR1 (meanwhile the
 * device can be unbound), then show what each path gives: pread() an
 * error once the driver let go, a load through the mapping SIGBUS.
 */
static int cmd_hold(int fd, volatile uint32_t *regs)
{
	sigset_t set;
	uint32_t v;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("held: id 0x%08x\n", regs[EDU_REG_ID / 4]);
	fflush(stdout);
	if (sigwait(&set, &sig))
		return fail("sigwait failed");
	if (pread(fd, &v, sizeof(v), EDU_REG_ID) == (ssize_t)sizeof(v))
		printf("pread: 0x%08x\n", v);
	else
		printf("pread: %s\n", strerror(errno));
	signal(SIGBUS, on_sigbus);
	if (sigsetjmp(bus_jmp, 1))
		printf("load: SIGBUS\n");
	else
		printf("load: 0x%08x\n", regs[EDU_REG_ID / 4]);
	return 0;
}

static int usage(void)
{
	fputs("usage: edu-mmap [--dev PATH] id | alive VALUE | smaps | bad | bench N | hold\n"
	      "       edu-mmap [--dev PATH] pread OFFSET | pwrite OFFSET VALUE | "
	      "ioctl OFFSET [VALUE]\n"
	      "       edu-mmap [--dev PATH] window OFFSET LENGTH [ro]\n", stderr);
	return 2;
}

static int open_dev(void)
{
	int fd = open(dev_path, O_RDWR);

	if (fd < 0 && strcmp(dev_path, EDU_MMAP_DEVICE))
		fail("cannot open '%s': %s", dev_path, strerror(errno));
	else if (fd < 0 && errno == ENOENT && !access("/sys/module/edu_mmap", F_OK))
		fail("no %s: edu_mmap is loaded but found no edu device "
		     "(lspci -d 1234:11e8)", EDU_MMAP_DEVICE);
	else if (fd < 0 && errno == ENOENT)
		fail("no %s: insmod edu_mmap.ko first", EDU_MMAP_DEVICE);
	else if (fd < 0)
		fail("cannot open '%s': %s", EDU_MMAP_DEVICE, strerror(errno));
	return fd;
}

/* The whole BAR, shared, read-write: the mapping every command uses. */
static volatile uint32_t *map_bar(int fd)
{
	void *p = mmap(NULL, EDU_BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);

	if (p == MAP_FAILED) {
		fail("cannot map '%s': %s", dev_path, strerror(errno));
		return NULL;
	}
	return p;
}

static const char *errno_name(int e)
{
	static char other[32];

	switch (e) {
	case EINVAL:	return "EINVAL";
	case ENXIO:	return "ENXIO";
	case EACCES:	return "EACCES";
	case EPERM:	return "EPERM";
	case ENODEV:	return "ENODEV";
	case ENOMEM:	return "ENOMEM";
	case EOVERFLOW:	return "EOVERFLOW";
	case EAGAIN:	return "EAGAIN";
	}
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

/* A 32-bit number in C notation into *v; 0, or -1 after saying why. */
static int parse_u32(const char *arg, uint32_t *v)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || n > UINT32_MAX) {
		fail("'%s' is not a 32-bit value", arg);
		return -1;
	}
	*v = (uint32_t)n;
	return 0;
}

/* One register access by system call; prints the value read, "ok" after a
 * write, or the name of the errno the driver answered. */
static int cmd_syscall(int fd, const char *how, int argc, char **argv)
{
	struct edu_mmap_reg reg;
	int write = argc == 4;
	uint32_t off, val = 0;
	long r;

	if (parse_u32(argv[2], &off) || (write && parse_u32(argv[3], &val)))
		return 1;
	reg.offset = off;
	reg.value = val;
	if (!strcmp(how, "pread"))
		r = pread(fd, &val, sizeof(val), off) == sizeof(val) ? 0 : -1;
	else if (!strcmp(how, "pwrite"))
		r = pwrite(fd, &val, sizeof(val), off) == sizeof(val) ? 0 : -1;
	else
		r = ioctl(fd, write ? EDU_MMAP_IOC_WRITE32 : EDU_MMAP_IOC_READ32,
			  &reg);
	if (r) {
		printf("%s\n", errno_name(errno));
		return 1;
	}
	if (write)
		printf("ok\n");
	else
		printf("0x%08x\n", !strcmp(how, "ioctl") ? reg.value : val);
	return 0;
}

static int cmd_id(volatile uint32_t *regs)
{
	printf("0x%08x\n", regs[EDU_REG_ID / 4]);
	return 0;
}

static int cmd_alive(volatile uint32_t *regs, const char *arg)
{
	uint32_t v, back;

	if (parse_u32(arg, &v))
		return 1;
	regs[EDU_REG_LIVENESS / 4] = v;
	back = regs[EDU_REG_LIVENESS / 4];
	printf("0x%08x\n", back);
	if (back != (uint32_t)~v)
		return fail("read back 0x%08x, not the inverse of 0x%08x",
			    back, v);
	return 0;
}

/* Prints this process's smaps entry for the mapping at addr. */
static int cmd_smaps(volatile uint32_t *regs)
{
	unsigned long start, end, want = (unsigned long)regs;
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512], perms[5];
	int in = 0, found = 0;

	if (!f)
		return fail("cannot open '/proc/self/smaps': %s",
			    strerror(errno));
	(void)regs[EDU_REG_ID / 4];	/* touched, yet Rss stays 0 */
	while (fgets(line, sizeof(line), f)) {
		/* A new entry starts with "start-end perms ..." */
		if (sscanf(line, "%lx-%lx %4s ", &start, &end, perms) == 3)
			in = start == want;
		if (in) {
			fputs(line, stdout);
			found = 1;
		}
	}
	fclose(f);
	return found ? 0 : fail("no smaps entry at %#lx", want);
}

/* Mappings the driver must refuse; prints "case: ERRNO" for each. */
static int cmd_bad(int fd)
{
	static const struct {
		const char *name;
		size_t len;
		off_t off;
		int flags;
	} cases[] = {
		{ "too-long", EDU_BAR_SIZE + 4096, 0, MAP_SHARED },
		{ "past-end", 4096, EDU_BAR_SIZE, MAP_SHARED },
		{ "private", 4096, 0, MAP_PRIVATE },
	};
	int ret = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		void *p = mmap(NULL, cases[i].len, PROT_READ | PROT_WRITE,
			       cases[i].flags, fd, cases[i].off);

		if (p == MAP_FAILED) {
			printf("%s: %s\n", cases[i].name, errno_name(errno));
			continue;
		}
		printf("%s: mapped (expected an error)\n", cases[i].name);
		munmap(p, cases[i].len);
		ret = 1;
	}
	return ret;
}

/* A window of the BAR at another offset and length than map_bar()'s. */
static int cmd_window(int argc, char **argv)
{
	bool ro = argc == 5;
	off_t off = (off_t)strtoull(argv[2], NULL, 0);
	size_t len = (size_t)strtoull(argv[3], NULL, 0);
	volatile uint32_t *p;
	int fd;

	if (ro && strcmp(argv[4], "ro"))
		return usage();
	fd = open(dev_path, ro ? O_RDONLY : O_RDWR);
	if (fd < 0)
		return fail("cannot open '%s': %s", dev_path, strerror(errno));
	p = mmap(NULL, len, PROT_READ | (ro ? 0 : PROT_WRITE), MAP_SHARED, fd, off);
	if (p == MAP_FAILED) {
		printf("%s\n", errno_name(errno));
	} else {
		printf("0x%08x\n", p[0]);
		munmap((void *)p, len);
	}
	close(fd);
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* N reads of the ID register by each path; ns per read and the ratios. */
static int cmd_bench(int fd, volatile uint32_t *regs, const char *arg)
{
	struct edu_mmap_reg reg = { .offset = EDU_REG_ID };
	double t, mmap_ns, pread_ns, ioctl_ns;
	unsigned long n, bad = 0;
	uint32_t v;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || n < 1 || n > 100000000)
		return fail("'%s' is not a count from 1 to 100000000", arg);

	t = now_ns();
	for (unsigned long i = 0; i < n; i++)
		bad += regs[EDU_REG_ID / 4] != EDU_ID_VALUE;
	mmap_ns = (now_ns() - t) / n;

	t = now_ns();
	for (unsigned long i = 0; i < n; i++) {
		if (pread(fd, &v, sizeof(v), EDU_REG_ID) != sizeof(v))
			return fail("pread: %s", strerror(errno));
		bad += v != EDU_ID_VALUE;
	}
	pread_ns = (now_ns() - t) / n;

	t = now_ns();
	for (unsigned long i = 0; i < n; i++) {
		if (ioctl(fd, EDU_MMAP_IOC_READ32, &reg))
			return fail("ioctl: %s", strerror(errno));
		bad += reg.value != EDU_ID_VALUE;
	}
	ioctl_ns = (now_ns() - t) / n;

	if (bad)
		return fail("%lu of %lu reads did not return the ID", bad, 3 * n);
	printf("%lu reads of the ID register by each path\n", n);
	printf("mmap:  %8.1f ns per read\n", mmap_ns);
	printf("pread: %8.1f ns per read (%.1fx the mapping)\n", pread_ns,
	       pread_ns / mmap_ns);
	printf("ioctl: %8.1f ns per read (%.1fx the mapping)\n", ioctl_ns,
	       ioctl_ns / mmap_ns);
	printf("mmap_ns=%.1f pread_ns=%.1f ioctl_ns=%.1f ratio_pread=%.2f ratio_ioctl=%.2f\n",
	       mmap_ns, pread_ns, ioctl_ns, pread_ns / mmap_ns,
	       ioctl_ns / mmap_ns);
	return 0;
}

int main(int argc, char **argv)
{
	volatile uint32_t *regs = NULL;
	const char *cmd;
	int fd, ret;

	if (argc > 2 && !strcmp(argv[1], "--dev")) {
		dev_path = argv[2];
		argv += 2;
		argc -= 2;
	}
	cmd = argc > 1 ? argv[1] : "";

	if (!(!strcmp(cmd, "id") && argc == 2) &&
	    !(!strcmp(cmd, "alive") && argc == 3) &&
	    !(!strcmp(cmd, "smaps") && argc == 2) &&
	    !(!strcmp(cmd, "bad") && argc == 2) &&
	    !(!strcmp(cmd, "bench") && argc == 3) &&
	    !(!strcmp(cmd, "hold") && argc == 2) &&
	    !(!strcmp(cmd, "pread") && argc == 3) &&
	    !(!strcmp(cmd, "pwrite") && argc == 4) &&
	    !(!strcmp(cmd, "ioctl") && (argc == 3 || argc == 4)) &&
	    !(!strcmp(cmd, "window") && (argc == 4 || argc == 5)))
		return usage();
	if (!strcmp(cmd, "window"))
		return cmd_window(argc, argv);

	fd = open_dev();
	if (fd < 0)
		return 1;
	if (!strcmp(cmd, "pread") || !strcmp(cmd, "pwrite") ||
	    !strcmp(cmd, "ioctl")) {
		ret = cmd_syscall(fd, cmd, argc, argv);
		close(fd);
		return ret;
	}
	if (strcmp(cmd, "bad")) {
		regs = map_bar(fd);
		if (!regs) {
			close(fd);
			return 1;
		}
	}

	if (!strcmp(cmd, "id"))
		ret = cmd_id(regs);
	else if (!strcmp(cmd, "alive"))
		ret = cmd_alive(regs, argv[2]);
	else if (!strcmp(cmd, "smaps"))
		ret = cmd_smaps(regs);
	else if (!strcmp(cmd, "bad"))
		ret = cmd_bad(fd);
	else if (!strcmp(cmd, "hold"))
		ret = cmd_hold(fd, regs);
	else
		ret = cmd_bench(fd, regs, argv[2]);

	if (regs)
		munmap((void *)regs, EDU_BAR_SIZE);
	close(fd);
	return ret;
}
