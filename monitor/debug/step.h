/*
 * Single steps, per CPU and per nesting level (DEBUG.md). A step is either
 * out of line (a breakpoint's instruction run from this level's slot while
 * its int3 stays in place) or in place (`step` at an address without a
 * breakpoint). Each context that steps pushes a record and its #DB pops it;
 * contexts nest strictly, so the #DB always belongs to the top record.
 */
#ifndef MONITOR_DEBUG_STEP_H
#define MONITOR_DEBUG_STEP_H

#include <stdbool.h>
#include <stdint.h>
#include "monitor/debug/step_plan.h"
#include "arch/x86_64/trap_frame.h"

/* Run the instruction at f->rip (a breakpoint's, decoded as `in` from
 * `bytes`) out of line: f is left pointing at this level's slot with TF
 * set. stop_after: stop in the shell at the next instruction. False when
 * no slot is free (more nesting than STEP_LEVELS). */
bool step_out_of_line(struct trap_frame *f, const uint8_t *bytes, const struct insn *in,
		      bool stop_after);
/* `step` at an instruction without a breakpoint: TF in place. */
bool step_in_place(struct trap_frame *f, bool pushes_flags);
/* From the #DB handler with DR6.BS: finish the top record. True if it was
 * one of ours; *stop_after says whether to stop at the new f->rip. */
bool step_on_single_step(struct trap_frame *f, bool *stop_after);

/* Recovery: a command aborted by an exception abandons the steps its level
 * pushed. depth: step_depth() when that shell level started. */
unsigned int step_depth(void);
void step_abandon_above(unsigned int depth);

/* The original address of an instruction running in a slot (for reports
 * and samples), or 0 if rip is not in a slot. */
uint64_t step_slot_origin(uint64_t rip);
bool step_in_slot(uint64_t rip);

struct step_stats {
	uint64_t out_of_line, in_place, no_slot, abandoned, deepest;
};
void step_get_stats(struct step_stats *s);

#endif
