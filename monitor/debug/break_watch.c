#include "monitor/debug/break_watch.h"
#include "monitor/debug/breakpoint.h"
#include "monitor/debug/debug_path.h"
#include "monitor/debug/dr_alloc.h"
#include "monitor/debug/stop.h"
#include "monitor/nmi/nmi.h"
#include "monitor/nmi/nmi_timer.h"
#include "monitor/shell/console.h"
#include "monitor/shell/shell.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/protected.h"
#include "arch/x86_64/uart.h"

#define BREAK_WATCH_HZ	20
#define CTRL_C		0x03

/* The bootstrap CPU's (only it runs a shell). */
static volatile unsigned int watchers;
/* Ctrl-C was typed and the command has not stopped yet: kept across ticks
 * until a break fires in the context it was planted for. */
static volatile bool pending;
/* Where the last break was planted: the interrupted RIP and RSP. */
static volatile uint64_t planted_rip, planted_rsp;

/* NMI context, on every timer tick. The interrupted code has IF=0 and is no
 * interrupt handler, so neither the UART interrupt nor the shell is
 * touching the input ring: other bytes go there. */
static void tick_in_nmi(const struct trap_frame *f)
{
	if (!watchers || (f->rflags & X86_RFLAGS_IF) || this_cpu()->irq_depth || stop_active())
		return;
	/* a debug break there would trap inside entry code or the trap path
	 * (interrupts off in an exception stub): leave it to a later tick */
	if (protected_range(f->rip, 1))
		return;
	while (!pending && uart_rx_ready()) {
		uint8_t c = uart_getc_raw();

		if (c == CTRL_C)
			pending = true;
		else
			console_queue_byte_in_nmi(c);
	}
	/* RF=1 in the frame (an NMI between two iterations of a REP string
	 * instruction, or right after the IRET of a fault) makes the IRET skip
	 * instruction breakpoints at that RIP for one instruction (SDM vol. 3,
	 * 17.3.1.1): the break then fires only when that RIP runs again, which
	 * may be in another context. Waiting for a tick with RF=0 is no way
	 * out: under KVM a workload inside a long REP MOVSB never gives one
	 * (measured: Ctrl-C never stopped work rep-cli). So plant anyway;
	 * break_watch_on_db stops only where RIP and RSP are the planted ones
	 * and lets any other context run on, and the next tick plants again. */
	if (!pending)
		return;
	planted_rip = f->rip;
	planted_rsp = f->rsp;
	nmi_request_break_in_nmi(f->rip);
}

void break_watch_init(void)
{
	nmi_timer_set_tick_hook(tick_in_nmi);
}

void break_watch_begin(void)
{
	if (watchers++ == 0)
		nmi_timer_want(TIMER_BREAK_WATCH, BREAK_WATCH_HZ);
	shell_undo_on_abort(break_watch_end);
}

DEBUG_PATH static void disarm(void)
{
	write_dr7(read_dr7() & ~dr7_enable_bit(DR_BREAK_REG));
	planted_rip = planted_rsp = 0;
}

void break_watch_end(void)
{
	shell_undo_cancel(break_watch_end);
	if (!watchers || --watchers)
		return;
	nmi_timer_want(TIMER_BREAK_WATCH, 0);
	pending = false;
	disarm();
}

DEBUG_PATH bool break_watch_on_db(struct trap_frame *f, uint64_t dr6)
{
	struct percpu *cpu = this_cpu();
	bool here;

	if (!(dr6 & (1ul << DR_BREAK_REG)) || !(read_dr7() & dr7_enable_bit(DR_BREAK_REG)))
		return false;
	/* the allocator keeps this register for the watch alone: every hit of
	 * it is served here */
	here = f->rip == planted_rip && f->rsp == planted_rsp && cpu->irq_depth == 0 &&
	       !stop_active();
	write_dr6(dr6 & ~(1ul << DR_BREAK_REG));	/* DR6 bits are sticky */
	disarm();
	if (!here || !pending)
		return true;	/* another context: it runs on, a later tick retries */
	pending = false;
	stop_enter(f, STOP_BREAK, 0);
	return true;
}
