#ifndef MONITOR_TRAP_H
#define MONITOR_TRAP_H

#include "arch/x86_64/trap_frame.h"

void trap_dispatch(struct trap_frame *f);	/* called by entry.S for every vector */
void trap_report(const struct trap_frame *f);
void regs_print(const struct trap_frame *f);
unsigned long trap_spurious_interrupts(void);	/* unexpected vectors, IRQ 7/15 */

#include "arch/x86_64/percpu.h"

/* nmi test: called once by the CPU's next not-present #PF in normal context
 * before it reads CR2; one per CPU, as every CPU runs the test at once. */
extern void (*volatile trap_pf_test_hook[MAX_CPUS])(void);

#endif
