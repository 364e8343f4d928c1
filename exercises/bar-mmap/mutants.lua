-- Known-bad variants of the reference: each must be rejected by its check.
return {
  { name = "pfn-is-phys", check = "maps-id", file = "bar_mmap.c",
    from = "pfn = (bm->start >> PAGE_SHIFT) + vma->vm_pgoff;",
    to = "pfn = bm->start + vma->vm_pgoff;",
    why = "passes the physical address where a page frame number belongs" },
  { name = "private-accepted", check = "refuses-private", file = "bar_mmap.c",
    from = "\tif (!(vma->vm_flags & VM_MAYSHARE))\n\t\treturn -EINVAL;\n",
    to = "",
    why = "no VM_MAYSHARE check: a MAP_PRIVATE mapping of registers is accepted" },
  { name = "no-length-check", check = "refuses-outside", file = "bar_mmap.c",
    from = "\tif (vma->vm_pgoff >= bm->len >> PAGE_SHIFT ||\n\t    vma_pages(vma) > (bm->len >> PAGE_SHIFT) - vma->vm_pgoff)\n",
    to = "\tif (vma->vm_pgoff >= bm->len >> PAGE_SHIFT)\n",
    why = "checks where the window starts but not its length: 1 MiB + 4 KiB maps the next device's registers too" },
  { name = "misc-leaked", check = "unloads", file = "bar_mmap.c",
    from = "\tmisc_deregister(&bm->misc);\n",
    to = "",
    why = "remove() never deregisters /dev/bar_mmap: the node outlives the module" },
}
