/*
 * Stop the world (roundup, as kdb does): while the shell CPU is stopped
 * (a breakpoint, a step, Ctrl-C), every other CPU is parked by an NMI,
 * spinning inside its NMI handler with its interrupted frame saved, until
 * the shell CPU resumes. NMIs stay blocked while it is parked: the NMIs
 * sent meanwhile (backtrace requests, the profiler's fan-out) are served
 * from the parked loop or collapse into one NMI taken after it, and each
 * source still claims its own.
 *
 * A step keeps the others parked: its stop comes right after one
 * instruction, and only the stepped CPU runs meanwhile. A step that never
 * stops again releases them at the next top-level prompt.
 */
#ifndef MONITOR_SMP_STOP_H
#define MONITOR_SMP_STOP_H

#include <stdbool.h>
#include "monitor/smp/smp.h"

void smp_stop_init(void);		/* registers the NMI source; boot */
/* Shell CPU, around its stopped shell (shell.c). Other CPUs do nothing. */
void smp_world_stop(void);
void smp_world_leave(bool stepping);
void smp_world_release_held(void);	/* at the top-level prompt */

/* cpu N: the CPU whose context regs and bt show while stopped. */
int smp_select(unsigned int cpu);	/* 0 or an error reported */
unsigned int smp_selected(void);
/* The selected CPU's parked frame, or NULL when it is the shell CPU. */
const struct trap_frame *smp_selected_frame(void);

#endif
