#include "unit.h"
#include "profiler/pmu.h"

/* A simulated CPU: CPUID leaves, MSRs (some of which #GP), a write log. */
struct sim {
	uint32_t leaf0[4], leaf1[4], leafa[4], ext0[4], ext1[4];
	uint64_t caps, status[4];	/* successive GLOBAL_STATUS reads */
	int status_reads;
	int gp_global;			/* global MSRs fault (KVM without vPMU) */
	int status_stuck;		/* GLOBAL_STATUS never clears */
	int counters_absent;		/* counter MSRs read zeros (TCG) */
	uint64_t counter0;
	struct { uint32_t msr; uint64_t v; } log[64];
	int nlog;
	int lvt_unmasked_at;		/* log position when the LVT was unmasked */
	uint32_t wr_gp_msr;		/* a write to this MSR faults */
};

static void sim_cpuid(void *ctx, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	struct sim *s = ctx;
	const uint32_t *src = leaf == 0 ? s->leaf0 : leaf == 1 ? s->leaf1 : leaf == 0xa ? s->leafa :
			      leaf == 0x80000000 ? s->ext0 : s->ext1;

	(void)sub;
	memcpy(r, src, 16);
}

static int sim_rdmsr(void *ctx, uint32_t msr, uint64_t *v)
{
	struct sim *s = ctx;

	if (msr == MSR_IA32_PERF_CAPABILITIES) {
		*v = s->caps;
		return 0;
	}
	if (s->gp_global && (msr == MSR_IA32_PERF_GLOBAL_CTRL || msr == MSR_IA32_PERF_GLOBAL_STATUS))
		return 13;
	if (msr == MSR_IA32_PERF_GLOBAL_STATUS) {
		*v = s->status_stuck ? s->status[0] : s->status_reads < 4 ? s->status[s->status_reads] : 0;
		s->status_reads++;
		return 0;
	}
	if (msr == MSR_IA32_PMC0 || msr == MSR_IA32_A_PMC0 || msr == MSR_K7_PERFCTR0 ||
	    msr == MSR_F15H_PERF_CTR0) {
		*v = s->counters_absent ? 0 : s->counter0;
		return 0;
	}
	*v = 0;
	return 0;
}

static int sim_wrmsr(void *ctx, uint32_t msr, uint64_t v)
{
	struct sim *s = ctx;

	if (s->wr_gp_msr && msr == s->wr_gp_msr)
		return 13;
	if (msr == MSR_IA32_PMC0 || msr == MSR_IA32_A_PMC0 || msr == MSR_K7_PERFCTR0 ||
	    msr == MSR_F15H_PERF_CTR0)
		s->counter0 = v;
	if (s->nlog < 64) {
		s->log[s->nlog].msr = msr;
		s->log[s->nlog].v = v;
		s->nlog++;
	}
	return 0;
}

static void sim_unmask(void *ctx)
{
	struct sim *s = ctx;

	s->lvt_unmasked_at = s->nlog;
}

static struct pmu_ops ops(struct sim *s)
{
	return (struct pmu_ops){ sim_cpuid, sim_rdmsr, sim_wrmsr, sim_unmask, s };
}

static struct sim intel(unsigned int version, unsigned int counters, unsigned int width, bool pdcm,
			uint64_t caps)
{
	struct sim s = { 0 };

	s.leaf0[0] = 0xd;
	s.leaf0[1] = 0x756e6547;
	s.leaf1[2] = pdcm ? 1u << 15 : 0;
	s.leafa[0] = version | counters << 8 | width << 16;
	s.caps = caps;
	s.lvt_unmasked_at = -1;
	return s;
}

static struct sim amd(bool core_ext)
{
	struct sim s = { 0 };

	s.leaf0[1] = 0x68747541;	/* "Auth" */
	s.ext0[0] = 0x80000001;
	s.ext1[2] = core_ext ? 1u << 23 : 0;	/* PerfCtrExtCore */
	s.lvt_unmasked_at = -1;
	return s;
}

UNIT_TEST(pmu_detects_intel_versions)
{
	struct sim s;
	struct pmu_ops o;
	struct pmu_info p;

	s = intel(1, 2, 40, false, 0);
	o = ops(&s);
	pmu_detect(&o, &p);
	CHECK(p.kind == PMU_INTEL && p.version == 1 && p.counters == 2 && p.width == 40);
	CHECK(!p.full_width);
	s = intel(2, 4, 48, true, 0);
	o = ops(&s);
	pmu_detect(&o, &p);
	CHECK(p.kind == PMU_INTEL && !p.full_width);	/* PDCM but no FW_WRITE */
	s = intel(4, 8, 48, true, PERF_CAP_FW_WRITE);
	o = ops(&s);
	pmu_detect(&o, &p);
	CHECK(p.kind == PMU_INTEL && p.full_width && p.counters == 8);
	s = intel(5, 8, 48, false, PERF_CAP_FW_WRITE);	/* no PDCM: capabilities not read */
	o = ops(&s);
	pmu_detect(&o, &p);
	CHECK(p.kind == PMU_INTEL && !p.full_width);
}

