-- Known-bad variants of the reference: each must be rejected by its check.
return {
  classes = {
    { id = "refcount", what = "a page handed to the page tables without its reference" },
    { id = "bounds", what = "a fault past the end answered with something other than SIGBUS" },
    { id = "indexing", what = "the wrong page for the faulting address" },
    { id = "flags", what = "the mapping's flags tested wrongly" },
  },
  { name = "no-get-page", class = "refcount", check = "refcount", file = "nopage.c",
    from = "\tget_page(page);\n", to = "",
    why = "the page table's reference is never taken: unmapping drops the driver's own, and the page is freed under it" },
  { name = "zero-past-end", class = "bounds", check = "sigbus-past-end", file = "nopage.c",
    from = "\tif (vmf->pgoff >= npages)\n\t\treturn VM_FAULT_SIGBUS;",
    to = "\tif (vmf->pgoff >= npages)\n\t\treturn 0;",
    why = "past the end it answers 0 with no page: the kernel dereferences a NULL vmf->page" },
  { name = "index-by-address", class = "indexing", check = "faults-once", file = "nopage.c",
    from = "page = nopage_pages[vmf->pgoff];",
    to = "page = nopage_pages[vmf->address >> PAGE_SHIFT];",
    why = "vmf->address is a user virtual address, not an index into the driver's pages" },
  { name = "private-allowed", class = "flags", check = "refuses-private", file = "nopage.c",
    from = "\tif (!(vma->vm_flags & VM_MAYSHARE))\n\t\treturn -EINVAL;\n", to = "",
    why = "a private mapping is accepted: the first write would copy the page, and the driver would never see it" },
}
