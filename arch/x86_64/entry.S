/*
 * entry.S - the 256 interrupt/exception entry stubs and their common path.
 *
 * Every stub leaves the same frame (struct trap_frame in trap_frame.h):
 * it pushes a zero where the CPU pushes no error code, then the vector, and
 * jumps to trap_common, which pushes the general registers and calls
 * trap_dispatch(frame). On return it restores them and IRETs, so the C side
 * may rewrite any field of the frame (fixups, returning to the shell).
 *
 * The CPU aligns RSP to 16 before pushing its frame in 64-bit mode (SDM vol.
 * 3A, 6.14.2); 5 words of CPU frame + error + vector + 15 registers = 22
 * words keeps the call into C 16-byte aligned.
 */
#include "boot_layout.h"
#include "push_regs.h"

/* Vectors for which the CPU pushes an error code (SDM vol. 3A, table 6-1):
 * #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14, #AC 17, #CP 21, #VC 29, #SX 30. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			   (v) == 21 || (v) == 29 || (v) == 30)

	.section .text.entry, "ax"
	.code64

	.balign 16
	.globl trap_stubs
trap_stubs:
	vec = 0
	.rept 256
	.balign 16
	.if !HAS_ERROR_CODE(vec)
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	vec = vec + 1
	.endr

	.balign 16
	.globl trap_common
	.type trap_common, @function
trap_common:
	cld
	PUSH_GPRS				/* struct trap_frame order */
	mov %rsp, %rdi
	call trap_dispatch
	.globl trap_return
trap_return:
	POP_GPRS
	add $16, %rsp			/* vector, error code */
	iretq
	.size trap_common, . - trap_common
