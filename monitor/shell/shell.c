/*
 * The shell: read a line through the line editor, split it, run the command.
 * Shell loops nest: a stop (breakpoint, step, Ctrl-C) runs a "stopped" loop
 * inside the exception or interrupt handler that stopped, on the stack below
 * the stopped context, until cont or step. Each loop saves a resume context:
 * an exception in one of its commands returns there (shell_resume_after_trap)
 * and runs the undo entries that level's commands left (DEBUG.md, "Recovery"):
 * what the aborted command set up, and nothing of the levels outside it.
 */
#include "monitor/shell/shell.h"
#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/shell/line_edit.h"
#include "monitor/debug/break_other.h"
#include "monitor/debug/step.h"
#include "monitor/debug/stop.h"
#include "monitor/gdb/gdb_stub.h"
#include "monitor/shell/parse.h"
#include "monitor/smp/smp.h"
#include "monitor/smp/smp_world.h"
#include "monitor/lib/string.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/jmp_ctx.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/uart.h"

#define UNDO_MAX 8

struct shell_level {
	struct jmp_ctx resume;
	struct shell_level *outer;
	bool stopped;
	/* what the running command set up and must be undone if it aborts,
	 * newest last; kept here, not on the command's abandoned stack */
	void (*undo[UNDO_MAX])(void);
	unsigned int nundo;
};

/* The bootstrap CPU's shell (only it runs one). */
static struct line_editor editor;
static struct shell_level *level;
static enum shell_action pending_action;

