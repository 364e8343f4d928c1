// SPDX-License-Identifier: MIT
/*
 * test_ch1.c - chapter 1, three address spaces: the addrspace module's
 * page-table walks (kmod/addrspace.c) and the vtop tool (kmod/tools/vtop.c).
 *
 * The module's answers are checked against oracles it does not control:
 * QEMU's own walk of the guest page tables (monitor "info tlb"), guest
 * physical memory read by QEMU (the pattern the module wrote must be at
 * the physical address it reports), and /proc/self/pagemap.
 */
#define _GNU_SOURCE
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DBG		"/sys/kernel/debug/addrspace"
#define KO		"/lib/modules/$(uname -r)/extra/addrspace.ko"
#define PAGE		4096ull
#define MIB2		(2ull << 20)
#define KMALLOC_PAGES	2
#define VMALLOC_PAGES	8	/* the module's default */
#define MAX_PAGES	16
#define MODULE_FILL	0x5a	/* addrspace.c: after the text of each page */
#define VTOP_FILL	0x3c	/* vtop.c */

static struct vm *vm;

/* One "page=..." line of a report. */
struct page_line {
	unsigned int index;
	unsigned long long virt, phys, kernel;
	char leaf[8];
};

static int parse_pages(const char *text, struct page_line *pl, int max)
{
	int n = 0;

	for (const char *p = text; p; ) {
		if (n < max && sscanf(p, "page=%u virt=0x%llx phys=0x%llx kernel=0x%llx leaf=%7s",
				      &pl[n].index, &pl[n].virt, &pl[n].phys,
				      &pl[n].kernel, pl[n].leaf) == 5)
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

static unsigned long long field_hex(const char *text, const char *key)
{
	char *v = tv_field(text, key);
	unsigned long long x = v ? strtoull(v, NULL, 16) : 0;

	CU_ASSERT_PTR_NOT_NULL(v);
	free(v);
	return x;
}

/* QEMU reads the guest page at phys: text, its NUL, then fill to the end. */
static void check_phys_pattern(unsigned long long phys, const char *text,
			       unsigned char fill)
{
	unsigned char buf[PAGE];
	size_t n = strlen(text) + 1, bad = 0;

	CU_ASSERT_EQUAL_FATAL(vm_read_phys(vm, phys, buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(memcmp(buf, text, n), 0);
	for (size_t i = n; i < sizeof(buf); i++)
		bad += buf[i] != fill;
	CU_ASSERT_EQUAL(bad, 0);
	if (memcmp(buf, text, n))
		fprintf(stderr, "\nat phys 0x%llx: want \"%s\", QEMU reads \"%.40s\"\n",
			phys, text, buf);
}

/*
 * QEMU's walk of the guest's page tables ("info tlb" prints one line per
 * mapping: a 4 KiB page, or a large page with the PS flag shown as 'P').
 * Finds the mapping that covers virt: its physical address and page size.
 * 1 GiB pages are not looked for: this CPU model has no pdpe1gb (asserted
 * in test_no_gigabyte_pages).
 */
static bool tlb_lookup(const char *tlb, unsigned long long virt,
		       unsigned long long *phys, unsigned long long *size)
{
	static const unsigned long long sizes[] = { PAGE, MIB2 };
	char key[32], flags[16];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned long long base = virt & ~(sizes[i] - 1), pa;
		const char *p;

		snprintf(key, sizeof(key), "\n%016llx: ", base);
		p = strstr(tlb, key);
		if (!p || sscanf(p + strlen(key), "%llx %15s", &pa, flags) != 2)
			continue;
		/* A line for a 2 MiB-aligned virt may be a 4 KiB page or a large one. */
		if ((strchr(flags, 'P') != NULL) != (sizes[i] > PAGE))
			continue;
		*phys = pa + (virt - base);
		*size = sizes[i];
		return true;
	}
	return false;
}

static char *info_tlb(void)
{
	char *out = NULL, *tlb;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(vm_monitor(vm, "info tlb", &out), 0);
	/* A leading newline lets every line be found as "\nADDR: ". */
	len = strlen(out);
	tlb = malloc(len + 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tlb);
	tlb[0] = '\n';
	memcpy(tlb + 1, out, len + 1);
	free(out);
	return tlb;
}

/* Each page's walk agrees with QEMU's, in address and in page size. */
static void check_against_qemu(const struct page_line *pl, int n)
{
	char *tlb = info_tlb();

	for (int i = 0; i < n; i++) {
		unsigned long long phys = 0, size = 0;

		CU_ASSERT_TRUE(tlb_lookup(tlb, pl[i].virt, &phys, &size));
		CU_ASSERT_EQUAL(phys, pl[i].phys);
		CU_ASSERT_EQUAL(size, strcmp(pl[i].leaf, "pte") ? MIB2 : PAGE);
	}
	free(tlb);
}

/* ---- suite: ch1 three address spaces ---- */

static int ch1_init(void)
{
	vm = tv_boot(NULL);
	return vm ? 0 : 1;
}

static int ch1_cleanup(void)
{
	vm_free(vm);
	vm = NULL;
	return 0;
}

static void test_load(void)
{
	char *out = tv_out(vm, "insmod " KO " && lsmod | cut -d' ' -f1 | grep -x addrspace && "
			   "ls " DBG " && dmesg | grep 'addrspace: ready'");

	CU_ASSERT_PTR_NOT_NULL(strstr(out, "addrspace\nkmalloc\nuwalk\nvmalloc\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "addrspace: ready: 2 kmalloc and 8 vmalloc pages; "
				      "see /sys/kernel/debug/addrspace/\n"));
	free(out);
}

static void test_no_gigabyte_pages(void)
{
	/* The direct map can only use 1 GiB pages if the CPU has them. */
	char *out = tv_out(vm, "grep -c pdpe1gb /proc/cpuinfo; grep DirectMap /proc/meminfo");

	CU_ASSERT_EQUAL(strncmp(out, "0\n", 2), 0);
	CU_ASSERT_PTR_NULL(strstr(out, "DirectMap1G"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "DirectMap2M:"));
	free(out);
}

static void test_kmalloc(void)
{
	char *out = tv_out(vm, "cat " DBG "/kmalloc");
	struct page_line pl[MAX_PAGES];
	unsigned long long page_offset = field_hex(out, "page_offset");
	int n = parse_pages(out, pl, MAX_PAGES);

	CU_ASSERT_PTR_NOT_NULL(strstr(out, "kmalloc buffer: 2 pages (8192 bytes) at virt 0x"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "paging: 4-level, root table (CR3) at phys 0x"));
	CU_ASSERT_EQUAL(tv_count(out, "p4d              folded into the pgd (4-level paging)\n"),
			KMALLOC_PAGES);
	/* x86-64's direct map starts at 0xffff888000000000 unless KASLR moves it. */
	CU_ASSERT(page_offset >= 0xffff888000000000ull && page_offset % (1ull << 30) == 0);
	CU_ASSERT_EQUAL_FATAL(n, KMALLOC_PAGES);
	for (int i = 0; i < n; i++) {
		char text[64];

		CU_ASSERT_EQUAL(pl[i].index, (unsigned int)i);
		CU_ASSERT_EQUAL(pl[i].phys, pl[i].kernel);	/* our walk = virt_to_phys */
		CU_ASSERT_EQUAL(pl[i].phys, pl[i].virt - page_offset);
		CU_ASSERT_EQUAL(pl[i].virt % PAGE, 0);
		/*
		 * The direct map is mostly 2 MiB pages, but Linux splits the
		 * ones around the kernel image and module memory into 4 KiB
		 * pages (set_memory_ro/nx also change the direct-map alias),
		 * and kmalloc may land in either: both are seen across boots.
		 */
		CU_ASSERT(!strcmp(pl[i].leaf, "pmd") || !strcmp(pl[i].leaf, "pte"));
		if (i > 0) {
			CU_ASSERT_EQUAL(pl[i].virt, pl[i - 1].virt + PAGE);
			CU_ASSERT_EQUAL(pl[i].phys, pl[i - 1].phys + PAGE);
		}
		snprintf(text, sizeof(text), "addrlab kmalloc page %d", i);
		check_phys_pattern(pl[i].phys, text, MODULE_FILL);
	}
	/* Both pages sit in one 2 MiB region (8 KiB, naturally aligned): one leaf kind. */
	CU_ASSERT_STRING_EQUAL(pl[0].leaf, pl[1].leaf);
	if (!strcmp(pl[0].leaf, "pmd"))
		CU_ASSERT_EQUAL(tv_count(out, " -> 2 MiB page at phys 0x"), KMALLOC_PAGES);
	CU_ASSERT_EQUAL(tv_count(out, "says 0x"), KMALLOC_PAGES);
	CU_ASSERT_EQUAL(tv_count(out, ": the same\n"), KMALLOC_PAGES);
	check_against_qemu(pl, n);
	free(out);
}

static void test_vmalloc(void)
{
	char *out = tv_out(vm, "cat " DBG "/vmalloc");
	struct page_line pl[MAX_PAGES];
	unsigned long long start = field_hex(out, "vmalloc_start");
	unsigned long long end = field_hex(out, "vmalloc_end");
	int n = parse_pages(out, pl, MAX_PAGES), breaks = 0;

	CU_ASSERT_PTR_NOT_NULL(strstr(out, "vmalloc buffer: 8 pages (32768 bytes) at virt 0x"));
	CU_ASSERT_EQUAL_FATAL(n, VMALLOC_PAGES);
	for (int i = 0; i < n; i++) {
		char text[64];

		CU_ASSERT_EQUAL(pl[i].phys, pl[i].kernel);	/* = vmalloc_to_page */
		CU_ASSERT(pl[i].virt >= start && pl[i].virt < end);
		CU_ASSERT_STRING_EQUAL(pl[i].leaf, "pte");	/* vmalloc maps 4 KiB pages */
		if (i > 0) {
			CU_ASSERT_EQUAL(pl[i].virt, pl[i - 1].virt + PAGE);
			breaks += pl[i].phys != pl[i - 1].phys + PAGE;
		}
		snprintf(text, sizeof(text), "addrlab vmalloc page %d", i);
		check_phys_pattern(pl[i].phys, text, MODULE_FILL);
	}
	/*
	 * vmalloc promises virtual contiguity only.  Measured on this VM
	 * over 13 boots: the first load after boot always got 8 frames in
	 * DESCENDING order (page i+1 at page i's frame - 4096: the page
	 * allocator hands out its free list last in, first out), and
	 * reloads got scattered frames; never ascending and contiguous.
	 * So: at least one break, always.
	 */
	CU_ASSERT(breaks > 0);
	CU_ASSERT_EQUAL(tv_count(out, ": the same\n"), VMALLOC_PAGES);
	check_against_qemu(pl, n);
	free(out);
}

/* Collects vtop's output; reads its page through QEMU while vtop holds it. */
struct vtop_watch {
	char out[16384];
	size_t len;
	bool read;
	unsigned long long pfn;
	int pid;
	int read_rc;
	unsigned char page[PAGE];
};

static void vtop_output(void *ctx, int stream, const char *buf, size_t len)
{
	struct vtop_watch *w = ctx;
	const char *line;
	char *pfn, *pid;

	if (stream != 1 || w->len + len >= sizeof(w->out))
		return;
	memcpy(w->out + w->len, buf, len);
	w->len += len;
	w->out[w->len] = '\0';
	/* Wait for the whole last line, "virt=... module_pfn=0x... pid=N". */
	line = strstr(w->out, " pid=");
	if (w->read || !line || !strchr(line, '\n'))
		return;
	/*
	 * vtop is now sleeping with the page still mapped.  vm_read_phys()
	 * asks QEMU's monitor, not the guest agent, so it may run while the
	 * command does.
	 */
	w->read = true;
	pfn = tv_field(w->out, "module_pfn");
	pid = tv_field(w->out, "pid");
	if (pfn && pid) {
		w->pfn = strtoull(pfn, NULL, 16);
		w->pid = atoi(pid);
		w->read_rc = vm_read_phys(vm, w->pfn * PAGE, w->page, PAGE);
	}
	free(pfn);
	free(pid);
}

static void test_vtop(void)
{
	const char *argv[] = { "/usr/bin/vtop", "--hold", "3", NULL };
	struct vtop_watch *w = calloc(1, sizeof(*w));
	struct vm_exec_opts o = { .timeout_ms = 60000, .stdin_fd = -1,
				  .on_output = vtop_output, .ctx = w };
	unsigned long long pm = 0, mod = 1;
	char text[64], *f;
	size_t bad = 0;
	struct vm_result r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	w->read_rc = -1;
	CU_ASSERT_EQUAL_FATAL(vm_exec(vm, argv, &o, &r), 0);
	CU_ASSERT_EQUAL(r.verdict, VM_OK);
	CU_ASSERT_EQUAL(r.exit_code, 0);
	vm_result_free(&r);

	CU_ASSERT_PTR_NOT_NULL(strstr(w->out, "  they agree\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(w->out, "\nvma 0x"));
	CU_ASSERT_PTR_NOT_NULL(strstr(w->out, " rw-p\n"));	/* private anonymous */
	f = tv_field(w->out, "pagemap_pfn");
	CU_ASSERT_PTR_NOT_NULL(f);
	if (f)
		pm = strtoull(f, NULL, 16);
	free(f);
	f = tv_field(w->out, "module_pfn");
	CU_ASSERT_PTR_NOT_NULL(f);
	if (f)
		mod = strtoull(f, NULL, 16);
	free(f);
	CU_ASSERT_EQUAL(pm, mod);
	CU_ASSERT(pm > 0 && pm < (256ull << 20) / PAGE);	/* within the guest's RAM */
	CU_ASSERT_EQUAL(w->pfn, mod);
	/* The module's walk ends in a 4 KiB user PTE. */
	CU_ASSERT_PTR_NOT_NULL(strstr(w->out, "leaf=pte\n"));

	/* QEMU finds vtop's bytes in that frame. */
	CU_ASSERT_TRUE(w->read);
	CU_ASSERT_EQUAL(w->read_rc, 0);
	snprintf(text, sizeof(text), "addrlab vtop pid %d", w->pid);
	CU_ASSERT_EQUAL(memcmp(w->page, text, strlen(text) + 1), 0);
	for (size_t i = strlen(text) + 1; i < PAGE; i++)
		bad += w->page[i] != VTOP_FILL;
	CU_ASSERT_EQUAL(bad, 0);
	free(w);
}

static void test_uwalk_errors(void)
{
	struct vm_result r;
	char *out;

	/* Not hex: EINVAL, and the shell says so. */
	tv_sh(vm, "echo zzz > " DBG "/uwalk", 10000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 1);
	CU_ASSERT_STRING_EQUAL(r.err, "sh: write error: Invalid argument\n");
	vm_result_free(&r);

	/* A kernel address is not a user address: EINVAL too. */
	tv_sh(vm, "echo ffffffff81000000 > " DBG "/uwalk", 10000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 1);
	CU_ASSERT_STRING_EQUAL(r.err, "sh: write error: Invalid argument\n");
	vm_result_free(&r);

	/* Too big for 64 bits. */
	tv_sh(vm, "echo 1234567890abcdef0 > " DBG "/uwalk", 10000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 1);
	vm_result_free(&r);

	/* Nothing written on this open file yet: say what to do. */
	out = tv_out(vm, "cat " DBG "/uwalk");
	CU_ASSERT_STRING_EQUAL(out, "write a user virtual address of this process (hex), then read\n");
	free(out);

	/* A hole (page 1 is never mapped): walked as far as it goes. */
	out = tv_out(vm, "exec 3<>" DBG "/uwalk && echo 0x1000 >&3 && cat <&3");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "user address 0x1000 in process "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "vma none: no mapping covers this address\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "not present: empty\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\nvirt=0x1000 not mapped\n"));
	free(out);
}

static void test_cycles_and_params(void)
{
	struct vm_result r;
	char *out;

	out = tv_out(vm, "rmmod addrspace");
	CU_ASSERT_STRING_EQUAL(out, "");
	free(out);

	/* Without the module vtop says what to do, in one line. */
	tv_sh(vm, "vtop", 10000, &r);
	CU_ASSERT_EQUAL(r.exit_code, 1);
	CU_ASSERT_STRING_EQUAL(r.err, "vtop: '/sys/kernel/debug/addrspace/uwalk' does not "
			       "exist: insmod addrspace.ko first\n");
	vm_result_free(&r);

	tv_module_cycles(vm, "addrspace", NULL,
			 "cat " DBG "/kmalloc " DBG "/vmalloc > /dev/null && vtop > /dev/null");

	/* The parameter is checked, and used. */
	tv_sh(vm, "insmod " KO " vmalloc_pages=0", 10000, &r);
	CU_ASSERT_NOT_EQUAL(r.exit_code, 0);
	vm_result_free(&r);
	out = tv_out(vm, "dmesg | grep -q 'addrspace: vmalloc_pages=0 is out of range: use 1 to 256' && "
		     "echo refused; "
		     "insmod " KO " vmalloc_pages=3 && grep -c ^page= " DBG "/vmalloc && "
		     "rmmod addrspace && ! ls " DBG " 2>/dev/null");
	CU_ASSERT_STRING_EQUAL(out, "refused\n3\n");
	free(out);
}

void register_ch1_tests(void)
{
	CU_pSuite s;

	s = CU_add_suite("ch1 three address spaces", ch1_init, ch1_cleanup);
	CU_add_test(s, "addrspace loads and makes its debugfs files", test_load);
	CU_add_test(s, "no 1 GiB pages on this CPU model", test_no_gigabyte_pages);
	CU_add_test(s, "kmalloc: walk = virt_to_phys = virt - PAGE_OFFSET, contiguous, QEMU agrees",
		    test_kmalloc);
	CU_add_test(s, "vmalloc: walk = vmalloc_to_page, virtually contiguous only, QEMU agrees",
		    test_vmalloc);
	CU_add_test(s, "vtop: pagemap = module walk, QEMU finds the bytes", test_vtop);
	CU_add_test(s, "uwalk: garbage is EINVAL, holes are not mapped", test_uwalk_errors);
	CU_add_test(s, "loads and unloads twice; vmalloc_pages checked", test_cycles_and_params);
}
