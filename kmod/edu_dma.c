// SPDX-License-Identifier: GPL-2.0
/*
 * edu_dma.c - DMA with QEMU's edu device: streaming and coherent mappings,
 * the DMA mask, the MSI completion interrupt, and what an IOMMU changes.
 *
 * edu has a 4 KiB buffer of its own at device address 0x40000 and a DMA
 * engine that copies between that buffer and RAM.  The RAM side is a *DMA
 * address* (dma_addr_t): what the device puts on the bus.  Without an IOMMU
 * it is the physical address; behind a translating IOMMU it is an IOVA that
 * the IOMMU turns into a physical address on every access.  Drivers never
 * compute it themselves: the DMA API hands it out.
 *
 * Every run is one round trip, RAM -> edu buffer -> RAM, each leg ended by
 * edu's DMA-done interrupt (an MSI), then checked byte for byte:
 *
 *	# echo 'streaming 4095' > /sys/kernel/debug/edu_dma/run
 *	# head -n 8 /sys/kernel/debug/edu_dma/report
 *	run=1
 *	mode=streaming
 *	count=4095
 *	to_device_dma=0x000000000f8a5000
 *	to_device_phys=0x000000000f8a5000
 *	from_device_dma=0x000000000f8a1000
 *	from_device_phys=0x000000000f8a1000
 *	cpu_map=direct
 *
 * (here without an IOMMU: DMA address = physical address; boot the lab VM
 * with the IOMMU and the DMA addresses become IOVAs such as 0xffff000).
 *
 * run (write-only): "streaming COUNT" or "coherent COUNT", COUNT in bytes,
 *   1 to 4095.  The write returns once the data is back and verified; it
 *   fails with EINVAL for a bad line or count, EIO when the data came back
 *   wrong (or the device was cut off after a timeout), ETIMEDOUT when the
 *   device did not finish, ENOMEM when buffers or mappings could not be had.
 * report (read-only): the last run as KEY=VALUE lines.  Byte i of the
 *   pattern sent in run N is (u8)(i * 7 + N).  The buffer the device wrote
 *   last stays allocated until the next run or unload, so its bytes can be
 *   read at from_device_phys from outside the guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "edu.h"

/*
 * A leg takes ~100 ms of the guest's virtual clock in QEMU; on real
 * hardware it would be microseconds.  The limit only keeps a dead device
 * from hanging the writer forever.
 */
#define EDU_DMA_TIMEOUT_MS	5000

enum edu_dma_mode {
	EDU_MODE_NONE,
	EDU_MODE_STREAMING,
	EDU_MODE_COHERENT,
};

static const char *const edu_dma_mode_names[] = {
	[EDU_MODE_NONE]		= "none",
	[EDU_MODE_STREAMING]	= "streaming",
	[EDU_MODE_COHERENT]	= "coherent",
};

/* What the last run did, for the report. */
struct edu_dma_run {
	unsigned int seq;		/* 1 for the first run */
	enum edu_dma_mode mode;
	size_t count;
	dma_addr_t to_dma, from_dma;	/* what the device was given */
	phys_addr_t to_phys, from_phys;	/* where the CPU's bytes are */
	bool vmapped;			/* CPU sees it through vmalloc */
	unsigned int irqs;		/* interrupts during this run */
	size_t verified;		/* bytes that came back right, from 0 */
	int error;			/* 0, or what the write returned */
};

/* The buffer the device wrote last, kept for inspection from outside. */
struct edu_dma_keep {
	void *cpu;		/* NULL: nothing kept */
	dma_addr_t dma;		/* coherent only, for freeing */
	size_t size;
	bool coherent;
};

struct edu_dma {
	struct pci_dev *pdev;
	void __iomem *bar;
	struct completion dma_done;	/* completed by the DMA-done IRQ */
	atomic_t irqs;			/* handled since probe */
	struct mutex lock;		/* one run at a time; guards below */
	bool fenced;			/* off the bus after a timeout */
	struct edu_dma_run last;
	struct edu_dma_keep keep;
	struct dentry *debugfs;
};

static u32 edu_read(struct edu_dma *ed, unsigned int reg)
{
	return readl(ed->bar + reg);
}

