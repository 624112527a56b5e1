/*
 * Stopping the world: while one CPU is stopped (a breakpoint, a step,
 * Ctrl-C, a watchpoint), every other CPU waits, as under kdb. The CPU that
 * stops owns the world; it sends each other CPU an NMI (the one thing a CPU
 * spinning with interrupts off still answers), and that CPU parks inside
 * its NMI handler, its interrupted frame kept for `cpu N`, `regs` and `bt`,
 * until the owner lets the world go.
 *
 * One owner at a time: a second CPU that stops meanwhile waits for the
 * world inside its own #BP/#DB handler (parked like the others while it
 * waits) and stops after the first one's cont, as kdb reports a second
 * CPU's breakpoint then. A step keeps the world stopped: only the owner
 * runs its one instruction.
 *
 * Also here: making every other CPU serialise after a text patch (the
 * cross-modifying code rule, SDM vol. 3A 8.1.3): an NMI each, whose IRET
 * serialises before the CPU runs the patched code.
 */
#ifndef MONITOR_SMP_WORLD_H
#define MONITOR_SMP_WORLD_H

#include <stdbool.h>
#include "arch/x86_64/trap_frame.h"

#define SMP_WORLD_TIMEOUT_MS	100	/* for each CPU to park, or to serialise */

void smp_world_init(void);	/* registers the NMI sources; boot, bootstrap CPU */

/* The stopping CPU, before it prints its stop: takes the world (waiting
 * for another owner to let go first) and parks every other CPU. Nested
 * stops of the owner (a breakpoint in a command of its stopped shell, the
 * stop after a step) find the world already theirs. */
void smp_world_stop(void);
/* The owner, after its stop line: how many CPUs its roundup stopped (and
 * which did not answer), once per roundup. */
void smp_world_report(void);
/* The owner, as its stop ends: the world goes on unless step (only the
 * owner moves, and it stops again one instruction later) or an outer stop
 * of the owner's is still open. */
void smp_world_resume(bool step);
/* The shell at its top level: a stop that never came back (its step
 * faulted and the command was aborted) lets the world go here. */
void smp_world_settle(void);
/* A CPU that halts after an exception it cannot return from: if it owns
 * the world (a step on it faulted), the others go on. */
void smp_world_abandon(void);
/* Another CPU than the shell's, after an exception outside any command:
 * before its report, the world (so that no other CPU prints meanwhile);
 * after it, that CPU halts for good and the others go on. */
void smp_world_stop_to_report(void);
__attribute__((noreturn)) void smp_halt_after_report(void);

bool smp_world_stopped(void);
unsigned int smp_world_owner(void);	/* valid while smp_world_stopped() */
/* A parked CPU's interrupted frame, or NULL if cpu is not parked. */
struct trap_frame *smp_parked_frame(unsigned int cpu);

/* `cpu N` while stopped: regs and bt show that CPU's context (a parked
 * CPU's, or the owner's own stopped one); 0, or an error reported. The
 * choice lasts until the world goes on. */
int smp_world_select(unsigned int cpu);
unsigned int smp_world_selected(void);	/* the owner when none was chosen */
/* The context regs and bt show: the chosen CPU's, else stop_frame(). */
struct trap_frame *smp_world_view(void);

/* After patching text other CPUs may run: each running CPU serialises
 * (parked ones will, by their IRET, before running anything). Returns the
 * number of CPUs that did not answer within SMP_WORLD_TIMEOUT_MS. */
unsigned int smp_sync_cores(void);

#endif
