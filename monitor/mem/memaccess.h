/* Fault-safe reads and writes of any width, and the words for a fault. */
#ifndef MONITOR_MEMACCESS_H
#define MONITOR_MEMACCESS_H

#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/fault_safe.h"

fault_t mem_read(uintptr_t addr, unsigned int width, uint64_t *out);
fault_t mem_write(uintptr_t addr, unsigned int width, uint64_t v);
/* "page fault (not present)", "general protection fault (non-canonical address)",
 * "page fault (not present): the guard page below cpu 3's AP stack"; buf of
 * FAULT_TEXT_MAX holds the longest. */
#define FAULT_TEXT_MAX	96
const char *fault_text(fault_t f, uintptr_t addr, char *buf, size_t n);

#endif
