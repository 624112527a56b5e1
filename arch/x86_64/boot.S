/*
 * boot.S - from the boot loader's 32-bit protected mode to 64-bit C.
 *
 * The image carries two boot headers:
 *  - multiboot2, read by GRUB (the ISO users boot);
 *  - multiboot1 with the address fields (flag bit 16), read by QEMU's own
 *    "-kernel" loader, which refuses 64-bit ELF files and loads none of
 *    multiboot2. That path is the only one that boots under the development
 *    machines' kvm_pvm (see ARCHITECTURE.md).
 *
 * Both loaders enter _start in 32-bit protected mode, paging off, with the
 * magic in EAX and the physical address of the boot information in EBX.
 * The 32-bit code stays a trampoline: zero .bss, build an identity map of
 * the first 4 GiB with 2 MiB pages, enable PAE + long mode + paging, and
 * far-jump to 64-bit code. It never executes IRET (a 32-bit IRET kills the
 * guest under kvm_pvm).
 */
#include "boot_layout.h"

#define MB1_MAGIC	0x1BADB002
#define MB1_FLAGS	((1 << 1) | (1 << 16))	/* memory info; address fields */
#define MB2_MAGIC	0xE85250D6

	.section .multiboot, "a"
	/* multiboot1: within the first 8 KiB of the file, 4-byte aligned */
	.balign 8
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long mb1_header		/* header_addr */
	.long __image_start		/* load_addr */
	.long __load_end		/* load_end_addr: file bytes to copy */
	.long __bss_end			/* bss_end_addr: zeroed up to here */
	.long _start			/* entry_addr */

	/* multiboot2: within the first 32 KiB, 8-byte aligned */
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long 0				/* architecture: i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
	/* end tag */
	.word 0
	.word 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	mov %eax, %esi			/* keep magic and info across the setup */
	mov %ebx, %edi

	/* Zero .bss: QEMU's loader does, but nothing in multiboot2 says GRUB
	 * must zero a NOBITS section's tail beyond what the ELF asks. */
	mov %edi, %ebp			/* no stack yet: the loader gives none */
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	mov %ebp, %edi

	/* PML4[0] -> PDPT, PDPT[0..3] -> four page directories of 2 MiB pages */
	mov $boot_pdpt, %eax
	or $(PTE_P | PTE_W), %eax
	mov %eax, boot_pml4

	mov $boot_pd, %eax
	or $(PTE_P | PTE_W), %eax
	mov $boot_pdpt, %ebx
	mov $4, %ecx
1:	mov %eax, (%ebx)
	add $4096, %eax
	add $8, %ebx
	loop 1b

	/* 2048 entries, 2 MiB each; the top GiB holds the APIC, IOAPIC and
	 * HPET windows, so it is mapped uncached. */
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $21, %eax
	or $(PTE_P | PTE_W | PTE_PS), %eax
	cmp $1536, %ecx
	jb 3f
	or $(PTE_PWT | PTE_PCD), %eax
3:	mov %eax, boot_pd(, %ecx, 8)
	movl $0, boot_pd+4(, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jb 2b

	mov %cr4, %eax
	or $(1 << 5), %eax		/* CR4.PAE */
	mov %eax, %cr4

	mov $boot_pml4, %eax
	mov %eax, %cr3

	mov $0xC0000080, %ecx		/* IA32_EFER */
	rdmsr
	or $(1 << 8), %eax		/* LME */
	wrmsr

	mov %cr0, %eax
	or $((1 << 31) | (1 << 16) | 1), %eax	/* PG, WP, PE */
	mov %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $8, $long_mode_entry

	.code64
long_mode_entry:
	mov $16, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov $boot_stack_top, %rsp
	xor %ebp, %ebp			/* terminates frame-pointer walks */
	/* kmain(magic, info): EDI=info, ESI=magic from above */
	mov %edi, %eax
	mov %esi, %edi
	mov %eax, %esi
	call kmain
4:	cli
	hlt
	jmp 4b

	.section .rodata
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00209a0000000000	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x0000920000000000	/* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .bss.pagetables, "aw", @nobits
	.balign 4096
	.globl boot_pml4, boot_pdpt, boot_pd
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096

	.section .bss.stack, "aw", @nobits
	.balign 4096
	.globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:			/* unmapped by paging_init */
	.skip 4096
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
boot_stack_top:
