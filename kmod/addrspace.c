// SPDX-License-Identifier: GPL-2.0
/*
 * addrspace.c - chapter 1: three address spaces.
 *
 * A virtual address means nothing until the MMU walks the page tables for
 * it.  This module walks them itself, level by level, exactly as the MMU
 * does, and sets its answer beside the kernel's own:
 *
 *   - a kmalloc buffer of 2 pages: it lives in the direct map, where every
 *     physical page is mapped at PAGE_OFFSET + phys, so the pages are
 *     physically contiguous and virt_to_phys() is just a subtraction;
 *   - a vmalloc buffer of `vmalloc_pages` pages (default 8): contiguous in
 *     virtual addresses only; each page is found through its own PTE, and
 *     vmalloc_to_page() is the kernel's way to ask;
 *   - any address of the reading process, through its own page tables.
 *
 * Every page of both buffers starts with the text "addrlab kmalloc page N"
 * (or "addrlab vmalloc page N"), a NUL, then the byte 0x5a up to the end of
 * the page, so something outside the guest (QEMU, reading guest physical
 * memory) can check that the physical address is right.
 *
 * Use (needs no device; debugfs at /sys/kernel/debug):
 *
 *	insmod addrspace.ko [vmalloc_pages=N]		N from 1 to 256
 *	cat /sys/kernel/debug/addrspace/kmalloc
 *	cat /sys/kernel/debug/addrspace/vmalloc
 *
 * and, for a process's own address, open uwalk read-write, write the
 * address in hex ("0x7ffd1234a000"), seek back to 0 and read the walk (the
 * vtop tool does this).  A write that is not a hex number, or an address
 * outside user space, fails with EINVAL.  Each walked page also gets one
 * machine-readable line:
 *
 *	page=3 virt=0xffffc90000215000 phys=0x2b4e000 kernel=0x2b4e000 leaf=pte
 *	virt=0x7f4b2a1c3000 phys=0x3c2d000 pfn=0x3c2d leaf=pte
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <asm/processor.h>

#define ADDRSPACE_KMALLOC_PAGES	2
#define ADDRSPACE_VMALLOC_MAX	256
#define ADDRSPACE_FILL		0x5a	/* after each page's text, to its end */

static unsigned int vmalloc_pages = 8;
module_param(vmalloc_pages, uint, 0444);
MODULE_PARM_DESC(vmalloc_pages, "pages in the vmalloc buffer (1 to 256, default 8)");

/* One buffer and how to ask the kernel where its pages are. */
struct addrspace_buf {
	const char *kind;		/* "kmalloc" or "vmalloc" */
	void *virt;
	unsigned int pages;
	bool direct_map;		/* kmalloc: phys = virt - PAGE_OFFSET */
	const char *kernel_how;		/* the kernel's own way to ask */
	phys_addr_t (*kernel_phys)(void *virt);
};

static struct addrspace_buf kbuf, vbuf;
static struct dentry *addrspace_dir;

/* The direct map is a fixed offset: valid for kmalloc, not for vmalloc. */
static phys_addr_t addrspace_kmalloc_phys(void *virt)
{
	return virt_to_phys(virt);
}

/* vmalloc pages come one by one: look up the page behind this PTE. */
static phys_addr_t addrspace_vmalloc_phys(void *virt)
{
	return page_to_phys(vmalloc_to_page(virt));
}

/* ---- one page-table walk, as the MMU does it ---- */

/* The x86 entry bits worth reading; bit 7 is PS above the last level. */
static const struct {
	u64 bit;
	const char *name;
} addrspace_flags[] = {
	{ _PAGE_PRESENT,	"P" },
	{ _PAGE_RW,		"RW" },
	{ _PAGE_USER,		"US" },
	{ _PAGE_PWT,		"PWT" },
	{ _PAGE_PCD,		"PCD" },
	{ _PAGE_ACCESSED,	"A" },
	{ _PAGE_DIRTY,		"D" },
	{ _PAGE_PSE,		"PS" },
	{ _PAGE_GLOBAL,		"G" },
	{ _PAGE_NX,		"NX" },
};

/* Prints one level: its name, index, raw entry and decoded flags. */
static void addrspace_show_entry(struct seq_file *m, const char *level,
				 unsigned long index, u64 val, bool last)
{
	const char *sep = "";
	int i;

	seq_printf(m, "  %-10s [%3lu] 0x%016llx [", level, index, val);
	for (i = 0; i < ARRAY_SIZE(addrspace_flags); i++) {
		if (!(val & addrspace_flags[i].bit))
			continue;
		/* In a PTE, bit 7 picks a PAT entry: no level is below. */
		seq_printf(m, "%s%s", sep, last && addrspace_flags[i].bit ==
			   _PAGE_PSE ? "PAT" : addrspace_flags[i].name);
		sep = " ";
	}
	seq_puts(m, "]");
}

