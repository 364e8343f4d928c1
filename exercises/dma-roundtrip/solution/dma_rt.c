// SPDX-License-Identifier: GPL-2.0
/*
 * dma_rt.c - chapter 6's exercise: one DMA round trip through QEMU's edu
 * device with streaming mappings, RAM -> edu's buffer (0x40000) -> RAM.
 *
 * At probe the driver fills `count` bytes of a kmalloc buffer with a
 * pattern, lends it to the device for the first leg, lends a second
 * (zeroed) buffer for the way back, waits for edu's DMA-done interrupt
 * (an MSI) after each leg, and compares.  The buffer the device wrote stays
 * allocated until the driver is removed, so the grader can read it from the
 * host at the physical address the driver prints.
 *
 *	insmod dma_rt.ko count=4095		(1 to 4095, default 1024)
 *	dmesg | grep dma_rt
 */
#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "edu.h"

#define DMA_RT_TIMEOUT_MS	5000

static unsigned int count = 1024;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "bytes to send through edu and back, 1 to 4095");

struct dma_rt {
	struct pci_dev *pdev;
	void __iomem *bar;
	struct completion done;		/* completed by the DMA-done IRQ */
	u8 *dst;			/* what the device wrote, until remove */
};

/* Byte i of the pattern: the grader computes the same. */
static u8 dma_rt_byte(size_t i)
{
	return (u8)(i * 31 + 7);
}

static irqreturn_t dma_rt_irq(int irq, void *data)
{
	struct dma_rt *rt = data;
	u32 status = readl(rt->bar + EDU_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	writel(status, rt->bar + EDU_REG_IRQ_ACK);
	if (status & EDU_IRQ_DMA)
		complete(&rt->done);
	return IRQ_HANDLED;
}

/*
 * One leg: edu copies len bytes between RAM at bus address `ram` and its
 * own buffer at EDU_DMA_BUF_ADDR, then raises EDU_IRQ_DMA.  The DMA
 * registers are 64 bits wide: write them with writeq.
 */
static int dma_rt_leg(struct dma_rt *rt, dma_addr_t ram, size_t len,
		      bool to_ram)
{
	unsigned long left;

	reinit_completion(&rt->done);
	/* STEP 1: Program src, dst and count (writeq), then start with EDU_DMA_START | EDU_DMA_IRQ (| EDU_DMA_TO_RAM for the way back); wait for the completion, at most DMA_RT_TIMEOUT_MS. */
	if (to_ram) {
		writeq(EDU_DMA_BUF_ADDR, rt->bar + EDU_REG_DMA_SRC);
		writeq(ram, rt->bar + EDU_REG_DMA_DST);
	} else {
		writeq(ram, rt->bar + EDU_REG_DMA_SRC);
		writeq(EDU_DMA_BUF_ADDR, rt->bar + EDU_REG_DMA_DST);
	}
	writeq(len, rt->bar + EDU_REG_DMA_COUNT);
	writeq(EDU_DMA_START | EDU_DMA_IRQ | (to_ram ? EDU_DMA_TO_RAM : 0),
	       rt->bar + EDU_REG_DMA_CMD);
	left = wait_for_completion_timeout(&rt->done,
					   msecs_to_jiffies(DMA_RT_TIMEOUT_MS));
	/* SKELETON: left = 0; */
	/* END STEP 1 */
	if (!left) {
		/* edu cannot abort: keep it off memory we are about to free. */
		pci_clear_master(rt->pdev);
		dev_err(&rt->pdev->dev, "%s leg: no DMA-done interrupt within %d ms\n",
			to_ram ? "from_device" : "to_device", DMA_RT_TIMEOUT_MS);
		return -ETIMEDOUT;
	}
	return 0;
}

static int dma_rt_round_trip(struct dma_rt *rt)
{
	struct device *dev = &rt->pdev->dev;
	dma_addr_t to_dma, from_dma;
	phys_addr_t to_phys, from_phys;
	size_t i;
	u8 *src;
	int ret;

	/* kmalloc: physically contiguous, and never sharing a cache line. */
	src = kmalloc(count, GFP_KERNEL);
	rt->dst = kzalloc(count, GFP_KERNEL);
	if (!src || !rt->dst) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < count; i++)
		src[i] = dma_rt_byte(i);
	to_phys = virt_to_phys(src);
	from_phys = virt_to_phys(rt->dst);

	/* STEP 2: Lend src to the device for the first leg: dma_map_single() with this leg's direction; a failed mapping is no address, check it with dma_mapping_error(). */
	to_dma = dma_map_single(dev, src, count, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, to_dma)) {
		ret = -ENOMEM;
		goto out;
	}
	/* SKELETON: to_dma = 0; */
	/* END STEP 2 */
	dev_info(dev, "to_device: dma=%pad phys=%pa\n", &to_dma, &to_phys);
	ret = dma_rt_leg(rt, to_dma, count, false);
	/* STEP 3: The leg is over (or failed): give src back to the CPU with dma_unmap_single(), same size and direction. */
	dma_unmap_single(dev, to_dma, count, DMA_TO_DEVICE);
	/* END STEP 3 */
	if (ret)
		goto out;

	/* STEP 4: Lend rt->dst for the way back: map it with this leg's direction and check the mapping. */
	from_dma = dma_map_single(dev, rt->dst, count, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, from_dma)) {
		ret = -ENOMEM;
		goto out;
	}
	/* SKELETON: from_dma = 0; */
	/* END STEP 4 */
	dev_info(dev, "from_device: dma=%pad phys=%pa\n", &from_dma, &from_phys);
	ret = dma_rt_leg(rt, from_dma, count, true);
	/* STEP 5: Unmap rt->dst: only after that may the CPU read what the device wrote. */
	dma_unmap_single(dev, from_dma, count, DMA_FROM_DEVICE);
	/* END STEP 5 */
	if (ret)
		goto out;

	for (i = 0; i < count; i++) {
		if (rt->dst[i] != dma_rt_byte(i)) {
			dev_err(dev, "round trip failed: byte %zu is 0x%02x, expected 0x%02x\n",
				i, rt->dst[i], dma_rt_byte(i));
			ret = -EIO;
			goto out;
		}
	}
	dev_info(dev, "round trip ok: %u bytes\n", count);
