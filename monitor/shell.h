#ifndef MONITOR_SHELL_H
#define MONITOR_SHELL_H

#include "arch/x86_64/trap_frame.h"

void shell_check_commands(void);	/* halts the boot on a duplicate name */
void shell_run(void) __attribute__((noreturn));

/* Exception from a command: make the frame return into a fresh shell loop
 * on the shell's own stack (the command's frames are abandoned). */
void shell_resume_after_trap(struct trap_frame *f);

#endif
