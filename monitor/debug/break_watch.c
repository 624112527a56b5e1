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
/* Per CPU, as the debug registers are. Ctrl-C was typed and the context it
 * is for has not stopped yet: kept across ticks (or requests from the shell
 * CPU, break_other.c) until a break fires in the context it was planted for. */
DEBUG_PATH_DATA static volatile bool pending[MAX_CPUS];
/* Where the last break was planted: the interrupted RIP and RSP. */
DEBUG_PATH_DATA static volatile uint64_t planted_rip[MAX_CPUS], planted_rsp[MAX_CPUS];
/* Stops the watch made on each CPU, counted as each ends. */
DEBUG_PATH_DATA static volatile uint64_t stops[MAX_CPUS];

/* NMI context: a debug break at the interrupted instruction, stopping that
 * context in its own #DB, unless that would trap inside entry code or the
 * trap path (interrupts off in an exception stub) or an interrupt handler:
 * then a later NMI plants again. RF=1 in the frame (an NMI between two
 * iterations of a REP string instruction, or right after the IRET of a
 * fault) makes the IRET skip instruction breakpoints at that RIP for one
 * instruction (SDM vol. 3, 17.3.1.1): the break then fires only when that
 * RIP runs again, which may be in another context. Waiting for an NMI with
 * RF=0 is no way out: under KVM a workload inside a long REP MOVSB never
 * gives one (measured: Ctrl-C never stopped work rep-cli). So plant anyway;
 * break_watch_on_db stops only where RIP and RSP are the planted ones and
 * lets any other context run on. */
void break_watch_plant_in_nmi(const struct trap_frame *f)
{
	struct percpu *p = this_cpu();

	if (!pending[p->cpu] || p->irq_depth || stop_active() || protected_range(f->rip, 1))
		return;
	planted_rip[p->cpu] = f->rip;
	planted_rsp[p->cpu] = f->rsp;
	nmi_request_break_in_nmi(f->rip);
}

/* Sequentially consistent: before the requester's look at the NMI in
 * flight (nmi_request.h), so an NMI on its way finds it. */
void break_watch_request(unsigned int cpu)
{
	__atomic_store_n(&pending[cpu], true, __ATOMIC_SEQ_CST);
}

bool break_watch_pending(unsigned int cpu)
{
	return pending[cpu];
}

/* Exactly one of this and the CPU's #DB takes the request. */
bool break_watch_withdraw(unsigned int cpu)
{
	return __atomic_exchange_n(&pending[cpu], false, __ATOMIC_SEQ_CST);
}

uint64_t break_watch_stops(unsigned int cpu)
{
	return stops[cpu];
}

/* NMI context, on every timer tick. The interrupted code has IF=0 and is no
 * interrupt handler, so neither the UART interrupt nor the shell is
 * touching the input ring: other bytes go there. */
static void tick_in_nmi(const struct trap_frame *f)
{
	unsigned int c = this_cpu()->cpu;

	if (!watchers || (f->rflags & X86_RFLAGS_IF) || this_cpu()->irq_depth || stop_active())
		return;
	/* a break there could not be planted: leave the input to a later tick */
	if (protected_range(f->rip, 1))
		return;
	while (!pending[c] && uart_rx_ready()) {
		uint8_t b = uart_getc_raw();

		if (b == CTRL_C)
			pending[c] = true;
		else
			console_queue_byte_in_nmi(b);
	}
	break_watch_plant_in_nmi(f);
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
	unsigned int c = this_cpu()->cpu;

	write_dr7(read_dr7() & ~dr7_enable_bit(DR_BREAK_REG));
	planted_rip[c] = planted_rsp[c] = 0;
}

void break_watch_end(void)
{
	shell_undo_cancel(break_watch_end);
	if (!watchers || --watchers)
		return;
	nmi_timer_want(TIMER_BREAK_WATCH, 0);
	pending[this_cpu()->cpu] = false;
	disarm();
}

DEBUG_PATH bool break_watch_on_db(struct trap_frame *f, uint64_t dr6)
{
	struct percpu *cpu = this_cpu();
	unsigned int c = cpu->cpu;
	bool here;

	if (!(dr6 & (1ul << DR_BREAK_REG)) || !(read_dr7() & dr7_enable_bit(DR_BREAK_REG)))
		return false;
	/* the allocator keeps this register for the watch alone: every hit of
	 * it is served here */
	here = f->rip == planted_rip[c] && f->rsp == planted_rsp[c] && cpu->irq_depth == 0 &&
	       !stop_active();
	write_dr6(dr6 & ~(1ul << DR_BREAK_REG));	/* DR6 bits are sticky */
	disarm();
	if (!here || !break_watch_withdraw(c))
		return true;	/* another context: it runs on, a later NMI retries */
	stop_enter(f, STOP_BREAK, 0);
	stops[c]++;
	return true;
}
