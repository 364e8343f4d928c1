// SPDX-License-Identifier: GPL-2.0
/*
 * edu_id.c - chapter 3's exercise: a PCI driver that finds QEMU's edu
 * device, maps its registers into kernel virtual space and asks it who it
 * is.
 *
 * probe() brings the device up one step at a time; each step has an undo,
 * and a failure unwinds the steps already done in reverse order:
 *
 *	pci_enable_device	pci_disable_device
 *	pci_request_region	pci_release_region
 *	pci_iomap		pci_iounmap
 *
 * Loaded, it prints
 *
 *	edu_id: ID 0x010000ed
 *	edu_id: liveness: wrote 0x5aa55aa5, read 0xa55aa55a
 *
 * and /proc/iomem shows BAR0 claimed as "edu_id".  rmmod undoes it all.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "edu.h"

/* Any value works; this one has both 0 and 1 in every byte. */
#define EDU_ID_LIVENESS_PROBE	0x5aa55aa5

struct edu_id {
	void __iomem *regs;	/* BAR0 in kernel virtual space */
};

static int edu_id_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct edu_id *edu;
	u32 id, back;
	int ret;

	/* Plain memory, not the subject here: devm frees it after remove. */
	edu = devm_kzalloc(&pdev->dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	pci_set_drvdata(pdev, edu);

	/* STEP 1: Turn the device on with pci_enable_device(); the result goes in ret. */
	ret = pci_enable_device(pdev);
	/* SKELETON: ret = -ENODEV; */
	/* END STEP 1 */
	if (ret)
		return ret;

	/* STEP 2: Claim BAR0 (EDU_BAR) as KBUILD_MODNAME: pci_request_region(), into ret. */
	ret = pci_request_region(pdev, EDU_BAR, KBUILD_MODNAME);
	/* SKELETON: ret = -ENODEV; */
	/* END STEP 2 */
	if (ret)
		goto err_disable;

	/* STEP 3: Map all of BAR0 with pci_iomap() into edu->regs (NULL on failure). */
	edu->regs = pci_iomap(pdev, EDU_BAR, 0);
	/* END STEP 3 */
	if (!edu->regs) {
		ret = -ENOMEM;
		goto err_release;
	}

	/* STEP 4: Read the ID register (EDU_REG_ID) with ioread32() into id. */
	id = ioread32(edu->regs + EDU_REG_ID);
	/* SKELETON: id = 0; */
	/* END STEP 4 */
	pr_info("ID 0x%08x\n", id);
	/* Where no device decodes, QEMU reads 0 and real hardware all ones. */
	if ((id & 0xff) != (EDU_ID_VALUE & 0xff)) {
		pr_err("not an edu device\n");
		ret = -ENODEV;
		goto err_unmap;
	}

	/* STEP 5: Write EDU_ID_LIVENESS_PROBE to EDU_REG_LIVENESS; read it back into back. */
	iowrite32(EDU_ID_LIVENESS_PROBE, edu->regs + EDU_REG_LIVENESS);
	back = ioread32(edu->regs + EDU_REG_LIVENESS);
	/* SKELETON: back = 0; */
	/* END STEP 5 */
	pr_info("liveness: wrote 0x%08x, read 0x%08x\n", EDU_ID_LIVENESS_PROBE,
		back);
	/* The device answers with the inverse of what it was given. */
	if (back != (u32)~EDU_ID_LIVENESS_PROBE) {
		pr_err("liveness: expected 0x%08x\n", (u32)~EDU_ID_LIVENESS_PROBE);
		ret = -EIO;
		goto err_unmap;
	}
	return 0;

	/* Each label undoes one step, in the reverse order of probe. */
err_unmap:
	pci_iounmap(pdev, edu->regs);
err_release:
	pci_release_region(pdev, EDU_BAR);
err_disable:
	pci_disable_device(pdev);
	return ret;
}

static void edu_id_remove(struct pci_dev *pdev)
{
	/* STEP 6: Undo probe in reverse: iounmap, release the region, disable the device. */
	struct edu_id *edu = pci_get_drvdata(pdev);

	pci_iounmap(pdev, edu->regs);
	pci_release_region(pdev, EDU_BAR);
	pci_disable_device(pdev);
	/* END STEP 6 */
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
	.remove = edu_id_remove,
};
module_pci_driver(edu_id_driver);

MODULE_DESCRIPTION("addrlab chapter 3 exercise: edu's ID through pci_iomap");
MODULE_LICENSE("GPL");
