/*
 * step_slots.S - executable slots for out-of-line single steps
 * (monitor/debug/step.c). One slot per CPU per nesting level: a context
 * that is stepping over a breakpoint owns its slot until its #DB, and any
 * context that interrupts it (an NMI, a #PF, an interrupt) takes the next
 * slot up, so no two steps in flight ever share bytes.
 *
 * The slots live in text (read-only, executable); the engine writes them
 * with text_poke(). They are filled with int3: a step that ran past its
 * instruction would trap at once instead of running stale bytes.
 * protected_range() refuses breakpoints in them.
 */
#include "step_slots.h"

	.section .text.stepslots, "ax"
	.balign 64
	.globl step_slots
step_slots:
	.fill STEP_SLOTS_BYTES, 1, 0xcc
	.globl step_slots_end
step_slots_end:
