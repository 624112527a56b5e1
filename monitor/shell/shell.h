#ifndef MONITOR_SHELL_H
#define MONITOR_SHELL_H

#include <stdbool.h>
#include "arch/x86_64/trap_frame.h"

enum shell_action { SHELL_STAY, SHELL_CONT, SHELL_STEP };

void shell_check_commands(void);	/* halts the boot on a duplicate name */
void shell_run(void) __attribute__((noreturn));

/* A nested shell for a stopped context (prompt "mon(stopped)> "); returns
 * when cont or step was typed. */
enum shell_action shell_run_stopped(void);
bool shell_is_stopped(void);
void shell_set_action(enum shell_action a);	/* cont, step */
/* Run one command from inside another (prof record); returns its status,
 * having printed any error line. */
int shell_exec(int argc, char **argv);

/* Exception from a command: make the frame return into the innermost shell
 * loop (the command's frames are abandoned). */
void shell_resume_after_trap(struct trap_frame *f);

#endif
