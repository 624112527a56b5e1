#include "pmu.h"
#include "monitor/lib/fmt.h"

#define VENDOR_INTEL_EBX 0x756e6547	/* "Genu" */
#define VENDOR_AMD_EBX	0x68747541	/* "Auth" */

static void none(struct pmu_info *p, const char *why)
{
	p->kind = PMU_NONE;
	fmt_snprintf(p->why_none, sizeof(p->why_none), "%s", why);
}

/* A counter that is really there keeps what is written to it (its event
 * select is off, so it does not move): TCG reads zeros, KVM without a
 * virtual PMU raises #GP. Overflow and the NMI are checked when sampling
 * from the PMU is built. */
static void verify_counter(const struct pmu_ops *o, struct pmu_info *p)
{
	const uint64_t probe = 0x5a5a5;
	uint32_t sel = pmu_evtsel_msr(p), ctr = pmu_counter_msr(p);
	uint64_t v = 0;

	if (o->wrmsr(o->ctx, sel, 0) || o->wrmsr(o->ctx, ctr, probe) || o->rdmsr(o->ctx, ctr, &v)) {
		none(p, "no PMU: its counter MSRs fault");
		return;
	}
	o->wrmsr(o->ctx, ctr, 0);
	if (v != probe)
		none(p, "no PMU: a counter write does not read back");
}

static void detect(const struct pmu_ops *o, struct pmu_info *p);

void pmu_detect(const struct pmu_ops *o, struct pmu_info *p)
{
	detect(o, p);
	if (p->kind != PMU_NONE)
		verify_counter(o, p);
}

static void detect(const struct pmu_ops *o, struct pmu_info *p)
{
	uint32_t r[4], max;
	uint64_t caps;

	*p = (struct pmu_info){ 0 };
	o->cpuid(o->ctx, 0, 0, r);
	max = r[0];
	if (r[1] == VENDOR_AMD_EBX) {
		o->cpuid(o->ctx, 0x80000000, 0, r);
		p->kind = PMU_AMD;
		p->width = 48;
		p->counters = 4;
		if (r[0] >= 0x80000001) {
			o->cpuid(o->ctx, 0x80000001, 0, r);
			p->amd_core_ext = r[2] & (1u << 23);	/* PerfCtrExtCore */
			if (p->amd_core_ext)
				p->counters = 6;
		}
		return;
	}
	if (r[1] != VENDOR_INTEL_EBX || max < 0xa) {
		none(p, max < 0xa ? "no PMU: no CPUID leaf 0AH" : "no PMU: unknown vendor");
		return;
	}
	o->cpuid(o->ctx, 0xa, 0, r);
	p->version = r[0] & 0xff;
	p->counters = (r[0] >> 8) & 0xff;
	p->width = (r[0] >> 16) & 0xff;
	if (p->version == 0 || p->counters == 0) {
		fmt_snprintf(p->why_none, sizeof(p->why_none), "no PMU: CPUID.0AH version %u, %u counters",
			     p->version, p->counters);
		p->kind = PMU_NONE;
		return;
	}
	/* a legacy counter write sign-extends bit 31, so below 32 bits the
	 * presets go wrong; above 64 is no counter at all */
	if (p->width < 32 || p->width > 64) {
		fmt_snprintf(p->why_none, sizeof(p->why_none), "no PMU: CPUID.0AH counter width %u bits",
			     p->width);
		p->kind = PMU_NONE;
		return;
	}
	p->kind = PMU_INTEL;
	/* PERF_CAPABILITIES exists when CPUID.1:ECX.PDCM says so */
	o->cpuid(o->ctx, 1, 0, r);
	if ((r[2] & (1u << 15)) && o->rdmsr(o->ctx, MSR_IA32_PERF_CAPABILITIES, &caps) == 0)
		p->full_width = caps & PERF_CAP_FW_WRITE;
	/* the global control MSRs come with version 2; a #GP there (KVM with no
	 * virtual PMU) means there is nothing to program */
	if (p->version >= 2 && o->rdmsr(o->ctx, MSR_IA32_PERF_GLOBAL_CTRL, &caps) != 0)
		none(p, "no PMU: IA32_PERF_GLOBAL_CTRL faults");
}

/* CPUID.0AH reports the width in 8 bits; no counter is wider than 64 */
static unsigned int counter_bits(const struct pmu_info *p)
{
	return p->width == 0 ? 48 : p->width > 64 ? 64 : p->width;
}

uint64_t pmu_counter_top_bit(const struct pmu_info *p)
{
	return 1ull << (counter_bits(p) - 1);
}

uint32_t pmu_counter_msr(const struct pmu_info *p)
{
	if (p->kind == PMU_AMD)
		return p->amd_core_ext ? MSR_F15H_PERF_CTR0 : MSR_K7_PERFCTR0;
	return p->full_width ? MSR_IA32_A_PMC0 : MSR_IA32_PMC0;
}

uint32_t pmu_evtsel_msr(const struct pmu_info *p)
{
	if (p->kind == PMU_AMD)
		return p->amd_core_ext ? MSR_F15H_PERF_CTL0 : MSR_K7_EVNTSEL0;
	return MSR_IA32_PERFEVTSEL0;
}

