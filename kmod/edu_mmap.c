// SPDX-License-Identifier: GPL-2.0
/*
 * edu_mmap.c - chapter 4: mapping device memory into a process.
 *
 * A PCI driver for QEMU's edu device that offers its registers to user
 * space through /dev/edu_mmap in two ways, so they can be compared:
 *
 *  - mmap(): BAR0 is mapped into the process with io_remap_pfn_range().
 *    The process then reaches the registers with plain loads and stores;
 *    the CPU's page tables, not this driver, route each access to the
 *    device.  The driver runs once, at mmap() time, and never again.
 *
 *  - read()/pread()/write()/pwrite() at file offset = register offset, and
 *    the ioctls EDU_MMAP_IOC_READ32/WRITE32 (edu_mmap.h): one system call,
 *    and one trip through this driver, per register access.
 *
 * From user space (the guest tool edu-mmap does all of this):
 *
 *	int fd = open("/dev/edu_mmap", O_RDWR);
 *	volatile uint32_t *regs = mmap(NULL, 0x100000, PROT_READ | PROT_WRITE,
 *				       MAP_SHARED, fd, 0);
 *	regs[EDU_REG_ID / 4];		0x010000ed, no system call
 *	pread(fd, &v, 4, EDU_REG_ID);		the same, one system call
 *
 * mmap() refuses a private mapping (EINVAL) and a range that is not
 * inside the 1 MiB BAR (ENXIO); read/write/ioctl take exactly 4 bytes at a
 * 4-byte aligned offset below EDU_MMAP_REG_END (0x80), else EINVAL.
 *
 * The PCI side uses the managed pcim_ helpers: this chapter is about the
 * mapping; chapter 3 writes out the enable/request/iomap calls and their
 * unwinding by hand.
 *
 * The device can go while files are open and mapped: an unbind
 * (echo 0000:00:02.0 > /sys/bus/pci/drivers/edu_mmap/unbind), a hot
 * unplug.  The kernel then frees what the pcim_/devm_ helpers hold, but
 * not the open files.  So struct edu_mmap is reference counted (the device
 * holds one reference, each open file another), a gone flag under a
 * read-write semaphore tells the file operations the registers are no
 * more (-ENODEV), and remove() zaps every process's mapping of the BAR
 * (unmap_mapping_range()): the next load or store there gets SIGBUS.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "edu.h"
#include "edu_mmap.h"

struct edu_mmap {
	struct kref ref;		/* the device's, and one per open file */
	/*
	 * Read-held to use regs or map the BAR, write-held to end that:
	 * remove() sets gone with it held, and nothing touches regs after.
	 * It also guards opens.
	 */
	struct rw_semaphore lock;
	bool gone;			/* the device was unbound */
	struct list_head opens;		/* struct edu_mmap_open, one per file */
	void __iomem *regs;		/* BAR0, in kernel virtual space */
	resource_size_t bar_start;	/* BAR0 in the CPU's physical space */
	resource_size_t bar_len;
	struct miscdevice misc;
};

/* One open file: remove() finds its mappings through it. */
struct edu_mmap_open {
	struct edu_mmap *em;
	struct file *file;
	struct list_head node;		/* in em->opens */
};

static void edu_mmap_free(struct kref *ref)
{
	kfree(container_of(ref, struct edu_mmap, ref));
}

static u32 edu_mmap_rd(struct edu_mmap *em, u32 reg)
{
	return readl(em->regs + reg);
}

static void edu_mmap_wr(struct edu_mmap *em, u32 reg, u32 val)
{
	writel(val, em->regs + reg);
}

static struct edu_mmap *file_to_edu_mmap(struct file *file)
{
	return ((struct edu_mmap_open *)file->private_data)->em;
}

/*
 * One register access, unless the device is gone.  The lock is never held
 * across copy_to_user()/copy_from_user(): a fault there takes mmap_lock,
 * which mmap() holds while it takes this lock.
 */
