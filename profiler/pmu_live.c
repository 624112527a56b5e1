/* The PMU decisions of pmu.c against this CPU. */
#include "pmu_live.h"
#include "monitor/lib/fmt.h"
#include "monitor/nmi/nmi.h"
#include "monitor/smp/smp.h"
#include "monitor/smp/smp_call.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fault_safe.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"

#define VERIFY_TIMEOUT_MS	20
/* After the check's first overflow, none again while it winds down. */
#define VERIFY_RELOAD		(1ull << 30)

struct pmu_cpu {
	volatile bool armed;		/* counter 0 runs: its overflow NMIs are ours */
	volatile uint64_t period;	/* reload, in events */
	/* overflows taken, and of those the ones whose sample is done: equal
	 * when no NMI of this CPU is between the two (pmu_live_settled) */
	volatile uint64_t overflows, recorded;
	void (*volatile sample)(const struct trap_frame *f);
};

static struct pmu_info info;
static struct pmu_cpu cpus[MAX_CPUS];
/* Between pmu_live_start and pmu_live_stop: a counter some CPU could not
 * be made to stop still has its NMIs claimed, but samples nothing. */
static volatile bool sampling;

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
	(void)ctx;
	apic_lvtpc_set(false);
}

static const struct pmu_ops live_ops = {
	live_cpuid, live_rdmsr, live_wrmsr, live_unmask_lvt, 0,
};

static struct pmu_cpu *this_pmu(void)
{
	return &cpus[this_cpu()->cpu];
}

static void record_in_nmi(void *ctx, unsigned int counter)
{
	struct pmu_cpu *c = this_pmu();
	void (*s)(const struct trap_frame *) = c->sample;

	(void)counter;
	__atomic_store_n(&c->overflows, c->overflows + 1, __ATOMIC_RELEASE);
	if (s && sampling)
		s(ctx);
	__atomic_store_n(&c->recorded, c->recorded + 1, __ATOMIC_RELEASE);
}

static bool claim_in_nmi(const struct trap_frame *f, bool repeat)
{
	struct pmu_cpu *c = this_pmu();

	(void)repeat;
	if (!c->armed)
		return false;
	return pmu_handle_pmi(&live_ops, &info, c->period, record_in_nmi, (void *)f) > 0;
}

static const struct nmi_source pmu_source = {
	.name = "PMU counter 0",
	.claim_in_nmi = claim_in_nmi,
};

static int arm(enum pmu_event e, uint64_t first, uint64_t period,
	       void (*sample_in_nmi)(const struct trap_frame *f))
{
	struct pmu_cpu *c = this_pmu();

	c->period = period;
	c->sample = sample_in_nmi;
	apic_lvtpc_set(false);
	c->armed = true;
	if (pmu_program(&live_ops, &info, e, first) == 0)
		return 0;
	c->armed = false;
	apic_lvtpc_set(true);
	return -1;
}

static void disarm(void)
{
	struct pmu_cpu *c = this_pmu();

	pmu_stop(&live_ops, &info);
	apic_lvtpc_set(true);
	c->armed = false;
	c->sample = NULL;
}

/* Did the counter overflow, whether or not an NMI said so? */
static bool overflow_pending(void)
{
	uint64_t v = 0;

	if (info.kind == PMU_INTEL && info.version >= 2)
		return live_rdmsr(0, MSR_IA32_PERF_GLOBAL_STATUS, &v) == 0 && (v & 1);
	return live_rdmsr(0, pmu_counter_msr(&info), &v) == 0 &&
	       !(v & pmu_counter_top_bit(&info));
}

/* A counter that reads back may still never overflow, or overflow without
 * an NMI (a hypervisor's half-emulated PMU): preset cycles 128 short of
 * overflow and wait for the NMI. */
static void verify_overflow(void)
{
	struct pmu_cpu *c = this_pmu();
	uint64_t t0, limit = tsc_hz() / 1000 * VERIFY_TIMEOUT_MS;
	bool pending;

	c->overflows = c->recorded = 0;
	if (arm(PMU_CYCLES, PMU_MIN_PERIOD, VERIFY_RELOAD, NULL)) {
		fmt_snprintf(info.why_none, sizeof(info.why_none),
			     "no PMU: programming counter 0 faults");
		info.kind = PMU_NONE;
		return;
	}
	t0 = rdtsc();
	while (!c->overflows && rdtsc() - t0 < limit)
		cpu_relax();
	pending = overflow_pending();
	disarm();
	if (c->overflows)
		return;
	fmt_snprintf(info.why_none, sizeof(info.why_none), "no PMU: %s within %u ms",
		     pending ? "a counter overflow raised no NMI" :
		     "a counter preset near overflow did not overflow", VERIFY_TIMEOUT_MS);
	info.kind = PMU_NONE;
}

void pmu_live_detect(void)
{
	pmu_detect(&live_ops, &info);
	if (info.kind == PMU_NONE)
		return;
	nmi_register_source(&pmu_source);
	verify_overflow();
}

const struct pmu_info *pmu_live_info(void)
{
	return &info;
}

/* Another CPU's counter, programmed or stopped by that CPU in NMI context
 * (smp_call.h). The CPUs are taken to be alike: the bootstrap CPU's
 * detection and overflow check stand for all. */
struct pmu_order {
	bool start;
	enum pmu_event event;
	uint64_t period;
	void (*sample)(const struct trap_frame *f);
};

static void order_in_nmi(void *arg)
{
	const struct pmu_order *o = arg;

	if (o->start)
		arm(o->event, o->period, o->period, o->sample);	/* not armed if refused */
	else
		disarm();
}

static void order_others(const struct pmu_order *o)
{
	if (smp_online_count() > 1)
		smp_call_others(order_in_nmi, (void *)o, PMU_CALL_TIMEOUT_MS);
}

int pmu_live_start(enum pmu_event e, uint64_t period,
		   void (*sample_in_nmi)(const struct trap_frame *f))
{
	struct pmu_order o = { true, e, period, sample_in_nmi };

	if (info.kind == PMU_NONE)
		return -1;
	if (arm(e, period, period, sample_in_nmi))
		return -1;
	sampling = true;
	order_others(&o);
	return 0;
}

void pmu_live_stop(void)
{
	struct pmu_order o = { .start = false };

	if (info.kind == PMU_NONE)
		return;
	sampling = false;
	disarm();
	order_others(&o);
}

bool pmu_live_cpu_armed(unsigned int cpu)
{
	return cpus[cpu].armed;
}

uint64_t pmu_live_cpu_overflows(unsigned int cpu)
{
	return cpus[cpu].overflows;
}

uint64_t pmu_live_overflows(void)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < MAX_CPUS; i++)
		n += __atomic_load_n(&cpus[i].recorded, __ATOMIC_ACQUIRE);
	return n;
}

bool pmu_live_settled(void)
{
	for (unsigned int i = 0; i < MAX_CPUS; i++)
		if (__atomic_load_n(&cpus[i].overflows, __ATOMIC_ACQUIRE) !=
		    __atomic_load_n(&cpus[i].recorded, __ATOMIC_ACQUIRE))
			return false;
	return true;
}
