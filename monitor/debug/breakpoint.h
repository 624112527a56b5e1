/* int3 breakpoints in monitor text: stop or trace, hits counted per context. */
#ifndef MONITOR_BREAKPOINT_H
#define MONITOR_BREAKPOINT_H

#include <stdbool.h>
#include <stdint.h>
#include "monitor/lib/status.h"
#include "monitor/debug/insn.h"
#include "arch/x86_64/trap_frame.h"

#define BP_MAX 16

struct breakpoint {
	volatile bool used;
	bool trace;		/* count and record, never stop */
	unsigned int id;
	uint64_t addr;
	uint8_t bytes[INSN_MAX_LEN];	/* the instruction, as it was before the int3 */
	struct insn insn;
	uint64_t hits, hits_nmi, hits_as_trace;	/* as_trace: stop bp hit where it cannot stop */
	struct trap_frame last_nmi;	/* registers at the last hit in NMI context */
	bool have_last_nmi;
};

enum bp_error {
	BP_OK, BP_NOT_TEXT, BP_PROTECTED, BP_DUPLICATE, BP_FULL, BP_NO_INT3,
	BP_NOT_BOUNDARY,	/* why->insn_start: the instruction that contains it */
	BP_UNDECODABLE,		/* why->text: what failed */
	BP_CANNOT_STEP,		/* why->text: why it cannot run out of line */
	BP_NEVER_RUNS,		/* why->text: why no hit could come */
};
struct bp_why {
	uint64_t insn_start;
	const char *text;
};
enum bp_error bp_add(uint64_t addr, bool trace, unsigned int *id, struct bp_why *why);
bool bp_del(unsigned int id);
unsigned int bp_del_all(void);
const struct breakpoint *bp_get(unsigned int slot);	/* NULL past the last slot */
unsigned int bp_count(void);
bool bp_exists(unsigned int id);
/* Another CPU, parked by this CPU's stop, was changing the table: add and
 * del must wait for cont. */
bool bp_change_interrupted(void);
/* hits in NMI context on this CPU, all breakpoints ever (nmi test tells
 * them from its own int3s, on every CPU at once) */
uint64_t bp_hits_nmi_this_cpu(void);

/* From the #BP handler (any context). True if the int3 was a breakpoint's. */
bool bp_on_int3(struct trap_frame *f);
/* After a stop: resume f, stepping over a breakpoint at f->rip out of line,
 * and stopping again after one instruction if step. */
void bp_resume(struct trap_frame *f, bool step);

#endif
