-- Mistakes students make when translating through /proc/self/pagemap; each
-- must be rejected by the check it names.
return {
  { name = "no-touch", check = "one-line-per-page", file = "pagemap.c",
    from = "\t\tsnprintf(map + k * page_size, page_size, \"%s page %ld\", path, k);\n",
    to = "\t\t(void)k;\n",
    why = "mmap() gave addresses but no frames: pagemap says not present (PFN 0)" },
  { name = "offset-vpn", check = "phys-holds-the-page", file = "pagemap.c",
    from = "off = (off_t)(vpn * PM_ENTRY_SIZE);", to = "off = (off_t)vpn;",
    why = "reads the entry of some other virtual page (vpn / 8), not this one" },
  { name = "int-shift", check = "builds", file = "pagemap.c",
    from = "#define PM_PRESENT\t(1ull << 63)", to = "#define PM_PRESENT\t(1 << 63)",
    why = "1 is an int: shifting it by 63 is undefined (gcc warns), so bit 63 is never tested" },
  { name = "no-shift", check = "phys-holds-the-page", file = "pagemap.c",
    from = "*phys = pfn * (uint64_t)page_size + virt % page_size;", to = "*phys = pfn;",
    why = "prints the frame number as if it were a byte address" },
  { name = "private-mapping", check = "phys-holds-the-page", file = "pagemap.c",
    from = "PROT_READ | PROT_WRITE, MAP_SHARED,", to = "PROT_READ | PROT_WRITE, MAP_PRIVATE,",
    why = "a private mapping writes into anonymous copies, not the file's pages" },
}
