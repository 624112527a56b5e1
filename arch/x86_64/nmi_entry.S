/*
 * nmi_entry.S - the nested-safe NMI entry (../shared/design/NMI.md).
 *
 * The problem. Once an NMI is delivered, NMIs stay blocked until the next
 * IRET, whoever executes it. Our NMI handler may take a #PF (lazy memory),
 * a #BP (int3) and the single-step #DB that steps over one; each of those
 * returns with IRET and so unblocks NMIs while the first NMI still runs.
 * A second NMI then loads RSP from the same IST slot and writes its hardware
 * frame exactly over the first one's, destroying the first NMI's return.
 *
 * The protocol (Linus Torvalds, LKML, July 2010; Linux entry_64.S since
 * 2012): the outer NMI keeps its return frame where a nested NMI cannot
 * write, and returns through a copy of it (the "iret" frame). A nested NMI
 * runs no C and pushes nothing: it rewrites the "iret" frame so that the
 * outer NMI's final IRET lands in repeat_nmi, which runs the handler once
 * more, and returns. Any number of nested NMIs during one pass write the
 * same frame, so they cause exactly one repeat.
 *
 * This CPU's NMI stack, T = the TSS IST pointer, 8-byte words:
 *
 *          +------------------------------+
 *   T+8    | NMIs that hit the copy window|  spare words above T: always
 *   T+0    | nested NMIs (counter)        |  mapped, written by the entry only
 *          +==============================+ <- T (IST1)
 *   T-8    | SS                           |
 *   T-16   | RSP       hardware frame     |  the CPU writes it on EVERY NMI:
 *   T-24   | RFLAGS    (CPU-written)      |  valid only until step 4 copies it
 *   T-32   | CS                           |
 *   T-40   | RIP                          |
 *          +------------------------------+
 *   T-48   | scratch (saved RDX)          |  a nested NMI overwrites it too
 *          +------------------------------+
 *   T-56   | "NMI executing" 0/1          |  1 from repeat_nmi to the exit
 *          +------------------------------+
 *   T-64   | SS                           |
 *   T-72   | RSP       "iret" frame       |  what the final IRET uses; the
 *   T-80   | RFLAGS    (copied from       |  nested path rewrites it as the
 *   T-88   | CS         "outermost", or   |  repeat frame
 *   T-96   | RIP        the repeat frame) |
 *          +------------------------------+
 *   T-104  | SS                           |
 *   T-112  | RSP       "outermost" frame  |  pristine copy of the hardware
 *   T-120  | RFLAGS                       |  frame, written once per NMI;
 *   T-128  | CS                           |  read-only afterwards (C reads it
 *   T-136  | RIP                          |  as the interrupted context)
 *          +------------------------------+
 *   T-144  | error code (0)               |  the rest of a struct trap_frame
 *   T-152  | vector (2)                   |  whose CPU part is "outermost";
 *   T-160  | RAX ... T-272 R15            |  a fast pass fills only part of it
 *          +------------------------------+
 *          | the C pass and below it any #PF/#BP/#DB frame it takes
 *
 * Invariants this file relies on:
 *  - No exception between NMI delivery and end_repeat_nmi, nor between the
 *    register restore and the final IRET. The NMI stack, this text, the
 *    per-CPU area, TSS, GDT and IDT are always mapped (never in the lazy
 *    region) and nmi_protected() makes the breakpoint engine refuse them.
 *    An exception there would IRET (unblocking NMIs before the copy) or
 *    push its frame over "outermost".
 *  - After step 4's first instruction the outer NMI never reads T-8..T-48.
 *  - The "iret" frame is always wholly "outermost" or wholly the repeat frame.
 *  - After the first nesting NMIs stay unblocked until the final IRET: the
 *    nested NMI's IRET and the IRET into repeat_nmi both unblock them, so
 *    every repeat pass runs with NMIs open (and IF=0, DF=0).
 *  - The only way out of NMI context is the final IRET.
 */
#include "boot_layout.h"
#include "percpu_offsets.h"
#include "trap_frame_offsets.h"

#define REPEAT_RFLAGS	0x2	/* IF=0 DF=0 TF=0; bit 1 is always set */