/*
 * Ends an entry's line when the walk cannot go on.  The MMU looks at the P
 * bit only; Linux keeps swap and migration entries in the other bits of
 * an entry that is not present.
 */
static bool addrspace_present(struct seq_file *m, u64 val)
{
	if (val & _PAGE_PRESENT)
		return true;
	seq_printf(m, " -> not present%s\n", val ?
		   " (Linux keeps its own data in this entry)" : ": empty");
	return false;
}

static void addrspace_show_table(struct seq_file *m, unsigned long pfn)
{
	seq_printf(m, " -> next table at phys 0x%llx\n",
		   (u64)PFN_PHYS(pfn));
}

/* A leaf: the entry maps a page of `size` bytes; the offset comes from addr. */
static phys_addr_t addrspace_show_leaf(struct seq_file *m, const char *size,
				       unsigned long pfn, unsigned long addr,
				       unsigned long mask)
{
	phys_addr_t page = PFN_PHYS(pfn);

	seq_printf(m, " -> %s page at phys 0x%llx\n", size, (u64)page);
	seq_printf(m, "  %-10s       0x%llx + offset 0x%lx = 0x%llx\n", "phys",
		   (u64)page, addr & ~mask, (u64)(page + (addr & ~mask)));
	return page + (addr & ~mask);
}

/*
 * Walks the tables under `root` (the top-level table, as CR3 names it) for
 * addr.  Returns true and sets *phys and *leaf ("pud", "pmd" or "pte") when
 * a page is mapped there.  On x86-64 every page-table page, a process's
 * too, lies in the direct map, so pte_offset_kernel() reaches any PTE table.
 * (pte_offset_map() is for 32-bit kernels that keep user PTE tables in
 * highmem; since 6.5 modules cannot call it.)
 *
 * The caller keeps the tables from going away: the module owns the
 * kmalloc/vmalloc buffers; for a user address it holds mmap_read_lock.
 * Each entry is read once (READ_ONCE) and decided on that copy.
 */
static bool addrspace_walk(struct seq_file *m, pgd_t *root, unsigned long addr,
			   phys_addr_t *phys, const char **leaf)
{
	bool l5 = pgtable_l5_enabled();
	pgd_t *pgdp, pgd;
	p4d_t *p4dp, p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;
	pte_t *ptep, pte;

	pgdp = pgd_offset_pgd(root, addr);
	pgd = READ_ONCE(*pgdp);
	addrspace_show_entry(m, l5 ? "pgd (PML5)" : "pgd (PML4)",
			     pgd_index(addr), pgd_val(pgd), false);
	if (!addrspace_present(m, pgd_val(pgd)))
		return false;
	addrspace_show_table(m, pgd_pfn(pgd));

	/* With 4-level paging the p4d level is folded: p4dp == pgdp. */
	p4dp = p4d_offset(pgdp, addr);
	p4d = READ_ONCE(*p4dp);
	if (l5) {
		addrspace_show_entry(m, "p4d (PML4)", p4d_index(addr),
				     p4d_val(p4d), false);
		if (!addrspace_present(m, p4d_val(p4d)))
			return false;
		addrspace_show_table(m, p4d_pfn(p4d));
	} else {
		seq_printf(m, "  %-10s       folded into the pgd (4-level paging)\n",
			   "p4d");
	}

	pudp = pud_offset(p4dp, addr);
	pud = READ_ONCE(*pudp);
	addrspace_show_entry(m, "pud (PDPT)", pud_index(addr), pud_val(pud),
			     false);
	if (!addrspace_present(m, pud_val(pud)))
		return false;
	if (pud_val(pud) & _PAGE_PSE) {
		*leaf = "pud";
		*phys = addrspace_show_leaf(m, "1 GiB", pud_pfn(pud), addr,
					    PUD_MASK);
		return true;
	}
	addrspace_show_table(m, pud_pfn(pud));

	pmdp = pmd_offset(pudp, addr);
	pmd = READ_ONCE(*pmdp);
	addrspace_show_entry(m, "pmd (PD)", pmd_index(addr), pmd_val(pmd),
			     false);
	if (!addrspace_present(m, pmd_val(pmd)))
		return false;
	if (pmd_val(pmd) & _PAGE_PSE) {
		*leaf = "pmd";
		*phys = addrspace_show_leaf(m, "2 MiB", pmd_pfn(pmd), addr,
					    PMD_MASK);
		return true;
	}
	addrspace_show_table(m, pmd_pfn(pmd));

	/*
	 * Since 6.5 an emptied user PTE table may be freed under
	 * mmap_read_lock (khugepaged), but only after an RCU grace period:
	 * read the entry inside an RCU read-side section.
	 */
	rcu_read_lock();
	ptep = pte_offset_kernel(pmdp, addr);
	pte = READ_ONCE(*ptep);
	rcu_read_unlock();
	addrspace_show_entry(m, "pte (PT)", pte_index(addr), pte_val(pte),
			     true);
	if (!addrspace_present(m, pte_val(pte)))
		return false;
	*leaf = "pte";
	*phys = addrspace_show_leaf(m, "4 KiB", pte_pfn(pte), addr, PAGE_MASK);
	return true;
}

