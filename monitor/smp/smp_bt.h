/* bt all: every CPU's backtrace, the others' taken by NMI (smp_nmi.h). */
#ifndef MONITOR_SMP_BT_H
#define MONITOR_SMP_BT_H

#include "arch/x86_64/trap_frame.h"

#define SMP_BT_TIMEOUT_MS	100

/* here: the shell CPU's own context (the stopped one, or the shell's). */
void smp_bt_all(const struct trap_frame *here);
/* "shell", "idle", "running spin-cli", ...: what cpu is doing. */
const char *smp_state_name(unsigned int cpu, char *buf, unsigned int n);

#endif
