/* The #BP and #DB handling: breakpoints, single steps, the Ctrl-C break. */
#ifndef MONITOR_DEBUG_TRAP_H
#define MONITOR_DEBUG_TRAP_H

#include <stdbool.h>
#include "arch/x86_64/trap_frame.h"

/* From trap_dispatch for vectors 1 and 3: true if it was the debugger's. */
bool debug_trap(struct trap_frame *f);
/* Ctrl-C for the command that f interrupted (from the UART interrupt):
 * stop it now, or at the end of the step it is in the middle of. */
void debug_break_at(struct trap_frame *f);

#endif