UNIT_TEST(pmu_none_when_version_0_or_global_msrs_fault)
{
	struct sim s = intel(0, 0, 0, false, 0);
	struct pmu_ops o = ops(&s);
	struct pmu_info p;

	pmu_detect(&o, &p);
	CHECK(p.kind == PMU_NONE);
	CHECK_STREQ(p.why_none, "no PMU: CPUID.0AH version 0, 0 counters");
	s = intel(2, 4, 48, false, 0);
	s.gp_global = 1;
	o = ops(&s);
	pmu_detect(&o, &p);
	CHECK(p.kind == PMU_NONE && strstr(p.why_none, "GLOBAL_CTRL faults"));
	s = intel(2, 4, 48, false, 0);
	s.leaf0[0] = 5;	/* no leaf 0AH */
	o = ops(&s);
	pmu_detect(&o, &p);
	CHECK(p.kind == PMU_NONE && strstr(p.why_none, "no CPUID leaf 0AH"));
}

UNIT_TEST(pmu_none_when_the_counter_does_not_keep_a_write)
{
	struct sim s = { 0 };
	struct pmu_ops o;
	struct pmu_info p;

	s.leaf0[1] = 0x68747541;	/* AMD under TCG: MSRs answer, count nothing */
	s.counters_absent = 1;
	o = ops(&s);
	pmu_detect(&o, &p);
	CHECK(p.kind == PMU_NONE);
	CHECK_STREQ(p.why_none, "no PMU: a counter write does not read back");
}

UNIT_TEST(pmu_detects_amd_legacy_and_core_extension)
{
	struct sim s = amd(false);
	struct pmu_ops o;
	struct pmu_info p;
	uint64_t sel;

	o = ops(&s);
	pmu_detect(&o, &p);
	CHECK(p.kind == PMU_AMD && !p.amd_core_ext && p.counters == 4 && p.width == 48);
	CHECK_EQ_U64(pmu_counter_msr(&p), MSR_K7_PERFCTR0);
	CHECK_EQ_U64(pmu_evtsel_msr(&p), MSR_K7_EVNTSEL0);
	s.ext1[2] = 1u << 23;
	pmu_detect(&o, &p);
	CHECK(p.amd_core_ext && p.counters == 6);
	CHECK_EQ_U64(pmu_counter_msr(&p), MSR_F15H_PERF_CTR0);
	CHECK(pmu_evtsel(&p, PMU_CYCLES, &sel) && (sel & 0xff) == 0x76);
	/* 48-bit counter: overflow when the top bit clears, -N within 48 bits */
	CHECK_EQ_U64(pmu_period_value(&p, 1000), (0 - 1000ull) & ((1ull << 48) - 1));
}

UNIT_TEST(pmu_periods_full_width_vs_31_bits_and_clamped)
{
	struct pmu_info legacy = { .kind = PMU_INTEL, .width = 48, .full_width = false };
	struct pmu_info fw = { .kind = PMU_INTEL, .width = 48, .full_width = true };
	uint64_t sel;

	/* legacy writes sign-extend bit 31: the preset must be negative in 32 bits */
	CHECK_EQ_U64(pmu_period_value(&legacy, 100000), (0 - 100000ull) & ((1ull << 48) - 1));
	CHECK_EQ_U64(pmu_period_value(&legacy, 100000) & 0x80000000ull, 0x80000000ull);
	CHECK_EQ_U64(pmu_period_value(&legacy, 1ull << 40),		/* clamped to 2^31 - 1 */
		     (0 - 0x7fffffffull) & ((1ull << 48) - 1));
	CHECK_EQ_U64(pmu_period_value(&fw, 1ull << 40), (0 - (1ull << 40)) & ((1ull << 48) - 1));
	CHECK_EQ_U64(pmu_period_value(&fw, 5), (0 - 128ull) & ((1ull << 48) - 1));	/* >= 128 */
	CHECK_EQ_U64(pmu_counter_msr(&legacy), MSR_IA32_PMC0);
	CHECK_EQ_U64(pmu_counter_msr(&fw), MSR_IA32_A_PMC0);
	CHECK(pmu_evtsel(&fw, PMU_INSTRUCTIONS, &sel));
	CHECK_EQ_U64(sel, 0xC0 | EVTSEL_USR | EVTSEL_OS | EVTSEL_INT | EVTSEL_EN);
}