/*
 * Test hooks (nmi test): reached by a jmp patched over a hook site, they
 * send this CPU a self-NMI and wait (bounded) until it has arrived, so that
 * an NMI lands exactly in the window the site sits in. They borrow RAX, RCX
 * and RDX (x2APIC's WRMSR needs RCX too: "before" waits in a fourth slot)
 * through per-CPU slots and never touch the stack: in the copy
 * window RSP points into the "iret" frame being built, in the exit window
 * at the "iret" frame, and a push would land on "outermost".
 *
 * hook_copy: the NMI takes test 2a; it is seen in the T+8 counter. Its body
 *   lies inside the repeat window, or the NMI would nest mid-copy.
 * hook_exit: the NMI takes test 2c; it is seen in the T+0 counter. Its body
 *   lies outside the window (the flag is 0 and RSP is at the "iret" frame).
 */
.macro NMI_HOOK name, counter, resume, repeat_only
	.globl \name
\name:
	cmpq $0, %gs:PERCPU_HOOK_ARMED
	je 3f
	.if \repeat_only
	cmpq $0, %gs:PERCPU_NMI_PASS		/* a first pass has NMIs blocked: */
	je 3f					/* its self-NMI could not arrive */
	.endif
	decq %gs:PERCPU_HOOK_ARMED
	movq %rax, %gs:PERCPU_HOOK_SAVE
	movq %rcx, %gs:PERCPU_HOOK_SAVE+8
	movq %rdx, %gs:PERCPU_HOOK_SAVE+16
	movq %gs:PERCPU_NMI_TOP, %rdx
	movq \counter(%rdx), %rcx		/* before */
	movq %gs:PERCPU_APIC_ICR, %rax		/* send the self-NMI: */
	testq %rax, %rax
	jz 5f
	movl %gs:PERCPU_SELF_NMI_ICR, %edx
	movl %edx, (%rax)			/* xAPIC: one store to ICR low */
	jmp 6f
5:	movq %rcx, %gs:PERCPU_HOOK_SAVE+24	/* x2APIC: WRMSR of the whole ICR */
	movl $X2APIC_ICR_MSR, %ecx
	movl %gs:PERCPU_SELF_NMI_ICR, %eax
	movl %gs:PERCPU_SELF_NMI_ICR+4, %edx
	wrmsr
	movq %gs:PERCPU_HOOK_SAVE+24, %rcx
6:
	movq %gs:PERCPU_NMI_TOP, %rdx
	movl $10000000, %eax
1:	cmpq \counter(%rdx), %rcx
	jne 2f
	pause
	decl %eax
	jnz 1b
	incq %gs:PERCPU_HOOK_TIMEOUTS
	jmp 4f
2:	incq %gs:PERCPU_HOOK_FIRED
4:	movq %gs:PERCPU_HOOK_SAVE, %rax
	movq %gs:PERCPU_HOOK_SAVE+8, %rcx
	movq %gs:PERCPU_HOOK_SAVE+16, %rdx
3:	jmp \resume
.endm

	.section .text.entry, "ax"
	.code64

	.globl nmi_entry_start
nmi_entry_start:

	.balign 16
	.globl nmi_entry
	.type nmi_entry, @function
nmi_entry:
	/* 1. RSP = T-40, at the hardware frame. */
	cld
	pushq %rdx				/* scratch slot T-48 */
	leaq 48(%rsp), %rdx			/* RDX = T, from where we stand */

	/* 2a. Interrupted inside the repeat_nmi copy: a repeat pass is already
	 * going to run the handler. Rewriting the "iret" frame now would mix
	 * two frames, so only return. Must come first: in that window "NMI
	 * executing" is 1 and RSP is on this stack, so both tests below would
	 * say "nested". Catches: an NMI in the window. Misses: nothing; the
	 * repeat pass serves whatever raised it. */
	cmpq $repeat_nmi_window, NMI_HW_FRAME(%rdx)
	jb 1f
	cmpq $end_repeat_nmi, NMI_HW_FRAME(%rdx)
	jae 1f
	incq NMI_SPARE_IN_WINDOW(%rdx)
	popq %rdx
	iretq
