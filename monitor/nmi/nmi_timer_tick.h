/*
 * The timer source's tick, inline: its general claim (nmi_timer.c) and the
 * profiler's fast pass (profiler/prof_fast.c) run the same code, the fast
 * pass without a call. The state lives in nmi_timer.c; only it and this
 * header touch it.
 */
#ifndef MONITOR_NMI_TIMER_TICK_H
#define MONITOR_NMI_TIMER_TICK_H

#include "monitor/nmi/nmi_timer.h"
#include "arch/x86_64/hpet_tick.h"
#include "arch/x86_64/nmi_cold.h"

struct nmi_timer_state {
	struct nmi_timer_stats stats;
	/* The profiler's own period: below the break watch's rate the timer
	 * runs faster than it asked, and only every so many ticks are samples. */
	volatile uint64_t sample_period_tsc;
	volatile uint64_t last_sample;
	volatile uint64_t period_tsc;	/* the timer's own period */
	/* The first TSC at which a tick is a sample: 0, every tick (the
	 * profiler at the timer's rate); ~0, none; else half a tick before
	 * the profiler's next period ends (its phase is kept: a tick late or
	 * early by half a tick still counts). */
	volatile uint64_t sample_due;
	void (*volatile tick_hook)(const struct trap_frame *f);
	/* The tick hook (the Ctrl-C watch) runs at its user's own rate, not at
	 * every tick of a faster profiler: it polls the UART, a port read. */
	volatile uint64_t hook_period_tsc;
	/* The first TSC at which a tick runs the hook (give or take half a
	 * tick); ~0 without a hook */
	volatile uint64_t hook_due;
	/* both set by plan() in nmi_timer.c as the periods change */
	void (*volatile sampler)(const struct trap_frame *f);
	/* An expiry (a tick, its duplicate or a wrap) was found in a pass
	 * another source claimed, or in a repeat pass: the HPET's own NMI for
	 * it may still come (the late-delivery rule, nmi_timer.c). */
	bool owed;
	/* The timer cannot tell its NMIs from others' (the late-delivery rule). */
	bool takes_all;
};
extern struct nmi_timer_state nmi_timer;

/* The tick hook's turn (nmi_timer.c), out of line: 20 ticks a second */
NMI_COLD void nmi_timer_hook_in_nmi(const struct trap_frame *f, uint64_t now);

enum nmi_timer_claim {
	TIMER_NOT_MINE,
	TIMER_CLAIMED,		/* a tick (or its duplicate, or a wrap), no sample due */
	TIMER_SAMPLE,		/* a tick due as a sample: counted in stats.sampled, take it */
};

/* NMI context, on the bootstrap CPU (the IOAPIC sends the HPET's NMI there
 * alone), while the timer runs (stats.hz). now: RDTSC just taken; others: sources that claimed this pass
 * before the timer was asked. The late-delivery rule is nmi_timer.c's. */
static inline enum nmi_timer_claim nmi_timer_tick_in_nmi(const struct trap_frame *f, uint64_t now,
							 bool repeat, unsigned int others)
{
	struct nmi_timer_state *tm = &nmi_timer;
	uint64_t due, period, last;
	enum hpet_tick t;

	t = hpet_tick_in_nmi(now);
	if (t == HPET_NOT_DUE) {
		if (repeat || others || !(tm->takes_all || tm->owed))
			return TIMER_NOT_MINE;
		tm->owed = false;	/* that was it */
		tm->stats.early_dropped++;
		return TIMER_CLAIMED;
	}
	tm->owed = repeat || others > 0;
	if (t == HPET_WRAP) {
		tm->stats.wraps++;
		return TIMER_CLAIMED;
	}
	if (t == HPET_DUPLICATE) {
		tm->stats.early_dropped++;
		return TIMER_CLAIMED;
	}
	tm->stats.ticks++;
	if (now >= tm->hook_due)
		NMI_COLD_CALL2(nmi_timer_hook_in_nmi, f, now);
	/* each field read once (they are volatile for plan(), in normal
	 * context, which this pass interrupts and so cannot run during it) */
	due = tm->sample_due;
	if (now < due)
		return TIMER_CLAIMED;
	if (due) {
		period = tm->sample_period_tsc;
		last = tm->last_sample + period;
		if (now - last > period)
			last = now;	/* fell behind: start again from here */
		tm->last_sample = last;
		tm->sample_due = last + period - tm->period_tsc / 2;
	}
	/* the ledger's NMIs: counted here, by the source, whatever the sampler
	 * then does with the tick (sample, lost or dropped) */
	tm->stats.sampled++;
	return TIMER_SAMPLE;
}

#endif