static unsigned int recorded[8];

static void rec(void *ctx, unsigned int counter)
{
	(void)ctx;
	recorded[counter]++;
}

UNIT_TEST(pmu_pmi_writes_in_the_safe_order)
{
	struct sim s = intel(4, 4, 48, true, PERF_CAP_FW_WRITE);
	struct pmu_ops o = ops(&s);
	struct pmu_info p;

	pmu_detect(&o, &p);
	s.nlog = 0;	/* forget detection's probe writes */
	memset(recorded, 0, sizeof(recorded));
	s.status[0] = 0x5;	/* counters 0 and 2 overflowed */
	s.status[1] = 0;
	CHECK_EQ_U64(pmu_intel_pmi(&o, &p, 1000, 0xf, rec, NULL), 2);
	CHECK(recorded[0] == 1 && recorded[2] == 1 && recorded[1] == 0);
	CHECK_EQ_U64(s.nlog, 5);
	CHECK_EQ_U64(s.log[0].msr, MSR_IA32_PERF_GLOBAL_CTRL);	/* disable first */
	CHECK_EQ_U64(s.log[0].v, 0);
	CHECK_EQ_U64(s.log[1].msr, MSR_IA32_A_PMC0);		/* reload counter 0 */
	CHECK_EQ_U64(s.log[2].msr, MSR_IA32_A_PMC0 + 2);
	CHECK_EQ_U64(s.log[3].msr, MSR_IA32_PERF_GLOBAL_OVF_CTRL);	/* clear those bits */
	CHECK_EQ_U64(s.log[3].v, 0x5);
	CHECK_EQ_U64(s.log[4].msr, MSR_IA32_PERF_GLOBAL_CTRL);	/* enable */
	CHECK_EQ_U64(s.log[4].v, 0xf);
	CHECK_EQ_U64(s.lvt_unmasked_at, 5);				/* LVT last */
}

UNIT_TEST(pmu_pmi_not_ours_and_status_loop_bounded)
{
	struct sim s = intel(4, 4, 48, true, 0);
	struct pmu_ops o = ops(&s);
	struct pmu_info p;

	pmu_detect(&o, &p);
	CHECK_EQ_U64(pmu_intel_pmi(&o, &p, 1000, 0xf, rec, NULL), 0);	/* status 0: not ours */
	CHECK_EQ_U64(s.lvt_unmasked_at, -1);
	/* a status that never clears: at most PMU_PMI_LOOPS rounds, then give up */
	s = intel(4, 4, 48, true, 0);
	o = ops(&s);
	pmu_detect(&o, &p);
	s.status[0] = 1;
	s.status_stuck = 1;
	CHECK_EQ_U64(pmu_intel_pmi(&o, &p, 1000, 0xf, rec, NULL), PMU_PMI_LOOPS);
	CHECK(s.nlog < 64);
}

static void check_log(const struct sim *s, int i, uint32_t msr, uint64_t v)
{
	CHECK(i < s->nlog);
	CHECK_EQ_U64(s->log[i].msr, msr);
	CHECK_EQ_U64(s->log[i].v, v);
}

