/* The g packet's registers (target_xml.c's order) from and to a trap frame. */
#ifndef MONITOR_GDB_REGS_H
#define MONITOR_GDB_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/trap_frame.h"

#define GDB_NREGS	57
#define GDB_REGS_BYTES	536	/* all of them, as the g packet carries them */

/* Register n's bytes (little-endian) into out; returns its size, 0 if no
 * such register. */
size_t gdb_reg_get(const struct trap_frame *f, unsigned int n, uint8_t *out);
/* Set register n from size bytes: the general registers, rip and eflags
 * change; the others (segments, x87, SSE: the monitor uses none) are kept.
 * False if n does not exist or size is not its size. */
bool gdb_reg_set(struct trap_frame *f, unsigned int n, const uint8_t *in, size_t size);

#endif
