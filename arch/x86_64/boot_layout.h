/* Constants shared by boot assembly and C. */
#ifndef ARCH_BOOT_LAYOUT_H
#define ARCH_BOOT_LAYOUT_H

#define PAGE_SIZE	4096

/* Page-table entry bits (SDM vol. 3A, 4.5) */
#define PTE_P		(1 << 0)
#define PTE_W		(1 << 1)
#define PTE_U		(1 << 2)
#define PTE_PWT		(1 << 3)
#define PTE_PCD		(1 << 4)
#define PTE_A		(1 << 5)
#define PTE_D		(1 << 6)
#define PTE_PS		(1 << 7)
#define PTE_G		(1 << 8)

#define BOOT_STACK_SIZE	(32 * 1024)

/* Segment selectors of the monitor's GDT (gdt.c) */
#define KERNEL_CS	0x08
#define KERNEL_DS	0x10
#define TSS_SEL		0x18

#endif