static int edu_mmap_access(struct edu_mmap *em, u32 reg, u32 *val, bool write)
{
	int ret = 0;

	down_read(&em->lock);
	if (em->gone)
		ret = -ENODEV;
	else if (write)
		edu_mmap_wr(em, reg, *val);
	else
		*val = edu_mmap_rd(em, reg);
	up_read(&em->lock);
	return ret;
}

static int edu_mmap_fopen(struct inode *inode, struct file *file)
{
	/* misc_open() points private_data at our struct miscdevice, and
	 * holds the lock misc_deregister() takes: em cannot go meanwhile. */
	struct edu_mmap *em = container_of(file->private_data, struct edu_mmap,
					   misc);
	struct edu_mmap_open *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return -ENOMEM;
	o->em = em;
	o->file = file;
	down_write(&em->lock);
	if (em->gone) {
		up_write(&em->lock);
		kfree(o);
		return -ENODEV;
	}
	list_add(&o->node, &em->opens);
	kref_get(&em->ref);
	up_write(&em->lock);
	file->private_data = o;
	return 0;
}

static int edu_mmap_release(struct inode *inode, struct file *file)
{
	struct edu_mmap_open *o = file->private_data;
	struct edu_mmap *em = o->em;

	down_write(&em->lock);
	list_del(&o->node);
	up_write(&em->lock);
	kfree(o);
	kref_put(&em->ref, edu_mmap_free);
	return 0;
}

/*
 * The one rule of the system call paths: one 32-bit register below 0x80.
 * edu takes only 4-byte accesses there; the 64-bit DMA registers above are
 * left out on purpose (a 4-byte write zeroes their top half, and a bad DMA
 * command aborts QEMU).
 */
static bool edu_mmap_reg_ok(loff_t offset, size_t len)
{
	return len == sizeof(u32) && offset >= 0 &&
	       offset < EDU_MMAP_REG_END && IS_ALIGNED(offset, sizeof(u32));
}

/*
 * The register value travels in CPU byte order, as a load through the
 * mapping would see it.
 */
static ssize_t edu_mmap_read(struct file *file, char __user *buf, size_t len,
			     loff_t *ppos)
{
	struct edu_mmap *em = file_to_edu_mmap(file);
	u32 val;
	int ret;

	if (!edu_mmap_reg_ok(*ppos, len))
		return -EINVAL;
	ret = edu_mmap_access(em, *ppos, &val, false);
	if (ret)
		return ret;
	if (copy_to_user(buf, &val, sizeof(val)))
		return -EFAULT;
	*ppos += sizeof(val);
	return sizeof(val);
}

static ssize_t edu_mmap_write(struct file *file, const char __user *buf,
			      size_t len, loff_t *ppos)
{
	struct edu_mmap *em = file_to_edu_mmap(file);
	u32 val;
	int ret;

	if (!edu_mmap_reg_ok(*ppos, len))
		return -EINVAL;
	if (copy_from_user(&val, buf, sizeof(val)))
		return -EFAULT;
	ret = edu_mmap_access(em, *ppos, &val, true);
	if (ret)
		return ret;
	*ppos += sizeof(val);
	return sizeof(val);
}

static loff_t edu_mmap_llseek(struct file *file, loff_t offset, int whence)
{
	/* The file is the register window: SEEK_END is its end. */
	return fixed_size_llseek(file, offset, whence, EDU_MMAP_REG_END);
}

static long edu_mmap_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct edu_mmap *em = file_to_edu_mmap(file);
	struct edu_mmap_reg __user *ureg = (void __user *)arg;
	struct edu_mmap_reg reg;
	int ret;

	if (cmd != EDU_MMAP_IOC_READ32 && cmd != EDU_MMAP_IOC_WRITE32)
		return -ENOTTY;
	if (copy_from_user(&reg, ureg, sizeof(reg)))
		return -EFAULT;
	if (!edu_mmap_reg_ok(reg.offset, sizeof(reg.value)))
		return -EINVAL;

	ret = edu_mmap_access(em, reg.offset, &reg.value,
			      cmd == EDU_MMAP_IOC_WRITE32);
	if (ret || cmd == EDU_MMAP_IOC_WRITE32)
		return ret;
	return put_user(reg.value, &ureg->value);
}

