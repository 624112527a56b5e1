/* The shell: read a line through the line editor, split it, run the command. */
#include "shell.h"
#include "command.h"
#include "console.h"
#include "line_edit.h"
#include "parse.h"
#include "string.h"
#include "arch/x86_64/boot_layout.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/uart.h"

extern char boot_stack_top[];

static struct line_editor editor;

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

static void run_line(char *line)
{
	char *argv[MAX_ARGS];
	int argc = parse_split(line, argv, MAX_ARGS);
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

static void prompt(void)
{
	console_puts("mon> ");
}

static void __attribute__((noreturn)) shell_loop(void)
{
	for (;;) {
		prompt();
		for (;;) {
			enum le_result r = le_feed(&editor, (uint8_t)console_getc());

			if (r == LE_NONE)
				continue;
			if (r == LE_LINE)
				run_line(editor.line);
			else if (r == LE_TOO_LONG)
				errorf("line too long (%zu characters, at most %d): ignored",
				       editor.refused_len, LINE_MAX);
			break;
		}
	}
}

void shell_run(void)
{
	le_init(&editor, editor_out, NULL);
	shell_loop();
}

static void __attribute__((noreturn)) shell_restart(void)
{
	this_cpu()->in_command = false;
	shell_loop();
}

void shell_resume_after_trap(struct trap_frame *f)
{
	/* At a function's first instruction RSP+8 is 16-byte aligned (SysV ABI). */
	f->rip = (uintptr_t)shell_restart;
	f->rsp = (uintptr_t)boot_stack_top - 8;
	f->rbp = 0;
	f->cs = KERNEL_CS;
	f->ss = KERNEL_DS;
	f->rflags = X86_RFLAGS_IF | 0x2;	/* bit 1 is always set */
}
