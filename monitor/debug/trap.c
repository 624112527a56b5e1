/*
 * Every interrupt and exception arrives here from entry.S. Order matters:
 * device interrupts first, then fault-safe accessor fixups (which must work
 * in any context), and only then the report of an unexpected exception.
 */
#include "monitor/debug/trap.h"
#include "monitor/debug/backtrace.h"
#include "monitor/debug/break_watch.h"
#include "monitor/shell/console.h"
#include "monitor/debug/debug_trap.h"
#include "monitor/debug/step.h"
#include "monitor/debug/debug_path.h"
#include "monitor/mem/lazy.h"
#include "monitor/debug/stop.h"
#include "monitor/nmi/nmi.h"
#include "monitor/shell/shell.h"
#include "monitor/smp/smp_world.h"
#include "monitor/lib/symbols.h"
#include "monitor/debug/trap_names.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fault_safe.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/uart.h"

#define VEC_DF 8
#define VEC_BP 3
#define VEC_UD 6

void (*volatile trap_pf_test_hook[MAX_CPUS])(void);

/* Deliberate ud2 instructions (nmi test), listed by address in a
 * linker-bounded table like the fixup table. */
extern const uint64_t __ud2_sites_start[], __ud2_sites_end[];

static bool site_listed(const uint64_t *start, const uint64_t *end, uint64_t addr)
{
	for (const uint64_t *s = start; s < end; s++)
		if (*s == addr)
			return true;
	return false;
}

static unsigned long spurious_interrupts;

unsigned long trap_spurious_interrupts(void)
{
	return spurious_interrupts;
}
/* Per CPU: an exception inside the report itself. */
static volatile bool reporting[MAX_CPUS];

void regs_print(const struct trap_frame *f)
{
	kprintf("  rax %016lx  rbx %016lx  rcx %016lx\n", f->rax, f->rbx, f->rcx);
	kprintf("  rdx %016lx  rsi %016lx  rdi %016lx\n", f->rdx, f->rsi, f->rdi);
	kprintf("  rbp %016lx  rsp %016lx  r8  %016lx\n", f->rbp, f->rsp, f->r8);
	kprintf("  r9  %016lx  r10 %016lx  r11 %016lx\n", f->r9, f->r10, f->r11);
	kprintf("  r12 %016lx  r13 %016lx  r14 %016lx\n", f->r12, f->r13, f->r14);
	kprintf("  r15 %016lx  rip %016lx  rflags %08lx\n", f->r15, f->rip, f->rflags);
	kprintf("  cs %04lx  ss %04lx  cr0 %08lx  cr3 %08lx  cr4 %08lx\n",
		f->cs, f->ss, read_cr0(), read_cr3(), read_cr4());
}

void trap_report(const struct trap_frame *f)
{
	char sym[96];
	unsigned int v = (unsigned int)f->vector, cpu;
	const char *guard;

	uint64_t origin = step_slot_origin(f->rip);

	kprintf("\n*** exception %u %s (%s), error code 0x%lx, at %s\n", v,
		trap_mnemonic(v), trap_name(v), f->error,
		symtab_format(&kernel_symtab, origin ? origin : f->rip, sym, sizeof(sym)));
	if (origin)
		kprintf("  (in a step slot at %016lx: the instruction was running out of line "
			"for its breakpoint)\n", f->rip);
	if (v == 14 || v == VEC_DF)
		kprintf("  cr2 %016lx\n", read_cr2());
	if (v == VEC_DF && (guard = ist_guard_of(f->rsp - 8, &cpu)))
		kprintf("  stack overflow: rsp %016lx ran into the %s's guard page (cpu %u)\n",
			f->rsp, guard, cpu);
	regs_print(f);
	backtrace_print(origin ? origin : f->rip, f->rbp, f->rsp);
}

/* Returns true if Ctrl-C arrived for a running command: stop it. */
static bool irq(unsigned int line)
{
	struct percpu *cpu = this_cpu();
	bool brk = false;

	/* IRQ 7 and 15 can be spurious: the 8259 wants no EOI for those */
	if (line == uart_irq())
		brk = console_rx_interrupt(cpu->in_command && cpu->irq_depth == 1 && !stop_active());
	else
		spurious_interrupts++;
	if (line != 7 && line != 15)
		pic_eoi(line);
	return brk;
}

