// SPDX-License-Identifier: GPL-2.0
/*
 * edu_mmio.c - chapter 3: MMIO and ioremap.
 *
 * A PCI driver for QEMU's edu device (1234:11e8) that walks the whole life
 * of a memory-mapped device with explicit calls, so every step and its undo
 * can be seen:
 *
 *	pci_enable_device	the device decodes its BAR (Control: Mem+)
 *	pci_request_region	BAR0 is ours: "edu_mmio" in /proc/iomem
 *	pci_iomap		a kernel virtual address for BAR0 (__iomem)
 *	read ID, liveness	is a working edu device really there?
 *	pci_set_master		the device may write to memory: MSI needs it
 *	pci_alloc_irq_vectors	one MSI vector, or the legacy INTx line
 *	request_irq		our handler, for the factorial-done interrupt
 *	irqtest			raise one interrupt and wait for it
 *
 * remove() undoes them in exactly the reverse order, and so does every
 * error path of probe(), through goto labels named for what they undo.
 *
 * From user space (the attributes are in an "edu" group on the device):
 *
 *	D=/sys/bus/pci/devices/0000:00:02.0/edu
 *	cat $D/id			0x010000ed
 *	echo 0x12345678 > $D/liveness
 *	cat $D/liveness			0xedcba987 (the device inverts)
 *	echo 13 > $D/factorial_poll
 *	cat $D/factorial_poll		13! = 1932053504 (by polling)
 *	echo 13 > $D/factorial_irq
 *	cat $D/factorial_irq		13! = 1932053504 (by interrupt)
 *	cat $D/irq_count		interrupts handled (1 after probe)
 *	cat $D/irq_mode			msi, or legacy (INTx, with pci=nomsi)
 *
 * and the kernel's own views: "edu_mmio" in /proc/iomem (the claimed BAR)
 * and /proc/interrupts, and "Kernel driver in use: edu_mmio" in lspci -k.
 *
 * Writing a factorial attribute only remembers n; each read runs n through
 * the device once.  The device computes n! modulo 2^32 (33! reads
 * 2147483648; from 34! on, 2^32 divides n! and it reads 0).  A huge n keeps
 * QEMU's factorial thread busy for seconds: the read then fails with
 * ETIMEDOUT, and the next one with EBUSY until the device is idle again.
 *
 * Watch the unwind run (a teaching and testing knob): fail_probe_at=STEP
 * makes probe fail at STEP (enable, region, iomap, id, liveness, vectors,
 * irq or irqtest) through the same error path a real failure takes;
 * dyndbg=+p prints each undo step as it runs:
 *
 *	insmod edu_mmio.ko fail_probe_at=irq dyndbg=+p; dmesg | tail
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/sysfs.h>

#include "compat.h"
#include "edu.h"

/* Generous: the factorial runs on a QEMU thread, on a busy host. */
#define EDU_TIMEOUT_MS		1000
#define EDU_POLL_US		100

/*
 * The raise register ORs any bits into the IRQ status; the self-test picks
 * one the device never raises itself, so it cannot pass for a factorial.
 */
#define EDU_IRQ_SELFTEST	0x00010000

/* Any value works; this one has both 0 and 1 in every byte. */
#define EDU_LIVENESS_PROBE	0x5aa55aa5

static char *fail_probe_at = "";
module_param(fail_probe_at, charp, 0444);
MODULE_PARM_DESC(fail_probe_at,
		 "make probe fail at this step, to watch the unwind run: enable, region, iomap, id, liveness, vectors, irq, irqtest");

struct edu_mmio {
	struct pci_dev *pdev;
	void __iomem *regs;		/* BAR0, from pci_iomap() */
	int irq;			/* Linux IRQ number of vector 0 */
	atomic_t irq_count;		/* interrupts handled */
	struct completion irq_done;	/* signalled by every handled interrupt */
	/* The device has one factorial unit: one computation at a time. */
	struct mutex fact_lock;
	u32 fact_poll_n;		/* what factorial_poll computes */
	u32 fact_irq_n;			/* what factorial_irq computes */
};

