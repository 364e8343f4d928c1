// SPDX-License-Identifier: GPL-2.0
/* nopage.c - vmf_insert_page() at fault time: it takes the page table's reference itself. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "compat.h"

#define NOPAGE_MAX	64

static unsigned int npages = 8;
module_param(npages, uint, 0444);
MODULE_PARM_DESC(npages, "pages to share, 1 to 64 (default 8)");

static struct page **nopage_pages;	/* npages pages, ours until unload */
static atomic_t nopage_faults = ATOMIC_INIT(0);
static struct dentry *nopage_dir;

/*
 * Called when a process touches a page of the mapping that has no page
 * table entry yet.  vmf->pgoff is the page's index in the file, the mmap()
 * offset included; vmf->address is only where in the process it happened.
 */
static vm_fault_t nopage_fault(struct vm_fault *vmf)
{
	struct page *page;

	if (vmf->pgoff >= npages)
		return VM_FAULT_SIGBUS;

	page = nopage_pages[vmf->pgoff];
	atomic_inc(&nopage_faults);
	/* Maps the page and takes its reference; the fault is then done. */
	return vmf_insert_page(vmf->vma, vmf->address, page);
}

static const struct vm_operations_struct nopage_vm_ops = {
	.fault = nopage_fault,
};

static int nopage_mmap(struct file *file, struct vm_area_struct *vma)
{
	if ((vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) == 0)
		return -EINVAL;
	vm_flags_set(vma, VM_MIXEDMAP);	/* vmf_insert_page() needs it */
	vma->vm_ops = &nopage_vm_ops;
	return 0;
}

static const struct file_operations nopage_fops = {
	.owner	= THIS_MODULE,
	.mmap	= nopage_mmap,
	.llseek	= noop_llseek,
};

static struct miscdevice nopage_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= KBUILD_MODNAME,
	.fops	= &nopage_fops,
	.mode	= 0600,
};

/*
 * Drops our reference to the first n pages; returns how many someone else
 * still holds.
 */
static unsigned int nopage_free(unsigned int n)
{
	unsigned int i, busy = 0;

	for (i = 0; i < n; i++) {
		if (page_count(nopage_pages[i]) != 1)
			busy++;
		__free_page(nopage_pages[i]);
	}
	kfree(nopage_pages);
	return busy;
}

static int __init nopage_init(void)
{
	unsigned int i;
	int ret;

	if (npages < 1 || npages > NOPAGE_MAX) {
		pr_err("npages=%u is out of range: 1 to %u\n", npages,
		       NOPAGE_MAX);
		return -EINVAL;
	}
	nopage_pages = kcalloc(npages, sizeof(*nopage_pages), GFP_KERNEL);
	if (!nopage_pages)
		return -ENOMEM;
	for (i = 0; i < npages; i++) {
		nopage_pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!nopage_pages[i]) {
			ret = -ENOMEM;
			goto err_free;
		}
		snprintf(page_address(nopage_pages[i]), PAGE_SIZE,
			 "nopage: page %u written by the kernel", i);
	}

	nopage_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_atomic_t("faults", 0444, nopage_dir, &nopage_faults);

	ret = misc_register(&nopage_misc);
	if (ret)
		goto err_debugfs;
	pr_info("sharing %u pages through /dev/%s\n", npages, KBUILD_MODNAME);
	return 0;

err_debugfs:
	debugfs_remove_recursive(nopage_dir);
err_free:
	nopage_free(i);
	return ret;
}

static void __exit nopage_exit(void)
{
	unsigned int busy;

	misc_deregister(&nopage_misc);
	debugfs_remove_recursive(nopage_dir);
	busy = nopage_free(npages);
	pr_info("freed %u pages, %u still referenced\n", npages, busy);
}

module_init(nopage_init);
module_exit(nopage_exit);

MODULE_DESCRIPTION("addrlab exercise: driver pages mapped at fault time");
MODULE_LICENSE("GPL");
