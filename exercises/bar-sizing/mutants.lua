-- Mistakes students make when sizing a BAR by hand; each must be rejected
-- by the check it names.
return {
  classes = {
    { id = "restore", what = "configuration space not put back as it was" },
    { id = "arithmetic", what = "the size computed wrongly from the value read back" },
    { id = "offset", what = "the wrong configuration register" },
    { id = "bound", what = "a device in use by a driver is touched" },
  },
  { name = "no-restore-bar", class = "restore", check = "config-unchanged", file = "bar_size.c",
    from = "\tif (cfg_write(fd, PCI_BAR0, 4, bar))\n\t\tret = -1;\n", to = "",
    why = "leaves BAR0 at 0xfff00000: the device now answers at the top of the 4 GiB space" },
  { name = "no-restore-command", class = "restore", check = "config-unchanged", file = "bar_size.c",
    from = "\tif (cfg_write(fd, PCI_COMMAND, 2, cmd))\n\t\tret = -1;\n", to = "",
    why = "leaves memory decoding off: the device's registers vanish for its driver" },
  { name = "no-plus-one", class = "arithmetic", check = "size", file = "bar_size.c",
    from = "size = ~probe + 1;", to = "size = ~probe;",
    why = "~probe is the highest offset in the BAR (0xfffff), not its size" },
  { name = "wrong-offset", class = "offset", check = "base", file = "bar_size.c",
    from = "#define PCI_BAR0\t\t0x10", to = "#define PCI_BAR0\t\t0x14",
    why = "0x14 is BAR1, which edu does not implement" },
  { name = "no-driver-check", class = "bound", check = "refuses-bound", file = "bar_size.c",
    from = "\tif (lstat(path, &st) == 0) {", to = "\tif (0 && lstat(path, &st) == 0) {",
    why = "sizes the BAR while a driver is using the device" },
}