static void edu_write(struct edu_dma *ed, unsigned int reg, u32 val)
{
	writel(val, ed->bar + reg);
}

/*
 * The DMA registers are 64 bits wide and take 8-byte accesses.  A 4-byte
 * write to one of them stores the zero-extended value: the high half is
 * cleared, and there is no register at +4 to set it.  writeq writes all
 * 64 bits in one access (fine on x86-64; 6.1 exports no iowrite64).
 */
static u64 edu_readq(struct edu_dma *ed, unsigned int reg)
{
	return readq(ed->bar + reg);
}

static void edu_writeq(struct edu_dma *ed, unsigned int reg, u64 val)
{
	writeq(val, ed->bar + reg);
}

static irqreturn_t edu_dma_irq(int irq, void *data)
{
	struct edu_dma *ed = data;
	u32 status = edu_read(ed, EDU_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	/*
	 * Ack what we saw.  With INTx the line stays asserted until the
	 * status is 0; with MSI nothing stays asserted, but an unacked bit
	 * would still be pending and look like a new event next time.
	 */
	edu_write(ed, EDU_REG_IRQ_ACK, status);
	atomic_inc(&ed->irqs);
	if (status & EDU_IRQ_DMA)
		complete(&ed->dma_done);
	return IRQ_HANDLED;
}

/*
 * The physical address behind a CPU pointer, for the report.  virt_to_phys
 * is only arithmetic on the direct map (kmalloc, most coherent memory);
 * dma_alloc_coherent behind an IOMMU may instead hand back a vmap() of
 * scattered pages, whose physical address only the page tables know.
 */
static phys_addr_t edu_dma_cpu_phys(void *cpu)
{
	if (is_vmalloc_addr(cpu))
		return page_to_phys(vmalloc_to_page(cpu)) + offset_in_page(cpu);
	return virt_to_phys(cpu);
}

/*
 * One leg: the engine copies count bytes between RAM at `ram` and its own
 * buffer.  to_ram picks the direction.  Returns once the DMA-done
 * interrupt came, or -ETIMEDOUT.
 */
static int edu_dma_leg(struct edu_dma *ed, dma_addr_t ram, size_t count,
		       bool to_ram)
{
	u64 cmd = EDU_DMA_START | EDU_DMA_IRQ;
	unsigned long left, timeout = msecs_to_jiffies(EDU_DMA_TIMEOUT_MS);

	reinit_completion(&ed->dma_done);
	if (to_ram) {
		edu_writeq(ed, EDU_REG_DMA_SRC, EDU_DMA_BUF_ADDR);
		edu_writeq(ed, EDU_REG_DMA_DST, ram);
		cmd |= EDU_DMA_TO_RAM;
	} else {
		edu_writeq(ed, EDU_REG_DMA_SRC, ram);
		edu_writeq(ed, EDU_REG_DMA_DST, EDU_DMA_BUF_ADDR);
	}
	edu_writeq(ed, EDU_REG_DMA_COUNT, count);
	/*
	 * writeq orders every earlier store to normal memory before the
	 * MMIO store (memory-barriers.txt), so the device, once started,
	 * sees the pattern the CPU wrote into the buffer.
	 */
	edu_writeq(ed, EDU_REG_DMA_CMD, cmd);

	left = wait_for_completion_timeout(&ed->dma_done, timeout);
	if (left)
		return 0;

	/*
	 * edu cannot abort a transfer, yet our caller is about to free the
	 * buffer.  Cutting bus mastering is the one way a driver can keep a
	 * device off memory; after that this device is of no further use.
	 */
	dev_err(&ed->pdev->dev,
		"DMA did not finish within %d ms (cmd 0x%llx); bus mastering is now off, reload the module\n",
		EDU_DMA_TIMEOUT_MS, edu_readq(ed, EDU_REG_DMA_CMD));
	pci_clear_master(ed->pdev);
	ed->fenced = true;
	return -ETIMEDOUT;
}

static void edu_dma_fill(u8 *buf, size_t count, unsigned int seq)
{
	size_t i;

	for (i = 0; i < count; i++)
		buf[i] = (u8)(i * 7 + seq);
}

/* Bytes that match the pattern, counted from the start. */
static size_t edu_dma_check(const u8 *buf, size_t count, unsigned int seq)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (buf[i] != (u8)(i * 7 + seq))
			break;
	return i;
}