/*
 * Without ->access, ptrace and /proc/PID/mem cannot read a VM_PFNMAP
 * mapping (there is no struct page to follow); generic_access_phys() lets
 * a debugger see the registers, as uio does for its physical mappings.
 */
static const struct vm_operations_struct edu_mmap_vm_ops = {
	.access = generic_access_phys,
};

static int edu_mmap_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct edu_mmap *em = file_to_edu_mmap(file);
	unsigned long bar_pages = em->bar_len >> PAGE_SHIFT;
	unsigned long pfn;
	int ret;

	/*
	 * Validate everything before mapping anything, as drivers/uio/uio.c
	 * does.  A private (copy-on-write) mapping of registers makes no
	 * sense: a write would land in a RAM copy, not in the device.
	 * VM_MAYSHARE, not VM_SHARED, is what MAP_SHARED sets: the kernel
	 * clears VM_SHARED for a shared mapping of a read-only descriptor.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	/*
	 * vm_pgoff is mmap()'s offset in pages.  A window that starts or
	 * ends past the BAR gets ENXIO, POSIX's error for "addresses in the
	 * range are invalid for the object" (EINVAL would say the arguments
	 * themselves are malformed).  Written so nothing can overflow.
	 */
	if (vma->vm_pgoff >= bar_pages ||
	    vma_pages(vma) > bar_pages - vma->vm_pgoff)
		return -ENXIO;

	pfn = (em->bar_start >> PAGE_SHIFT) + vma->vm_pgoff;

	/*
	 * Uncached: a register is not memory.  Its value changes behind the
	 * CPU's back (the factorial, the status bits), a read can have side
	 * effects, and each write must reach the device, in order, when it
	 * is executed.  A cached mapping would serve stale lines and merge or
	 * delay writes.  On x86 this is the same UC- type ioremap() used for
	 * em->regs; PAT refuses a second mapping of the BAR with a
	 * conflicting type.
	 */
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_ops = &edu_mmap_vm_ops;

	/*
	 * io_remap_pfn_range(), not remap_pfn_range(): the pfn is device
	 * memory, not RAM.  On x86 it clears the memory-encryption bit (SEV,
	 * TDX: a device cannot decrypt), and on a few architectures I/O
	 * space has its own pfn encoding.  Both fill the page tables now,
	 * for the whole range, and mark the VMA VM_IO | VM_PFNMAP |
	 * VM_DONTEXPAND | VM_DONTDUMP: no struct page behind it, never grown
	 * by mremap(), left out of core dumps ("io pf de dd" in smaps).
	 */
	down_read(&em->lock);
	ret = em->gone ? -ENODEV :
	      io_remap_pfn_range(vma, vma->vm_start, pfn,
				 vma->vm_end - vma->vm_start,
				 vma->vm_page_prot);
	up_read(&em->lock);
	return ret;
}

static const struct file_operations edu_mmap_fops = {
	.owner		= THIS_MODULE,
	.open		= edu_mmap_fopen,
	.release	= edu_mmap_release,
	.read		= edu_mmap_read,
	.write		= edu_mmap_write,
	.llseek		= edu_mmap_llseek,
	.unlocked_ioctl	= edu_mmap_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= edu_mmap_mmap,
};

