// SPDX-License-Identifier: GPL-2.0
/*
 * fault_pages.c - chapter 5: mapping driver memory at fault time.
 *
 * The module allocates `npages` pages of RAM (default 8) when it loads and
 * writes "fault_pages: page N written by the kernel" at the start of each.
 * /dev/fault_pages shares them with any process that maps it.  mmap() maps
 * nothing: it only installs a ->fault handler.  The first touch of each
 * page traps into the kernel, which calls fault_pages_fault() to say which
 * page belongs there; later touches of the same page, in the same mapping,
 * cost nothing.  No device is needed.
 *
 * From user space (the guest tool fault-touch does all of this):
 *
 *	int fd = open("/dev/fault_pages", O_RDWR);
 *	char *p = mmap(NULL, 8 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
 *		       fd, 0);
 *	puts(p + 2 * 4096);		one fault: the text of page 2
 *	strcpy(p + 3 * 4096, "hi");	one fault; the kernel sees "hi"
 *
 * A private mapping is refused (EINVAL).  A mapping may be longer than
 * npages pages, as a file can be mapped past its end, but touching a page
 * past the end raises SIGBUS.
 *
 * debugfs, /sys/kernel/debug/fault_pages/:
 *	faults	faults handled since load (or the last reset)
 *	pages	one line per page: index, pfn, page_count(),
 *		folio_mapcount() and the text at the start of the page
 *	reset	write anything to zero the fault counter
 *
 *	insmod fault_pages.ko npages=16	(1 to FAULT_PAGES_MAX)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stringify.h>

#include "compat.h"

#define FAULT_PAGES_MAX		1024	/* 4 MiB, plenty for a lesson */
#define FAULT_PAGES_TEXT_LEN	48	/* bytes shown per page in `pages` */

static unsigned int npages = 8;
module_param(npages, uint, 0444);
MODULE_PARM_DESC(npages, "pages to share, 1 to " __stringify(FAULT_PAGES_MAX)
		 " (default 8)");

/* npages pages, ours from load to unload */
static struct page **fault_pages;
static atomic_t fault_count = ATOMIC_INIT(0);
static struct dentry *fault_pages_dir;

/*
 * Called with the mmap lock held when a process touches a page of the
 * mapping that has no page table entry yet.  vmf->pgoff is the page's index
 * in the file (the mmap() offset included), so it indexes fault_pages[].
 *
 * ->fault replaced ->nopage in 2.6.23 (->nopage returned the page; ->fault
 * gets a struct vm_fault, can answer VM_FAULT_SIGBUS and friends, and
 * returns a vm_fault_t).  The idea is unchanged: the driver names the page,
 * the core installs the page table entry.
 */
static vm_fault_t fault_pages_fault(struct vm_fault *vmf)
{
	struct page *page;

	/* Past the end, as past the end of a file: no page to give. */
	if (vmf->pgoff >= npages)
		return VM_FAULT_SIGBUS;

	page = fault_pages[vmf->pgoff];
	/*
	 * The reference goes with the page table entry: when the process
	 * unmaps the page (munmap, exit) the core drops one reference per
	 * entry.  Without get_page() that would drop ours, and the page would
	 * be freed while this module still uses it, and maps it to others.
	 */
	get_page(page);
	vmf->page = page;
	atomic_inc(&fault_count);
	return 0;
}

/*
 * Why a fault handler rather than remap_pfn_range() up front: this is RAM
 * with struct pages, and mapping them as pages keeps the kernel's books
 * right.  Each mapped page is refcounted (an unmap cannot free it under us,
 * and we can tell at unload whether anyone still holds it), the pages need
 * not be physically contiguous, get_user_pages() works on them (O_DIRECT,
 * a debugger), and pages never touched are never mapped.
 * remap_pfn_range() makes a VM_PFNMAP mapping the kernel treats as "no
 * struct page here", which suits device memory (chapter 4) but not this.
 */
static const struct vm_operations_struct fault_pages_vm_ops = {
	.fault = fault_pages_fault,
};

