/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * compat.h - the kernel API names addrlab's modules use that Debian 12's
 * kernel (6.1) does not have yet.
 *
 * The modules and the exercises are written against the current API (the
 * 6.12 kernel of Debian 13 and bookworm-backports).  Every difference with
 * 6.1 is filled in here, once, so no driver needs an #if of its own.  Each
 * entry names the release that brought the name; drop it once 6.1 is gone.
 */
#ifndef ADDRLAB_COMPAT_H
#define ADDRLAB_COMPAT_H

#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
/*
 * 6.3 made vma->vm_flags read-only: flags are changed through helpers that
 * also take the per-VMA lock.  Before, the field was written directly.
 */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 9, 0)
/*
 * folio_mapcount() became an inline in 6.9; before, it was a function
 * modules cannot call (not exported).  For a single page, as in
 * fault_pages, page_mapcount() of the folio's page is the same count.
 */
#define folio_mapcount(folio)	page_mapcount(&(folio)->page)
#endif

#ifndef PCI_IRQ_INTX
/* 6.8 renamed the legacy (INTx) interrupt flag; 6.10 dropped the old name. */
#define PCI_IRQ_INTX	PCI_IRQ_LEGACY
#endif

#endif /* ADDRLAB_COMPAT_H */
