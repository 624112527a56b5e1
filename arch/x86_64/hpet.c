#include "hpet.h"
#include "apic.h"
#include "cpu.h"
#include <stddef.h>

#define HPET_BASE		0xFED00000ul	/* QEMU's, and the usual PC address */
#define HPET_GCAP_ID		0x000
#define HPET_GEN_CONF		0x010
#define HPET_MAIN_COUNTER	0x0F0
#define HPET_T0_CONF		0x100
#define HPET_T0_CMP		0x108
#define HPET_CFG_ENABLE		(1ull << 0)
#define HPET_CFG_LEGACY		(1ull << 1)
#define HPET_CAP_LEGACY		(1ull << 15)
#define HPET_TN_INT_ENB		(1ull << 2)
#define HPET_TN_PERIODIC	(1ull << 3)
#define HPET_TN_PER_CAP		(1ull << 4)
#define HPET_TN_VAL_SET		(1ull << 6)

#define IOAPIC_BASE		0xFEC00000ul
#define IOAPIC_REDTBL(pin)	(0x10 + 2 * (pin))
#define IOAPIC_NMI		(4u << 8)	/* delivery mode NMI, edge, active high */
#define IOAPIC_MASKED		(1u << 16)
#define HPET_IOAPIC_PIN		2	/* ISA IRQ 0 under the usual MADT override */

static volatile uint64_t *const hpet = (volatile uint64_t *)HPET_BASE;
static volatile uint32_t *const ioapic = (volatile uint32_t *)IOAPIC_BASE;
static uint64_t hz;
static const char *absent = "not probed";
static uint64_t period;			/* one-shot: ticks between expiries */
static volatile uint64_t next_expiry;	/* one-shot: the comparator's value */

static uint64_t rd(unsigned int reg) { return hpet[reg / 8]; }
static void wr(unsigned int reg, uint64_t v) { hpet[reg / 8] = v; }

static void ioapic_write(uint32_t reg, uint32_t v)
{
	ioapic[0] = reg;	/* IOREGSEL */
	ioapic[4] = v;		/* IOWIN at +0x10 */
}

bool hpet_init(void)
{
	uint64_t cap = rd(HPET_GCAP_ID);
	uint32_t period_fs = (uint32_t)(cap >> 32);

	if (cap == ~0ull || cap == 0 || period_fs == 0 || period_fs > 100000000u) {
		absent = "no HPET at 0xfed00000";
		return false;
	}
	if (!(cap & HPET_CAP_LEGACY) || !(rd(HPET_T0_CONF) & HPET_TN_PER_CAP)) {
		absent = "HPET lacks legacy replacement or a periodic timer 0";
		return false;
	}
	hz = 1000000000000000ull / period_fs;
	absent = NULL;
	return true;
}

bool hpet_present(void) { return absent == NULL; }
uint64_t hpet_hz(void) { return hz; }
const char *hpet_why_absent(void) { return absent; }

void hpet_nmi_start(uint64_t period_ticks, bool one_shot)
{
	if (!hpet_present() || period_ticks == 0)
		return;
	wr(HPET_GEN_CONF, rd(HPET_GEN_CONF) & ~HPET_CFG_ENABLE);
	ioapic_write(IOAPIC_REDTBL(HPET_IOAPIC_PIN) + 1, apic_id() << 24);
	ioapic_write(IOAPIC_REDTBL(HPET_IOAPIC_PIN), IOAPIC_NMI | 2);
	wr(HPET_MAIN_COUNTER, 0);
	period = period_ticks;
	if (one_shot) {
		wr(HPET_T0_CONF, HPET_TN_INT_ENB);
		next_expiry = period_ticks;
		wr(HPET_T0_CMP, period_ticks);
	} else {
		/* periodic with VAL_SET: the first comparator write sets the first
		 * expiry, the second the period (HPET spec 1.0a, 2.3.9.2.2) */
		wr(HPET_T0_CONF, HPET_TN_INT_ENB | HPET_TN_PERIODIC | HPET_TN_VAL_SET);
		wr(HPET_T0_CMP, period_ticks);
		wr(HPET_T0_CMP, period_ticks);
	}
	wr(HPET_GEN_CONF, HPET_CFG_ENABLE | HPET_CFG_LEGACY);
}

void hpet_rearm_in_nmi(void)
{
	uint64_t now = rd(HPET_MAIN_COUNTER), next = next_expiry;

	/* Any NMI may come here (a merged one, another source's): only an
	 * expired comparator is moved, so the timer never runs ahead of time. */
	if ((int64_t)(next - now) > 0)
		return;
	next += period;
	/* The comparator fires when the counter reaches it (equality on real
	 * HPETs): one already passed would not fire for 2^64 ticks. If this
	 * NMI ran late, or the write lands late (an SMI, a preempted vCPU),
	 * start again a period from now. */
	for (int tries = 0; tries < 4; tries++) {
		if ((int64_t)(next - now) < (int64_t)(period / 4))
			next = now + period;
		wr(HPET_T0_CMP, next);
		now = rd(HPET_MAIN_COUNTER);
		if ((int64_t)(next - now) > 0)
			break;
	}
	next_expiry = next;
}

void hpet_nmi_stop(void)
{
	if (!hpet_present())
		return;
	wr(HPET_GEN_CONF, rd(HPET_GEN_CONF) & ~HPET_CFG_ENABLE);
	wr(HPET_T0_CONF, 0);
	ioapic_write(IOAPIC_REDTBL(HPET_IOAPIC_PIN), IOAPIC_MASKED);
}
