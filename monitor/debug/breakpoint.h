/* int3 breakpoints in monitor text: stop or trace, hits counted per context. */
#ifndef MONITOR_BREAKPOINT_H
#define MONITOR_BREAKPOINT_H

#include <stdbool.h>
#include <stdint.h>
#include "monitor/lib/status.h"
#include "arch/x86_64/trap_frame.h"

#define BP_MAX 16

struct breakpoint {
	bool used;
	bool trace;		/* count and record, never stop */
	unsigned int id;
	uint64_t addr;
	uint8_t orig;		/* the byte the int3 replaced */
	uint64_t hits, hits_nmi, hits_as_trace;	/* as_trace: stop bp hit where it cannot stop */
	struct trap_frame last_nmi;	/* registers at the last hit in NMI context */
	bool have_last_nmi;
};

/* Adding: the error text goes to why (for the one error line). */
enum bp_error {
	BP_OK, BP_NOT_TEXT, BP_PROTECTED, BP_DUPLICATE, BP_FULL, BP_NO_INT3,
};
enum bp_error bp_add(uint64_t addr, bool trace, unsigned int *id);
bool bp_del(unsigned int id);
unsigned int bp_del_all(void);
const struct breakpoint *bp_get(unsigned int slot);	/* NULL past the last slot */
unsigned int bp_count(void);
uint64_t bp_hits_nmi_total(void);	/* hits in NMI context, all breakpoints ever */

/* From trap_dispatch (any context). True if the trap was a breakpoint's. */
bool bp_on_int3(struct trap_frame *f);
bool bp_on_single_step(struct trap_frame *f);
/* step: single-step the stopped frame f once (TF), stopping again after. */
void bp_request_step(struct trap_frame *f);

#endif
