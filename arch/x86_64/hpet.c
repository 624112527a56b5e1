#include "hpet.h"
#include "hpet_tick.h"
#include "hpet_wrap.h"
#include "apic.h"
#include "cpu.h"
#include "tsc.h"
#include <stddef.h>

#define HPET_GCAP_ID		0x000
#define HPET_GEN_CONF		0x010
#define HPET_T0_CONF		0x100
#define HPET_CFG_ENABLE		(1ull << 0)
#define HPET_CFG_LEGACY		(1ull << 1)
#define HPET_CAP_COUNT_SIZE	(1ull << 13)	/* 64-bit main counter */
#define HPET_CAP_LEGACY		(1ull << 15)
#define HPET_TN_INT_ENB		(1ull << 2)
#define HPET_TN_PERIODIC	(1ull << 3)
#define HPET_TN_PER_CAP		(1ull << 4)
#define HPET_TN_SIZE_CAP	(1ull << 5)	/* 64-bit comparator */
#define HPET_TN_VAL_SET		(1ull << 6)
#define HPET_TN_32MODE		(1ull << 8)

#define IOAPIC_REDTBL(pin)	(0x10 + 2 * (pin))
#define IOAPIC_NMI		(4u << 8)	/* delivery mode NMI, edge, active high */
#define IOAPIC_MASKED		(1u << 16)
#define HPET_IOAPIC_PIN		2	/* ISA IRQ 0 under the usual MADT override */

struct hpet_nmi_state hpet_nmi;
static volatile uint32_t *ioapic;
static uint64_t hz;
static const char *absent = "not probed";
/* Periodic: the comparator as the last tick left it, and whether QEMU owes
 * a second NMI for that tick (see hpet_periodic_tick_in_nmi). */
static volatile uint64_t last_cmp;
static volatile bool dup_owed;
/* Periodic: expiries the last tick found passed besides its own, whose
 * NMIs may still come (under kvm_pvm an NMI can arrive a millisecond late,
 * after the next expiry); good until the next tick. */
static volatile uint64_t late_owed;

static uint64_t rd(unsigned int reg) { return hpet_nmi.regs[reg / 8]; }
static void wr(unsigned int reg, uint64_t v) { hpet_nmi.regs[reg / 8] = v; }
static uint64_t counter(void) { return hpet_wrap(rd(HPET_MAIN_COUNTER), hpet_nmi.wide); }
static uint64_t comparator(void) { return hpet_wrap(rd(HPET_T0_CMP), hpet_nmi.wide); }

static void ioapic_write(uint32_t reg, uint32_t v)
{
	ioapic[0] = reg;	/* IOREGSEL */
	ioapic[4] = v;		/* IOWIN at +0x10 */
}

bool hpet_init(uint64_t base, uint64_t ioapic_base, bool force_32bit)
{
	uint64_t cap;
	uint32_t period_fs;

	hpet_nmi.regs = (volatile uint64_t *)(uintptr_t)base;
	ioapic = (volatile uint32_t *)(uintptr_t)ioapic_base;
	cap = rd(HPET_GCAP_ID);
	period_fs = (uint32_t)(cap >> 32);
	if (cap == ~0ull || cap == 0 || period_fs == 0 || period_fs > 100000000u) {
		absent = "no HPET answers at its address";
		return false;
	}
	if (!(cap & HPET_CAP_LEGACY) || !(rd(HPET_T0_CONF) & HPET_TN_PER_CAP)) {
		absent = "HPET lacks legacy replacement or a periodic timer 0";
		return false;
	}
	hpet_nmi.wide = (cap & HPET_CAP_COUNT_SIZE) && (rd(HPET_T0_CONF) & HPET_TN_SIZE_CAP) &&
	       !force_32bit;
	hz = 1000000000000000ull / period_fs;
	absent = NULL;
	return true;
}

bool hpet_present(void) { return absent == NULL; }
bool hpet_wide(void) { return hpet_nmi.wide; }
uint64_t hpet_hz(void) { return hz; }
const char *hpet_why_absent(void) { return absent; }

/* Comparator writes of a 32-bit timer keep the low half (HPET 1.0a 2.3.9.2.4). */
static void arm(uint64_t cmp)
{
	wr(HPET_T0_CMP, cmp);
}

