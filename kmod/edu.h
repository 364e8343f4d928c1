/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * edu.h - register map of QEMU's "edu" teaching PCI device
 * (QEMU docs/specs/edu.rst, hw/misc/edu.c; QEMU 7.2 and 10.0 alike).
 *
 * Shared by the kernel modules, the guest tools and the tests, so it holds
 * only #defines.  All offsets are into BAR0 (32-bit memory BAR, 1 MiB).
 * Below 0x80 the device takes 4-byte accesses only; from 0x80 on, 4 or 8.
 */
#ifndef ADDRLAB_EDU_H
#define ADDRLAB_EDU_H

#define EDU_VENDOR_ID		0x1234
#define EDU_DEVICE_ID		0x11e8
#define EDU_BAR			0
#define EDU_BAR_SIZE		0x100000	/* 1 MiB */

#define EDU_REG_ID		0x00	/* RO: 0xRRrr00ed, major.minor version */
#define EDU_ID_VALUE		0x010000ed	/* version 1.0 (QEMU 7.2 and 10.0) */
#define EDU_REG_LIVENESS	0x04	/* RW: reads back the inverse of what was written */
#define EDU_REG_FACTORIAL	0x08	/* RW: write n, read n! once status bit 0 clears */
#define EDU_REG_STATUS		0x20	/* RW: bits below */
#define  EDU_STATUS_COMPUTING	0x01	/* RO: factorial being computed */
#define  EDU_STATUS_IRQ_FACT	0x80	/* RW: raise IRQ EDU_IRQ_FACT when done */
#define EDU_REG_IRQ_STATUS	0x24	/* RO: pending interrupt bits */
#define EDU_REG_IRQ_RAISE	0x60	/* WO: OR bits into IRQ status, interrupt */
#define EDU_REG_IRQ_ACK		0x64	/* WO: clear bits; INTx drops at 0 */
#define EDU_REG_DMA_SRC		0x80	/* RW, 64-bit: use writeq, a 4-byte write zeroes the top */
#define EDU_REG_DMA_DST		0x88	/* RW, 64-bit */
#define EDU_REG_DMA_COUNT	0x90	/* RW, 64-bit: bytes */
#define EDU_REG_DMA_CMD		0x98	/* RW, 64-bit: bits below */
#define  EDU_DMA_START		0x01	/* start; reads 1 until done */
#define  EDU_DMA_TO_RAM		0x02	/* 0: RAM -> edu, 1: edu -> RAM */
#define  EDU_DMA_IRQ		0x04	/* raise IRQ EDU_IRQ_DMA when done */

#define EDU_IRQ_FACT		0x00000001
#define EDU_IRQ_DMA		0x00000100

/*
 * The device's DMA buffer, seen only through DMA (not through the BAR).
 * How much of it a transfer may use depends on the QEMU version:
 *   - before 8.2.1 (Debian 12's 7.2) the transfer must end strictly below
 *     EDU_DMA_BUF_ADDR + EDU_DMA_BUF_SIZE, an off-by-one: 4095 bytes at most;
 *   - from 8.2.1 on (Debian 13's 10.0) the whole 4096 bytes.
 * Out of bounds, QEMU before 8.0 aborts the whole emulator (hw_error);
 * from 8.0 on it logs a guest error ("-d guest_errors") instead.
 * EDU_DMA_MAX_COUNT is what every version takes.
 */
#define EDU_DMA_BUF_ADDR	0x40000
#define EDU_DMA_BUF_SIZE	4096
#define EDU_DMA_MAX_COUNT	(EDU_DMA_BUF_SIZE - 1)
#define EDU_DMA_BITS		28	/* RAM-side addresses are masked to this */

#endif /* ADDRLAB_EDU_H */
