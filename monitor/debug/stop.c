#include "monitor/debug/stop.h"
#include "monitor/shell/console.h"
#include "monitor/lib/symbols.h"
#include "arch/x86_64/percpu.h"

/* The bootstrap CPU's stops (only it runs a shell). */
static struct trap_frame *current;
static unsigned int depth;

enum shell_action stop_enter(struct trap_frame *f, const char *why)
{
	struct percpu *cpu = this_cpu();
	struct trap_frame *outer = current;
	bool was_in_command = cpu->in_command;
	char sym[96];
	enum shell_action a;

	kprintf("stopped: %s at %s\n", why, symtab_format(&kernel_symtab, f->rip, sym, sizeof(sym)));
	current = f;
	depth++;
	a = shell_run_stopped();
	depth--;
	current = outer;
	cpu->in_command = was_in_command;
	return a;
}

struct trap_frame *stop_frame(void)
{
	return current;
}

bool stop_active(void)
{
	return depth > 0;
}