static void edu_dma_release_keep(struct edu_dma *ed)
{
	struct edu_dma_keep *k = &ed->keep;

	if (!k->cpu)
		return;
	if (k->coherent)
		dma_free_coherent(&ed->pdev->dev, k->size, k->cpu, k->dma);
	else
		kfree(k->cpu);
	k->cpu = NULL;
}

/*
 * Streaming DMA: ordinary kernel memory, lent to the device for one
 * transfer at a time.  dma_map_single() hands the buffer to the device and
 * returns the address the device must use; dma_unmap_single() hands it
 * back to the CPU.  The mapping lives only while a transfer needs it, and
 * between the two calls the CPU must not touch the buffer (a driver that
 * reuses one mapping passes ownership with dma_sync_single_for_cpu() and
 * dma_sync_single_for_device() instead).  On a non-coherent CPU the map
 * cleans or invalidates the caches and the unmap invalidates them again;
 * behind an IOMMU the map creates the IOVA and the unmap removes it, so a
 * late or stray device access faults instead of landing in memory that
 * has since been reused.
 *
 * The buffers come from kmalloc: physically contiguous, in the direct map,
 * and aligned to at least ARCH_DMA_MINALIGN.  That alignment is the
 * cache-line size on architectures whose DMA does not snoop the caches (128
 * on arm64), so a kmalloc buffer never shares a cache line with someone
 * else's data; invalidating the line for the device would otherwise destroy
 * the neighbour's fresh writes.  x86 snoops, so it is 8 here.  Never DMA
 * into a stack variable or a field in the middle of a structure.
 */
static int edu_dma_run_streaming(struct edu_dma *ed, struct edu_dma_run *run)
{
	struct device *dev = &ed->pdev->dev;
	size_t count = run->count;
	u8 *src, *dst;
	int ret;

	src = kmalloc(count, GFP_KERNEL);
	if (!src)
		return -ENOMEM;
	dst = kzalloc(count, GFP_KERNEL);
	if (!dst) {
		ret = -ENOMEM;
		goto free_src;
	}
	edu_dma_fill(src, count, run->seq);
	run->to_phys = virt_to_phys(src);
	run->from_phys = virt_to_phys(dst);

	/*
	 * The direction says who writes: DMA_TO_DEVICE, the device only reads
	 * (the CPU's writes must be pushed out first); DMA_FROM_DEVICE, the
	 * device only writes (stale cache lines must not hide its data).  It
	 * also sets the IOMMU permission, so a device writing into a
	 * TO_DEVICE mapping faults.  DMA_BIDIRECTIONAL is for when it truly is
	 * both or unknown; DMA_NONE is only a debugging sentinel and mapping
	 * with it is a bug (the DMA API BUGs on it).
	 */
	run->to_dma = dma_map_single(dev, src, count, DMA_TO_DEVICE);
	/*
	 * Mapping can fail: no IOVA space left, or, without an IOMMU, a buffer
	 * above the mask that no bounce buffer can cover.  The value returned
	 * then is not an address; only dma_mapping_error() can tell.
	 */
	if (dma_mapping_error(dev, run->to_dma)) {
		ret = -ENOMEM;
		goto free_dst;
	}
	ret = edu_dma_leg(ed, run->to_dma, count, false);
	dma_unmap_single(dev, run->to_dma, count, DMA_TO_DEVICE);
	if (ret)
		goto free_dst;

	run->from_dma = dma_map_single(dev, dst, count, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, run->from_dma)) {
		ret = -ENOMEM;
		goto free_dst;
	}
	ret = edu_dma_leg(ed, run->from_dma, count, true);
	/* Only after the unmap may the CPU look at what the device wrote. */
	dma_unmap_single(dev, run->from_dma, count, DMA_FROM_DEVICE);
	if (ret)
		goto free_dst;

	run->verified = edu_dma_check(dst, count, run->seq);
	ed->keep = (struct edu_dma_keep){ .cpu = dst, .size = count };
	kfree(src);
	return 0;

