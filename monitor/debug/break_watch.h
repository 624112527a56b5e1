/*
 * The Ctrl-C watch, for commands that run with interrupts off: the UART
 * interrupt cannot tell them, so the timer NMI's tick looks at the UART and
 * plants a DR0 instruction breakpoint at the interrupted instruction, which
 * stops that context in its own #DB (an NMI itself never stops).
 */
#ifndef MONITOR_DEBUG_BREAK_WATCH_H
#define MONITOR_DEBUG_BREAK_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86_64/trap_frame.h"

void break_watch_init(void);	/* hooks into the timer NMI's tick */
/* Around a command that may run with interrupts off. Nests (a command in a
 * stopped shell inside another); a command aborted by a fault ends its own
 * watch through the shell level's undo, and only its own. */
void break_watch_begin(void);
void break_watch_end(void);
/* #DB outside NMI context: true if it was the watch's DR0 break, served
 * (stopped here, or, fired in another context than it was planted for,
 * disarmed and left to a later tick). */
bool break_watch_on_db(struct trap_frame *f, uint64_t dr6);
/* The same break for another CPU (break_other.c): a Ctrl-C pending for
 * cpu, planted by an NMI on that CPU, until its #DB takes it or it is
 * withdrawn (true: withdrawn before the #DB took it). */
void break_watch_request(unsigned int cpu);
bool break_watch_pending(unsigned int cpu);
bool break_watch_withdraw(unsigned int cpu);
void break_watch_plant_in_nmi(const struct trap_frame *f);	/* NMI context */
uint64_t break_watch_stops(unsigned int cpu);	/* stops the watch ended there */

#endif