bool pmu_evtsel(const struct pmu_info *p, enum pmu_event e, uint64_t *sel)
{
	uint64_t code;

	if (p->kind == PMU_NONE)
		return false;
	if (p->kind == PMU_AMD)
		code = e == PMU_CYCLES ? 0x76 : 0xC0;	/* CPU clocks not halted; retired instructions */
	else
		code = e == PMU_CYCLES ? 0x3C : 0xC0;	/* architectural events, umask 0 */
	*sel = code | EVTSEL_USR | EVTSEL_OS | EVTSEL_INT | EVTSEL_EN;
	return true;
}

uint64_t pmu_period_value(const struct pmu_info *p, uint64_t period)
{
	uint64_t mask = pmu_counter_top_bit(p) * 2 - 1;	/* 2^64 - 1 when 64 bits: wraps to it */
	/* a legacy IA32_PMCx write takes EAX and copies bit 31 upwards: -period
	 * must keep bit 31 set, so at most 2^31 - 1 */
	uint64_t max = p->kind == PMU_INTEL && !p->full_width ? 0x7fffffffull : mask;

	if (period < PMU_MIN_PERIOD)
		period = PMU_MIN_PERIOD;
	if (period > max)
		period = max;
	return (0 - period) & mask;
}

unsigned int pmu_intel_pmi(const struct pmu_ops *o, const struct pmu_info *p, uint64_t period,
			   uint64_t enabled_mask, void (*record)(void *ctx, unsigned int counter),
			   void *record_ctx)
{
	uint64_t status = 0;
	unsigned int handled = 0, loops = 0;
	uint32_t ctr = pmu_counter_msr(p);

	o->wrmsr(o->ctx, MSR_IA32_PERF_GLOBAL_CTRL, 0);
	if (o->rdmsr(o->ctx, MSR_IA32_PERF_GLOBAL_STATUS, &status) != 0)
		status = 0;
	status &= enabled_mask;
	while (status && loops++ < PMU_PMI_LOOPS) {
		for (unsigned int i = 0; i < p->counters && i < 64; i++) {
			if (!(status & (1ull << i)))
				continue;
			record(record_ctx, i);
			o->wrmsr(o->ctx, ctr + i, pmu_period_value(p, period));
			handled++;
		}
		o->wrmsr(o->ctx, MSR_IA32_PERF_GLOBAL_OVF_CTRL, status);
		if (o->rdmsr(o->ctx, MSR_IA32_PERF_GLOBAL_STATUS, &status) != 0)
			status = 0;
		status &= enabled_mask;
	}
	o->wrmsr(o->ctx, MSR_IA32_PERF_GLOBAL_CTRL, enabled_mask);
	if (handled)
		o->unmask_lvt(o->ctx);	/* last: Intel masked it when it raised the PMI */
	return handled;
}

static bool has_global_msrs(const struct pmu_info *p)
{
	return p->kind == PMU_INTEL && p->version >= 2;
}

int pmu_program(const struct pmu_ops *o, const struct pmu_info *p, enum pmu_event e,
		uint64_t first)
{
	uint32_t sel = pmu_evtsel_msr(p);
	uint64_t evtsel;

	if (!pmu_evtsel(p, e, &evtsel))
		return -1;
	if (has_global_msrs(p) && o->wrmsr(o->ctx, MSR_IA32_PERF_GLOBAL_CTRL, 0))
		return -1;
	if (o->wrmsr(o->ctx, sel, 0) || o->wrmsr(o->ctx, pmu_counter_msr(p), pmu_period_value(p, first)))
		return -1;
	/* an overflow left from an earlier run would raise a PMI at once */
	if (has_global_msrs(p) && o->wrmsr(o->ctx, MSR_IA32_PERF_GLOBAL_OVF_CTRL, 1))
		return -1;
	if (o->wrmsr(o->ctx, sel, evtsel))
		return -1;
	if (has_global_msrs(p) && o->wrmsr(o->ctx, MSR_IA32_PERF_GLOBAL_CTRL, 1)) {
		o->wrmsr(o->ctx, sel, 0);
		return -1;
	}
	return 0;
}

void pmu_stop(const struct pmu_ops *o, const struct pmu_info *p)
{
	if (p->kind == PMU_NONE)
		return;
	if (has_global_msrs(p))
		o->wrmsr(o->ctx, MSR_IA32_PERF_GLOBAL_CTRL, 0);
	o->wrmsr(o->ctx, pmu_evtsel_msr(p), 0);
	if (has_global_msrs(p))
		o->wrmsr(o->ctx, MSR_IA32_PERF_GLOBAL_OVF_CTRL, 1);
}

static unsigned int wrapped_counter_pmi(const struct pmu_ops *o, const struct pmu_info *p,
					uint64_t period,
					void (*record)(void *ctx, unsigned int counter),
					void *record_ctx)
{
	uint32_t ctr = pmu_counter_msr(p);
	uint64_t v;

	if (o->rdmsr(o->ctx, ctr, &v) || (v & pmu_counter_top_bit(p)))
		return 0;	/* still negative: it has not wrapped, not ours */
	record(record_ctx, 0);
	o->wrmsr(o->ctx, ctr, pmu_period_value(p, period));
	o->unmask_lvt(o->ctx);
	return 1;
}

unsigned int pmu_handle_pmi(const struct pmu_ops *o, const struct pmu_info *p, uint64_t period,
			    void (*record)(void *ctx, unsigned int counter), void *record_ctx)
{
	if (p->kind == PMU_NONE)
		return 0;
	if (has_global_msrs(p))
		return pmu_intel_pmi(o, p, period, 1, record, record_ctx);
	return wrapped_counter_pmi(o, p, period, record, record_ctx);
}
