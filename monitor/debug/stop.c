/*
 * A stop runs a shell inside the #BP/#DB/IRQ handler that stopped, on the
 * stack below the stopped context. stop_enter is on the debug path: it
 * marks the stop active before anything else runs, so a breakpoint in what
 * a stop uses (printing, the shell) is a hit inside a stop, which only
 * counts, and never a second stop of the same context.
 */
#include "monitor/debug/stop.h"
#include "monitor/debug/breakpoint.h"
#include "monitor/debug/debug_path.h"
#include "monitor/debug/watchpoint.h"
#include "monitor/gdb/gdb_stub.h"
#include "monitor/shell/console.h"
#include "monitor/shell/shell.h"
#include "monitor/lib/fmt.h"
#include "monitor/lib/symbols.h"
#include "monitor/smp/smp.h"
#include "monitor/smp/smp_world.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"

/* Each CPU's stops: its innermost stopped frame and how many are open. */
static struct trap_frame *current[MAX_CPUS];
DEBUG_PATH_DATA volatile unsigned int stop_depth[MAX_CPUS];

static void print_stop(const struct trap_frame *f, enum stop_reason why, unsigned int bp_id)
{
	char sym[96];
	char where[16] = "";

	/* which CPU stopped, once there is more than one */
	if (smp_cpu_count() > 1)
		fmt_snprintf(where, sizeof(where), " on cpu %u", this_cpu()->cpu);

	if (why == STOP_WATCH) {
		const struct watchpoint *w = wp_find(bp_id);
		char hit[160];

		wp_describe_hit(bp_id, hit, sizeof(hit));
		kprintf("stopped: watchpoint %u (%s) at %s%s, %s\n", bp_id,
			w ? wp_kind_name(w->kind) : "deleted",
			symtab_format(&kernel_symtab, f->rip, sym, sizeof(sym)), where, hit);
	} else if (why == STOP_BREAKPOINT) {
		kprintf("stopped: breakpoint %u at %s%s\n", bp_id,
			symtab_format(&kernel_symtab, f->rip, sym, sizeof(sym)), where);
	} else {
		kprintf("stopped: %s at %s%s\n", why == STOP_STEP ? "step" : "break (Ctrl-C)",
			symtab_format(&kernel_symtab, f->rip, sym, sizeof(sym)), where);
	}
}

/* A stop of another CPU than the shell's, over while the shell CPU waits
 * at its prompt: nothing else would print the prompt again. Unless the
 * world went straight to another stopped CPU, which prints its stop. */
static void world_goes_on(const struct percpu *cpu, bool step)
{
	smp_world_resume(step);
	if (!step && cpu->cpu != 0 && !smp_world_stopped())
		shell_prompt_again();
}

/* Not on the debug path: the stop is already active. */
__attribute__((noinline)) static enum shell_action
stop_run(struct trap_frame *f, enum stop_reason why, unsigned int bp_id)
{
	struct percpu *cpu = this_cpu();
	struct trap_frame *outer = current[cpu->cpu];
	bool was_in_command = cpu->in_command;
	enum shell_action a;

	/* gdb sees one thread, the shell CPU's: another CPU's stop is a hit
	 * that only counts (its stop would interleave with gdb's packets) */
	if (gdb_attached() && cpu->cpu != 0)
		return SHELL_CONT;
	smp_world_stop();		/* every other CPU waits from here to cont */
	if (why == STOP_BREAKPOINT && !bp_exists(bp_id)) {
		/* deleted while this CPU waited for the world (another CPU's
		 * stop): a stop there is news of nothing, as gdb drops one */
		world_goes_on(cpu, false);
		return SHELL_CONT;
	}
	if (cpu->cpu != 0)
		shell_owe_prompt();
	gdb_note_stop(f, why, bp_id);	/* for gdb's '?', also if it attaches in the stop */
	if (!gdb_attached()) {
		print_stop(f, why, bp_id);	/* attached: gdb_serve reports it */
		smp_world_report();
	}
	current[cpu->cpu] = f;
	a = shell_run_stopped();
	current[cpu->cpu] = outer;
	cpu->in_command = was_in_command;
	world_goes_on(cpu, a == SHELL_STEP);
	return a;
}

DEBUG_PATH void stop_enter(struct trap_frame *f, enum stop_reason why, unsigned int bp_id)
{
	unsigned int c = this_cpu()->cpu;
	enum shell_action a;

	stop_depth[c]++;
	a = stop_run(f, why, bp_id);
	/* The stopped shell waited with interrupts on (console_getc); every
	 * stop comes from a trap handler, entered with them off. Off again for
	 * the rest of its path, where a Ctrl-C's UART interrupt would stop in
	 * the trap path itself (seen: "stopped: break (Ctrl-C) at
	 * bp_resume+0x3d" after a cont); the IRET gives f its own IF back. */
	cli();
	stop_depth[c]--;
	bp_resume(f, a == SHELL_STEP);
}

struct trap_frame *stop_frame(void)
{
	return current[this_cpu()->cpu];
}

void stop_hold(bool on)
{
	if (on)
		stop_depth[this_cpu()->cpu]++;
	else
		stop_depth[this_cpu()->cpu]--;
}