/*
 * Every register access goes through these two.  readl()/writel() are the
 * MMIO accessors: they know the pointer is __iomem, use a single 32-bit
 * access the compiler may not split, merge or drop, and order it against
 * other MMIO.  A plain dereference would do none of that:
 *
 *	u32 v = *(u32 *)edu->regs;	WRONG, never do this
 *
 * and sparse (make C=2) says so: "cast removes address space '__iomem' of
 * expression", or, without the cast, "dereference of noderef expression".
 * The __iomem pointer is a cookie for the accessors, not memory.
 */
static u32 edu_read32(struct edu_mmio *edu, u32 reg)
{
	return readl(edu->regs + reg);
}

static void edu_write32(struct edu_mmio *edu, u32 reg, u32 val)
{
	writel(val, edu->regs + reg);
}

/*
 * The handler may run on a shared legacy line, for another device: the IRQ
 * status tells whether edu interrupted.  Acking is required in both modes:
 * INTx stays asserted until the status is back to 0.
 */
static irqreturn_t edu_irq(int irq, void *data)
{
	struct edu_mmio *edu = data;
	u32 status = edu_read32(edu, EDU_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	edu_write32(edu, EDU_REG_IRQ_ACK, status);
	atomic_inc(&edu->irq_count);
	complete(&edu->irq_done);
	return IRQ_HANDLED;
}

static bool edu_computing(struct edu_mmio *edu)
{
	return edu_read32(edu, EDU_REG_STATUS) & EDU_STATUS_COMPUTING;
}

/* n! by polling the status register, with a bounded wait.  Lock held. */
static int edu_factorial_poll(struct edu_mmio *edu, u32 n, u32 *result)
{
	u32 status;
	int ret;

	/* A write while computing is ignored: a timed-out n is still running. */
	if (edu_computing(edu))
		return -EBUSY;
	edu_write32(edu, EDU_REG_STATUS, 0);	/* no interrupt, please */
	edu_write32(edu, EDU_REG_FACTORIAL, n);
	ret = read_poll_timeout(edu_read32, status,
				!(status & EDU_STATUS_COMPUTING), EDU_POLL_US,
				EDU_TIMEOUT_MS * USEC_PER_MSEC, false,
				edu, EDU_REG_STATUS);
	if (ret)
		return ret;
	*result = edu_read32(edu, EDU_REG_FACTORIAL);
	return 0;
}

/* n! by the factorial-done interrupt.  Lock held. */
static int edu_factorial_irq(struct edu_mmio *edu, u32 n, u32 *result)
{
	unsigned long left = msecs_to_jiffies(EDU_TIMEOUT_MS);

	if (edu_computing(edu))
		return -EBUSY;
	reinit_completion(&edu->irq_done);
	edu_write32(edu, EDU_REG_STATUS, EDU_STATUS_IRQ_FACT);
	edu_write32(edu, EDU_REG_FACTORIAL, n);
	/*
	 * The interrupt of an earlier, timed-out request can still arrive
	 * now: an interrupt only counts once the device is done.
	 */
	do {
		left = wait_for_completion_timeout(&edu->irq_done, left);
	} while (left && edu_computing(edu));
	if (!left)
		return -ETIMEDOUT;
	*result = edu_read32(edu, EDU_REG_FACTORIAL);
	return 0;
}

/* ---- the "edu" attribute group ---- */

static ssize_t id_show(struct device *dev, struct device_attribute *attr,
		       char *buf)
{
	struct edu_mmio *edu = dev_get_drvdata(dev);

	return sysfs_emit(buf, "0x%08x\n", edu_read32(edu, EDU_REG_ID));
}
static DEVICE_ATTR_RO(id);

static ssize_t liveness_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct edu_mmio *edu = dev_get_drvdata(dev);

	return sysfs_emit(buf, "0x%08x\n",
			  edu_read32(edu, EDU_REG_LIVENESS));
}

