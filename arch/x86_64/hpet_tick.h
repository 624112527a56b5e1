/*
 * hpet_tick_in_nmi, inline: the 64-bit one-shot timer's common tick (the
 * counter read, its comparison and the re-arm written in time) runs in the
 * NMI pass that asks, without a call; the rare cases (a write that may
 * have landed late, a counter short of the expiry, the periodic timer, the
 * 32-bit one-shot) are out of line in hpet.c. The state lives in hpet.c;
 * only hpet.c and this header touch it.
 */
#ifndef ARCH_HPET_TICK_H
#define ARCH_HPET_TICK_H

#include "hpet.h"
#include "hpet_wrap.h"
#include "cpu.h"
#include "nmi_cold.h"

#define HPET_MAIN_COUNTER	0x0F0
#define HPET_T0_CMP		0x108

struct hpet_nmi_state {
	volatile uint64_t *regs;	/* set once, by hpet_init */
	bool wide;			/* comparisons at 64 bits, else 32 */
	bool one_shot;
	/* both: the one timer hpet_tick_in_nmi runs inline (QEMU's) */
	bool one_shot_wide;
	uint64_t period;		/* ticks between expiries */
	/* one-shot: a quarter period, the least lead of a comparator write */
	uint64_t lead;
	/* one-shot: TSC cycles in an eighth of a period (see hpet_rearm_late_in_nmi) */
	uint64_t in_time_tsc;
	/* one-shot: the expiry the timer owes next, the comparator's value */
	volatile uint64_t next_due;
	/* one-shot: comparator writes that landed already passed */
	volatile unsigned int passed_writes;
	/* 32-bit one-shot: the comparator lies past the wrap, and the spec's
	 * extra interrupt at the wrap is still to come */
	volatile bool wrap_owed;
};
extern struct hpet_nmi_state hpet_nmi;

/* Out of line (hpet.c): the periodic timer's tick; a 32-bit one-shot's; a
 * one-shot counter short of the expiry; the re-arm's later tries. */
NMI_COLD enum hpet_tick hpet_periodic_tick_in_nmi(void);
NMI_COLD enum hpet_tick hpet_tick_other_in_nmi(uint64_t tsc);
NMI_COLD enum hpet_tick hpet_one_shot_short_in_nmi(uint64_t now);
NMI_COLD uint64_t hpet_rearm_late_in_nmi(uint64_t next);

/* One comparator write of the re-arm, at least a quarter period past the
 * counter as read (now); a 32-bit timer's comparator set past the wrap
 * owes the wrap interrupt. Comparator writes of a 32-bit timer keep the
 * low half (HPET 1.0a 2.3.9.2.4). */
static inline uint64_t hpet_arm_next_in_nmi(uint64_t next, uint64_t now, bool wide)
{
	struct hpet_nmi_state *h = &hpet_nmi;

	if (hpet_delta(next, now, wide) < (int64_t)h->lead)
		next = hpet_wrap(now + h->period, wide);
	if (!wide)
		h->wrap_owed = next < now;
	h->regs[HPET_T0_CMP / 8] = next;
	return next;
}

/*
 * NMI context: did timer 0 expire since the last tick it reported (hpet.h)?
 * tsc: RDTSC taken just before the call. One-shot: the counter has reached
 * the comparator, and the tick moves it on a period from the last expiry,
 * so the rate does not drift. A write done within an eighth of a period of
 * the counter read (by the TSC: at 50 kHz 2.5 us, against a microsecond for
 * an HPET access) landed before the counter could reach a comparator set a
 * quarter period ahead: the common case reads the counter once per tick and
 * writes the comparator once, with no read-back.
 */
static inline __attribute__((always_inline)) enum hpet_tick
hpet_one_shot_tick_in_nmi(uint64_t tsc, bool wide)
{
	struct hpet_nmi_state *h = &hpet_nmi;
	uint64_t now, next, due;

	now = hpet_wrap(h->regs[HPET_MAIN_COUNTER / 8], wide);
	due = h->next_due;	/* volatile for normal context's reads: read once */
	if (!hpet_reached(now, due, wide))
		return (enum hpet_tick)(uint32_t)NMI_COLD_CALL1(hpet_one_shot_short_in_nmi, now);
	next = hpet_arm_next_in_nmi(hpet_wrap(due + h->period, wide), now, wide);
	if (rdtsc() - tsc >= h->in_time_tsc)
		next = NMI_COLD_CALL1(hpet_rearm_late_in_nmi, next);
	h->next_due = next;
	return HPET_TICK;
}

/* The 64-bit one-shot timer inline, with one test; the others out of line */
static inline enum hpet_tick hpet_tick_in_nmi(uint64_t tsc)
{
	if (!hpet_nmi.one_shot_wide)
		return (enum hpet_tick)(uint32_t)NMI_COLD_CALL1(hpet_tick_other_in_nmi, tsc);
	return hpet_one_shot_tick_in_nmi(tsc, true);
}

#endif
