// SPDX-License-Identifier: GPL-2.0
/* edu_id.c - managed (pcim_*) calls: the PCI core undoes them after remove. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "edu.h"

#define LIVENESS_PROBE	0x12345678

static int edu_id_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	void __iomem *regs;
	u32 id, back;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_iomap_regions(pdev, BIT(EDU_BAR), KBUILD_MODNAME);
	if (ret)
		return ret;
	regs = pcim_iomap_table(pdev)[EDU_BAR];

	id = ioread32(regs + EDU_REG_ID);
	pr_info("ID 0x%08x\n", id);
	if ((id & 0xff) != 0xed)
		return -ENODEV;

	iowrite32(LIVENESS_PROBE, regs + EDU_REG_LIVENESS);
	back = ioread32(regs + EDU_REG_LIVENESS);
	pr_info("liveness: wrote 0x%08x, read 0x%08x\n", LIVENESS_PROBE, back);
	return back == (u32)~LIVENESS_PROBE ? 0 : -EIO;
}

static const struct pci_device_id edu_id_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_id_ids);

static struct pci_driver edu_id_driver = {
	.name = KBUILD_MODNAME,
	.id_table = edu_id_ids,
	.probe = edu_id_probe,
};
module_pci_driver(edu_id_driver);

MODULE_DESCRIPTION("edu's ID, with managed resources");
MODULE_LICENSE("GPL");
