/*
 * nmi test's output. With one CPU under test its lines go straight to the
 * console, as they always did. With several, each CPU keeps its lines in
 * its own buffer, each prefixed "cpu N: ", and the shell CPU prints the
 * blocks one after the other once the CPUs are done: an AP never prints
 * (the console has no lock), and interleaved lines could not be read.
 */
#ifndef MONITOR_NMI_SELFTEST_OUT_H
#define MONITOR_NMI_SELFTEST_OUT_H

#include <stdbool.h>

/* Shell CPU, before any CPU runs its cases: buffered or straight through;
 * empties the buffers of the CPUs in mask. */
void nst_out_start(bool buffered, unsigned int mask);
/* This CPU's output, a line or part of one. */
void nst_say(const char *f, ...) __attribute__((format(printf, 1, 2)));
/* Shell CPU: prints what cpu said (nothing when not buffered). */
void nst_out_print(unsigned int cpu);

#endif