1:
	/* 2b. The outer NMI is between repeat_nmi and its exit. Catches: every
	 * nesting while the handler runs. Misses: the window between clearing
	 * the flag and the final IRET, and the entry before repeat_nmi sets
	 * it (there NMIs are still blocked, so none can arrive). */
	cmpq $0, NMI_EXECUTING(%rdx)
	jne nested_nmi

	/* 2c. The interrupted RSP lies on this CPU's own NMI stack, bounds from
	 * T: the outer NMI was between clearing the flag and its IRET (RSP at
	 * the "iret" frame). Catches: that window. The bounds are this stack
	 * only, no neighbour and no guard page, so a first NMI is never taken
	 * for a nested one (CVE-2015-3291's lesson). */
	subq NMI_HW_FRAME+24(%rdx), %rdx	/* T - interrupted RSP, unsigned */
	cmpq $NMI_STACK_USABLE, %rdx
	leaq 48(%rsp), %rdx			/* RDX = T again (LEA keeps the flags) */
	jb nested_nmi

	/* 4. First NMI. Reload the scratch register at once: from here a nested
	 * NMI may overwrite T-48, and we never read it again. NMIs are still
	 * blocked and nothing below can fault until the copy is done. */
	popq %rdx				/* RSP = T-40 */
	subq $8, %rsp				/* skip the scratch slot: T-48 */
	pushq $0				/* "NMI executing" = 0 for now: T-56 */
	subq $40, %rsp				/* skip the "iret" frame: T-96 */
	/* copy the hardware frame (T-8..T-40) to "outermost" (T-104..T-136);
	 * PUSH computes a memory source's RSP-relative address before it
	 * decrements RSP, so source and destination keep 88 bytes apart */
	.rept 5
	pushq 88(%rsp)
	.endr
	movq $0, %gs:PERCPU_NMI_PASS
	/* RSP = T-136, exactly where an IRET into repeat_nmi lands */
	jmp repeat_nmi

	/* The repeat window, [repeat_nmi_window, end_repeat_nmi): test 2a's
	 * range. It opens with the copy hook's body, which runs only when a
	 * test patches a jump to it, so that its self-NMI lands in the window. */
repeat_nmi_window:
	NMI_HOOK nmi_hook_copy, NMI_SPARE_IN_WINDOW, nmi_hook_copy_site + 5, 1

	/* 5. repeat_nmi: reached by a jump (first pass) or by the
	 * final IRET after a nested NMI rewrote the "iret" frame (repeat pass,
	 * NMIs unblocked). Either way RSP = T-136 and every general register
	 * holds the interrupted context's value. The padding before it puts
	 * the hook site below on an 8-byte boundary without a NOP that runs
	 * (nothing falls through to here: the hook's body ends in a jump). */
	.balign 8
	.skip 2, 0xcc
	.globl repeat_nmi
repeat_nmi:
	movq $1, (NMI_EXECUTING - NMI_OUTERMOST)(%rsp)	/* "NMI executing" = 1 */
	/* copy "outermost" into "iret" with pushes from RSP = T-56 */
	leaq (NMI_EXECUTING - NMI_OUTERMOST)(%rsp), %rsp
	pushq -48(%rsp)				/* SS */
	pushq -48(%rsp)				/* RSP */
	.balign 8				/* text_poke patches it with one store */
	.globl nmi_hook_copy_site		/* (no padding here: see above) */
nmi_hook_copy_site:				/* test hook: a 5-byte NOP, patched to a jmp */
	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00
	pushq -48(%rsp)				/* RFLAGS */
	pushq -48(%rsp)				/* CS */
	pushq -48(%rsp)				/* RIP */
	.globl end_repeat_nmi
