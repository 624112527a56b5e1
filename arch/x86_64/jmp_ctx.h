#ifndef ARCH_JMP_CTX_H
#define ARCH_JMP_CTX_H

#include <stdint.h>
#include "trap_frame.h"
#include "boot_layout.h"

struct jmp_ctx {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

int ctx_save(struct jmp_ctx *c) __attribute__((returns_twice));

/* Make the exception frame f return into c as if ctx_save returned 1,
 * with interrupts on (the shell's normal state). */
static inline void ctx_resume_from_trap(struct trap_frame *f, const struct jmp_ctx *c)
{
	f->rbx = c->rbx;
	f->rbp = c->rbp;
	f->r12 = c->r12;
	f->r13 = c->r13;
	f->r14 = c->r14;
	f->r15 = c->r15;
	f->rsp = c->rsp;
	f->rip = c->rip;
	f->rax = 1;
	f->cs = KERNEL_CS;
	f->ss = KERNEL_DS;
	f->rflags = (1ul << 9) | 0x2;	/* IF, and bit 1 which is always set */
}

#endif
