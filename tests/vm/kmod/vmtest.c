// SPDX-License-Identifier: GPL-2.0
/*
 * vmtest.c - a module for the lab VM controller's integration tests: it
 * misbehaves on purpose, so fault handling is tested against the real
 * thing, and it reports one DMA mapping, so the IOMMU profile can be told
 * from the plain one.  Every mode fails its init on purpose (except none),
 * so nothing stays loaded.
 *
 *	insmod vmtest.ko what=none	load cleanly (the control case)
 *	insmod vmtest.ko what=oops	NULL dereference in module init
 *	insmod vmtest.ko what=spin	spin forever with interrupts off
 *	insmod vmtest.ko what=dma	edu DMA of 4097 bytes to its 4096-byte
 *					buffer, which aborts QEMU
 *	insmod vmtest.ko what=dmamap	print "vmtest: phys=0x... dma=0x..." for
 *					a streaming mapping of one kmalloc page
 *	insmod vmtest.ko what=flood	print `lines` lines of 100 bytes at
 *					KERN_ERR, which all reach the console
 *	insmod vmtest.ko what=faultoops	stay loaded with /dev/vmtest, whose
 *					mmap'd pages oops in the .fault handler
 *					(fault-touch --dev /dev/vmtest 0)
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "edu.h"

static char *what = "none";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "none, oops, spin, sleep, dma, dmamap, flood or faultoops");

static unsigned int lines = 1000;
module_param(lines, uint, 0444);
MODULE_PARM_DESC(lines, "lines to print (what=flood)");

/* fault-touch reads the size of a device from its module's npages. */
static unsigned int npages = 1;
module_param(npages, uint, 0444);
MODULE_PARM_DESC(npages, "pages of /dev/vmtest (what=faultoops)");

static noinline int vmtest_oops(void)
{
	int *volatile p = NULL;

	return *p;
}

/*
 * An oops in a page-fault handler: the task that touched the page dies in
 * the kernel with mmap_lock held, and its exit then waits for that lock
 * forever (D state), so the command never ends: only the console tells.
 */
static noinline vm_fault_t vmtest_fault(struct vm_fault *vmf)
{
	int *volatile p = NULL;

	*p = 1;
	return VM_FAULT_SIGBUS;	/* never reached */
}

static const struct vm_operations_struct vmtest_vm_ops = {
	.fault = vmtest_fault,
};

static int vmtest_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &vmtest_vm_ops;
	return 0;
}

static const struct file_operations vmtest_fops = {
	.owner = THIS_MODULE,
	.mmap = vmtest_mmap,
};

static struct miscdevice vmtest_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vmtest",
	.fops = &vmtest_fops,
};

static bool misc_registered;

static noinline void vmtest_spin(void)
{
	pr_info("vmtest: spinning with interrupts off\n");
	local_irq_disable();
	for (;;)
		cpu_relax();
}

/*
 * Starts an edu DMA one byte longer than the device buffer: out of bounds
 * for every QEMU (7.2 aborts already at 4096 bytes, 8.2.1 and later take
 * those), so each aborts (hw_error).
 */
static int vmtest_dma_overrun(struct pci_dev *pdev)
{
	void __iomem *bar;

	bar = pci_iomap(pdev, EDU_BAR, 0);
	if (!bar)
		return -ENOMEM;
	pci_set_master(pdev);
	pr_info("vmtest: edu DMA of %d bytes to 0x%x: QEMU will abort\n",
		EDU_DMA_BUF_SIZE + 1, EDU_DMA_BUF_ADDR);
	writeq(0x1000, bar + EDU_REG_DMA_SRC);
	writeq(EDU_DMA_BUF_ADDR, bar + EDU_REG_DMA_DST);
	writeq(EDU_DMA_BUF_SIZE + 1, bar + EDU_REG_DMA_COUNT);
	writeq(EDU_DMA_START, bar + EDU_REG_DMA_CMD);
	msleep(1000);	/* the transfer starts ~100 ms later */
	pci_clear_master(pdev);
	pci_iounmap(pdev, bar);
	return -EIO;
}

/* Maps one kmalloc page for the device and prints both addresses. */
static int vmtest_dmamap(struct pci_dev *pdev)
{
	dma_addr_t dma;
	void *buf;
	int ret;

	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret)
		return ret;
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	dma = dma_map_single(&pdev->dev, buf, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(&pdev->dev, dma)) {
		ret = -EIO;
		goto out_free;
	}
	pr_info("vmtest: phys=%pa dma=%pad\n", &(phys_addr_t){ virt_to_phys(buf) },
		&dma);
	dma_unmap_single(&pdev->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	ret = -EAGAIN;	/* done: do not stay loaded */
out_free:
	kfree(buf);
	return ret;
}

static int vmtest_with_edu(int (*fn)(struct pci_dev *pdev))
{
	struct pci_dev *pdev;
	int ret;

	pdev = pci_get_device(EDU_VENDOR_ID, EDU_DEVICE_ID, NULL);
	if (!pdev)
		return -ENODEV;
	ret = pci_enable_device(pdev);
	if (ret)
		goto out_put;
	ret = fn(pdev);
	pci_disable_device(pdev);
out_put:
	pci_dev_put(pdev);
	return ret;
}

static int __init vmtest_init(void)
{
	pr_info("vmtest: what=%s\n", what);
	if (!strcmp(what, "oops"))
		return vmtest_oops();
	if (!strcmp(what, "spin"))
		vmtest_spin();
	if (!strcmp(what, "sleep")) {
		/* Asleep in init for good, where no signal wakes it. */
		pr_info("vmtest: sleeping in init for good\n");
		for (;;)
			ssleep(3600);
	}
	if (!strcmp(what, "dma"))
		return vmtest_with_edu(vmtest_dma_overrun);
	if (!strcmp(what, "dmamap"))
		return vmtest_with_edu(vmtest_dmamap);
	if (!strcmp(what, "flood")) {
		for (unsigned int i = 0; i < lines; i++)
			pr_err("vmtest: flood %07u %s\n", i,
			       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		return -EAGAIN;	/* done: do not stay loaded */
	}
	if (!strcmp(what, "faultoops")) {
		int ret = misc_register(&vmtest_misc);

		misc_registered = !ret;
		return ret;
	}
	return 0;
}

static void __exit vmtest_exit(void)
{
	if (misc_registered)
		misc_deregister(&vmtest_misc);
}

module_init(vmtest_init);
module_exit(vmtest_exit);
MODULE_DESCRIPTION("addrlab: lab VM controller test module");
MODULE_LICENSE("GPL");
