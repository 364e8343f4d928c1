-- Known-bad variants of the reference: each must be rejected by its check.
-- A leaked region outlives the module until the VM reboots: the checks
-- restart the VM when they find one, so it spoils nothing after it.
return {
  classes = {
    { id = "enable", what = "the device used before pci_enable_device: its BAR is not decoded" },
    { id = "iomem", what = "an __iomem pointer dereferenced instead of read with ioread32" },
    { id = "register", what = "the wrong register, offset or access width" },
    { id = "remove", what = "remove() leaves something behind: a mapping, a region, the device enabled" },
  },
  { name = "no-enable", class = "enable", check = "reads-id", file = "edu_id.c",
    from = "\tret = pci_enable_device(pdev);\n", to = "\tret = 0;\n",
    why = "without pci_enable_device the BAR is not decoded: the ID reads 0xffffffff" },
  { name = "plain-dereference", class = "iomem", check = "sparse", file = "edu_id.c",
    from = "id = ioread32(edu->regs + EDU_REG_ID);",
    to = "id = *(u32 *)(edu->regs + EDU_REG_ID);",
    why = "a plain dereference of an __iomem pointer: it builds and even works on x86, but sparse flags it" },
  { name = "wrong-offset", class = "register", check = "reads-id", file = "edu_id.c",
    from = "id = ioread32(edu->regs + EDU_REG_ID);",
    to = "id = ioread32(edu->regs + EDU_REG_LIVENESS);",
    why = "reads the liveness register (0x04) instead of the ID (0x00)" },
  { name = "no-iounmap", class = "remove", check = "unmaps", file = "edu_id.c",
    from = "\tpci_iounmap(pdev, edu->regs);\n\tpci_release_region(pdev, EDU_BAR);\n\tpci_disable_device(pdev);\n\t/* END STEP 6 */",
    to = "\tpci_release_region(pdev, EDU_BAR);\n\tpci_disable_device(pdev);\n\t/* END STEP 6 */",
    why = "remove() leaks the kernel mapping of BAR0" },
  { name = "liveness-read-only", class = "register", check = "liveness", file = "edu_id.c",
    from = "\tiowrite32(EDU_ID_LIVENESS_PROBE, edu->regs + EDU_REG_LIVENESS);\n",
    to = "",
    why = "never writes the liveness register, so it only reads what was there" },
  { name = "region-leaked", class = "remove", check = "loads-twice", file = "edu_id.c",
    from = "\tpci_iounmap(pdev, edu->regs);\n\tpci_release_region(pdev, EDU_BAR);\n\tpci_disable_device(pdev);\n\t/* END STEP 6 */",
    to = "\tpci_iounmap(pdev, edu->regs);\n\tpci_disable_device(pdev);\n\t/* END STEP 6 */",
    why = "remove() never releases BAR0: the next probe cannot claim it" },
}