UNIT_TEST(pmu_program_and_stop_in_order)
{
	struct sim s = intel(4, 4, 48, true, PERF_CAP_FW_WRITE);
	struct pmu_ops o = ops(&s);
	struct pmu_info p;
	uint64_t sel;

	pmu_detect(&o, &p);
	CHECK(pmu_evtsel(&p, PMU_CYCLES, &sel));
	s.nlog = 0;
	CHECK_EQ_U64(pmu_program(&o, &p, PMU_CYCLES, 5000), 0);
	CHECK_EQ_U64(s.nlog, 6);
	check_log(&s, 0, MSR_IA32_PERF_GLOBAL_CTRL, 0);		/* nothing counts... */
	check_log(&s, 1, MSR_IA32_PERFEVTSEL0, 0);
	check_log(&s, 2, MSR_IA32_A_PMC0, (0 - 5000ull) & ((1ull << 48) - 1));
	check_log(&s, 3, MSR_IA32_PERF_GLOBAL_OVF_CTRL, 1);	/* ...no stale overflow... */
	check_log(&s, 4, MSR_IA32_PERFEVTSEL0, sel);
	check_log(&s, 5, MSR_IA32_PERF_GLOBAL_CTRL, 1);		/* ...then count */
	s.nlog = 0;
	pmu_stop(&o, &p);
	check_log(&s, 0, MSR_IA32_PERF_GLOBAL_CTRL, 0);
	check_log(&s, 1, MSR_IA32_PERFEVTSEL0, 0);

	/* version 1 has no global MSRs: the event select alone turns it on */
	s = intel(1, 2, 40, false, 0);
	o = ops(&s);
	pmu_detect(&o, &p);
	s.nlog = 0;
	CHECK_EQ_U64(pmu_program(&o, &p, PMU_CYCLES, 5000), 0);
	CHECK_EQ_U64(s.nlog, 3);
	check_log(&s, 2, MSR_IA32_PERFEVTSEL0, sel);

	/* a faulting event select leaves counting off and says so */
	s = intel(4, 4, 48, true, 0);
	o = ops(&s);
	pmu_detect(&o, &p);
	s.wr_gp_msr = MSR_IA32_PERFEVTSEL0;
	CHECK(pmu_program(&o, &p, PMU_CYCLES, 5000) != 0);

	/* no PMU: refused before any MSR is touched */
	s = intel(4, 4, 48, true, 0);
	o = ops(&s);
	pmu_detect(&o, &p);
	p.kind = PMU_NONE;
	s.nlog = 0;
	CHECK(pmu_program(&o, &p, PMU_INSTRUCTIONS, 5000) != 0);
	CHECK_EQ_U64(s.nlog, 0);
}

UNIT_TEST(pmu_amd_overflow_is_a_wrapped_counter)
{
	struct sim s = amd(true);
	struct pmu_ops o;
	struct pmu_info p;
	uint64_t sel;

	o = ops(&s);
	pmu_detect(&o, &p);
	CHECK(p.kind == PMU_AMD);
	CHECK(pmu_evtsel(&p, PMU_CYCLES, &sel));
	CHECK_EQ_U64(pmu_program(&o, &p, PMU_CYCLES, 1000), 0);
	memset(recorded, 0, sizeof(recorded));
	/* still counting up from -1000: some other NMI */
	CHECK_EQ_U64(pmu_handle_pmi(&o, &p, 1000, rec, NULL), 0);
	CHECK_EQ_U64(s.lvt_unmasked_at, -1);
	s.counter0 = 3;		/* wrapped past zero: top bit clear */
	s.nlog = 0;
	CHECK_EQ_U64(pmu_handle_pmi(&o, &p, 2000, rec, NULL), 1);
	CHECK_EQ_U64(recorded[0], 1);
	check_log(&s, 0, MSR_F15H_PERF_CTR0, (0 - 2000ull) & ((1ull << 48) - 1));
	CHECK_EQ_U64(s.lvt_unmasked_at, 1);				/* after the reload */
	/* Intel v2+ goes through the global status instead */
	s = intel(2, 4, 48, false, 0);
	o = ops(&s);
	pmu_detect(&o, &p);
	s.status[0] = 1;
	CHECK_EQ_U64(pmu_handle_pmi(&o, &p, 1000, rec, NULL), 1);
	CHECK_EQ_U64(recorded[0], 2);
}

/* Regression (issue 16): CPUID.0AH's 8-bit width went into 1 << (width - 1)
 * unbounded. A width no counter has is refused at detection, and the
 * decisions stay defined for any width they are handed. */
UNIT_TEST(pmu_counter_width_out_of_range)
{
	struct sim s = intel(2, 4, 255, false, 0);
	struct pmu_ops o = ops(&s);
	struct pmu_info p;

	pmu_detect(&o, &p);
	CHECK(p.kind == PMU_NONE);
	CHECK_STREQ(p.why_none, "no PMU: CPUID.0AH counter width 255 bits");
	s = intel(1, 2, 16, false, 0);
	o = ops(&s);
	pmu_detect(&o, &p);
	CHECK(p.kind == PMU_NONE);

	p = (struct pmu_info){ .kind = PMU_INTEL, .version = 1, .counters = 1, .width = 200,
			       .full_width = true };
	CHECK_EQ_U64(pmu_counter_top_bit(&p), 1ull << 63);
	CHECK_EQ_U64(pmu_period_value(&p, 1000), 0 - 1000ull);
	s = intel(1, 1, 48, false, 0);
	o = ops(&s);
	s.counter0 = 5;		/* top bit clear: wrapped */
	CHECK_EQ_U64(pmu_handle_pmi(&o, &p, 1000, rec, NULL), 1);
	p.width = 0;		/* unknown: taken as 48 */
	CHECK_EQ_U64(pmu_counter_top_bit(&p), 1ull << 47);
}
