/*
 * The lazily mapped region: a reserved virtual range with no page-table
 * entries until first touch. A not-present #PF inside it maps a zeroed frame
 * and the faulting instruction runs again, from any context, NMI included
 * (the profiler's sample rings live here, so first touches fault inside
 * NMIs on purpose).
 */
#ifndef MONITOR_LAZY_H
#define MONITOR_LAZY_H

#include <stdbool.h>
#include <stdint.h>

#define LAZY_BASE	0xffffc00000000000ul	/* PML4 slot 384: nothing else there */
#define LAZY_SIZE	(1ul << 30)

struct lazy_stats {
	uint64_t pages_mapped;
	uint64_t faults;		/* faults that mapped a page */
	uint64_t faults_nmi;		/* of those, taken in NMI context */
	uint64_t faults_raced;		/* another context mapped the page first */
	uint64_t out_of_memory;		/* faults that found no free frame */
	uint64_t out_of_memory_nmi;
};

/* A second lazily mapped range, for the profiler's sample rings: its pages
 * fault in on first use, inside NMIs, and lazy reset leaves it alone (it
 * would throw samples away). A GiB of nothing separates it from the user
 * region, so an access past the user region's end is still an error. */
#define LAZY_PROF_BASE	(LAZY_BASE + 2 * LAZY_SIZE)
#define LAZY_PROF_SIZE	(128ul << 20)	/* 16 MiB a CPU, MAX_CPUS of them */

static inline bool lazy_contains(uint64_t va)
{
	return va - LAZY_BASE < LAZY_SIZE || va - LAZY_PROF_BASE < LAZY_PROF_SIZE;
}

/* Called for a not-present #PF at va inside the region: true if the page is
 * now mapped (retry the instruction), false if no frame was free. */
bool lazy_handle_fault(uint64_t va, bool in_nmi);
/* Unmap every page and give its frame back; returns the pages unmapped.
 * Normal context only. Page-table pages stay, so an NMI that faults a page
 * back in meanwhile walks tables that still exist. */
uint64_t lazy_reset(void);
void lazy_get_stats(struct lazy_stats *out);	/* all CPUs' */
void lazy_get_cpu_stats(struct lazy_stats *out);	/* this CPU's faults and unmaps alone */
/* Unmap one page (normal context); true if it was mapped. */
bool lazy_unmap(uint64_t va);

#endif
