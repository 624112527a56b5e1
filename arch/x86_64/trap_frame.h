/* The register frame every interrupt and exception stub builds (entry.S). */
#ifndef ARCH_TRAP_FRAME_H
#define ARCH_TRAP_FRAME_H

#include <stdint.h>
#include <stddef.h>
#include "trap_frame_offsets.h"

struct trap_frame {
	/* pushed by trap_common, last first */
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	/* pushed by the stub */
	uint64_t vector;
	uint64_t error;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct trap_frame) == 22 * 8, "entry.S pushes 22 words");
_Static_assert(offsetof(struct trap_frame, vector) == 15 * 8, "entry.S push order");
_Static_assert(offsetof(struct trap_frame, rip) == 17 * 8, "CPU frame follows");
_Static_assert(offsetof(struct trap_frame, r15) == TF_R15 &&
	       offsetof(struct trap_frame, r14) == TF_R14 &&
	       offsetof(struct trap_frame, r13) == TF_R13 &&
	       offsetof(struct trap_frame, r12) == TF_R12 &&
	       offsetof(struct trap_frame, r11) == TF_R11 &&
	       offsetof(struct trap_frame, r10) == TF_R10 &&
	       offsetof(struct trap_frame, r9) == TF_R9 &&
	       offsetof(struct trap_frame, r8) == TF_R8 &&
	       offsetof(struct trap_frame, rbp) == TF_RBP &&
	       offsetof(struct trap_frame, rdi) == TF_RDI &&
	       offsetof(struct trap_frame, rsi) == TF_RSI &&
	       offsetof(struct trap_frame, rdx) == TF_RDX &&
	       offsetof(struct trap_frame, rcx) == TF_RCX &&
	       offsetof(struct trap_frame, rbx) == TF_RBX &&
	       offsetof(struct trap_frame, rax) == TF_RAX &&
	       offsetof(struct trap_frame, vector) == TF_VECTOR &&
	       offsetof(struct trap_frame, error) == TF_ERROR &&
	       offsetof(struct trap_frame, rip) == TF_GPRS_BYTES, "trap_frame_offsets.h");

void capture_regs(struct trap_frame *f);	/* capture_regs.S */

/* the vectors whose exceptions write CR2 (#PF) and DR6 (#DB) */
#define VEC_DB	1
#define VEC_PF	14

#define TRAP_STUB_SIZE	16	/* entry.S aligns every stub to 16 bytes */

#endif