void hpet_nmi_start(uint64_t period_ticks, bool oneshot)
{
	uint64_t start, mode = hpet_nmi.wide ? 0 : HPET_TN_32MODE;

	if (!hpet_present() || period_ticks == 0)
		return;
	wr(HPET_GEN_CONF, rd(HPET_GEN_CONF) & ~HPET_CFG_ENABLE);
	ioapic_write(IOAPIC_REDTBL(HPET_IOAPIC_PIN) + 1, apic_id() << 24);
	ioapic_write(IOAPIC_REDTBL(HPET_IOAPIC_PIN), IOAPIC_NMI | 2);
	/* 32 bits: start 50 ms short of the wrap, so that every run of the timer
	 * crosses it at once instead of after 43 s (or 5 minutes) */
	start = hpet_nmi.wide ? 0 : (1ull << 32) - hz / 20;
	wr(HPET_MAIN_COUNTER, start);
	hpet_nmi.period = period_ticks;
	hpet_nmi.lead = period_ticks / 4;
	hpet_nmi.one_shot = oneshot;
	hpet_nmi.one_shot_wide = oneshot && hpet_nmi.wide;
	/* in kHz: no overflow for a period of seconds (HPETs run at >= 10 MHz) */
	hpet_nmi.in_time_tsc = period_ticks * (tsc_hz() / 1000) / (hz / 1000) / 8;
	hpet_nmi.next_due = hpet_wrap(start + period_ticks, hpet_nmi.wide);
	hpet_nmi.wrap_owed = !hpet_nmi.wide && oneshot && hpet_nmi.next_due < start;
	hpet_nmi.passed_writes = 0;
	last_cmp = hpet_nmi.next_due;
	dup_owed = false;
	late_owed = 0;
	if (oneshot) {
		wr(HPET_T0_CONF, HPET_TN_INT_ENB | mode);
		arm(hpet_nmi.next_due);
	} else {
		/* periodic with VAL_SET: the first comparator write sets the first
		 * expiry, the second the period (HPET spec 1.0a, 2.3.9.2.2) */
		wr(HPET_T0_CONF, HPET_TN_INT_ENB | HPET_TN_PERIODIC | HPET_TN_VAL_SET | mode);
		arm(hpet_nmi.next_due);
		arm(period_ticks);
	}
	wr(HPET_GEN_CONF, HPET_CFG_ENABLE | HPET_CFG_LEGACY);
}

/* One-shot: the comparator fires when the counter reaches it (equality on
 * real HPETs): one already passed would not fire for a whole wrap. If this
 * NMI ran late, or the write lands late (an SMI, a preempted vCPU), start
 * again a period from now. QEMU fires at once for a comparator written
 * already passed: each such write owes an NMI (on a real HPET the credit
 * may hide one unknown NMI instead). hpet_tick_in_nmi (hpet_tick.h) made
 * the first write, not within an eighth of a period of its counter read:
 * read the counter back, and while the write landed passed, write again
 * (four writes in all at most). */
NMI_COLD uint64_t hpet_rearm_late_in_nmi(uint64_t next)
{
	for (int tries = 1;; tries++) {
		uint64_t t_read = rdtsc(), now = counter();

		if (!hpet_reached(now, next, hpet_nmi.wide))
			break;
		hpet_nmi.passed_writes++;
		if (tries == 4)
			break;
		next = hpet_arm_next_in_nmi(next, now, hpet_nmi.wide);
		if (rdtsc() - t_read < hpet_nmi.in_time_tsc)
			break;
	}
	return next;
}

/*
 * Periodic: the HPET moves its comparator on by a period at each expiry
 * (HPET 1.0a 2.3.9.2.2), so a comparator that moved since the last tick
 * means an expiry. QEMU 7.2 moves it only once the counter has passed it:
 * at the deadline the counter equals it, the timer fires without moving it,
 * and fires again when the counter has passed (measured under -icount: 130
 * to 330 us later). So a comparator the counter has reached is an expiry
 * too, and the move that follows it is that expiry's second NMI. A move
 * by several periods (NMIs that came late, or merged) leaves as many NMIs
 * still owed as the extra periods.
 */
NMI_COLD enum hpet_tick hpet_periodic_tick_in_nmi(void)
{
	uint64_t cmp = comparator();

	/* an NMI from elsewhere (another CPU's request) while the timer's
	 * first start is under way: no period yet */
	if (!hpet_nmi.period)
		return HPET_NOT_DUE;
	if (cmp != last_cmp) {
		uint64_t moved = (uint64_t)hpet_delta(cmp, last_cmp, hpet_nmi.wide) / hpet_nmi.period;

		last_cmp = cmp;
		if (dup_owed) {
			dup_owed = false;
			return HPET_DUPLICATE;
		}
		late_owed = moved > 1 ? moved - 1 : 0;
		return HPET_TICK;
	}
	if (!dup_owed && hpet_reached(counter(), cmp, hpet_nmi.wide)) {
		dup_owed = true;
		late_owed = 0;
		return HPET_TICK;
	}
	if (late_owed) {
		late_owed--;
		return HPET_DUPLICATE;
	}
	return HPET_NOT_DUE;
}

/* Periodic, or a 32-bit one-shot: hpet_tick_in_nmi's rarer timers */
NMI_COLD enum hpet_tick hpet_tick_other_in_nmi(uint64_t tsc)
{
	if (!hpet_nmi.one_shot)
		return hpet_periodic_tick_in_nmi();
	return hpet_one_shot_tick_in_nmi(tsc, false);
}

/* One-shot, the counter short of the expiry the timer owes. */
NMI_COLD enum hpet_tick hpet_one_shot_short_in_nmi(uint64_t now)
{
	/* a 32-bit one-shot timer also interrupts when the counter wraps
	 * (HPET 1.0a 2.3.9.2.1): now below the comparator that was set past it */
	if (hpet_nmi.wrap_owed && now < hpet_nmi.next_due) {
		hpet_nmi.wrap_owed = false;
		return HPET_WRAP;
	}
	if (hpet_nmi.passed_writes) {
		hpet_nmi.passed_writes--;
		return HPET_DUPLICATE;
	}
	return HPET_NOT_DUE;
}

void hpet_nmi_stop(void)
{
	if (!hpet_present())
		return;
	wr(HPET_GEN_CONF, rd(HPET_GEN_CONF) & ~HPET_CFG_ENABLE);
	wr(HPET_T0_CONF, 0);
	ioapic_write(IOAPIC_REDTBL(HPET_IOAPIC_PIN), IOAPIC_MASKED);
}
