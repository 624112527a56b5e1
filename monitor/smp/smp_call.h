/*
 * Running a function on other CPUs, in NMI context there, and waiting for
 * them: how the CPU that runs the shell sets state that only each CPU can
 * set for itself (its MSRs, its PMU counter) and makes each serialise,
 * whatever that CPU is doing. An NMI, because a CPU running a workload
 * with interrupts off answers nothing else. The function runs under NMI
 * context's rules (no print, no lock another context can hold; it may
 * fault). A CPU parked by a stop runs it from its park loop.
 *
 * A call that times out on a CPU is cancelled there unless that CPU has
 * already taken it (then the caller waits for it to end): a function never
 * runs after smp_call returns, so fn and arg need only live as long as the
 * call.
 *
 * One call at a time. Two shells never run at once, but a stop on another
 * CPU can park the shell CPU in the middle of a call and run a shell of its
 * own: that shell's call finds the first one still open and is refused
 * (SMP_CALL_BUSY), as every CPU but its own is then parked.
 */
#ifndef MONITOR_SMP_CALL_H
#define MONITOR_SMP_CALL_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*smp_call_fn)(void *arg);

#define SMP_CALL_BUSY	(~0ull)

void smp_call_init(void);	/* registers the NMI source; boot, bootstrap CPU */
/* The CPUs of mask (bit n: cpu n) other than this one that answer NMIs
 * (up: idle, running, parked or halted) run fn(arg); returns the mask of
 * those that did not within timeout_ms (their call is cancelled), or
 * SMP_CALL_BUSY when a call of a CPU parked by this stop is still open.
 * This CPU and CPUs absent or not responding are left out. */
uint64_t smp_call(uint64_t mask, smp_call_fn fn, void *arg, uint64_t timeout_ms);
/* smp_call on every other CPU. */
uint64_t smp_call_others(smp_call_fn fn, void *arg, uint64_t timeout_ms);
/* Does cpu answer a call (the test smp_call makes)? */
bool smp_call_reaches(unsigned int cpu);
/* NMI context, a CPU parked by a stop (smp_world.c): runs a pending call. */
void smp_call_serve_parked(void);

#endif