end_repeat_nmi:
	/* RSP = T-96. Step over "outermost" and make room below it for the
	 * rest of a struct trap_frame whose CPU part is "outermost" itself (C
	 * must only read that part). The fast pass (nmi.h) gets the registers
	 * a C call clobbers and RBP (the interrupted frame, for callchains);
	 * RBX and R12-R15 stay in their registers, which C keeps. Only the
	 * general pass, whose sources may read any register (a parked CPU's
	 * frame, a backtrace request), gets the whole frame. Stores, not
	 * pushes: the fields are not in push order. */
	subq $(40 + TF_GPRS_BYTES), %rsp	/* T-272 */
	movq %rax, TF_RAX(%rsp)
	movq %rcx, TF_RCX(%rsp)
	movq %rdx, TF_RDX(%rsp)
	movq %rsi, TF_RSI(%rsp)
	movq %rdi, TF_RDI(%rsp)
	movq %rbp, TF_RBP(%rsp)
	movq %r8, TF_R8(%rsp)
	movq %r9, TF_R9(%rsp)
	movq %r10, TF_R10(%rsp)
	movq %r11, TF_R11(%rsp)
	incq %gs:PERCPU_NMI_DEPTH		/* NMI context from here: even a breakpoint on */
						/* a pass's first byte counts as in NMI */
	movq %rsp, %rdi
	call *nmi_fast_pass(%rip)		/* never NULL */
	testb %al, %al
	jnz 2f					/* served: RBX, R12-R15 never left */
	movq $2, TF_VECTOR(%rsp)
	movq $0, TF_ERROR(%rsp)
	movq %rbx, TF_RBX(%rsp)
	movq %r12, TF_R12(%rsp)
	movq %r13, TF_R13(%rsp)
	movq %r14, TF_R14(%rsp)
	movq %r15, TF_R15(%rsp)
	movq %rsp, %rdi
	call nmi_dispatch
	movq TF_RBX(%rsp), %rbx
	movq TF_R12(%rsp), %r12
	movq TF_R13(%rsp), %r13
	movq TF_R14(%rsp), %r14
	movq TF_R15(%rsp), %r15
	movq TF_RBP(%rsp), %rbp			/* the fast pass's C kept it */
	/* padding that only the general pass runs, so that the hook site
	 * below lies on an 8-byte boundary with no NOP before it */
	.balign 8
	.nops 1
2:	decq %gs:PERCPU_NMI_DEPTH
	incq %gs:PERCPU_NMI_PASS		/* a repeat, if there is one, is pass 1, 2, ... */

	/* 6. Exit: restore the interrupted context's registers, point RSP at
	 * the "iret" frame, clear the flag, and leave by one IRET. Nothing here
	 * may fault. A nested NMI after the clear is caught by test 2c and
	 * turns this IRET into a jump to repeat_nmi. */
	movq TF_RAX(%rsp), %rax
	movq TF_RCX(%rsp), %rcx
	movq TF_RDX(%rsp), %rdx
	movq TF_RSI(%rsp), %rsi
	movq TF_RDI(%rsp), %rdi
	movq TF_R8(%rsp), %r8
	movq TF_R9(%rsp), %r9
	movq TF_R10(%rsp), %r10
	movq TF_R11(%rsp), %r11
	addq $(TF_GPRS_BYTES + 40), %rsp	/* the frame, "outermost": T-96 */
	movq $0, (NMI_EXECUTING - NMI_IRET_FRAME)(%rsp)
	.balign 8				/* text_poke patches it with one store */
	.globl nmi_hook_exit_site		/* (no padding here: see label 2) */
nmi_hook_exit_site:				/* test hook: a 5-byte NOP, patched to a jmp */
	.byte 0x0f, 0x1f, 0x44, 0x00, 0x00
	.globl nmi_final_iret
nmi_final_iret:
	iretq

	/* 3. Nested. The outer NMI is running: make its final IRET land in
	 * repeat_nmi with a constant frame (RSP computed from T, never taken
	 * from a saved frame), count, and return to it. Nothing else: no call,
	 * no other store, nothing that can fault. RDX = T, RSP = T-48. */
nested_nmi:
	movq $KERNEL_DS, NMI_IRET_FRAME+32(%rdx)		/* SS */
	movq %rdx, NMI_IRET_FRAME+24(%rdx)
	addq $NMI_OUTERMOST, NMI_IRET_FRAME+24(%rdx)		/* RSP = T-136 */
	movq $REPEAT_RFLAGS, NMI_IRET_FRAME+16(%rdx)		/* RFLAGS */
	movq $KERNEL_CS, NMI_IRET_FRAME+8(%rdx)			/* CS */
	movq $repeat_nmi, NMI_IRET_FRAME(%rdx)			/* RIP */
	incq NMI_SPARE_NESTED(%rdx)
	popq %rdx
	iretq
	.size nmi_entry, . - nmi_entry


	NMI_HOOK nmi_hook_exit, NMI_SPARE_NESTED, nmi_hook_exit_site + 5, 0

	.globl nmi_entry_end
nmi_entry_end:
