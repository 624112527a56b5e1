/* The sampling profiler: NMI-driven samples into per-CPU rings. */
#ifndef PROFILER_PROFILER_H
#define PROFILER_PROFILER_H

#include <stdbool.h>
#include <stdint.h>
#include "pmu.h"
#include "sample_ring.h"

#define PROF_DEFAULT_TIMER_HZ	1000
#define PROF_DEFAULT_PMU_HZ	4000	/* perf's default */
#define PROF_MAX_HZ		50000
/* prof status times one sample in this many (a power of two) */
#define PROF_COST_EVERY		16

enum prof_source { PROF_SRC_TIMER, PROF_SRC_PMU };

struct prof_config {
	enum prof_source source;
	enum pmu_event event;	/* PMU only */
	uint64_t hz;		/* timer: NMIs per second */
	uint64_t period;	/* PMU: events per sample */
	bool callchain;
};

struct prof_status {
	bool running;
	struct prof_config cfg;
	const char *source;
	uint64_t hz_asked;	/* timer: asked; PMU: the rate the period means at TSC speed */
	uint64_t samples, lost, dropped_no_memory;
	uint64_t tsc_start, tsc_stop;	/* stop = now while running */
	uint64_t ticks;			/* timer NMIs or counter overflows while profiling */
	unsigned int tickers;		/* CPUs whose ticks those are: the PMU's, one per CPU */
	uint64_t nested;		/* nested NMIs while profiling */
	uint64_t cycles_min, cycles_max, cycles_sum, cycles_n;
};

enum prof_error { PROF_OK, PROF_RUNNING, PROF_NOT_RUNNING, PROF_NO_SOURCE, PROF_BAD_RATE,
		  PROF_PMU_FAULT };

/* Events per sample that keep a PMU source at or under PROF_MAX_HZ, taking
 * the TSC rate for the core's rate (cycles) and one instruction per cycle. */
uint64_t prof_min_pmu_period(void);
enum prof_error prof_start(const struct prof_config *c);
enum prof_error prof_stop(void);
void prof_reset(void);
void prof_get_status(struct prof_status *s);
struct sample_ring *prof_ring(unsigned int cpu);

#endif
