/* The PMU decisions of pmu.c against this CPU: CPUID and #GP-safe MSRs. */
#include "pmu_live.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fault_safe.h"

static struct pmu_info info;

static void live_cpuid(void *ctx, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	(void)ctx;
	cpuid(leaf, sub, &r[0], &r[1], &r[2], &r[3]);
}

static int live_rdmsr(void *ctx, uint32_t msr, uint64_t *v)
{
	(void)ctx;
	return fault_safe_rdmsr(msr, v) ? -1 : 0;
}

static int live_wrmsr(void *ctx, uint32_t msr, uint64_t v)
{
	(void)ctx;
	return fault_safe_wrmsr(msr, v) ? -1 : 0;
}

static void live_unmask_lvt(void *ctx)
{
	(void)ctx;	/* PMU sampling is not wired up yet: no LVTPC in use */
}

static const struct pmu_ops live_ops = {
	live_cpuid, live_rdmsr, live_wrmsr, live_unmask_lvt, 0,
};

void pmu_live_detect(void)
{
	pmu_detect(&live_ops, &info);
}

const struct pmu_info *pmu_live_info(void)
{
	return &info;
}
