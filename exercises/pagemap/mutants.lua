-- Mistakes students make when translating through /proc/self/pagemap; each
-- must be rejected by the check it names.
return {
  classes = {
    { id = "present", what = "the pages are never faulted in, so they have no frames" },
    { id = "indexing", what = "the wrong pagemap entry for the page" },
    { id = "bits", what = "the entry's bits decoded wrongly" },
    { id = "mapping", what = "a mapping of the wrong kind" },
  },
  { name = "no-touch", class = "present", check = "one-line-per-page", file = "pagemap.c",
    from = "\t\tsnprintf(map + k * page_size, page_size, \"%s page %ld\", path, k);\n",
    to = "\t\t(void)k;\n",
    why = "mmap() gave addresses but no frames: pagemap says not present (PFN 0)" },
  { name = "offset-vpn", class = "indexing", check = "phys-holds-the-page", file = "pagemap.c",
    from = "off = (off_t)(vpn * PM_ENTRY_SIZE);", to = "off = (off_t)vpn;",
    why = "reads the entry of some other virtual page (vpn / 8), not this one" },
  { name = "int-shift", class = "bits", check = "builds", file = "pagemap.c",
    from = "#define PM_PRESENT\t(1ull << 63)", to = "#define PM_PRESENT\t(1 << 63)",
    why = "1 is an int: shifting it by 63 is undefined (gcc warns), so bit 63 is never tested" },
  { name = "no-shift", class = "bits", check = "phys-holds-the-page", file = "pagemap.c",
    from = "*phys = pfn * (uint64_t)page_size + virt % page_size;", to = "*phys = pfn;",
    why = "prints the frame number as if it were a byte address" },
  { name = "private-mapping", class = "mapping", check = "phys-holds-the-page", file = "pagemap.c",
    from = "PROT_READ | PROT_WRITE, MAP_SHARED,", to = "PROT_READ | PROT_WRITE, MAP_PRIVATE,",
    why = "a private mapping writes into anonymous copies, not the file's pages" },
}
