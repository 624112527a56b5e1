#ifndef PROFILER_PMU_LIVE_H
#define PROFILER_PMU_LIVE_H

#include "pmu.h"

void pmu_live_detect(void);		/* at boot; every MSR access #GP-safe */
const struct pmu_info *pmu_live_info(void);

#endif
