/*
 * How to run one instruction out of line (DEBUG.md, "Out of line"): the
 * int3 of a breakpoint stays in place and the instruction it covers is
 * copied into a slot of executable memory, adjusted so that it does there
 * what it would have done at its own address, and single-stepped with TF.
 * Portable: the host unit tests check every adjustment.
 */
#ifndef MONITOR_DEBUG_STEP_PLAN_H
#define MONITOR_DEBUG_STEP_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include "monitor/debug/insn.h"

#define STEP_SLOT_SIZE	32	/* bytes per slot: the longest rewrite is 15 + 0 */

/* What the #DB after the step must fix in the stepped context. */
#define STEP_FIX_FALLTHROUGH	0x1	/* RIP == slot + slot_len: continue at addr + len */
#define STEP_FIX_RET_ADDR	0x2	/* a call pushed slot + slot_len: make it addr + len */
#define STEP_FIX_PUSHED_TF	0x4	/* PUSHF pushed our TF: clear it in the pushed copy */
#define STEP_FIX_REPEATS	0x8	/* REP string: RIP == slot while iterations remain */

struct step_plan {
	uint8_t code[STEP_SLOT_SIZE];	/* what the slot holds */
	uint8_t code_len;
	uint8_t fix;			/* STEP_FIX_* */
};

/* Plan the out-of-line run of the instruction `in` (its bytes at `bytes`),
 * found at `addr`, for a slot at `slot`. Returns NULL and fills *plan, or
 * the reason it cannot run out of line (bp add refuses it with that text). */
const char *step_plan_make(const uint8_t *bytes, const struct insn *in, uint64_t addr,
			   uint64_t slot, struct step_plan *plan);

/* The same check without a slot: can this instruction be stepped out of
 * line at all (and in place: PUSHF needs its fix either way)? */
const char *step_plan_refusal(const uint8_t *bytes, const struct insn *in);

#endif
