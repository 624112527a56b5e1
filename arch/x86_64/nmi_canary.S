/*
 * void nmi_canary_run(uint64_t iterations, uint32_t *icr, uint64_t icr_value,
 *                     volatile uint64_t *pending, uint64_t out[16])
 *
 * nmi test "canary": hold known values in every general register, DF=1 and
 * known arithmetic flags, and take `iterations` self-NMIs (each of which
 * the test makes nest) without ever reloading them. Nothing in the loop
 * changes a flag or a register other than RCX/RBX (MOV, XCHG, LOOP and
 * JRCXZ leave the flags alone; the loop waits until the NMI has claimed
 * its request by reading the request word into RCX), so any corruption by the NMI path survives to the end,
 * where the registers and RFLAGS are stored in out[] (RFLAGS, RAX..R15 in
 * trap_frame order reversed: see nmi_selftest.c). icr NULL means x2APIC:
 * the self-NMI is a WRMSR of the whole icr_value, whose RAX and RDX are
 * borrowed on the stack and whose mode is told by JRCXZ (no flag changes).
 */
#include "push_regs.h"
#include "percpu_offsets.h"
#define CANARY_FLAGS	0x0cd7	/* CF PF AF ZF SF DF OF, bit 1; IF=0 TF=0 */
#define WAIT_LOOPS	10000000	/* bounded wait for each NMI */

	.section .text, "ax"
	.globl nmi_canary_run
	.type nmi_canary_run, @function
nmi_canary_run:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %r8			/* out */
	pushfq				/* the caller's IF and DF */
	subq $8, %rsp			/* the wait budget's slot */

	movq %rdi, %rbx			/* iterations */
	movq %rsi, %r15			/* ICR */
	movq %rdx, %r13			/* ICR value */
	movq %rcx, %r14			/* pending requests word */
	movabsq $0x1111111111111111, %rax
	movabsq $0x4444444444444444, %rdx
	movabsq $0x5555555555555555, %rsi
	movabsq $0x6666666666666666, %rdi
	movabsq $0x7777777777777777, %rbp
	movabsq $0x8888888888888888, %r8
	movabsq $0x9999999999999999, %r9
	movabsq $0xaaaaaaaaaaaaaaaa, %r10
	movabsq $0xbbbbbbbbbbbbbbbb, %r11
	movabsq $0xcccccccccccccccc, %r12
	xorl %ecx, %ecx
	pushq $CANARY_FLAGS
	popfq
1:	movq $1, (%r14)			/* the coming NMI is a request of ours */
	movq %r15, %rcx			/* send the self-NMI: */
	jrcxz 7f
	movl %r13d, (%r15)		/* xAPIC: one store to ICR low */
	jmp 8f
7:	pushq %rax			/* x2APIC: WRMSR of the whole ICR */
	pushq %rdx
	pushq %r13
	movl (%rsp), %eax
	movl 4(%rsp), %edx
	popq %rcx
	movl $X2APIC_ICR_MSR, %ecx
	wrmsr
	popq %rdx
	popq %rax
8:
	movq $WAIT_LOOPS, (%rsp)
2:	movq (%r14), %rcx		/* claimed (0) once the NMI was served */
	jrcxz 5f
	movq (%rsp), %rcx
	loop 3f				/* budget left? */
	jmp 5f				/* spent: go on, the counts will tell */
3:	movq %rcx, (%rsp)
	pause
	jmp 2b
5:	xchgq %rbx, %rcx		/* RCX = iterations left, RBX = 0 */
	loop 6f
	jmp 4f
6:	xchgq %rbx, %rcx
	jmp 1b

4:	pushfq
	PUSH_GPRS				/* struct trap_frame order */
	cld
	movq %rsp, %rsi
	movq 18*8(%rsp), %rdi		/* out: above the 16 words, the slot and the flags */
	movl $16, %ecx
	rep movsq
	addq $17*8, %rsp
	popfq
	popq %r8
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size nmi_canary_run, . - nmi_canary_run

/* The int3 that nmi test executes inside NMI handlers (listed as expected,
 * so trap_dispatch counts it and returns instead of reporting). */
	.globl nmi_selftest_int3
	.type nmi_selftest_int3, @function
nmi_selftest_int3:
1:	int3
	ret
	.pushsection .int3_sites, "a"
	.quad 1b
	.popsection
	.size nmi_selftest_int3, . - nmi_selftest_int3

/* The same for a ud2 (#UD), for hypervisors where int3 cannot be used
 * (kvm_pvm: "KVM internal error ... emulation failure" on any int3):
 * trap_dispatch resumes after it. */
	.globl nmi_selftest_ud2
	.type nmi_selftest_ud2, @function
nmi_selftest_ud2:
1:	ud2
	ret
	.pushsection .ud2_sites, "a"
	.quad 1b
	.popsection
	.size nmi_selftest_ud2, . - nmi_selftest_ud2
