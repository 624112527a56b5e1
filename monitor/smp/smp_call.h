/*
 * Running a function on every other CPU, in NMI context there, and waiting
 * for them: how the shell CPU sets state that only each CPU can set for
 * itself (its PMU counter's MSRs and LVT), whatever that CPU is doing. An
 * NMI, because a CPU running a workload with interrupts off answers nothing
 * else. The function runs under NMI context's rules (no print, no lock
 * another context can hold; it may fault). A CPU parked by a stop runs it
 * from its park loop, its NMI blocked until the world goes on.
 *
 * One call at a time, from the shell CPU. A CPU that has not answered by
 * the timeout may still run the function later: callers make the function
 * and its argument good for as long as the monitor runs (static data, and
 * a later call's function undoes an earlier one's: start, then stop).
 */
#ifndef MONITOR_SMP_CALL_H
#define MONITOR_SMP_CALL_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*smp_call_fn)(void *arg);

void smp_call_init(void);	/* registers the NMI source; boot, bootstrap CPU */
/* The CPUs of mask (bit n: cpu n) other than this one that answer NMIs
 * (up: idle, running, parked or halted) run fn(arg); returns the mask of
 * those that had not within timeout_ms. The others of mask are left out
 * and not in the result: this CPU, CPUs absent or not responding. */
uint64_t smp_call(uint64_t mask, smp_call_fn fn, void *arg, uint64_t timeout_ms);
/* smp_call on every other CPU. */
uint64_t smp_call_others(smp_call_fn fn, void *arg, uint64_t timeout_ms);
/* Does cpu answer a call (the test smp_call makes)? */
bool smp_call_reaches(unsigned int cpu);
/* NMI context, a CPU parked by a stop (smp_world.c): runs a pending call. */
void smp_call_serve_parked(void);

#endif
