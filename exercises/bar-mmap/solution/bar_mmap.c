// SPDX-License-Identifier: GPL-2.0
/*
 * bar_mmap.c - chapter 4's exercise: hand edu's BAR0 to a process.
 *
 * A PCI driver for QEMU's edu device with one misc device, /dev/bar_mmap,
 * whose only operation is mmap(): it maps BAR0 into the calling process,
 * uncached, after checking the request the way drivers/uio/uio.c does.
 * The driver never maps the BAR for itself (no ioremap): the kernel only
 * builds the process's page tables, and the process does the rest.
 *
 *	edu-mmap --dev /dev/bar_mmap id		0x010000ed, read by a plain load
 *	edu-mmap --dev /dev/bar_mmap smaps	VmFlags: ... pf io ...
 *	edu-mmap --dev /dev/bar_mmap bad	the errnos below
 *
 * mmap() refuses a private mapping (EINVAL) and any window that does not
 * lie inside BAR0 (ENXIO).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "edu.h"

struct bar_mmap {
	struct pci_dev *pdev;
	resource_size_t start;	/* BAR0's physical address */
	resource_size_t len;	/* and its length in bytes */
	struct miscdevice misc;
};

static int bar_mmap_mmap(struct file *file, struct vm_area_struct *vma)
{
	/* misc_open() points private_data at our struct miscdevice. */
	struct bar_mmap *bm = container_of(file->private_data, struct bar_mmap,
					   misc);
	unsigned long pfn;

	dev_dbg(&bm->pdev->dev, "mmap: %lu pages from page %lu of BAR%d\n",
		vma_pages(vma), vma->vm_pgoff, EDU_BAR);

	/* STEP 1: Refuse a private mapping (no VM_MAYSHARE) with -EINVAL. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	/* END STEP 1 */

	/* STEP 2: Refuse with -ENXIO a window that is not inside the BAR (bm->len). */
	if (vma->vm_pgoff >= bm->len >> PAGE_SHIFT ||
	    vma_pages(vma) > (bm->len >> PAGE_SHIFT) - vma->vm_pgoff)
		return -ENXIO;
	/* END STEP 2 */

	/* STEP 3: Make the mapping uncached with pgprot_noncached(). */
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	/* END STEP 3 */

	/* STEP 4: Put the page frame number of the window's first page in pfn. */
	pfn = (bm->start >> PAGE_SHIFT) + vma->vm_pgoff;
	/* SKELETON: pfn = 0; */
	/* END STEP 4 */

	/* STEP 5: Map the whole window, from vma->vm_start, with io_remap_pfn_range(). */
	return io_remap_pfn_range(vma, vma->vm_start, pfn,
				  vma->vm_end - vma->vm_start,
				  vma->vm_page_prot);
	/* SKELETON: return -ENOSYS; */
	/* END STEP 5 */
}

static const struct file_operations bar_mmap_fops = {
	.owner	= THIS_MODULE,
	.mmap	= bar_mmap_mmap,
};

static int bar_mmap_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct bar_mmap *bm;
	int ret;

	bm = devm_kzalloc(&pdev->dev, sizeof(*bm), GFP_KERNEL);
	if (!bm)
		return -ENOMEM;
	bm->pdev = pdev;
	pci_set_drvdata(pdev, bm);

	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
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
	return ret;
}

static void bar_mmap_remove(struct pci_dev *pdev)
{
	struct bar_mmap *bm = pci_get_drvdata(pdev);

	misc_deregister(&bm->misc);
	pci_release_region(pdev, EDU_BAR);
	pci_disable_device(pdev);
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
