// SPDX-License-Identifier: GPL-2.0
/* bar_mmap.c - pages mapped one at a time at fault time with vmf_insert_pfn(). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/slab.h>

#include "compat.h"
#include "edu.h"

struct bar_mmap {
	struct kref ref;	/* the device's, and one per open file */
	struct rw_semaphore lock;	/* read-held to map, write-held to end */
	bool gone;		/* the device was unbound */
	struct list_head opens;	/* struct bar_mmap_open, one per file */
	struct pci_dev *pdev;
	resource_size_t start;	/* BAR0's physical address */
	resource_size_t len;	/* and its length in bytes */
	struct miscdevice misc;
};

/* One open file: remove() finds its mappings through it. */
struct bar_mmap_open {
	struct bar_mmap *bm;
	struct file *file;
	struct list_head node;	/* in bm->opens */
};

static void bar_mmap_free(struct kref *ref)
{
	kfree(container_of(ref, struct bar_mmap, ref));
}

/* At a fault: the page of BAR0 under the address, or SIGBUS once gone. */
static vm_fault_t bar_mmap_fault(struct vm_fault *vmf)
{
	struct bar_mmap_open *o = vmf->vma->vm_file->private_data;
	struct bar_mmap *bm = o->bm;
	vm_fault_t ret;

	down_read(&bm->lock);
	if (bm->gone || vmf->pgoff >= bm->len >> PAGE_SHIFT)
		ret = VM_FAULT_SIGBUS;
	else
		ret = vmf_insert_pfn(vmf->vma, vmf->address,
				     PHYS_PFN(bm->start) + vmf->pgoff);
	up_read(&bm->lock);
	return ret;
}

static const struct vm_operations_struct bar_mmap_vm_ops = {
	.fault = bar_mmap_fault,
};

/* Checks the request; the pages come at fault time. */
static int bar_mmap_map(struct bar_mmap *bm, struct vm_area_struct *vma)
{
	unsigned long pages = bm->len >> PAGE_SHIFT;

	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -ENXIO;
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);

	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_ops = &bar_mmap_vm_ops;
	return 0;
}

static int bar_mmap_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct bar_mmap_open *o = file->private_data;
	int ret;

	down_read(&o->bm->lock);
	ret = o->bm->gone ? -ENODEV : bar_mmap_map(o->bm, vma);
	up_read(&o->bm->lock);
	return ret;
}

static int bar_mmap_open(struct inode *inode, struct file *file)
{
	/* misc_open() points private_data at our struct miscdevice, and
	 * holds the lock misc_deregister() takes: bm cannot go meanwhile. */
	struct bar_mmap *bm = container_of(file->private_data, struct bar_mmap,
					   misc);
	struct bar_mmap_open *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return -ENOMEM;
	o->bm = bm;
	o->file = file;

	down_write(&bm->lock);
	list_add(&o->node, &bm->opens);
	kref_get(&bm->ref);
	up_write(&bm->lock);
	file->private_data = o;
	return 0;
}

static int bar_mmap_release(struct inode *inode, struct file *file)
{
	struct bar_mmap_open *o = file->private_data;
	struct bar_mmap *bm = o->bm;

	down_write(&bm->lock);
	list_del(&o->node);
	up_write(&bm->lock);
	kfree(o);
	kref_put(&bm->ref, bar_mmap_free);
	return 0;
}

static const struct file_operations bar_mmap_fops = {
	.owner		= THIS_MODULE,
	.open		= bar_mmap_open,
	.release	= bar_mmap_release,
	.mmap		= bar_mmap_mmap,
};

static int bar_mmap_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct bar_mmap *bm;
	int ret;

	/* Not devm_: open files may outlive the device's binding. */
	bm = kzalloc(sizeof(*bm), GFP_KERNEL);
	if (!bm)
		return -ENOMEM;
	kref_init(&bm->ref);
	init_rwsem(&bm->lock);
	INIT_LIST_HEAD(&bm->opens);
	bm->pdev = pdev;
	pci_set_drvdata(pdev, bm);

	ret = pci_enable_device(pdev);
	if (ret)
		goto err_put;
	/* Ours, and no one else's: "bar_mmap" in /proc/iomem. */
	ret = pci_request_region(pdev, EDU_BAR, KBUILD_MODNAME);
	if (ret)
		goto err_disable;

	bm->start = pci_resource_start(pdev, EDU_BAR);
	bm->len = pci_resource_len(pdev, EDU_BAR);
	/* A process gets whole pages: the BAR must be made of them. */
	if (!(pci_resource_flags(pdev, EDU_BAR) & IORESOURCE_MEM) ||
	    !PAGE_ALIGNED(bm->start) || !PAGE_ALIGNED(bm->len)) {
		dev_err(&pdev->dev, "BAR%d %pR is not whole pages of memory\n",
			EDU_BAR, &pdev->resource[EDU_BAR]);
		ret = -ENODEV;
		goto err_release;
	}

	/*
	 * Last, when all it needs is ready.  An open file holds the module,
	 * so rmmod waits for the last user to go.
	 */
	bm->misc.minor = MISC_DYNAMIC_MINOR;
	bm->misc.name = KBUILD_MODNAME;
	bm->misc.fops = &bar_mmap_fops;
	bm->misc.parent = &pdev->dev;
	bm->misc.mode = 0600;
	ret = misc_register(&bm->misc);
	if (ret)
		goto err_release;

	dev_info(&pdev->dev, "BAR%d %pR mappable through /dev/%s\n", EDU_BAR,
		 &pdev->resource[EDU_BAR], KBUILD_MODNAME);
	return 0;

err_release:
	pci_release_region(pdev, EDU_BAR);
err_disable:
	pci_disable_device(pdev);
err_put:
	kref_put(&bm->ref, bar_mmap_free);
	return ret;
}

static void bar_mmap_remove(struct pci_dev *pdev)
{
	struct bar_mmap *bm = pci_get_drvdata(pdev);
	struct bar_mmap_open *o;

	misc_deregister(&bm->misc);
	/* No new mapping, and none left in any process. */

	down_write(&bm->lock);
	bm->gone = true;
	list_for_each_entry(o, &bm->opens, node)
		unmap_mapping_range(o->file->f_mapping, 0, 0, 1);
	up_write(&bm->lock);
	pci_release_region(pdev, EDU_BAR);
	pci_disable_device(pdev);
	kref_put(&bm->ref, bar_mmap_free);	/* freed with the last file */
}

static const struct pci_device_id bar_mmap_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, bar_mmap_ids);

static struct pci_driver bar_mmap_driver = {
	.name = KBUILD_MODNAME,
	.id_table = bar_mmap_ids,
	.probe = bar_mmap_probe,
	.remove = bar_mmap_remove,
};
module_pci_driver(bar_mmap_driver);

MODULE_DESCRIPTION("addrlab chapter 4 exercise: edu's BAR0 mapped into a process");
MODULE_LICENSE("GPL");
