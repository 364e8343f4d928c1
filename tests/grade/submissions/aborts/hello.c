// SPDX-License-Identifier: GPL-2.0
/* A submission whose init starts an edu DMA one byte longer than its buffer:
 * QEMU before 8.0 aborts, later ones log a guest error. */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/pci.h>

static char *who = "world";
module_param(who, charp, 0444);

static int __init hello_init(void)
{
	struct pci_dev *pdev = pci_get_device(0x1234, 0x11e8, NULL);
	void __iomem *bar;

	pr_info("hello, %s\n", who);
	if (!pdev || pci_enable_device(pdev))
		return -ENODEV;
	bar = pci_iomap(pdev, 0, 0);
	if (!bar)
		return -ENOMEM;
	pci_set_master(pdev);
	writeq(0x1000, bar + 0x80);
	writeq(0x40000, bar + 0x88);
	writeq(4097, bar + 0x90);
	writeq(1, bar + 0x98);
	msleep(1000);
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("goodbye\n");
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
