#include "monitor/nmi/nmi_timer.h"
#include "monitor/acpi/acpi_mmio.h"
#include "monitor/bootinfo.h"
#include "monitor/cpuinfo.h"
#include "monitor/lib/string.h"
#include "monitor/nmi/nmi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/hpet.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/tsc.h"

static uint64_t want[3];		/* by user */
/* The profiler's own period: below the break watch's rate the timer runs
 * faster than it asked, and only every so many ticks are samples. */
static volatile uint64_t sample_period_tsc;
static volatile uint64_t last_sample;
static volatile uint64_t period_tsc;	/* the timer's own period */
static struct nmi_timer_stats stats;
static void (*volatile tick_hook)(const struct trap_frame *f);
/* The tick hook (the Ctrl-C watch) runs at its user's own rate, not at
 * every tick of a faster profiler: it polls the UART, a port read. */
static volatile uint64_t hook_period_tsc;
static volatile uint64_t last_hook;
static void (*volatile sampler)(const struct trap_frame *f);
/* An expiry (a tick, its duplicate or a wrap) was found in a pass another
 * source claimed, or in a repeat pass: the HPET's own NMI for it may still
 * come (the late-delivery rule before claim_in_nmi). */
static bool owed;
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
/* The timer cannot tell its NMIs from others' (the late-delivery rule). */
static bool takes_all;

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

	if (hz == stats.hz)
		return;
	hpet_nmi_stop();
	stats.hz = hz;
	period_tsc = hz ? tsc_hz() / hz : 0;
	if (hz)
		hpet_nmi_start(hpet_hz() / hz, one_shot);
}

void nmi_timer_want(enum nmi_timer_user who, uint64_t hz)
{
	if (!hpet_present())
		return;
	want[who] = hz;
	if (who == TIMER_BREAK_WATCH)
		hook_period_tsc = hz ? tsc_hz() / hz : 0;
	if (who == TIMER_PROFILER) {
		sample_period_tsc = hz ? tsc_hz() / hz : 0;
		last_sample = rdtsc();
	}
	retune();
}

void nmi_timer_get_stats(struct nmi_timer_stats *s)
{
	*s = stats;
}

void nmi_timer_set_tick_hook(void (*tick_in_nmi)(const struct trap_frame *f))
{
	tick_hook = tick_in_nmi;
}

void nmi_timer_set_sampler(void (*sample_in_nmi)(const struct trap_frame *f))
{
	sampler = sample_in_nmi;
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
	void (*hook)(const struct trap_frame *);
	void (*s)(const struct trap_frame *);
	unsigned int others;
	enum hpet_tick t;
	uint64_t now;

	/* the IOAPIC sends the HPET's NMI to the bootstrap CPU alone (hpet.c):
	 * another CPU's NMI is never a tick, and its stats are not per CPU */
	if (!stats.hz || this_cpu()->cpu != 0)
		return false;
	now = rdtsc();
	t = hpet_tick_in_nmi(now);
	others = this_cpu()->nmi->pass_claims;
	if (t == HPET_NOT_DUE) {
		/* the late-delivery rule (above) */
		if (repeat || others || !(takes_all || owed))
			return false;
		owed = false;	/* that was it */
		stats.early_dropped++;
		return true;
	}
	owed = repeat || others > 0;
	if (t == HPET_WRAP) {
		stats.wraps++;
		return true;
	}
	if (t == HPET_DUPLICATE) {
		stats.early_dropped++;
		return true;
	}
	stats.ticks++;
	hook = tick_hook;
	/* at its own rate, give or take half a tick */
	if (hook && hook_period_tsc && now - last_hook + period_tsc / 2 >= hook_period_tsc) {
		last_hook = now;
		hook(f);
	}
	/* at the profiler's own rate every tick; below the timer's rate its
	 * phase is kept (a tick late or early by half a tick still counts) */
	if (sample_period_tsc && (sample_period_tsc <= period_tsc ||
				  now - last_sample + period_tsc / 2 >= sample_period_tsc)) {
		last_sample += sample_period_tsc;
		if (now - last_sample > sample_period_tsc)
			last_sample = now;	/* fell behind: start again from here */
		/* the ledger's NMIs: counted here, by the source, whatever the
		 * sampler then does with the tick (sample, lost or dropped) */
		stats.sampled++;
		s = sampler;
		if (s)
			s(f);
	}
	return true;
}

static const struct nmi_source timer_source = {
	.name = "HPET timer 0",
	.claim_in_nmi = claim_in_nmi,
};

void nmi_timer_init(void)
{
	const struct acpi_mmio *io = acpi_boot_mmio();

	one_shot = choose_one_shot();
	takes_all = bootinfo_has_option("quirk=nmi-late") || (!one_shot && on_tcg());
	if (hpet_init(io->hpet, io->ioapic, bootinfo_has_option("hpet=32bit")))
		nmi_register_source(&timer_source);
}
