/*
 * The PMU on this CPU: detection (pmu.c's decisions through CPUID and #GP-
 * safe MSRs), a real-overflow check at boot, and counter 0 as an NMI source
 * through the APIC's performance-counter LVT.
 */
#ifndef PROFILER_PMU_LIVE_H
#define PROFILER_PMU_LIVE_H

#include <stdbool.h>
#include "pmu.h"
#include "arch/x86_64/trap_frame.h"

/* Boot, after the NMI dispatcher is up: detect, then trust the PMU only if
 * a counter preset near overflow raises the NMI (and the overflow status)
 * within a timeout. Otherwise pmu_live_info() says why not. */
void pmu_live_detect(void);
const struct pmu_info *pmu_live_info(void);

/* For each other CPU to program or stop its counter (a vCPU the host has
 * not run for a while answers late). */
#define PMU_CALL_TIMEOUT_MS	1000

/* Sample from counter 0 on every CPU: sample_in_nmi runs in NMI context
 * on every overflow, every period events, on the CPU that overflowed. The
 * shell CPU programs its own counter, then has each other CPU program its
 * own (monitor/smp/smp_call.h). 0, or -1 if this CPU's MSRs refused; a CPU
 * that did not answer or whose MSRs refused shows !pmu_live_cpu_armed. */
int pmu_live_start(enum pmu_event e, uint64_t period,
		   void (*sample_in_nmi)(const struct trap_frame *f));
/* Every CPU's counter stops; one that did not answer stays
 * pmu_live_cpu_armed, its NMIs claimed, sampling nothing. */
void pmu_live_stop(void);
bool pmu_live_cpu_armed(unsigned int cpu);
uint64_t pmu_live_cpu_overflows(unsigned int cpu);	/* since boot */
/* Every CPU's overflows since boot whose sample is done. */
uint64_t pmu_live_overflows(void);
/* No CPU is between an overflow and the end of its sample: with an
 * unchanged pmu_live_overflows around a read of the rings, the ledger read
 * is whole. */
bool pmu_live_settled(void);

#endif