out:
	kfree(src);
	if (ret) {
		kfree(rt->dst);
		rt->dst = NULL;
	}
	return ret;
}

static int dma_rt_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct dma_rt *rt;
	int ret;

	rt = devm_kzalloc(dev, sizeof(*rt), GFP_KERNEL);
	if (!rt)
		return -ENOMEM;
	rt->pdev = pdev;
	init_completion(&rt->done);
	pci_set_drvdata(pdev, rt);

	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
	ret = pci_request_region(pdev, EDU_BAR, KBUILD_MODNAME);
	if (ret)
		goto disable;
	rt->bar = pci_iomap(pdev, EDU_BAR, EDU_BAR_SIZE);
	if (!rt->bar) {
		ret = -ENOMEM;
		goto release;
	}

	/* STEP 6: Let the device start memory transactions of its own (DMA and the MSI): bus mastering. */
	pci_set_master(pdev);
	/* END STEP 6 */

	/* STEP 7: Tell the DMA API that edu reaches only EDU_DMA_BITS (28) bits of address, for streaming and coherent mappings both; fail the probe if the platform cannot. */
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret) {
		dev_err(dev, "no usable %d-bit DMA\n", EDU_DMA_BITS);
		goto unmap;
	}
	/* END STEP 7 */

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		goto unmap;
	ret = request_irq(pci_irq_vector(pdev, 0), dma_rt_irq, 0,
			  KBUILD_MODNAME, rt);
	if (ret)
		goto free_vectors;

	ret = dma_rt_round_trip(rt);
	if (ret)
		goto free_irq;
	return 0;

free_irq:
	free_irq(pci_irq_vector(pdev, 0), rt);
free_vectors:
	pci_free_irq_vectors(pdev);
unmap:
	pci_clear_master(pdev);
	pci_iounmap(pdev, rt->bar);
release:
	pci_release_region(pdev, EDU_BAR);
disable:
	pci_disable_device(pdev);
	return ret;
}

static void dma_rt_remove(struct pci_dev *pdev)
{
	struct dma_rt *rt = pci_get_drvdata(pdev);

	free_irq(pci_irq_vector(pdev, 0), rt);
	pci_free_irq_vectors(pdev);
	pci_clear_master(pdev);
	pci_iounmap(pdev, rt->bar);
	pci_release_region(pdev, EDU_BAR);
	pci_disable_device(pdev);
	kfree(rt->dst);
}

static const struct pci_device_id dma_rt_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, dma_rt_ids);

static struct pci_driver dma_rt_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= dma_rt_ids,
	.probe		= dma_rt_probe,
	.remove		= dma_rt_remove,
};

static int __init dma_rt_init(void)
{
	/* STEP 8: Refuse (-EINVAL) a count of 0 or one that would make the transfer reach the end of edu's 4096-byte buffer: QEMU 7.2 aborts on it. */
	if (count < 1 || count > EDU_DMA_MAX_COUNT) {
		pr_err("dma_rt: count=%u: use 1 to %d\n", count,
		       EDU_DMA_MAX_COUNT);
		return -EINVAL;
	}
	/* END STEP 8 */
	return pci_register_driver(&dma_rt_driver);
}

static void __exit dma_rt_exit(void)
{
	pci_unregister_driver(&dma_rt_driver);
}

module_init(dma_rt_init);
module_exit(dma_rt_exit);

MODULE_DESCRIPTION("addrlab exercise: a DMA round trip through edu");
MODULE_LICENSE("GPL");
