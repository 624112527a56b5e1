#ifndef PROFILER_REPORT_H
#define PROFILER_REPORT_H

#include <stdint.h>

/* Normal context, while sampling is stopped or running (reads do not
 * consume: report and dump may be repeated). */
int prof_report(uint64_t top, int cpu);	/* cpu < 0: every CPU's samples, merged */
enum dump_format { DUMP_FOLDED, DUMP_PERF, DUMP_RAW };
int prof_dump(enum dump_format fmt);
/* Each work_mix leaf's share of the samples in the three leaves against the
 * share ratio A:B:C gives it, and the worst difference in percentage points:
 * the profiler's accuracy as one figure a lab can chart. */
int prof_check_mix(const unsigned int ratio[3]);

#endif
