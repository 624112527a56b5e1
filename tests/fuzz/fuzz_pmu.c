/* PMU decisions against a CPU simulated from the input: CPUID leaves,
 * which MSRs fault, what the counter and the global status read. Asserts:
 * detection gives a kind with sane counters and width or a reason; preset
 * values lie within the counter's width (bit 31 set on legacy Intel writes)
 * and are at least PMU_MIN_PERIOD from overflow; a PMI records only
 * existing counters, re-reads the status a bounded number of times, and
 * unmasks the LVT only after handling an overflow. */
#include <string.h>
#include "fuzz.h"
#include "profiler/pmu.h"

struct sim {
	struct fuzz_in in;	/* what the counter and the status read next */
	uint32_t leaf[5][4];	/* 0, 1, 0xa, 0x80000000, 0x80000001 */
	uint8_t faults;		/* bit per MSR group that raises #GP */
	unsigned int status_reads, unmasks;
};

static void sim_cpuid(void *ctx, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	struct sim *s = ctx;
	int i = leaf == 0 ? 0 : leaf == 1 ? 1 : leaf == 0xa ? 2 : leaf == 0x80000000 ? 3 : 4;

	(void)sub;
	memcpy(r, s->leaf[i], 16);
}

static int group(uint32_t msr)
{
	if (msr == MSR_IA32_PERF_CAPABILITIES)
		return 0;
	if (msr >= MSR_IA32_PERF_GLOBAL_STATUS && msr <= MSR_IA32_PERF_GLOBAL_OVF_CTRL)
		return 1;
	return 2;
}

static int sim_rdmsr(void *ctx, uint32_t msr, uint64_t *v)
{
	struct sim *s = ctx;

	if (s->faults & (1 << group(msr)))
		return 13;
	if (msr == MSR_IA32_PERF_GLOBAL_STATUS)
		s->status_reads++;
	*v = fuzz_u64(&s->in, 8);
	return 0;
}

static int sim_wrmsr(void *ctx, uint32_t msr, uint64_t v)
{
	struct sim *s = ctx;

	(void)v;
	return s->faults & (8 << group(msr)) ? 13 : 0;
}

static void sim_unmask(void *ctx)
{
	((struct sim *)ctx)->unmasks++;
}

static unsigned int recorded, bad_counter;
static const struct pmu_info *current;

static void record(void *ctx, unsigned int counter)
{
	(void)ctx;
	recorded++;
	if (counter >= current->counters)
		bad_counter++;
}

static void check_period(const struct pmu_info *p, uint64_t period)
{
	uint64_t v = pmu_period_value(p, period);
	uint64_t mask = pmu_counter_top_bit(p) * 2 - 1;
	uint64_t distance = (0 - v) & mask;	/* events until overflow */

	FUZZ_ASSERT((v & ~mask) == 0);
	FUZZ_ASSERT(distance >= PMU_MIN_PERIOD && (period < PMU_MIN_PERIOD || distance <= period));
	if (p->kind == PMU_INTEL && !p->full_width)
		FUZZ_ASSERT(v & (1ull << 31));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim s = { .in = { data, size } };
	struct pmu_ops o = { sim_cpuid, sim_rdmsr, sim_wrmsr, sim_unmask, &s };
	struct pmu_info p;
	uint64_t sel, period;
	enum pmu_event event;
	unsigned int handled;

	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 4; j++)
			s.leaf[i][j] = (uint32_t)fuzz_u64(&s.in, 4);
	/* the vendor is a choice, not a 32-bit guess */
	s.leaf[0][1] = fuzz_u8(&s.in) & 1 ? 0x756e6547 : 0x68747541;
	s.faults = fuzz_u8(&s.in);
	pmu_detect(&o, &p);
	current = &p;
	if (p.kind == PMU_NONE) {
		FUZZ_ASSERT(p.why_none[0] && memchr(p.why_none, '\0', sizeof(p.why_none)));
		FUZZ_ASSERT(!pmu_evtsel(&p, PMU_CYCLES, &sel));
		FUZZ_ASSERT(pmu_handle_pmi(&o, &p, 1000, record, NULL) == 0);
		return 0;
	}
	FUZZ_ASSERT(p.counters >= 1 && (p.kind == PMU_AMD || (p.width >= 32 && p.width <= 64)));
	event = fuzz_u8(&s.in) & 1 ? PMU_CYCLES : PMU_INSTRUCTIONS;
	FUZZ_ASSERT(pmu_evtsel(&p, event, &sel));
	FUZZ_ASSERT(sel & EVTSEL_EN && sel & EVTSEL_INT);
	period = fuzz_u64(&s.in, fuzz_u8(&s.in) % 9);
	check_period(&p, period);
	pmu_program(&o, &p, event, period);
	recorded = bad_counter = s.status_reads = s.unmasks = 0;
	handled = pmu_handle_pmi(&o, &p, period, record, NULL);
	FUZZ_ASSERT(handled == recorded && bad_counter == 0);
	FUZZ_ASSERT(s.status_reads <= PMU_PMI_LOOPS + 1);
	FUZZ_ASSERT(s.unmasks == (handled ? 1u : 0u));
	if (p.kind == PMU_INTEL && p.version >= 2) {
		recorded = bad_counter = s.status_reads = s.unmasks = 0;
		handled = pmu_intel_pmi(&o, &p, period, fuzz_u64(&s.in, 8), record, NULL);
		FUZZ_ASSERT(handled == recorded && bad_counter == 0 && s.unmasks == (handled ? 1u : 0u));
		FUZZ_ASSERT(s.status_reads <= PMU_PMI_LOOPS + 1);
	}
	pmu_stop(&o, &p);
	return 0;
}