const struct command *command_find(const char *name)
{
	for (const struct command *c = __cmds_start; c < __cmds_end; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void shell_check_commands(void)
{
	for (const struct command *a = __cmds_start; a < __cmds_end; a++)
		for (const struct command *b = a + 1; b < __cmds_end; b++)
			if (strcmp(a->name, b->name) == 0) {
				kprintf("fatal: command '%s' is registered twice\n", a->name);
				halt_forever();
			}
}

/* The editor writes exact terminal bytes (its own CRLF): no translation. */
static void editor_out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	while (n--)
		uart_putc(*s++);
}

static void run_line(const char *typed)
{
	/* the command's words live here, not in the editor: a stop inside the
	 * command (or on another CPU) runs a shell that reuses the editor */
	char line[LINE_MAX + 1];
	char *argv[MAX_ARGS];
	int argc;

	strcpy(line, typed);	/* the editor refuses longer lines */
	argc = parse_split(line, argv, MAX_ARGS);
	const struct command *c;
	int st;

	if (argc < 0) {
		errorf("%s (at most %d words)", status_message(ST_TOO_MANY_ARGS), MAX_ARGS);
		return;
	}
	if (argc == 0)
		return;
	c = command_find(argv[0]);
	if (!c) {
		errorf("unknown command '%s' (try help)", argv[0]);
		return;
	}
	this_cpu()->in_command = true;
	st = c->run(argc, argv);
	this_cpu()->in_command = false;
	if (st == ST_USAGE)
		errorf("usage: %s %s", c->name, c->usage);
	else if (st != ST_OK && st != ST_REPORTED)
		errorf("%s", status_message((enum status)st));
}

int shell_exec(int argc, char **argv)
{
	const struct command *c = command_find(argv[0]);
	int st;

	if (!c)
		return errorf("unknown command '%s' (try help)", argv[0]);
	st = c->run(argc, argv);
	if (st == ST_USAGE)
		return errorf("usage: %s %s", c->name, c->usage);
	return st;
}

/* The shell CPU waits for a line at its top-level prompt: a stop of
 * another CPU that ends meanwhile prints the prompt again (the shell CPU,
 * still inside console_getc, will not). */
static volatile bool at_top_prompt;
/* Another CPU's stop printed over that prompt: whichever CPU lets the
 * world go last prints it again, once. */
static volatile bool prompt_owed;

void shell_owe_prompt(void)
{
	if (at_top_prompt)
		prompt_owed = true;
}

void shell_prompt_again(void)
{
	if (at_top_prompt && __atomic_exchange_n(&prompt_owed, false, __ATOMIC_ACQ_REL))
		console_puts("mon> ");
}

static void run_loop(bool stopped)
{
	struct shell_level me = { .outer = level, .stopped = stopped };
	unsigned int steps = step_depth();

	level = &me;
	/* the shell CPU's half-typed line is not this CPU's first command */
	if (this_cpu()->cpu != 0)
		le_discard(&editor);
	if (ctx_save(&me.resume)) {
		/* a command faulted: its report is out; undo what it had started,
		 * newest first (each undo cancels its own entry, already gone),
		 * and the steps its contexts had in flight (never the outer ones) */
		this_cpu()->in_command = false;
		step_abandon_above(steps);
		while (me.nundo)
			me.undo[--me.nundo]();
		gdb_command_aborted();
	}
	for (;;) {
		if (stopped && pending_action != SHELL_STAY)
			break;
		if (!stopped)
			smp_world_settle();	/* a stop whose step never came back */
		if (gdb_attached()) {
			/* gdb has the line: no prompt; at the top level, run the
			 * monitor commands it queued once it resumed the target */
			struct trap_frame self;
			char line[LINE_MAX + 1];

			if (!stopped && gdb_next_deferred(line, sizeof(line))) {
				run_line(line);
				continue;
			}
			capture_regs(&self);
			gdb_serve(stopped ? stop_frame() : &self, stopped);
			continue;
		}
		smp_print_done();	/* other CPUs' workloads that ended */
		console_puts(stopped ? "mon(stopped)> " : "mon> ");
		if (this_cpu()->cpu == 0)
			at_top_prompt = !stopped;
		for (;;) {
			int c = console_getc();
			enum le_result r;
			bool empty;

			if (gdb_late_ack(c, editor.len == 0))
				continue;
			if (c == '$' && le_only_acks(&editor)) {
				/* a gdb packet at the start of a line: target remote
				 * works with nothing typed first */
				le_discard(&editor);
				if (this_cpu()->cpu == 0)
					at_top_prompt = false;
				if (!gdb_probe())
					errorf("a line that starts with '$' is a gdb packet; this "
					       "one was not (bad checksum or cut short): ignored");
				break;
			}
			empty = editor.len == 0;
			r = le_feed(&editor, (uint8_t)c);

			if (r == LE_NONE)
				continue;
			if (this_cpu()->cpu == 0)
				at_top_prompt = false;
			if (r == LE_LINE)
				run_line(editor.line);
			else if (r == LE_TOO_LONG)
				errorf("line too long (%zu characters, at most %d): ignored",
				       editor.refused_len, LINE_MAX);
			else if (r == LE_CANCEL && empty && !stopped && this_cpu()->cpu == 0)
				break_other_cpu();	/* as gdb's Ctrl-C: stop the target */
			break;
		}
	}
	level = me.outer;
}

void shell_run(void)
{
	le_init(&editor, editor_out, NULL);
	run_loop(false);
	halt_forever();		/* the outermost loop never breaks */
}

enum shell_action shell_run_stopped(void)
{
	enum shell_action a;

	pending_action = SHELL_STAY;
	run_loop(true);
	a = pending_action;
	pending_action = SHELL_STAY;
	return a;
}

bool shell_is_stopped(void)
{
	return level && level->stopped;
}

void shell_set_action(enum shell_action a)
{
	pending_action = a;
}

void shell_undo_on_abort(void (*undo)(void))
{
	if (!level || level->nundo == UNDO_MAX) {
		/* a programming error (commands nest at most a few deep): say so */
		kprintf("fatal: more than %d undo entries in one shell level\n", UNDO_MAX);
		halt_forever();
	}
	level->undo[level->nundo++] = undo;
}

void shell_undo_cancel(void (*undo)(void))
{
	if (!level)
		return;
	for (unsigned int i = level->nundo; i-- > 0;)
		if (level->undo[i] == undo) {
			for (; i + 1 < level->nundo; i++)
				level->undo[i] = level->undo[i + 1];
			level->nundo--;
			return;
		}
}

void shell_resume_after_trap(struct trap_frame *f)
{
	ctx_resume_from_trap(f, &level->resume);
}
