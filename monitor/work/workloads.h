/* Built-in workloads: real functions to break into and profile. */
#ifndef MONITOR_WORKLOADS_H
#define MONITOR_WORKLOADS_H

#include <stdint.h>

uint64_t work_spin(uint64_t ms);	/* returns loop iterations */
uint64_t work_spin_cli(uint64_t ms);	/* the same with interrupts off */
uint64_t work_rep_cli(uint64_t ms);	/* copies with REP MOVSB, interrupts off */
uint64_t work_lazy(uint64_t ms, uint64_t *faults);	/* pages touched */
uint64_t work_recurse(unsigned int depth);	/* returns depth reached */
/* Spin with RBP pointing into an unmapped page of the lazy region (its last
 * page): a callchain walk from there must fail, not map it. */
#define WORK_WILD_FP	(0xffffc00000000000ul + (1ul << 30) - 4096)
uint64_t work_wild_fp(uint64_t ms);	/* returns loop iterations */
/* n increments of scratch_area[0] (a watchpoint's target); its last value */
uint64_t work_scratch(uint64_t n);
/* True until ms from start_tsc have passed. */
uint64_t work_deadline(uint64_t ms);

#endif
