#ifndef MONITOR_BACKTRACE_H
#define MONITOR_BACKTRACE_H

#include <stdint.h>

#define BACKTRACE_MAX 32

/* Frame-pointer walk from (rip, rbp), printed one symbolized frame a line.
 * Every read is fault-safe: a bad frame pointer ends the walk with a note. */
void backtrace_print(uint64_t rip, uint64_t rbp, uint64_t rsp);

#endif