static int edu_mmap_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_mmap *em;
	int ret;

	/* Not devm_: open files may outlive the device's binding. */
	em = kzalloc(sizeof(*em), GFP_KERNEL);
	if (!em)
		return -ENOMEM;
	kref_init(&em->ref);
	init_rwsem(&em->lock);
	INIT_LIST_HEAD(&em->opens);

	ret = pcim_enable_device(pdev);
	if (ret)
		goto put;
	/*
	 * Requests the BAR (it shows in /proc/iomem as "edu_mmap") and maps
	 * it for the kernel; both are undone when the driver unbinds.
	 */
	ret = pcim_iomap_regions(pdev, BIT(EDU_BAR), KBUILD_MODNAME);
	if (ret) {
		dev_err(&pdev->dev, "cannot request and map BAR%d: %d\n",
			EDU_BAR, ret);
		goto put;
	}
	em->regs = pcim_iomap_table(pdev)[EDU_BAR];
	em->bar_start = pci_resource_start(pdev, EDU_BAR);
	em->bar_len = pci_resource_len(pdev, EDU_BAR);

	/*
	 * A process gets whole pages: a BAR sharing a page with something
	 * else could not be handed out safely.
	 */
	if (!PAGE_ALIGNED(em->bar_start) || !PAGE_ALIGNED(em->bar_len)) {
		dev_err(&pdev->dev, "BAR%d %pR is not made of whole pages\n",
			EDU_BAR, &pdev->resource[EDU_BAR]);
		ret = -ENODEV;
		goto put;
	}

	/*
	 * One edu, one /dev/edu_mmap.  The device node appears last, when
	 * everything it uses is ready.  An open file (and so a mapping, which
	 * holds its file) pins this module: rmmod fails with EAGAIN until
	 * the last one goes.  The device is not pinned: see remove().
	 */
	em->misc.minor = MISC_DYNAMIC_MINOR;
	em->misc.name = KBUILD_MODNAME;
	em->misc.fops = &edu_mmap_fops;
	em->misc.parent = &pdev->dev;
	em->misc.mode = 0600;
	pci_set_drvdata(pdev, em);
	ret = misc_register(&em->misc);
	if (ret) {
		dev_err(&pdev->dev, "cannot register /dev/%s: %d\n",
			KBUILD_MODNAME, ret);
		goto put;
	}

	dev_info(&pdev->dev, "id 0x%08x, BAR%d %pR mappable through /dev/%s\n",
		 edu_mmap_rd(em, EDU_REG_ID), EDU_BAR,
		 &pdev->resource[EDU_BAR], KBUILD_MODNAME);
	return 0;

put:
	kref_put(&em->ref, edu_mmap_free);
	return ret;
}

/*
 * Unbind: no new opens (misc_deregister() waits for any in progress), no
 * register access or new mapping from the files still open, and no
 * mapping left in any process.  The zap cannot see a mapping made in the
 * instant between a ->mmap() that passed the gone check and its VMA
 * joining the file's address space; drivers that must close that window
 * (vfio-pci) map nothing in ->mmap() and fill each page in ->fault()
 * under the same lock, the way chapter 5 fills RAM pages.
 */
static void edu_mmap_remove(struct pci_dev *pdev)
{
	struct edu_mmap *em = pci_get_drvdata(pdev);
	struct edu_mmap_open *o;

	misc_deregister(&em->misc);
	down_write(&em->lock);
	em->gone = true;
	list_for_each_entry(o, &em->opens, node)
		unmap_mapping_range(o->file->f_mapping, 0, 0, 1);
	up_write(&em->lock);
	/* pcim_ releases the BAR and its mapping after this; em goes with
	 * the last open file. */
	kref_put(&em->ref, edu_mmap_free);
}

static const struct pci_device_id edu_mmap_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_mmap_ids);

static struct pci_driver edu_mmap_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= edu_mmap_ids,
	.probe		= edu_mmap_probe,
	.remove		= edu_mmap_remove,
};
module_pci_driver(edu_mmap_driver);

MODULE_DESCRIPTION("addrlab chapter 4: edu's BAR0 mapped into user space");
MODULE_LICENSE("GPL");
