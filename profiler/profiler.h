/* The sampling profiler: NMI-driven samples into per-CPU rings. */
#ifndef PROFILER_PROFILER_H
#define PROFILER_PROFILER_H

#include <stdbool.h>
#include <stdint.h>
#include "sample_ring.h"

#define PROF_DEFAULT_TIMER_HZ	1000
#define PROF_MAX_HZ		50000

struct prof_status {
	bool running;
	bool callchain;
	const char *source;
	uint64_t hz_asked;
	uint64_t samples, lost, dropped_no_memory;
	uint64_t tsc_start, tsc_stop;	/* stop = now while running */
	uint64_t ticks;			/* timer NMIs while profiling */
	uint64_t nested;		/* nested NMIs while profiling */
	uint64_t cycles_min, cycles_max, cycles_sum, cycles_n;
};

enum prof_error { PROF_OK, PROF_RUNNING, PROF_NOT_RUNNING, PROF_NO_SOURCE, PROF_BAD_RATE };

enum prof_error prof_start(uint64_t hz, bool callchain);
enum prof_error prof_stop(void);
void prof_reset(void);
void prof_get_status(struct prof_status *s);
struct sample_ring *prof_ring(unsigned int cpu);

#endif
