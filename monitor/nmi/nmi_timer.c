#include "monitor/nmi/nmi_timer.h"
#include "monitor/bootinfo.h"
#include "monitor/cpuinfo.h"
#include "monitor/lib/string.h"
#include "monitor/shell/console.h"
#include "monitor/nmi/nmi.h"
#include "monitor/debug/stop.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/hpet.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/protected.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/uart.h"

#define BREAK_WATCH_HZ	20
#define CTRL_C		0x03

static uint64_t want[3];		/* by user */
static volatile uint64_t period_tsc;	/* 0: stopped */
static volatile uint64_t last_tick;
/* The profiler's own period: below the break watch's rate the timer runs
 * faster than it asked, and only every so many ticks are samples. */
static volatile uint64_t sample_period_tsc;
static volatile uint64_t last_sample;
static struct nmi_timer_stats stats;
static volatile bool watching;
static void (*volatile sampler)(const struct trap_frame *f);
/*
 * Periodic or one-shot HPET. QEMU's TCG fires the periodic timer twice per
 * period under -icount, and its MMIO costs no more than an instruction:
 * there one-shot, re-armed from the NMI (one counter read per NMI, a write
 * and a read per tick). Elsewhere periodic: on real hardware an HPET read
 * is about a microsecond, under KVM an exit to QEMU per access, and under
 * kvm_pvm (quirk=nmi-late) an NMI may wait for a later one, which a
 * one-shot timer would never send. hpet=oneshot|periodic overrides.
 */
static bool one_shot;

static bool choose_one_shot(void)
{
	if (bootinfo_has_option("quirk=nmi-late") || bootinfo_has_option("hpet=periodic"))
		return false;	/* the quirk wins: one-shot could stop for good there */
	if (bootinfo_has_option("hpet=oneshot"))
		return true;
	return cpuinfo.hypervisor && strcmp(cpuinfo.hypervisor_sig, "TCGTCGTCGTCG") == 0;
}

static void retune(void)
{
	uint64_t hz = want[TIMER_BREAK_WATCH] > want[TIMER_PROFILER] ?
		      want[TIMER_BREAK_WATCH] : want[TIMER_PROFILER];

	if (hz == stats.hz)
		return;
	hpet_nmi_stop();
	stats.hz = hz;
	if (!hz) {
		period_tsc = 0;
		return;
	}
	period_tsc = tsc_hz() / hz;
	last_tick = rdtsc();
	hpet_nmi_start(hpet_hz() / hz, one_shot);
}

void nmi_timer_want(enum nmi_timer_user who, uint64_t hz)
{
	if (!hpet_present())
		return;
	want[who] = hz;
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

void nmi_timer_set_sampler(void (*sample_in_nmi)(const struct trap_frame *f))
{
	sampler = sample_in_nmi;
}

bool nmi_timer_one_shot(void)
{
	return one_shot;
}

bool nmi_timer_available(void)
{
	return hpet_present();
}

const char *nmi_timer_why_absent(void)
{
	return hpet_why_absent();
}

/* NMI context. A Ctrl-C typed while a command runs with interrupts off: the
 * UART interrupt cannot tell us, so look at the UART here. The interrupted
 * code has IF=0 and is no interrupt handler, so neither the interrupt
 * handler nor the shell is touching the input ring: other bytes go there.
 * An NMI cannot stop; it asks for a debug-register break at the
 * interrupted instruction, which faults right after the final IRET. */
static void break_check_in_nmi(const struct trap_frame *f)
{
	uint8_t c;

	if (!watching || (f->rflags & X86_RFLAGS_IF) || !uart_rx_ready() ||
	    this_cpu()->irq_depth || stop_active())
		return;
	/* a debug break there would trap inside entry code or the trap path
	 * (interrupts off in an exception stub): leave the byte for a later tick */
	if (protected_range(f->rip, 1))
		return;
	while (uart_rx_ready()) {
		c = uart_getc_raw();
		if (c == CTRL_C) {
			nmi_request_break_in_nmi(f->rip);
			return;
		}
		console_queue_byte_in_nmi(c);
	}
}

static bool claim_in_nmi(const struct trap_frame *f, bool repeat)
{
	uint64_t now, period = period_tsc;
	void (*s)(const struct trap_frame *);

	(void)repeat;
	if (!period)
		return false;
	/* before the tick rules: a duplicate, early or foreign NMI may be the
	 * only one left to notice that the comparator expired */
	if (one_shot)
		hpet_rearm_in_nmi();
	now = rdtsc();
	if (now - last_tick < period / 2) {
		stats.early_dropped++;
		return true;
	}
	last_tick = now;
	stats.ticks++;
	break_check_in_nmi(f);
	s = sampler;
	/* the profiler's phase is kept (a tick late or early by half a tick
	 * still counts), so below the timer's rate it gets its own rate */
	if (s && now - last_sample + period / 2 >= sample_period_tsc) {
		last_sample += sample_period_tsc;
		if (now - last_sample > sample_period_tsc)
			last_sample = now;	/* fell behind: start again from here */
		stats.sampled++;
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
	one_shot = choose_one_shot();
	if (hpet_init())
		nmi_register_source(&timer_source);
}

void break_watch_begin(void)
{
	watching = true;
	nmi_timer_want(TIMER_BREAK_WATCH, BREAK_WATCH_HZ);
}

void break_watch_end(void)
{
	watching = false;
	nmi_timer_want(TIMER_BREAK_WATCH, 0);
}
