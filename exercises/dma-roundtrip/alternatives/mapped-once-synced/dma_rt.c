// SPDX-License-Identifier: GPL-2.0
/* dma_rt.c - both buffers mapped once, handed back and forth with dma_sync_single_*(). */
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
	to_phys = virt_to_phys(src);
	from_phys = virt_to_phys(rt->dst);

	/* Both mappings made up front; each buffer then changes hands by syncs. */
	to_dma = dma_map_single(dev, src, count, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, to_dma)) {
		ret = -ENOMEM;
		goto out;
	}
	from_dma = dma_map_single(dev, rt->dst, count, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, from_dma)) {
		dma_unmap_single(dev, to_dma, count, DMA_TO_DEVICE);
		ret = -ENOMEM;
		goto out;
	}

	dma_sync_single_for_cpu(dev, to_dma, count, DMA_TO_DEVICE);
	for (i = 0; i < count; i++)
		src[i] = dma_rt_byte(i);
	dma_sync_single_for_device(dev, to_dma, count, DMA_TO_DEVICE);
	dev_info(dev, "to_device: dma=%pad phys=%pa\n", &to_dma, &to_phys);
	ret = dma_rt_leg(rt, to_dma, count, false);
	if (!ret) {
		dev_info(dev, "from_device: dma=%pad phys=%pa\n", &from_dma, &from_phys);
		ret = dma_rt_leg(rt, from_dma, count, true);
	}
	dma_sync_single_for_cpu(dev, from_dma, count, DMA_FROM_DEVICE);
	dma_unmap_single(dev, from_dma, count, DMA_FROM_DEVICE);
	dma_unmap_single(dev, to_dma, count, DMA_TO_DEVICE);
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

	pci_set_master(pdev);

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret) {
		dev_err(dev, "no usable %d-bit DMA\n", EDU_DMA_BITS);
		goto unmap;
	}

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
	if (count < 1 || count > EDU_DMA_MAX_COUNT) {
		pr_err("dma_rt: count=%u: use 1 to %d\n", count,
		       EDU_DMA_MAX_COUNT);
		return -EINVAL;
	}
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
