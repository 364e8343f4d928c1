// SPDX-License-Identifier: GPL-2.0
/* edu_id.c - pci_ioremap_bar(), state in a kzalloc'd struct freed in remove. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "edu.h"

struct edu {
	void __iomem *mmio;
};

static int edu_id_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	const u32 probe = 0xffff0000;
	struct edu *edu;
	u32 back;
	int ret;

	edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto err_free;
	ret = pci_request_region(pdev, EDU_BAR, "edu_id");
	if (ret)
		goto err_disable;
	edu->mmio = pci_ioremap_bar(pdev, EDU_BAR);
	if (!edu->mmio) {
		ret = -ENOMEM;
		goto err_release;
	}
	pci_set_drvdata(pdev, edu);

	pr_info("ID 0x%08x\n", ioread32(edu->mmio + EDU_REG_ID));
	iowrite32(probe, edu->mmio + EDU_REG_LIVENESS);
	back = ioread32(edu->mmio + EDU_REG_LIVENESS);
	pr_info("liveness: wrote 0x%08x, read 0x%08x\n", probe, back);
	return 0;

err_release:
	pci_release_region(pdev, EDU_BAR);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(edu);
	return ret;
}

static void edu_id_remove(struct pci_dev *pdev)
{
	struct edu *edu = pci_get_drvdata(pdev);

	iounmap(edu->mmio);
	pci_release_region(pdev, EDU_BAR);
	pci_disable_device(pdev);
	kfree(edu);
}

static const struct pci_device_id edu_id_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_id_ids);

static struct pci_driver edu_id_driver = {
	.name = "edu_id",
	.id_table = edu_id_ids,
	.probe = edu_id_probe,
	.remove = edu_id_remove,
};
module_pci_driver(edu_id_driver);

MODULE_LICENSE("GPL");