free_dst:
	kfree(dst);
free_src:
	kfree(src);
	return ret;
}

/*
 * Coherent DMA: one allocation that CPU and device share for as long as the
 * driver likes, with no map/unmap and no ownership hand-over; both sides see
 * each other's writes (uncached where the hardware does not snoop).  It
 * suits long-lived memory that both touch at any time: descriptor rings,
 * mailboxes, status words.  It is scarcer and may be slower for the CPU,
 * so bulk data that flows one way per transfer is usually streamed.
 *
 * Here one two-page allocation holds the pattern in its first page; the
 * device reads it from there and writes it back into the second page.
 */
static int edu_dma_run_coherent(struct edu_dma *ed, struct edu_dma_run *run)
{
	struct device *dev = &ed->pdev->dev;
	size_t size = 2 * PAGE_SIZE;
	dma_addr_t dma;
	u8 *cpu;
	int ret;

	/* The memory comes back zeroed, and addressable under the mask. */
	cpu = dma_alloc_coherent(dev, size, &dma, GFP_KERNEL);
	if (!cpu)
		return -ENOMEM;
	edu_dma_fill(cpu, run->count, run->seq);
	run->to_dma = dma;
	run->from_dma = dma + PAGE_SIZE;
	/*
	 * Behind an IOMMU the two pages need not be neighbours in physical
	 * memory (only in IOVA space), so each gets its own lookup.
	 */
	run->vmapped = is_vmalloc_addr(cpu);
	run->to_phys = edu_dma_cpu_phys(cpu);
	run->from_phys = edu_dma_cpu_phys(cpu + PAGE_SIZE);

	ret = edu_dma_leg(ed, run->to_dma, run->count, false);
	if (!ret)
		ret = edu_dma_leg(ed, run->from_dma, run->count, true);
	if (ret) {
		dma_free_coherent(dev, size, cpu, dma);
		return ret;
	}
	run->verified = edu_dma_check(cpu + PAGE_SIZE, run->count, run->seq);
	ed->keep = (struct edu_dma_keep){
		.cpu = cpu, .dma = dma, .size = size, .coherent = true,
	};
	return 0;
}

static int edu_dma_run(struct edu_dma *ed, enum edu_dma_mode mode,
		       size_t count)
{
	struct edu_dma_run *run = &ed->last;
	unsigned int irqs = atomic_read(&ed->irqs);
	int ret;

	/* After a timeout the device was cut off the bus: see edu_dma_leg(). */
	if (ed->fenced)
		return -EIO;
	edu_dma_release_keep(ed);
	*run = (struct edu_dma_run){
		.seq = run->seq + 1, .mode = mode, .count = count,
	};
	if (mode == EDU_MODE_STREAMING)
		ret = edu_dma_run_streaming(ed, run);
	else
		ret = edu_dma_run_coherent(ed, run);
	if (!ret && run->verified != count)
		ret = -EIO;
	run->irqs = atomic_read(&ed->irqs) - irqs;
	run->error = ret;
	return ret;
}

static ssize_t edu_dma_run_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	struct edu_dma *ed = file->private_data;
	enum edu_dma_mode mode;
	char line[32], *p = line, *word;
	unsigned int count;
	int ret;

	if (len >= sizeof(line))
		return -EINVAL;
	if (copy_from_user(line, ubuf, len))
		return -EFAULT;
	line[len] = '\0';

	word = strsep(&p, " ");
	if (!strcmp(word, edu_dma_mode_names[EDU_MODE_STREAMING]))
		mode = EDU_MODE_STREAMING;
	else if (!strcmp(word, edu_dma_mode_names[EDU_MODE_COHERENT]))
		mode = EDU_MODE_COHERENT;
	else
		return -EINVAL;
	if (!p || kstrtouint(skip_spaces(p), 0, &count))
		return -EINVAL;
	if (count < 1 || count > EDU_DMA_MAX_COUNT) {
		dev_warn(&ed->pdev->dev,
			 "count %u refused: 1 to %d bytes; QEMU 7.2 aborts the whole emulator when an edu transfer ends at or past 0x%x, and count 0 is out of range too\n",
			 count, EDU_DMA_MAX_COUNT,
			 EDU_DMA_BUF_ADDR + EDU_DMA_BUF_SIZE);
		return -EINVAL;
	}

	ret = mutex_lock_killable(&ed->lock);
	if (ret)
		return ret;
	ret = edu_dma_run(ed, mode, count);
	mutex_unlock(&ed->lock);
	return ret ? ret : len;
}