/* Everything but a breakpoint's #BP or #DB: not on the debug path. A
 * breakpoint in here is a first hit (an interrupt's, an exception's), never
 * a recursion of the #BP/#DB handling. */
__attribute__((noinline)) static void trap_other(struct trap_frame *f)
{
	struct percpu *cpu = this_cpu();
	uintptr_t fixup;
	bool resumable;

	if (f->vector >= PIC_VECTOR_BASE && f->vector < PIC_VECTOR_BASE + 16) {
		bool brk;

		cpu->irq_depth++;
		brk = irq((unsigned int)f->vector - PIC_VECTOR_BASE);
		cpu->irq_depth--;
		/* EOI is done and the handler is over: the command that was running
		 * is now just a stopped context, like at a breakpoint; unless it is
		 * mid-way through a step, whose #DB stops it instead */
		if (brk)
			debug_break_at(f);
		return;
	}
	if (f->vector >= 32) {
		spurious_interrupts++;
		return;
	}
	if (cpu->nmi_depth && f->vector != VEC_BP && f->vector != VEC_DB) {
		cpu->nmi->stats.faults[f->vector]++;
		cpu->nmi->stats.faults_all++;
	}
	if (f->vector == VEC_UD && site_listed(__ud2_sites_start, __ud2_sites_end, f->rip)) {
		f->rip += 2;	/* a deliberate ud2: resume after it */
		return;
	}
	if (f->vector == VEC_PF && !(f->error & PF_ERR_PRESENT)) {
		uint64_t cr2;

		/* nmi test "cr2": an NMI lands before this handler reads CR2. Its
		 * fault is in normal context: one in NMI context (the sampler's
		 * ring page in a timer NMI, between the hook's setting and the
		 * case's fault) would wait with NMIs blocked for a self-NMI that
		 * cannot come, WAIT_SPINS long (1.9 s under -icount, no tick) */
		if (trap_pf_test_hook[cpu->cpu] && !cpu->nmi_depth) {
			void (*hook)(void) = trap_pf_test_hook[cpu->cpu];

			trap_pf_test_hook[cpu->cpu] = NULL;
			hook();
		}
		cr2 = read_cr2();

		/* a probe only looks: it must not map (and allocate) a page */
		if (lazy_contains(cr2) && !fault_safe_probe_insn(f->rip)) {
			if (lazy_handle_fault(cr2, cpu->nmi_depth > 0))
				return;		/* mapped: the instruction runs again */
			if (cpu->nmi_depth)
				nmi_log_in_nmi(NMI_LOG_LAZY_OOM, cr2);
		}
	}
	fixup = fault_safe_fixup(f->rip);
	if (fixup) {
		f->rax = FAULT_ENCODE(f->vector, f->error);
		f->rip = fixup;
		return;
	}

	if (reporting[cpu->cpu]) {
		/* the report itself faulted: say so once and stop */
		console_puts("\n*** exception while reporting an exception: halted\n");
		smp_world_abandon();
		halt_forever();
	}
	resumable = f->vector != VEC_DF && cpu->in_command && cpu->irq_depth == 0 &&
		    cpu->nmi_depth == 0;
	reporting[cpu->cpu] = true;	/* from here: a fault in the world stop too */
	/* an AP's report that no command takes back: the others stop first */
	if (!resumable && cpu->cpu != 0)
		smp_world_stop_to_report();
	trap_report(f);
	reporting[cpu->cpu] = false;
	if (resumable) {
		kprintf("command aborted; back to the shell\n");
		shell_resume_after_trap(f);
		return;
	}
	if (cpu->cpu != 0)
		smp_halt_after_report();
	kprintf("cannot resume from here: halted (reset the machine)\n");
	smp_world_abandon();	/* a CPU that owned the world must not keep the others */
	halt_forever();
}

/* The #BP/#DB path starts here (debug_trap.c); the build checks that what
 * it reaches refuses breakpoints (tools/check_debug_path.py). */
DEBUG_PATH void trap_dispatch(struct trap_frame *f)
{
	if (f->vector == VEC_BP || f->vector == VEC_DB) {
		struct percpu *cpu = this_cpu();

		if (cpu->nmi_depth) {
			cpu->nmi->stats.faults[f->vector]++;
			cpu->nmi->stats.faults_all++;
		}
		if (debug_trap(f))
			return;
	}
	trap_other(f);
}
