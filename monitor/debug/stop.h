/* Stops: a breakpoint, a single step or Ctrl-C hands the interrupted
 * context to a nested shell until cont or step. Normal context only: NMI
 * and interrupt handlers never stop (a stop there would leave them open). */
#ifndef MONITOR_STOP_H
#define MONITOR_STOP_H

#include <stdbool.h>
#include "monitor/shell/shell.h"
#include "arch/x86_64/trap_frame.h"

/* Prints "stopped: <why> at sym+off", runs the stopped shell on f, returns
 * the user's choice; f may be changed by commands (mw of registers later). */
enum shell_action stop_enter(struct trap_frame *f, const char *why);
struct trap_frame *stop_frame(void);	/* the innermost stopped context, or NULL */
bool stop_active(void);			/* inside a stop: breakpoints only count */

#endif