static void addrspace_show_paging(struct seq_file *m)
{
	seq_printf(m, "paging: %d-level, root table (CR3) at phys 0x%lx\n",
		   pgtable_l5_enabled() ? 5 : 4, read_cr3_pa());
}

/* ---- debugfs: kmalloc and vmalloc ---- */

static int addrspace_buf_show(struct seq_file *m, void *unused)
{
	struct addrspace_buf *b = m->private;
	/* Kernel addresses are mapped the same in every process's tables. */
	pgd_t *root = __va(read_cr3_pa());
	unsigned int i;

	seq_printf(m, "%s buffer: %u pages (%lu bytes) at virt 0x%lx\n",
		   b->kind, b->pages, b->pages * PAGE_SIZE,
		   (unsigned long)b->virt);
	seq_printf(m, "page_offset=0x%lx vmalloc_start=0x%lx vmalloc_end=0x%lx\n",
		   (unsigned long)PAGE_OFFSET, (unsigned long)VMALLOC_START,
		   (unsigned long)VMALLOC_END);
	addrspace_show_paging(m);
	seq_printf(m, "each page starts \"addrlab %s page N\", NUL, then 0x%02x\n",
		   b->kind, ADDRSPACE_FILL);

	for (i = 0; i < b->pages; i++) {
		void *virt = b->virt + i * PAGE_SIZE;
		phys_addr_t kernel = b->kernel_phys(virt);
		const char *leaf = "none";
		phys_addr_t phys = 0;
		bool mapped;

		seq_printf(m, "\npage %u: virt 0x%lx\n", i, (unsigned long)virt);
		mapped = addrspace_walk(m, root, (unsigned long)virt, &phys,
					&leaf);
		seq_printf(m, "  kernel     %s() says 0x%llx: %s\n",
			   b->kernel_how, (u64)kernel,
			   mapped && phys == kernel ? "the same" : "DIFFERENT");
		if (b->direct_map)
			seq_printf(m, "  direct map virt - PAGE_OFFSET = 0x%llx\n",
				   (u64)((unsigned long)virt - PAGE_OFFSET));
		seq_printf(m, "page=%u virt=0x%lx phys=0x%llx kernel=0x%llx leaf=%s\n",
			   i, (unsigned long)virt, (u64)phys, (u64)kernel,
			   leaf);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(addrspace_buf);

/* ---- debugfs: uwalk, an address of the reading process ---- */

/*
 * The address belongs to whoever wrote it, so it is kept per open file,
 * not in the module: two processes walking at once do not mix up.
 */
struct addrspace_uwalk {
	unsigned long addr;
	bool set;
};

static int addrspace_uwalk_show(struct seq_file *m, void *unused)
{
	struct addrspace_uwalk *u = m->private;
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	const char *leaf = "none";
	phys_addr_t phys = 0;
	bool mapped;

	if (!u->set) {
		seq_puts(m, "write a user virtual address of this process (hex), then read\n");
		return 0;
	}
	if (!mm)
		return -EINVAL;

	seq_printf(m, "user address 0x%lx in process %d (%s)\n", u->addr,
		   task_pid_nr(current), current->comm);
	addrspace_show_paging(m);
	seq_printf(m, "this process's mm->pgd at phys 0x%llx\n",
		   (u64)__pa(mm->pgd));

	/* The lock keeps the VMAs and the page-table pages in place. */
	mmap_read_lock(mm);
	vma = vma_lookup(mm, u->addr);
	if (vma)
		seq_printf(m, "vma 0x%lx-0x%lx %c%c%c%c\n", vma->vm_start,
			   vma->vm_end, vma->vm_flags & VM_READ ? 'r' : '-',
			   vma->vm_flags & VM_WRITE ? 'w' : '-',
			   vma->vm_flags & VM_EXEC ? 'x' : '-',
			   vma->vm_flags & VM_SHARED ? 's' : 'p');
	else
		seq_puts(m, "vma none: no mapping covers this address\n");
	mapped = addrspace_walk(m, mm->pgd, u->addr, &phys, &leaf);
	mmap_read_unlock(mm);

	if (mapped)
		seq_printf(m, "virt=0x%lx phys=0x%llx pfn=0x%llx leaf=%s\n",
			   u->addr, (u64)phys, (u64)PHYS_PFN(phys), leaf);
	else
		seq_printf(m, "virt=0x%lx not mapped%s\n", u->addr, vma ?
			   ": no page yet (never touched, or swapped out)" : "");
	return 0;
}

static int addrspace_uwalk_open(struct inode *inode, struct file *file)
{
	struct addrspace_uwalk *u;
	int ret;

	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	ret = single_open(file, addrspace_uwalk_show, u);
	if (ret)
		kfree(u);
	return ret;
}

static int addrspace_uwalk_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	kfree(m->private);
	return single_release(inode, file);
}

static ssize_t addrspace_uwalk_write(struct file *file, const char __user *buf,
				     size_t count, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	struct addrspace_uwalk *u = m->private;
	unsigned long addr;
	int ret;

	/* Hex, with or without "0x"; a trailing newline is fine. */
	ret = kstrtoul_from_user(buf, count, 16, &addr);
	if (ret)
		return -EINVAL;
	/* Kernel addresses have their own files; this one is for user space. */
	if (addr >= TASK_SIZE)
		return -EINVAL;
	u->addr = addr;
	u->set = true;
	return count;
}

static const struct file_operations addrspace_uwalk_fops = {
	.owner		= THIS_MODULE,
	.open		= addrspace_uwalk_open,
	.read		= seq_read,
	.write		= addrspace_uwalk_write,
	.llseek		= seq_lseek,
	.release	= addrspace_uwalk_release,
};

/* ---- load and unload ---- */

static void addrspace_fill(struct addrspace_buf *b)
{
	unsigned int i;

	for (i = 0; i < b->pages; i++) {
		char *page = b->virt + i * PAGE_SIZE;

		memset(page, ADDRSPACE_FILL, PAGE_SIZE);
		/* scnprintf() writes the NUL that ends the text. */
		scnprintf(page, PAGE_SIZE, "addrlab %s page %u", b->kind, i);
	}
}

static int __init addrspace_init(void)
{
	if (vmalloc_pages < 1 || vmalloc_pages > ADDRSPACE_VMALLOC_MAX) {
		pr_err("vmalloc_pages=%u is out of range: use 1 to %d\n",
		       vmalloc_pages, ADDRSPACE_VMALLOC_MAX);
		return -EINVAL;
	}

	/* A power-of-two kmalloc is naturally aligned: page 0 starts a page. */
	kbuf.kind = "kmalloc";
	kbuf.pages = ADDRSPACE_KMALLOC_PAGES;
	kbuf.direct_map = true;
	kbuf.kernel_how = "virt_to_phys";
	kbuf.kernel_phys = addrspace_kmalloc_phys;
	kbuf.virt = kmalloc(kbuf.pages * PAGE_SIZE, GFP_KERNEL);
	if (!kbuf.virt)
		return -ENOMEM;
	addrspace_fill(&kbuf);

	vbuf.kind = "vmalloc";
	vbuf.pages = vmalloc_pages;
	vbuf.kernel_how = "vmalloc_to_page";
	vbuf.kernel_phys = addrspace_vmalloc_phys;
	vbuf.virt = vmalloc(vbuf.pages * PAGE_SIZE);
	if (!vbuf.virt)
		goto err_free_kmalloc;
	addrspace_fill(&vbuf);

	/* debugfs failures are not fatal; the calls accept an error dentry. */
	addrspace_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("kmalloc", 0400, addrspace_dir, &kbuf,
			    &addrspace_buf_fops);
	debugfs_create_file("vmalloc", 0400, addrspace_dir, &vbuf,
			    &addrspace_buf_fops);
	debugfs_create_file("uwalk", 0600, addrspace_dir, NULL,
			    &addrspace_uwalk_fops);

	pr_info("ready: %u kmalloc and %u vmalloc pages; see /sys/kernel/debug/%s/\n",
		kbuf.pages, vbuf.pages, KBUILD_MODNAME);
	return 0;

err_free_kmalloc:
	kfree(kbuf.virt);
	return -ENOMEM;
}

static void __exit addrspace_exit(void)
{
	/* Files first: debugfs waits for readers before the buffers go. */
	debugfs_remove_recursive(addrspace_dir);
	vfree(vbuf.virt);
	kfree(kbuf.virt);
}

module_init(addrspace_init);
module_exit(addrspace_exit);
MODULE_DESCRIPTION("addrlab chapter 1: page-table walks of kmalloc, vmalloc and user pages");
MODULE_LICENSE("GPL");
