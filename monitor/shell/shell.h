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
/* Another CPU's stop prints over the shell CPU's top-level prompt (if it
 * waits at it): shell_owe_prompt before, shell_prompt_again once the world
 * goes on, which prints the prompt again once however many stops owed it. */
void shell_owe_prompt(void);
void shell_prompt_again(void);
void shell_set_action(enum shell_action a);	/* cont, step */
/* Run one command from inside another (prof record); returns its status,
 * having printed any error line. */
int shell_exec(int argc, char **argv);

/* Recovery: a command that sets up something lasting (a break watch,
 * sampling) registers its undo on the current shell level and cancels it
 * when it ends normally; if a fault aborts the command, that level (and no
 * other) runs its undo entries, newest first. */
void shell_undo_on_abort(void (*undo)(void));
void shell_undo_cancel(void (*undo)(void));	/* the newest entry of undo, if any */

/* Exception from a command: make the frame return into the innermost shell
 * loop (the command's frames are abandoned). */
void shell_resume_after_trap(struct trap_frame *f);

#endif