static ssize_t liveness_store(struct device *dev,
			      struct device_attribute *attr, const char *buf,
			      size_t count)
{
	struct edu_mmio *edu = dev_get_drvdata(dev);
	u32 val;
	int ret;

	ret = kstrtou32(buf, 0, &val);
	if (ret)
		return ret;
	edu_write32(edu, EDU_REG_LIVENESS, val);
	return count;
}
static DEVICE_ATTR_RW(liveness);

static ssize_t factorial_store(struct edu_mmio *edu, u32 *n, const char *buf,
			       size_t count)
{
	u32 val;
	int ret;

	ret = kstrtou32(buf, 0, &val);	/* -EINVAL for "abc" */
	if (ret)
		return ret;
	mutex_lock(&edu->fact_lock);
	*n = val;
	mutex_unlock(&edu->fact_lock);
	return count;
}

static ssize_t factorial_show(struct edu_mmio *edu, const u32 *n, char *buf,
			      int (*compute)(struct edu_mmio *edu, u32 n,
					     u32 *result))
{
	u32 val, result;
	int ret;

	ret = mutex_lock_interruptible(&edu->fact_lock);
	if (ret)
		return ret;
	val = *n;
	ret = compute(edu, val, &result);
	mutex_unlock(&edu->fact_lock);
	if (ret)
		return ret;
	return sysfs_emit(buf, "%u! = %u\n", val, result);
}

static ssize_t factorial_poll_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct edu_mmio *edu = dev_get_drvdata(dev);

	return factorial_show(edu, &edu->fact_poll_n, buf, edu_factorial_poll);
}

static ssize_t factorial_poll_store(struct device *dev,
				    struct device_attribute *attr,
				    const char *buf, size_t count)
{
	struct edu_mmio *edu = dev_get_drvdata(dev);

	return factorial_store(edu, &edu->fact_poll_n, buf, count);
}
static DEVICE_ATTR_RW(factorial_poll);

static ssize_t factorial_irq_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct edu_mmio *edu = dev_get_drvdata(dev);

	return factorial_show(edu, &edu->fact_irq_n, buf, edu_factorial_irq);
}

static ssize_t factorial_irq_store(struct device *dev,
				   struct device_attribute *attr,
				   const char *buf, size_t count)
{
	struct edu_mmio *edu = dev_get_drvdata(dev);

	return factorial_store(edu, &edu->fact_irq_n, buf, count);
}
static DEVICE_ATTR_RW(factorial_irq);

static ssize_t irq_count_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct edu_mmio *edu = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", atomic_read(&edu->irq_count));
}
static DEVICE_ATTR_RO(irq_count);

static ssize_t irq_mode_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct edu_mmio *edu = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", edu->pdev->msi_enabled ? "msi" : "legacy");
}
static DEVICE_ATTR_RO(irq_mode);

static struct attribute *edu_attrs[] = {
	&dev_attr_id.attr,
	&dev_attr_liveness.attr,
	&dev_attr_factorial_poll.attr,
	&dev_attr_factorial_irq.attr,
	&dev_attr_irq_count.attr,
	&dev_attr_irq_mode.attr,
	NULL
};

/*
 * The driver core creates the group after probe() succeeds and removes it
 * before remove() runs, so no attribute can see a half-built device.
 */
static const struct attribute_group edu_group = {
	.name = "edu",
	.attrs = edu_attrs,
};

static const struct attribute_group *edu_groups[] = {
	&edu_group,
	NULL
};

/* ---- probe and remove ---- */

