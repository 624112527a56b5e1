/*
 * PMU programming decisions (portable: host unit tests drive them against a
 * simulated CPUID/MSR backend). Every MSR access goes through ops that
 * report #GP instead of faulting: KVM without a virtual PMU faults on the
 * global MSRs, TCG reads zeros.
 */
#ifndef PROFILER_PMU_H
#define PROFILER_PMU_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_IA32_PMC0			0x0C1
#define MSR_IA32_PERFEVTSEL0		0x186
#define MSR_IA32_PERF_CAPABILITIES	0x345
#define MSR_IA32_PERF_GLOBAL_STATUS	0x38E
#define MSR_IA32_PERF_GLOBAL_CTRL	0x38F
#define MSR_IA32_PERF_GLOBAL_OVF_CTRL	0x390
#define MSR_IA32_A_PMC0			0x4C1	/* full-width writable alias */
#define MSR_K7_EVNTSEL0			0xC0010000
#define MSR_K7_PERFCTR0			0xC0010004
#define MSR_F15H_PERF_CTL0		0xC0010200	/* core extension: CTL/CTR interleaved */
#define MSR_F15H_PERF_CTR0		0xC0010201

#define PERF_CAP_FW_WRITE	(1ull << 13)
#define EVTSEL_USR		(1ull << 16)
#define EVTSEL_OS		(1ull << 17)
#define EVTSEL_INT		(1ull << 20)
#define EVTSEL_EN		(1ull << 22)

#define PMU_MIN_PERIOD		128
#define PMU_PMI_LOOPS		8	/* status re-reads before giving up */

struct pmu_ops {
	void (*cpuid)(void *ctx, uint32_t leaf, uint32_t sub, uint32_t r[4]);
	int (*rdmsr)(void *ctx, uint32_t msr, uint64_t *v);	/* 0, or nonzero on #GP */
	int (*wrmsr)(void *ctx, uint32_t msr, uint64_t v);
	void (*unmask_lvt)(void *ctx);		/* APIC LVTPC: Intel masks it on every PMI */
	void *ctx;
};

enum pmu_kind { PMU_NONE, PMU_INTEL, PMU_AMD };
enum pmu_event { PMU_CYCLES, PMU_INSTRUCTIONS };

struct pmu_info {
	enum pmu_kind kind;
	unsigned int version, counters, width;
	bool full_width;	/* Intel: writes through IA32_A_PMCx take all bits */
	bool amd_core_ext;	/* AMD: the 0xC001020x MSRs */
	char why_none[64];	/* when kind is PMU_NONE */
};

void pmu_detect(const struct pmu_ops *o, struct pmu_info *p);
/* The counter's top (sign) bit: width bounded to 64 bits, 0 taken as 48. */
uint64_t pmu_counter_top_bit(const struct pmu_info *p);
/* Counter 0's MSRs for this PMU. */
uint32_t pmu_counter_msr(const struct pmu_info *p);
uint32_t pmu_evtsel_msr(const struct pmu_info *p);
/* The event select value; false if the event is not available. */
bool pmu_evtsel(const struct pmu_info *p, enum pmu_event e, uint64_t *sel);
/* The value that makes the counter overflow after period events: -period,
 * within the writable width (31 bits without full-width writes, which sign-
 * extend bit 31), period clamped to at least PMU_MIN_PERIOD. */
uint64_t pmu_period_value(const struct pmu_info *p, uint64_t period);

/*
 * Intel PMI, NMI context, in the safe order: global disable; read the
 * status (zero: not ours); for each overflowed counter record and reload;
 * clear those bits; loop until the status reads clear (at most
 * PMU_PMI_LOOPS); global enable; unmask the LVT last. Returns the number of
 * counter overflows handled (0: the NMI was not the PMU's).
 */
unsigned int pmu_intel_pmi(const struct pmu_ops *o, const struct pmu_info *p, uint64_t period,
			   uint64_t enabled_mask, void (*record)(void *ctx, unsigned int counter),
			   void *record_ctx);

/*
 * Counter 0 only (one event at a time). Program: counting off (global
 * control on Intel v2+, then the event select), the counter preset to
 * -first, stale overflow status cleared, the event select, counting on.
 * Returns 0, or nonzero if the event is not available (no PMU) or an MSR
 * faulted (counting is then left off).
 */
int pmu_program(const struct pmu_ops *o, const struct pmu_info *p, enum pmu_event e,
		uint64_t first);
void pmu_stop(const struct pmu_ops *o, const struct pmu_info *p);

/*
 * NMI context: was this NMI counter 0's overflow? Intel v2+ asks the global
 * status (pmu_intel_pmi). AMD and Intel v1 have no overflow status: the
 * counter was preset negative, so its top bit clear means it wrapped. On an
 * overflow: record, reload with -period, unmask the LVT last. Returns the
 * overflows handled (0: not the PMU's NMI).
 */
unsigned int pmu_handle_pmi(const struct pmu_ops *o, const struct pmu_info *p, uint64_t period,
			    void (*record)(void *ctx, unsigned int counter), void *record_ctx);

#endif
