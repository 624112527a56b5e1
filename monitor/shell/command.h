/*
 * Shell commands register themselves: each cmds/<name>.c places one
 * struct command in the .cmds section with COMMAND(); the linker gathers
 * them between __cmds_start and __cmds_end. help is generated from the
 * table, and a duplicate name stops the boot (shell_check_commands).
 */
#ifndef MONITOR_COMMAND_H
#define MONITOR_COMMAND_H

#include "monitor/lib/status.h"

struct command {
	const char *name;
	const char *usage;	/* arguments, e.g. "<addr> [len]" */
	const char *summary;	/* one line for the help list */
	const char *help;	/* details for "help NAME", may be NULL */
	int (*run)(int argc, char **argv);	/* returns an enum status */
};

#define COMMAND(id, ...)						\
	static const struct command command_##id			\
	__attribute__((used, section(".cmds"), aligned(8))) = { __VA_ARGS__ }

extern const struct command __cmds_start[], __cmds_end[];

const struct command *command_find(const char *name);

#endif
