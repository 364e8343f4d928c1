// SPDX-License-Identifier: GPL-2.0
/* edu_id.c - ioremap() of BAR0's resource, all regions claimed, readl/writel. */
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "edu.h"

static void __iomem *edu_regs;

static int edu_id_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	u32 id, back;
	int err;

	err = pci_enable_device(pdev);
	if (err)
		goto out;
	err = pci_request_regions(pdev, KBUILD_MODNAME);
	if (err)
		goto out_disable;
	edu_regs = ioremap(pci_resource_start(pdev, 0), pci_resource_len(pdev, 0));
	if (!edu_regs) {
		err = -ENOMEM;
		goto out_release;
	}

	id = readl(edu_regs + EDU_REG_ID);
	dev_info(&pdev->dev, "edu_id: ID 0x%08x\n", id);
	writel(0xdeadbeef, edu_regs + EDU_REG_LIVENESS);
	back = readl(edu_regs + EDU_REG_LIVENESS);
	dev_info(&pdev->dev, "edu_id: liveness: wrote 0x%08x, read 0x%08x\n", 0xdeadbeef, back);
	if (id >> 16 != 0x0100 || back != ~0xdeadbeefU) {
		err = -ENODEV;
		goto out_unmap;
	}
	return 0;

out_unmap:
	iounmap(edu_regs);
out_release:
	pci_release_regions(pdev);
out_disable:
	pci_disable_device(pdev);
out:
	return err;
}

static void edu_id_remove(struct pci_dev *pdev)
{
	iounmap(edu_regs);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
}

static const struct pci_device_id edu_id_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ 0, }
};
MODULE_DEVICE_TABLE(pci, edu_id_ids);

static struct pci_driver edu_id_driver = {
	.name = "edu_id",
	.id_table = edu_id_ids,
	.probe = edu_id_probe,
	.remove = edu_id_remove,
};

static int __init edu_id_init(void)
{
	return pci_register_driver(&edu_id_driver);
}

static void __exit edu_id_exit(void)
{
	pci_unregister_driver(&edu_id_driver);
}

module_init(edu_id_init);
module_exit(edu_id_exit);
MODULE_LICENSE("GPL");
