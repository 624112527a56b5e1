/* Offsets of the struct percpu fields that assembly reaches through %gs.
 * percpu.c checks each against offsetof() at build time. */
#ifndef ARCH_PERCPU_OFFSETS_H
#define ARCH_PERCPU_OFFSETS_H

#define NMI_STACK_SIZE	(16 * 1024)
#define NMI_STACK_SPARE	64	/* bytes above the NMI IST pointer T (NMI.md) */
#define NMI_STACK_USABLE (NMI_STACK_SIZE - NMI_STACK_SPARE)	/* T down to the guard page */

#define PERCPU_SELF		0
#define PERCPU_NMI_PASS		8	/* 0 on an NMI's first pass, then 1, 2, ... */
#define PERCPU_NMI_TOP		16	/* "T": this CPU's NMI IST pointer */
#define PERCPU_APIC_ICR		24	/* virtual address of the xAPIC ICR (low word); 0: x2APIC */
#define PERCPU_SELF_NMI_ICR	32	/* ICR value that sends an NMI to this CPU (x2APIC: all 64 bits) */
#define PERCPU_HOOK_ARMED	40	/* test hooks in the NMI entry fire while > 0 */
#define PERCPU_HOOK_FIRED	48	/* hooks that saw their NMI arrive */
#define PERCPU_HOOK_TIMEOUTS	56	/* hooks that gave up waiting */
#define PERCPU_HOOK_SAVE	64	/* 4 words: registers a hook borrows */
#define X2APIC_ICR_MSR		0x830
#define PERCPU_NMI_DEPTH	96	/* > 0 while in NMI context (C part of a pass) */

/* Words above T (the spare area, always mapped, per CPU): */
#define NMI_SPARE_NESTED	0	/* nested NMIs seen by the entry code */
#define NMI_SPARE_IN_WINDOW	8	/* NMIs that hit the repeat_nmi copy window */

/* Words below T (NMI.md's layout), as offsets from T */
#define NMI_HW_FRAME		(-40)	/* RIP, CS, RFLAGS, RSP, SS up to T-8 */
#define NMI_SCRATCH		(-48)
#define NMI_EXECUTING		(-56)
#define NMI_IRET_FRAME		(-96)	/* RIP at T-96 ... SS at T-64 */
#define NMI_OUTERMOST		(-136)	/* RIP at T-136 ... SS at T-104 */

#endif
