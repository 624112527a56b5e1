/* gdb's breakpoints and watchpoints (Z0-Z4, z0-z4). */
#ifndef MONITOR_GDB_POINTS_H
#define MONITOR_GDB_POINTS_H

#include <stdbool.h>
#include <stdint.h>

/* Insert or remove type (0 software, 1 hardware, 2 write, 3 read, 4
 * access) at addr, kind bytes; returns the reply ("OK", "E01", or "" for
 * a type not supported). */
const char *gdb_point(bool insert, unsigned int type, uint64_t addr, uint64_t kind);
/* Detach: remove everything gdb planted. */
void gdb_points_remove_all(void);

#endif
