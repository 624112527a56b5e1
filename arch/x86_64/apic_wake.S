/*
 * The wake-up IPI's handler: a fixed interrupt whose only job is to end a
 * HLT (smp.c's idle loop sleeps with "sti; hlt", so a wake-up sent after
 * its last look at the mailbox is taken after the HLT starts, never lost).
 * It only signals end of interrupt: without it the vector's in-service bit
 * would hold back every later wake-up (SDM vol. 3A, 11.8.5). Entry text:
 * no breakpoint is ever placed here.
 */
	.section .text.entry, "ax"
	.code64
	.globl apic_wake_entry
apic_wake_entry:
	push %rax
	push %rcx
	push %rdx
	movq apic_eoi_reg(%rip), %rax
	testq %rax, %rax
	jz 1f
	movl $0, (%rax)			/* xAPIC: the EOI register */
	jmp 2f
1:	movl $0x80B, %ecx		/* x2APIC: the EOI MSR */
	xorl %eax, %eax
	xorl %edx, %edx
	wrmsr
2:	pop %rdx
	pop %rcx
	pop %rax
	iretq
