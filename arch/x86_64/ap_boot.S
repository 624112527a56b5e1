/*
 * ap_boot.S - an application processor from its STARTUP IPI to 64-bit C.
 *
 * A STARTUP IPI starts the AP in real mode at CS:IP = (vector << 8):0, so
 * the first instructions must sit in a page below 1 MiB: ap_start.c copies
 * ap_trampoline there (it is position-independent: it only uses CS-relative
 * data). It loads a GDT in the image (a 32-bit GDTR base reaches it, the
 * image is below 4 GiB), enters protected mode and jumps to ap_entry32 in
 * the image, which does what boot.S does for the bootstrap CPU but with the
 * bootstrap CPU's own CR3, CR4 and EFER (NXE: the page tables carry NX bits,
 * reserved bits without it), then calls ap_main(cpu) on the stack that
 * ap_start.c put in ap_boot_params. Paging comes on in ap_entry32, in image
 * text, which is executable; the low page stays no-execute.
 */
#include "boot_layout.h"

#define AP_CS32		0x08
#define AP_DS		0x10
#define AP_CS64		0x18

	.section .rodata
	.code16
	.balign 16
	.globl ap_trampoline, ap_trampoline_end
ap_trampoline:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl ap_gdtr - ap_trampoline
	mov %cr0, %eax
	or $1, %eax			/* PE */
	mov %eax, %cr0
	ljmpl $AP_CS32, $ap_entry32
	.balign 4
ap_gdtr:
	.word ap_gdt_end - ap_gdt - 1
	.long ap_gdt
ap_trampoline_end:

	.balign 8
ap_gdt:
	.quad 0
	/* accessed bits preset: the CPU would otherwise set them, a write to
	 * read-only rodata once paging is on */
	.quad 0x00cf9b000000ffff	/* 0x08: 32-bit code, flat 4 GiB */
	.quad 0x00cf93000000ffff	/* 0x10: data, flat 4 GiB */
	.quad 0x00209b0000000000	/* 0x18: 64-bit code */
ap_gdt_end:

	.text
	.code32
ap_entry32:
	mov $AP_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov ap_boot_params + 8, %eax	/* CR4: PAE and whatever else the BSP has */
	mov %eax, %cr4
	mov ap_boot_params, %eax	/* CR3: the bootstrap CPU's tables, below 4 GiB */
	mov %eax, %cr3
	mov $0xC0000080, %ecx		/* IA32_EFER: LME and NXE as the BSP's */
	mov ap_boot_params + 16, %eax
	mov ap_boot_params + 20, %edx
	wrmsr
	mov %cr0, %eax
	or $((1 << 31) | (1 << 16) | 1), %eax	/* PG, WP, PE */
	mov %eax, %cr0
	ljmp $AP_CS64, $ap_entry64

	.code64
ap_entry64:
	mov $AP_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov ap_boot_params + 24, %rsp
	xor %ebp, %ebp			/* terminates frame-pointer walks */
	mov ap_boot_params + 32, %edi
	call ap_main
1:	cli
	hlt
	jmp 1b

	.data
	.balign 8
	.globl ap_boot_params
ap_boot_params:				/* struct ap_boot_params, ap_start.h */
	.skip 40