static const struct file_operations edu_dma_run_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= edu_dma_run_write,
	/* no .llseek: the file cannot seek (lseek() fails with ESPIPE) */
};

/* The name sysfs gives the same domain in iommu_group/type. */
static const char *edu_dma_domain_name(struct iommu_domain *domain)
{
	if (!domain)
		return "none";
	switch (domain->type) {
	case IOMMU_DOMAIN_BLOCKED:
		return "blocked";
	case IOMMU_DOMAIN_IDENTITY:
		return "identity";
	case IOMMU_DOMAIN_UNMANAGED:
		return "unmanaged";
	case IOMMU_DOMAIN_DMA:
		return "DMA";
	case IOMMU_DOMAIN_DMA_FQ:
		return "DMA-FQ";
	default:
		return "unknown";
	}
}

static int edu_dma_report_show(struct seq_file *m, void *v)
{
	struct edu_dma *ed = m->private;
	struct device *dev = &ed->pdev->dev;
	struct edu_dma_run *run = &ed->last;
	/*
	 * The device's IOMMU domain says whether its DMA addresses are
	 * translated: a DMA domain (IOVAs), an identity one (iommu=pt: bus
	 * address = physical) or none at all (no IOMMU).
	 */
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);
	int ret;

	ret = mutex_lock_killable(&ed->lock);
	if (ret)
		return ret;
	seq_printf(m, "run=%u\n", run->seq);
	seq_printf(m, "mode=%s\n", edu_dma_mode_names[run->mode]);
	seq_printf(m, "count=%zu\n", run->count);
	seq_printf(m, "to_device_dma=%pad\n", &run->to_dma);
	seq_printf(m, "to_device_phys=%pa\n", &run->to_phys);
	seq_printf(m, "from_device_dma=%pad\n", &run->from_dma);
	seq_printf(m, "from_device_phys=%pa\n", &run->from_phys);
	seq_printf(m, "cpu_map=%s\n", run->vmapped ? "vmalloc" : "direct");
	seq_printf(m, "irqs=%u\n", run->irqs);
	seq_printf(m, "verified=%zu\n", run->verified);
	seq_printf(m, "result=%s\n", run->mode == EDU_MODE_NONE ? "none" :
		   !run->error ? "ok" : run->error == -EIO ? "mismatch" :
		   "error");
	seq_printf(m, "error=%d\n", run->error);
	seq_printf(m, "irqs_total=%d\n", atomic_read(&ed->irqs));
	seq_printf(m, "mask=%#llx\n", dma_get_mask(dev));
	seq_printf(m, "coherent_mask=%#llx\n", dev->coherent_dma_mask);
	seq_printf(m, "iommu=%s\n",
		   domain && iommu_is_dma_domain(domain) ? "yes" : "no");
	seq_printf(m, "iommu_domain=%s\n", edu_dma_domain_name(domain));
	mutex_unlock(&ed->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(edu_dma_report);

static int edu_dma_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct edu_dma *ed;
	int ret;

	ed = kzalloc(sizeof(*ed), GFP_KERNEL);
	if (!ed)
		return -ENOMEM;
	ed->pdev = pdev;
	init_completion(&ed->dma_done);
	mutex_init(&ed->lock);
	pci_set_drvdata(pdev, ed);

	ret = pci_enable_device(pdev);
	if (ret)
		goto free_ed;
	ret = pci_request_region(pdev, EDU_BAR, KBUILD_MODNAME);
	if (ret)
		goto disable_device;
	/*
	 * The DMA registers sit at 0x80-0x98 of BAR0: a BAR that is not
	 * memory, or too short for them (a device that only claims to be
	 * edu), must not be mapped and written.
	 */
	if (!(pci_resource_flags(pdev, EDU_BAR) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, EDU_BAR) < EDU_BAR_SIZE) {
		dev_err(dev, "BAR%d is not a %d KiB memory BAR\n",
			EDU_BAR, EDU_BAR_SIZE / 1024);
		ret = -ENODEV;
		goto release_region;
	}
	ed->bar = pci_iomap(pdev, EDU_BAR, EDU_BAR_SIZE);
	if (!ed->bar) {
		ret = -ENOMEM;
		goto release_region;
	}

	/*
	 * Bus mastering lets the device start memory transactions of its
	 * own.  Both DMA and MSI are such transactions (an MSI is a memory
	 * write to the interrupt controller's address): with the bit off,
	 * neither a transfer nor its interrupt ever arrives.
	 */
	pci_set_master(pdev);

	/*
	 * edu's engine keeps only the low 28 bits of a RAM address: it reaches
	 * the first 256 MiB of the bus.  The mask tells the DMA API so: without
	 * an IOMMU it refuses (or bounces) memory above it, behind one it
	 * picks IOVAs below it.  The default mask is 32 bits, which would let
	 * addresses through that the device silently truncates.  This sets
	 * the streaming mask (dma_set_mask) and the coherent one
	 * (dma_set_coherent_mask) together; devices whose descriptor engine
	 * is narrower than their data engine set them apart.
	 */
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret) {
		dev_err(dev, "no usable %d-bit DMA on this platform\n",
			EDU_DMA_BITS);
		goto clear_master;
	}

	/*
	 * A previous owner may have left an interrupt pending (a run cut off
	 * by a timeout never got its ack).  Clear it, so the first interrupt
	 * this driver sees is one it asked for.
	 */
	edu_write(ed, EDU_REG_IRQ_ACK, edu_read(ed, EDU_REG_IRQ_STATUS));

	/* One MSI vector: edu has just one, and no MSI-X. */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		goto clear_master;
	ret = request_irq(pci_irq_vector(pdev, 0), edu_dma_irq, 0,
			  KBUILD_MODNAME, ed);
	if (ret)
		goto free_vectors;

	/*
	 * debugfs failures are deliberately not checked: the driver works
	 * without its files.  The directory is fixed, so a second edu would
	 * get none (the lab VM has one).
	 */
	ed->debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("run", 0200, ed->debugfs, ed, &edu_dma_run_fops);
	debugfs_create_file("report", 0444, ed->debugfs, ed,
			    &edu_dma_report_fops);

	dev_info(dev, "id %#x, MSI irq %d, DMA mask %#llx, IOMMU domain %s\n",
		 edu_read(ed, EDU_REG_ID), pci_irq_vector(pdev, 0),
		 dma_get_mask(dev),
		 edu_dma_domain_name(iommu_get_domain_for_dev(dev)));
	return 0;

free_vectors:
	pci_free_irq_vectors(pdev);
clear_master:
	pci_clear_master(pdev);
	pci_iounmap(pdev, ed->bar);
release_region:
	pci_release_region(pdev, EDU_BAR);
disable_device:
	pci_disable_device(pdev);
free_ed:
	kfree(ed);
	return ret;
}

static void edu_dma_remove(struct pci_dev *pdev)
{
	struct edu_dma *ed = pci_get_drvdata(pdev);

	/*
	 * Removing the files waits for a write in progress to return, and a
	 * run returns only when its transfer is over (or the device is
	 * fenced off the bus), so from here on the device is idle and no
	 * new run can start.
	 */
	debugfs_remove_recursive(ed->debugfs);
	edu_dma_release_keep(ed);
	free_irq(pci_irq_vector(pdev, 0), ed);
	pci_free_irq_vectors(pdev);
	pci_clear_master(pdev);
	pci_iounmap(pdev, ed->bar);
	pci_release_region(pdev, EDU_BAR);
	pci_disable_device(pdev);
	kfree(ed);
}

static const struct pci_device_id edu_dma_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_dma_ids);

static struct pci_driver edu_dma_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= edu_dma_ids,
	.probe		= edu_dma_probe,
	.remove		= edu_dma_remove,
};
module_pci_driver(edu_dma_driver);

MODULE_DESCRIPTION("addrlab: streaming and coherent DMA with the edu device");
MODULE_LICENSE("GPL");
