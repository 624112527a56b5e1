/*
 * Ctrl-C at the shell CPU's prompt while another CPU runs a workload
 * (work ... cpu=N): that CPU is stopped as a command on the shell CPU is,
 * by the Ctrl-C watch's debug break, planted from an NMI the shell CPU sends
 * it. Its stop then stops the world as any stop on an AP does.
 */
#ifndef MONITOR_DEBUG_BREAK_OTHER_H
#define MONITOR_DEBUG_BREAK_OTHER_H

void break_other_init(void);	/* registers the NMI source; with more than one CPU */
/* Shell CPU, at its top-level prompt: stops the lowest-numbered CPU that
 * runs a workload and returns once that stop is over (or says why it did
 * not stop); nothing when no other CPU runs one. */
void break_other_cpu(void);

#endif
