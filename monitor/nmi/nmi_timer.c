#include "monitor/nmi/nmi_timer.h"
#include "monitor/acpi/acpi_mmio.h"
#include "monitor/bootinfo.h"
#include "monitor/cpuinfo.h"
#include "monitor/lib/string.h"
#include "monitor/nmi/nmi.h"
#include "monitor/nmi/nmi_timer_tick.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/hpet.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"

static uint64_t want[3];		/* by user */
struct nmi_timer_state nmi_timer;
/*
 * Periodic or one-shot HPET. QEMU's TCG fires the periodic timer twice per
 * period under -icount, and its MMIO costs no more than an instruction:
 * there one-shot, re-armed from the NMI (one counter read per NMI, a write
 * and a read per tick). Elsewhere periodic: on real hardware an HPET read
 * is about a microsecond, under KVM an exit to QEMU per access, and under
 * kvm_pvm (quirk=nmi-late) an NMI may wait for a later one, which a
 * one-shot timer would never send. hpet=oneshot|periodic overrides;
 * hpet=32bit runs timer 0 in 32-bit mode, as on a 32-bit HPET.
 */
static bool one_shot;

static bool on_tcg(void)
{
	return cpuinfo.hypervisor && strcmp(cpuinfo.hypervisor_sig, "TCGTCGTCGTCG") == 0;
}

static bool choose_one_shot(void)
{
	if (bootinfo_has_option("quirk=nmi-late") || bootinfo_has_option("hpet=periodic"))
		return false;	/* the quirk wins: one-shot could stop for good there */
	if (bootinfo_has_option("hpet=oneshot"))
		return true;
	return on_tcg();
}

static void retune(void)
{
	uint64_t hz = want[TIMER_BREAK_WATCH] > want[TIMER_PROFILER] ?
		      want[TIMER_BREAK_WATCH] : want[TIMER_PROFILER];

	if (hz == nmi_timer.stats.hz)
		return;
	hpet_nmi_stop();
	nmi_timer.stats.hz = hz;
	nmi_timer.period_tsc = hz ? tsc_hz() / hz : 0;
	if (hz)
		hpet_nmi_start(hpet_hz() / hz, one_shot);
}

/* The users' deadlines (nmi_timer_tick.h) from their periods and the
 * timer's; from here on the ticks move them on. */
static void plan(void)
{
	uint64_t sp = nmi_timer.sample_period_tsc;

	nmi_timer.hook_due = nmi_timer.tick_hook && nmi_timer.hook_period_tsc ? 0 : ~0ull;
	if (!sp)
		nmi_timer.sample_due = ~0ull;
	else if (sp <= nmi_timer.period_tsc)
		nmi_timer.sample_due = 0;
	else
		nmi_timer.sample_due = nmi_timer.last_sample + sp - nmi_timer.period_tsc / 2;
}

void nmi_timer_want(enum nmi_timer_user who, uint64_t hz)
{
	if (!hpet_present())
		return;
	want[who] = hz;
	if (who == TIMER_BREAK_WATCH)
		nmi_timer.hook_period_tsc = hz ? tsc_hz() / hz : 0;
	if (who == TIMER_PROFILER) {
		nmi_timer.sample_period_tsc = hz ? tsc_hz() / hz : 0;
		nmi_timer.last_sample = rdtsc();
	}
	plan();		/* a user that stops takes no tick from here */
	retune();
	plan();		/* the timer's new period */
}

void nmi_timer_get_stats(struct nmi_timer_stats *s)
{
	*s = nmi_timer.stats;
}

NMI_COLD void nmi_timer_hook_in_nmi(const struct trap_frame *f, uint64_t now)
{
	void (*hook)(const struct trap_frame *) = nmi_timer.tick_hook;

	nmi_timer.hook_due = now + nmi_timer.hook_period_tsc - nmi_timer.period_tsc / 2;
	if (hook)
		hook(f);
}

void nmi_timer_set_tick_hook(void (*tick_in_nmi)(const struct trap_frame *f))
{
	nmi_timer.tick_hook = tick_in_nmi;
	plan();
}

void nmi_timer_set_sampler(void (*sample_in_nmi)(const struct trap_frame *f))
{
	nmi_timer.sampler = sample_in_nmi;
}

bool nmi_timer_one_shot(void)
{
	return one_shot;
}

bool nmi_timer_wide(void)
{
	return hpet_wide();
}

bool nmi_timer_available(void)
{
	return hpet_present();
}

const char *nmi_timer_why_absent(void)
{
	return hpet_why_absent();
}

/* The late-delivery rule. An NMI that is not due is still this timer's when an NMI of its is owed
 * and no other source claims this one: an expiry found in a pass that
 * another source claimed (it was asked before the timer), or in a repeat
 * pass (whose cause collapsed into it unseen), leaves the HPET's
 * own NMI for it undelivered yet (under QEMU -icount measured 14.5 us after
 * the counter reached the comparator; under plain TCG, host-late, after
 * other NMIs). An expiry found in a pass nobody else claimed was the
 * timer's, or an unknown NMI's that it then hides; the HPET's NMI that
 * follows is counted unknown in its place, so the count stays
 * right. Two places where the timer cannot tell, and takes every NMI that
 * comes while it runs: kvm_pvm (quirk=nmi-late), which delivers an NMI
 * raised while NMIs were blocked up to a period late and now and then
 * twice (measured: unknown NMIs every few hundred ticks at 1 kHz by any
 * rule); and QEMU TCG's periodic HPET (hpet=periodic there), which fires
 * twice per expiry, both often before one pass reads the comparator. */
static bool claim_in_nmi(const struct trap_frame *f, bool repeat)
{
	void (*s)(const struct trap_frame *);

	/* the IOAPIC sends the HPET's NMI to the bootstrap CPU alone (hpet.c):
	 * another CPU's NMI is never a tick, and its stats are not per CPU */
	if (!nmi_timer.stats.hz || this_cpu()->cpu != 0)
		return false;
	switch (nmi_timer_tick_in_nmi(f, rdtsc(), repeat, this_cpu()->nmi->pass_claims)) {
	case TIMER_NOT_MINE:
		return false;
	case TIMER_SAMPLE:
		s = nmi_timer.sampler;
		if (s)
			s(f);
		return true;
	default:
		return true;
	}
}

static const struct nmi_source timer_source = {
	.name = "HPET timer 0",
	.claim_in_nmi = claim_in_nmi,
	.fast_pass_checks = true,	/* nmi_timer_tick_in_nmi: profiler.c's fast pass */
};

void nmi_timer_init(void)
{
	const struct acpi_mmio *io = acpi_boot_mmio();

	one_shot = choose_one_shot();
	plan();
	nmi_timer.takes_all = bootinfo_has_option("quirk=nmi-late") || (!one_shot && on_tcg());
	if (hpet_init(io->hpet, io->ioapic, bootinfo_has_option("hpet=32bit")))
		nmi_register_source(&timer_source);
}
