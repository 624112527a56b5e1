/*
 * Sampling. The timer NMI source calls sample_in_nmi on every tick; it
 * records RIP, TSC, CPU, the interrupted context and, if asked, a
 * frame-pointer callchain read with fault-safe probes (a bad frame ends the
 * chain; a frame pointer into an unmapped lazy page too: a probe maps nothing). The ring lives in lazily mapped memory, so a sample may take a
 * #PF inside the NMI: that is the point of the nested-NMI design. When no
 * frame is left to map a ring page, the sample is dropped and counted
 * instead of faulting with nothing to serve it.
 */
#include "profiler.h"
#include "pmu_live.h"
#include "monitor/mem/frames.h"
#include "monitor/mem/lazy.h"
#include "monitor/nmi/nmi.h"
#include "monitor/nmi/nmi_ipi.h"
#include "monitor/nmi/nmi_pass.h"
#include "monitor/nmi/nmi_timer_tick.h"
#include "monitor/debug/step.h"
#include "monitor/debug/stop.h"
#include "arch/x86_64/boot_layout.h"
#include "arch/x86_64/cpu.h"
#include "monitor/smp/smp_prof.h"
#include "arch/x86_64/fault_safe.h"
#include "arch/x86_64/nmi_cold.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/step_slots.h"
#include "arch/x86_64/tsc.h"

#define RING_BYTES_PER_CPU	(LAZY_PROF_SIZE / MAX_CPUS)
#define MIN_FREE_FRAMES		8	/* a ring page fault needs at most 4 */

static struct sample_ring rings[MAX_CPUS];
/* The last slot of each ring wholly in its pages known mapped (ring pages,
 * once faulted in, stay: lazy reset leaves the profiler's range alone); 0
 * before the first. A slot and not a byte offset: the sampler's test is
 * one compare of the slot it has. */
static uintptr_t last_mapped_slot[MAX_CPUS];
static struct prof_status st = { .cycles_min = ~0ull };
static uint64_t nested_at_start;
/* The self-NMI source's request word on the one CPU the fast pass runs on. */
static volatile uint64_t *ipi_pending;

struct sample_ring *prof_ring(unsigned int cpu)
{
	return &rings[cpu];
}

/* Out of line so that the breakdown in `make bench` can tell the walk from
 * the rest of the sample; each frame's two reads are inline probes, and the
 * loop is unrolled (a frame is its two reads, two tests, a store: no
 * counter, pointer or register copy). Bounded by the depth and by frames
 * growing up. Only the first frame pointer is checked for alignment: a
 * misaligned one later reads garbage at worst (x86 allows it; a fault ends
 * the walk), and the check costs two instructions a frame. It saves the
 * registers it uses itself: the sampler calls it like an NMI_COLD path
 * (nmi_cold.h), so that the fast pass needs no callee-saved register. */
__attribute__((noinline, no_caller_saved_registers))
static void walk_callchain(struct sample *s, uint64_t rbp)
{
	uint64_t next, ret;
	unsigned int i = 0;

	if (rbp && !(rbp & 7)) {
#pragma GCC unroll 14
		for (; i < SAMPLE_MAX_DEPTH; i++) {
			if (!fault_safe_probe_frame(rbp, &next, &ret) || !ret)
				break;
			s->callchain[i] = ret;
			if (next <= rbp) {
				i++;
				break;	/* frames grow up; anything else is no chain */
			}
			rbp = next;
		}
	}
	s->depth = (uint16_t)i;
}

/* prof status's sample cost (write_sample) */
static inline void account_cost(uint64_t c)
{
	if (c < st.cycles_min)	/* ~0 while none is counted */
		st.cycles_min = c;
	if (c > st.cycles_max)
		st.cycles_max = c;
	st.cycles_sum += c;
	st.cycles_n++;
}

/* A sample's slot reaches past the ring bytes known mapped (write_sample):
 * false (counted dropped) when a page fault there would find no frame. */