static int fault_pages_mmap(struct file *file, struct vm_area_struct *vma)
{
	/*
	 * Shared only: the point is that process and kernel see the same
	 * pages.  A private mapping would get a copy on the first write.
	 * VM_MAYSHARE is MAP_SHARED (VM_SHARED is cleared when the file is
	 * open read-only).
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	vma->vm_ops = &fault_pages_vm_ops;
	return 0;
}

static const struct file_operations fault_pages_fops = {
	.owner	= THIS_MODULE,
	.mmap	= fault_pages_mmap,
	.llseek	= noop_llseek,
};

static struct miscdevice fault_pages_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= KBUILD_MODNAME,
	.fops	= &fault_pages_fops,
	.mode	= 0600,
};

/* debugfs `pages`: what the kernel sees of each page right now. */
static int fault_pages_pages_show(struct seq_file *m, void *unused)
{
	char text[FAULT_PAGES_TEXT_LEN + 1];
	unsigned int i, j;

	for (i = 0; i < npages; i++) {
		struct page *page = fault_pages[i];
		/*
		 * alloc_page(GFP_KERNEL) never returns highmem: it has a
		 * permanent kernel address.
		 */
		const char *src = page_address(page);

		/* A snapshot; the process may be writing it as we read. */
		for (j = 0; j < FAULT_PAGES_TEXT_LEN; j++) {
			char c = READ_ONCE(src[j]);

			if (!c)
				break;
			text[j] = isprint(c) ? c : '.';
		}
		text[j] = '\0';
		seq_printf(m, "%u pfn=0x%lx count=%d mapcount=%d text=\"%s\"\n",
			   i, page_to_pfn(page), page_count(page),
			   folio_mapcount(page_folio(page)), text);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fault_pages_pages);

static ssize_t fault_pages_reset_write(struct file *file,
				       const char __user *buf, size_t len,
				       loff_t *ppos)
{
	atomic_set(&fault_count, 0);
	return len;
}

static const struct file_operations fault_pages_reset_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= fault_pages_reset_write,
	.llseek	= noop_llseek,
};

/*
 * Drops our reference to the first n pages; returns how many were still
 * referenced by someone else (they are freed when that someone lets go).
 */
static unsigned int fault_pages_put(unsigned int n)
{
	unsigned int i, busy = 0;

	for (i = 0; i < n; i++) {
		if (page_count(fault_pages[i]) != 1)
			busy++;
		__free_page(fault_pages[i]);
	}
	kfree(fault_pages);
	return busy;
}

static int __init fault_pages_init(void)
{
	unsigned int i;
	int ret;

	if (npages < 1 || npages > FAULT_PAGES_MAX) {
		pr_err("npages=%u is out of range: 1 to %u\n", npages,
		       FAULT_PAGES_MAX);
		return -EINVAL;
	}

	fault_pages = kcalloc(npages, sizeof(*fault_pages), GFP_KERNEL);
	if (!fault_pages)
		return -ENOMEM;
	for (i = 0; i < npages; i++) {
		/* Zeroed: a process must not see what the page held. */
		fault_pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!fault_pages[i]) {
			ret = -ENOMEM;
			goto err_free_pages;
		}
		snprintf(page_address(fault_pages[i]), PAGE_SIZE,
			 "fault_pages: page %u written by the kernel", i);
	}

	/* debugfs failures are not errors: the device works without it. */
	fault_pages_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_atomic_t("faults", 0444, fault_pages_dir, &fault_count);
	debugfs_create_file("pages", 0444, fault_pages_dir, NULL,
			    &fault_pages_pages_fops);
	debugfs_create_file("reset", 0200, fault_pages_dir, NULL,
			    &fault_pages_reset_fops);

	/* Last: once the node exists, processes can map the pages. */
	ret = misc_register(&fault_pages_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", KBUILD_MODNAME, ret);
		goto err_remove_debugfs;
	}
	pr_info("sharing %u pages through /dev/%s\n", npages, KBUILD_MODNAME);
	return 0;

err_remove_debugfs:
	debugfs_remove_recursive(fault_pages_dir);
err_free_pages:
	fault_pages_put(i);
	return ret;
}

static void __exit fault_pages_exit(void)
{
	unsigned int busy;

	misc_deregister(&fault_pages_misc);
	debugfs_remove_recursive(fault_pages_dir);
	/*
	 * No mapping can remain: each holds the file, which holds this
	 * module.  Anyone else with a reference (get_user_pages(), a pipe
	 * fed by vmsplice()) keeps the page alive until it lets go; the
	 * page is then freed by its last put_page().  Worth a warning, not
	 * a WARN(): any root process can cause it, and WARN() is a crash
	 * on a machine with panic_on_warn.
	 */
	busy = fault_pages_put(npages);
	pr_info("freed %u pages, %u still referenced\n", npages, busy);
	if (busy)
		pr_warn("%u pages still referenced at unload\n", busy);
}

module_init(fault_pages_init);
module_exit(fault_pages_exit);

MODULE_DESCRIPTION("addrlab chapter 5: driver pages mapped at fault time");
MODULE_LICENSE("GPL");