/* True when fail_probe_at names this step: the caller then fails it. */
static bool edu_fail_here(struct pci_dev *pdev, const char *step)
{
	if (!sysfs_streq(fail_probe_at, step))
		return false;
	dev_info(&pdev->dev, "fail_probe_at=%s: failing this step on purpose\n",
		 step);
	return true;
}

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct edu_mmio *edu;
	u32 id, back;
	int ret;

	/* Plain memory, not the subject here: let devm free it. */
	edu = devm_kzalloc(&pdev->dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	atomic_set(&edu->irq_count, 0);
	init_completion(&edu->irq_done);
	mutex_init(&edu->fact_lock);
	pci_set_drvdata(pdev, edu);

	/* Wakes the device and turns on memory decoding of its BARs. */
	ret = edu_fail_here(pdev, "enable") ? -EIO : pci_enable_device(pdev);
	if (ret) {
		dev_err(&pdev->dev, "enable: cannot enable the device: %pe\n",
			ERR_PTR(ret));
		return ret;
	}

	/*
	 * Claims BAR0 in the resource tree under our name (/proc/iomem), so
	 * no other driver, and no /dev/mem user on a strict kernel, maps it.
	 */
	ret = edu_fail_here(pdev, "region") ? -EBUSY :
	      pci_request_region(pdev, EDU_BAR, KBUILD_MODNAME);
	if (ret) {
		dev_err(&pdev->dev, "region: cannot claim BAR%d: %pe\n",
			EDU_BAR, ERR_PTR(ret));
		goto err_disable_device;
	}

	/*
	 * The BAR's bus address is physical; the CPU needs a virtual mapping,
	 * uncached, for it.  pci_iomap() makes one for the whole BAR (length
	 * 0), and would also work for an I/O-port BAR.  The long way,
	 *
	 *	ioremap(pci_resource_start(pdev, EDU_BAR),
	 *		pci_resource_len(pdev, EDU_BAR))  ...  iounmap()
	 *
	 * gives the same mapping for a memory BAR.  memremap() is not for
	 * registers: it maps memory-like regions without side effects
	 * (cacheable, readable twice), which a register file is not.
	 */
	if (!(pci_resource_flags(pdev, EDU_BAR) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, EDU_BAR) < EDU_BAR_SIZE) {
		dev_err(&pdev->dev, "iomap: BAR%d is not a %d KiB memory BAR\n",
			EDU_BAR, EDU_BAR_SIZE / 1024);
		ret = -ENODEV;
		goto err_release_region;
	}
	edu->regs = edu_fail_here(pdev, "iomap") ? NULL :
		    pci_iomap(pdev, EDU_BAR, 0);
	if (!edu->regs) {
		dev_err(&pdev->dev, "iomap: cannot map BAR%d\n", EDU_BAR);
		ret = -ENOMEM;
		goto err_release_region;
	}

	/* A device that is not there (or not decoding) reads all ones. */
	id = edu_fail_here(pdev, "id") ? ~0u : edu_read32(edu, EDU_REG_ID);
	if ((id & 0xff) != (EDU_ID_VALUE & 0xff)) {
		dev_err(&pdev->dev, "id: read 0x%08x, not an edu device\n", id);
		ret = -ENODEV;
		goto err_iounmap;
	}
	dev_info(&pdev->dev, "edu version %u.%u (ID 0x%08x)\n", id >> 24,
		 (id >> 16) & 0xff, id);

	/* A register that does something, not just a constant. */
	edu_write32(edu, EDU_REG_LIVENESS, EDU_LIVENESS_PROBE);
	back = edu_fail_here(pdev, "liveness") ? EDU_LIVENESS_PROBE :
	       edu_read32(edu, EDU_REG_LIVENESS);
	if (back != ~EDU_LIVENESS_PROBE) {
		dev_err(&pdev->dev, "liveness: wrote 0x%08x, read 0x%08x, expected 0x%08x\n",
			EDU_LIVENESS_PROBE, back, ~EDU_LIVENESS_PROBE);
		ret = -EIO;
		goto err_iounmap;
	}

	/*
	 * An MSI is a memory write by the device: without bus mastering the
	 * device can send no interrupt (and do no DMA).  pci_disable_device()
	 * would clear it too, but each step still gets its own undo.
	 */
	pci_set_master(pdev);

	ret = edu_fail_here(pdev, "vectors") ? -ENOSPC :
	      pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0) {
		dev_err(&pdev->dev, "vectors: no MSI and no legacy interrupt: %pe\n",
			ERR_PTR(ret));
		goto err_clear_master;
	}
	edu->irq = pci_irq_vector(pdev, 0);

	/* Bits left set by an earlier driver would keep INTx asserted. */
	edu_write32(edu, EDU_REG_IRQ_ACK, edu_read32(edu, EDU_REG_IRQ_STATUS));
	/* IRQF_SHARED: the legacy line may be shared; harmless for MSI. */
	ret = edu_fail_here(pdev, "irq") ? -EBUSY :
	      request_irq(edu->irq, edu_irq, IRQF_SHARED, KBUILD_MODNAME, edu);
	if (ret) {
		dev_err(&pdev->dev, "irq: cannot request IRQ %d: %pe\n",
			edu->irq, ERR_PTR(ret));
		goto err_free_vectors;
	}

	/* The whole interrupt path, device to handler, works: prove it. */
	reinit_completion(&edu->irq_done);
	if (!edu_fail_here(pdev, "irqtest"))
		edu_write32(edu, EDU_REG_IRQ_RAISE, EDU_IRQ_SELFTEST);
	if (!wait_for_completion_timeout(&edu->irq_done,
					 msecs_to_jiffies(EDU_TIMEOUT_MS))) {
		dev_err(&pdev->dev, "irqtest: no interrupt on IRQ %d within %d ms\n",
			edu->irq, EDU_TIMEOUT_MS);
		/*
		 * Raised late, the test interrupt would stay pending in the
		 * device and, on a legacy INTx line, keep it asserted after
		 * free_irq(), for whoever shares it: take it back first.
		 */
		edu_write32(edu, EDU_REG_IRQ_ACK, EDU_IRQ_SELFTEST);
		ret = -ETIMEDOUT;
		goto err_free_irq;
	}

	dev_info(&pdev->dev, "BAR%d %pR, IRQ %d (%s)\n", EDU_BAR,
		 &pdev->resource[EDU_BAR], edu->irq,
		 pdev->msi_enabled ? "msi" : "legacy");
	return 0;