NMI_COLD static bool map_ahead(struct sample *s, unsigned int cpu)
{
	struct sample *slots = rings[cpu].slots;
	uint64_t mapped;
	uint64_t *leaf = paging_leaf(((uintptr_t)(s + 1) - 1) & ~(uint64_t)(PAGE_SIZE - 1));

	if ((!leaf || !(*leaf & PTE_P)) && frames_free() < MIN_FREE_FRAMES) {
		/* every CPU samples (the fan-out, the PMU): one count, bumped
		 * atomically, or two CPUs' drops at once count as one */
		__atomic_fetch_add(&st.dropped_no_memory, 1, __ATOMIC_RELAXED);
		return false;
	}
	/* the sample's writes map what is missing, to the end of that page
	 * (the ring starts page-aligned) */
	mapped = ((uintptr_t)(s + 1) - (uintptr_t)slots + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	last_mapped_slot[cpu] = (uintptr_t)(slots + mapped / sizeof(*s) - 1);
	return true;
}

/* RIP in the step slots: the instruction's own address if one runs out of
 * line there for its breakpoint */
NMI_COLD static uint64_t rip_of_step_slot(uint64_t rip)
{
	uint64_t origin = step_slot_origin(rip);

	return origin ? origin : rip;
}

/* The fast pass's unknown NMI (nmi_dispatch logs its own) */
NMI_COLD static void log_unknown_in_nmi(uint64_t rip)
{
	nmi_log_in_nmi(NMI_LOG_UNKNOWN, rip);
}

/* One sample of f into the ring of this CPU (p, number cpu), timed at t0;
 * false if none was written (ring full: lost; no frame left to map its
 * page: dropped). Inline: sample_in_nmi and the fast pass. */
static inline __attribute__((always_inline)) bool write_sample(const struct trap_frame *f,
								 struct percpu *p, unsigned int cpu,
								 uint64_t t0)
{
	struct sample_ring *r = &rings[cpu];
	struct sample *s;
	uint32_t flags;

	s = sample_ring_reserve(r);
	if (!s)
		return false;
	/* its pages may fault in now: make sure frames are there to serve them */
	if ((uintptr_t)s > last_mapped_slot[cpu] && !(uint8_t)NMI_COLD_CALL2(map_ahead, s, cpu))
		return false;
	/* the slot's last word first: the fast path above takes every page up to
	 * the end of this one as mapped, and a short callchain would leave it
	 * untouched */
	s->callchain[SAMPLE_MAX_DEPTH - 1] = 0;
	s->tsc = t0;
	/* an instruction running out of line for its breakpoint is sampled at
	 * its own address, not the step slot's */
	s->rip = f->rip;
	if (f->rip - (uintptr_t)step_slots < STEP_SLOTS_BYTES)
		s->rip = NMI_COLD_CALL1(rip_of_step_slot, f->rip);
	flags = f->rflags & X86_RFLAGS_IF ? SAMPLE_IF : 0;
	/* one test for the usual case: neither an interrupt handler nor a stop */
	if (__builtin_expect(p->irq_depth | stop_depth[cpu], 0))
		flags |= (p->irq_depth ? SAMPLE_CTX_IRQ : 0) |
			 (stop_depth[cpu] ? SAMPLE_CTX_EXC : 0);	/* stop_active() */
	/* depth 0 until the walk, if any, sets it */
	s->meta = sample_meta((uint16_t)cpu, flags, 0);
	if (st.cfg.callchain)
		NMI_COLD_CALL2(walk_callchain, s, f->rbp);
	/* prof status's sample cost: TSC cycles from t0 (the sample's time) to
	 * its commit, for one sample in PROF_COST_EVERY (by its place in the
	 * ring, the first included, so that a short run has its figure too): timing each would cost a sample an RDTSC and the min/max/sum,
	 * a twentieth of the fast pass, to report a figure that is about the
	 * same for every sample */
	if (!(sample_ring_commit(r, s) & (PROF_COST_EVERY - 1)))
		account_cost(rdtsc() - t0);
	return true;
}

static void sample_in_nmi(const struct trap_frame *f)
{
	struct percpu *p = this_cpu();
	uint64_t t0 = rdtsc();

	if (st.running)
		write_sample(f, p, p->cpu, t0);
}

/* The fast pass's CR2/DR6/DR7 (nmi_pass.h), in memory, not in registers
 * (those would be callee-saved ones, pushed and popped each pass): one
 * CPU runs the pass, and never two C passes at once (a nested NMI does not
 * enter C; a re-entered C latch makes the pass decline before it begins). */
static struct nmi_pass_regs fast_pass_regs;

/*
 * The fast pass (nmi.h), set while the timer profiles and the only sources
 * registered are the timer and the self-NMI IPI (so one CPU: with more the
 * SMP sources are registered, and the timer's sampler is this file's own
 * sample_in_nmi, not the fan-out). One function for what nmi_dispatch, the
 * timer's claim, the HPET's check and sample_in_nmi do in that case: the
 * self-NMI source is asked by its request word (a request: the general
 * pass runs it), the timer by its inline tick, and the sample is written
 * here, its time the pass's first RDTSC (the others: the HPET re-arm's
 * check, the sample's cost; the dispatcher's own timing is left to general
 * passes). Loops unaligned: the padding before the latch loop's head would
 * run on every pass. No frame pointer: breakpoints are refused in it and a
 * callchain starts from the interrupted RBP, so none walks through it. Its
 * rare paths are NMI_COLD calls (nmi_cold.h): it keeps its live values in
 * the registers the entry stored and pushes none.
 */
__attribute__((optimize("align-loops=1", "omit-frame-pointer"))) static bool fast_pass_in_nmi(struct trap_frame *f)
{
	/* CPU 0's by address, not through %gs: the one CPU there is while the
	 * fast pass is set (nmi.h), and its fields are then one load each */
	struct percpu *p = &percpu_area[0];
	struct nmi_cpu *n = p->nmi;
	struct nmi_pass_regs *r = &fast_pass_regs;
	enum nmi_timer_claim c;
	bool repeat;
	uint64_t t0;

	/* a self-NMI request, C re-entered (nmi_dispatch latches it), nmi
	 * test's unmasking switch: the general pass. (The timer is asked while
	 * the fast pass is set: prof_start sets it after starting the timer,
	 * prof_stop clears it before stopping it, and between the two the
	 * timer's rate never drops to 0.) */
	if (*ipi_pending || n->fast_veto)
		return false;
	n->latch = NMI_LATCH_RUNNING;
	repeat = p->nmi_pass > 0;
	/* one register for it: GCC would otherwise keep the pass count too,
	 * to test it in its place, and run out of caller-saved registers */
	__asm__("" : "+r"(repeat));
	nmi_pass_begin(n, r);
	do {
		t0 = rdtsc();
		c = nmi_timer_tick_in_nmi(f, t0, repeat, 0);
		if (c == TIMER_SAMPLE && st.running)
			write_sample(f, p, 0, t0);
		nmi_account_pass(&n->stats, c != TIMER_NOT_MINE, repeat);
		if (c == TIMER_NOT_MINE && !repeat)
			NMI_COLD_CALL1(log_unknown_in_nmi, f->rip);
	} while (nmi_latch_again(&n->latch));
	nmi_pass_end(n, r);
	return true;
}

uint64_t prof_min_pmu_period(void)
{
	uint64_t p = tsc_hz() / PROF_MAX_HZ;

	return p < PMU_MIN_PERIOD ? PMU_MIN_PERIOD : p;
}

/* NMIs the running source has raised since boot. */
static uint64_t source_ticks(void)
{
	struct nmi_timer_stats t;

	if (st.cfg.source == PROF_SRC_PMU)
		return pmu_live_overflows();
	nmi_timer_get_stats(&t);
	return t.sampled;
}

/* The PMU's NMIs come on every CPU, and one on another CPU may be between
 * its overflow and its sample while this one reads: the read is whole only
 * when none is. */
static bool source_settled(void)
{
	return st.cfg.source != PROF_SRC_PMU || pmu_live_settled();
}

static enum prof_error check_config(const struct prof_config *c)
{
	if (c->source == PROF_SRC_PMU) {
		if (pmu_live_info()->kind == PMU_NONE)
			return PROF_NO_SOURCE;
		if (c->period < prof_min_pmu_period())
			return PROF_BAD_RATE;
		return PROF_OK;
	}
	if (!nmi_timer_available())
		return PROF_NO_SOURCE;
	if (c->hz == 0 || c->hz > PROF_MAX_HZ)
		return PROF_BAD_RATE;
	return PROF_OK;
}

enum prof_error prof_start(const struct prof_config *c)
{
	uint64_t cap = RING_BYTES_PER_CPU / sizeof(struct sample);
	void (*s)(const struct trap_frame *f);
	enum prof_error e;

	if (st.running)
		return PROF_RUNNING;
	if ((e = check_config(c)) != PROF_OK)
		return e;
	/* an empty ring starts over at slot 0: under -icount two identical
	 * runs (prof record after prof reset) then execute the same
	 * instructions, the 1-in-PROF_COST_EVERY timed samples included, and
	 * give the same profile */
	for (unsigned int i = 0; i < MAX_CPUS; i++)
		if (!rings[i].slots)
			sample_ring_init(&rings[i], (struct sample *)(uintptr_t)
					 (LAZY_PROF_BASE + i * RING_BYTES_PER_CPU), cap);
		else
			sample_ring_rewind(&rings[i]);
	st.cfg = *c;
	st.tsc_start = rdtsc();
	st.ticks = source_ticks();
	nested_at_start = nmi_nested_count();
	st.running = true;	/* before the first NMI can sample */
	if (c->source == PROF_SRC_PMU) {
		st.source = c->event == PMU_CYCLES ? "PMU cycles (counter 0, NMI through the LVT)" :
			    "PMU instructions (counter 0, NMI through the LVT)";
		st.hz_asked = tsc_hz() / c->period;
		if (pmu_live_start(c->event, c->period, sample_in_nmi)) {
			st.running = false;
			return PROF_PMU_FAULT;
		}
		st.tickers = 0;
		for (unsigned int i = 0; i < MAX_CPUS; i++)
			st.tickers += pmu_live_cpu_armed(i);
		return PROF_OK;
	}
	st.source = "timer (HPET timer 0 as NMI)";
	st.hz_asked = c->hz;
	st.tickers = 1;		/* the fan-out's NMIs follow the HPET's */
	s = smp_prof_sampler(sample_in_nmi);	/* every CPU samples */
	nmi_timer_set_sampler(s);
	nmi_timer_want(TIMER_PROFILER, c->hz);
	ipi_pending = nmi_ipi_pending_word();
	if (s == sample_in_nmi)		/* no fan-out: one CPU */
		nmi_set_fast_pass(fast_pass_in_nmi);
	return PROF_OK;
}

enum prof_error prof_stop(void)
{
	if (!st.running)
		return PROF_NOT_RUNNING;
	if (st.cfg.source == PROF_SRC_PMU) {
		pmu_live_stop();
	} else {
		nmi_set_fast_pass(NULL);
		nmi_timer_want(TIMER_PROFILER, 0);
		nmi_timer_set_sampler(smp_prof_sampler(NULL));
	}
	st.running = false;
	st.tsc_stop = rdtsc();
	st.ticks = source_ticks() - st.ticks;
	st.nested = nmi_nested_count() - nested_at_start;
	return PROF_OK;
}

void prof_reset(void)
{
	for (unsigned int c = 0; c < MAX_CPUS; c++)
		if (rings[c].slots) {
			sample_ring_clear(&rings[c]);
			rings[c].lost = 0;
		}
	if (!st.running) {
		st.hz_asked = 0;
		st.source = NULL;
		st.tsc_start = st.tsc_stop = 0;
		st.ticks = st.nested = 0;
	}
	st.dropped_no_memory = 0;
	st.cycles_max = st.cycles_sum = st.cycles_n = 0;
	st.cycles_min = ~0ull;
}

/* While sampling, a tick between reading the samples and reading the source's
 * count would break the ledger (samples + lost + dropped = ticks) that status
 * prints: read until the source's count is the same on both sides (a tick's
 * NMI runs to its end before this CPU reads on, so a still count means a
 * still ledger; another CPU's, source_settled). Bounded, for a source
 * faster than the reads. */
void prof_get_status(struct prof_status *s)
{
	uint64_t before;

	for (int tries = 0; tries < 64; tries++) {
		before = source_ticks();
		*s = st;
		s->samples = 0;
		s->lost = 0;
		for (unsigned int c = 0; c < MAX_CPUS; c++) {
			s->samples += sample_ring_count(&rings[c]);
			s->lost += rings[c].lost;
		}
		if (!st.running)
			return;
		s->tsc_stop = rdtsc();
		s->ticks = source_ticks();
		s->nested = nmi_nested_count() - nested_at_start;
		if (s->ticks == before && source_settled())
			break;
	}
	s->ticks -= st.ticks;
}
