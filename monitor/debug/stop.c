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
#include "monitor/lib/symbols.h"
#include "arch/x86_64/percpu.h"

/* The bootstrap CPU's stops (only it runs a shell). */
static struct trap_frame *current;
DEBUG_PATH_DATA volatile unsigned int stop_depth;

static void print_stop(const struct trap_frame *f, enum stop_reason why, unsigned int bp_id)
{
	char sym[96];

	if (why == STOP_WATCH) {
		const struct watchpoint *w = wp_find(bp_id);
		char hit[160];

		wp_describe_hit(bp_id, hit, sizeof(hit));
		kprintf("stopped: watchpoint %u (%s) at %s, %s\n", bp_id,
			w ? wp_kind_name(w->kind) : "deleted",
			symtab_format(&kernel_symtab, f->rip, sym, sizeof(sym)), hit);
	} else if (why == STOP_BREAKPOINT) {
		kprintf("stopped: breakpoint %u at %s\n", bp_id,
			symtab_format(&kernel_symtab, f->rip, sym, sizeof(sym)));
	} else {
		kprintf("stopped: %s at %s\n", why == STOP_STEP ? "step" : "break (Ctrl-C)",
			symtab_format(&kernel_symtab, f->rip, sym, sizeof(sym)));
	}
}

/* Not on the debug path: the stop is already active. */
__attribute__((noinline)) static enum shell_action
stop_run(struct trap_frame *f, enum stop_reason why, unsigned int bp_id)
{
	struct percpu *cpu = this_cpu();
	struct trap_frame *outer = current;
	bool was_in_command = cpu->in_command;
	enum shell_action a;

	gdb_note_stop(f, why, bp_id);	/* for gdb's '?', also if it attaches in the stop */
	if (!gdb_attached())
		print_stop(f, why, bp_id);	/* attached: gdb_serve reports it */
	current = f;
	a = shell_run_stopped();
	current = outer;
	cpu->in_command = was_in_command;
	return a;
}

DEBUG_PATH void stop_enter(struct trap_frame *f, enum stop_reason why, unsigned int bp_id)
{
	enum shell_action a;

	stop_depth++;
	a = stop_run(f, why, bp_id);
	stop_depth--;
	bp_resume(f, a == SHELL_STEP);
}

struct trap_frame *stop_frame(void)
{
	return current;
}

void stop_hold(bool on)
{
	if (on)
		stop_depth++;
	else
		stop_depth--;
}