err_free_irq:
	dev_dbg(&pdev->dev, "undo: free_irq()\n");
	free_irq(edu->irq, edu);
err_free_vectors:
	dev_dbg(&pdev->dev, "undo: pci_free_irq_vectors()\n");
	pci_free_irq_vectors(pdev);
err_clear_master:
	dev_dbg(&pdev->dev, "undo: pci_clear_master()\n");
	pci_clear_master(pdev);
err_iounmap:
	dev_dbg(&pdev->dev, "undo: pci_iounmap()\n");
	pci_iounmap(pdev, edu->regs);
err_release_region:
	dev_dbg(&pdev->dev, "undo: pci_release_region()\n");
	pci_release_region(pdev, EDU_BAR);
err_disable_device:
	dev_dbg(&pdev->dev, "undo: pci_disable_device()\n");
	pci_disable_device(pdev);
	return ret;
}

static void edu_remove(struct pci_dev *pdev)
{
	struct edu_mmio *edu = pci_get_drvdata(pdev);

	/* A timed-out factorial must not interrupt once the handler is gone. */
	edu_write32(edu, EDU_REG_STATUS, 0);

	dev_dbg(&pdev->dev, "undo: free_irq()\n");
	free_irq(edu->irq, edu);
	dev_dbg(&pdev->dev, "undo: pci_free_irq_vectors()\n");
	pci_free_irq_vectors(pdev);
	dev_dbg(&pdev->dev, "undo: pci_clear_master()\n");
	pci_clear_master(pdev);
	dev_dbg(&pdev->dev, "undo: pci_iounmap()\n");
	pci_iounmap(pdev, edu->regs);
	dev_dbg(&pdev->dev, "undo: pci_release_region()\n");
	pci_release_region(pdev, EDU_BAR);
	dev_dbg(&pdev->dev, "undo: pci_disable_device()\n");
	pci_disable_device(pdev);
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = KBUILD_MODNAME,
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
	.dev_groups = edu_groups,
};
module_pci_driver(edu_driver);

MODULE_DESCRIPTION("addrlab chapter 3: MMIO and ioremap on QEMU's edu device");
MODULE_LICENSE("GPL");
