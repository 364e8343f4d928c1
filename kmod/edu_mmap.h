/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR MIT */
/*
 * edu_mmap.h - user-space interface of the edu_mmap module (chapter 4).
 *
 * Shared by the module and the guest tools, so it uses only the uapi types
 * (__u32) and the _IO* macros: nothing from the kernel's internal headers.
 *
 * /dev/edu_mmap gives two ways to reach edu's registers:
 *  - mmap(): BAR0 itself, mapped uncached into the process.  After the one
 *    mmap() call, every register access is a plain load or store: no
 *    system call, no driver code.
 *  - read()/pread()/write()/pwrite() at file offset = register offset, and
 *    the two ioctls below: one system call per register access.
 * Both paths take 4-byte accesses to the registers below
 * EDU_MMAP_REG_END only (the 64-bit DMA registers above are chapter 6's).
 */
#ifndef ADDRLAB_EDU_MMAP_H
#define ADDRLAB_EDU_MMAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define EDU_MMAP_DEVICE		"/dev/edu_mmap"

/* read/write/ioctl reach the 32-bit registers in [0, EDU_MMAP_REG_END). */
#define EDU_MMAP_REG_END	0x80

struct edu_mmap_reg {
	__u32 offset;	/* register offset in BAR0, 4-byte aligned */
	__u32 value;	/* READ32: filled in; WRITE32: written */
};

/* 0xED ("edu"): free in Documentation/userspace-api/ioctl/ioctl-number.rst */
#define EDU_MMAP_IOC_MAGIC	0xED
#define EDU_MMAP_IOC_READ32 \
	_IOWR(EDU_MMAP_IOC_MAGIC, 1, struct edu_mmap_reg)
#define EDU_MMAP_IOC_WRITE32 \
	_IOW(EDU_MMAP_IOC_MAGIC, 2, struct edu_mmap_reg)

#endif /* ADDRLAB_EDU_MMAP_H */
