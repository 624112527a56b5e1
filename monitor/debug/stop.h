/* Stops: a breakpoint, a single step or Ctrl-C hands the interrupted
 * context to a nested shell until cont or step. Normal context only: NMI
 * and interrupt handlers never stop (a stop there would leave them open). */
#ifndef MONITOR_STOP_H
#define MONITOR_STOP_H

#include <stdbool.h>
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap_frame.h"

enum stop_reason { STOP_BREAKPOINT, STOP_STEP, STOP_BREAK, STOP_WATCH };

/* Prints "stopped: <why> at sym+off", runs the stopped shell on f, and
 * resumes f as the user chose (cont, or step: stop again after one
 * instruction), stepping over a breakpoint at f->rip out of line.
 * bp_id: the breakpoint's id for STOP_BREAKPOINT, the watchpoint's for
 * STOP_WATCH. With gdb attached the stop is gdb's: nothing is printed, the
 * stub reports it (monitor/gdb/gdb_stub.c). */
void stop_enter(struct trap_frame *f, enum stop_reason why, unsigned int bp_id);
struct trap_frame *stop_frame(void);	/* this CPU's innermost stopped context, or NULL */
/* Each CPU's stops in progress (stop.c). Read inline: the NMI sampler asks
 * on every sample. */
extern volatile unsigned int stop_depth[MAX_CPUS];
/* this CPU is inside a stop: its hits only count */
static inline bool stop_active(void)
{
	return stop_depth[this_cpu()->cpu] > 0;
}
/* The gdb stub while it serves packets: hits (of what its memory accesses
 * or monitor commands run) only count, as inside a stop. */
void stop_hold(bool on);

#endif
