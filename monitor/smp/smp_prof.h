/*
 * The profiler's timer NMI on every CPU. The HPET's NMI reaches the
 * bootstrap CPU alone; on each tick due as a sample it sends one NMI IPI to
 * all other CPUs (the "all excluding self" shorthand: one ICR write, no
 * destination, so it never borrows xAPIC's ICR high) after bumping each
 * online AP's request count, then samples itself. On an AP the source
 * "profiler fan-out" claims an NMI only while its count is non-zero and
 * samples its own interrupted context into its own ring.
 *
 * Cost: on the ticking CPU one ICR write per sample (an MMIO store in xAPIC
 * mode, a WRMSR in x2APIC mode: each a VM exit under KVM) and a store per
 * AP; on every other CPU one NMI and one sample per tick. With one CPU the
 * profiler's own sampler is used unchanged: no IPI, no extra cost.
 *
 * Per-AP ledger, since prof start: sent = taken + merged + pending. Requests that found an NMI
 * already pending merge into one NMI (the CPU had NMIs blocked over a whole
 * period): merged counts them; each taken NMI is one sample, lost or
 * dropped in that CPU's ring.
 */
#ifndef MONITOR_SMP_PROF_H
#define MONITOR_SMP_PROF_H

#include <stdint.h>
#include "arch/x86_64/trap_frame.h"

typedef void (*smp_sampler)(const struct trap_frame *f);

void smp_prof_init(void);	/* registers the NMI source; boot */
/* The sampler to give the timer: sample_in_nmi itself with one CPU online,
 * else the fan-out that also runs it on every AP. NULL: stop. */
smp_sampler smp_prof_sampler(smp_sampler sample_in_nmi);

struct smp_prof_counts {
	uint64_t sent, taken, merged;
};
void smp_prof_get(unsigned int cpu, struct smp_prof_counts *c);

#endif
