#ifndef ARCH_PROTECTED_H
#define ARCH_PROTECTED_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Is any byte of [addr, addr+len) entry code or data that must never fault
 * or trap (NMI.md: entry text, NMI/IST stacks, per-CPU area with the TSS,
 * GDT, IDT)? The breakpoint engine and any watchpoint code refuse those. */
bool protected_range(uintptr_t addr, size_t len);
/* The name of the protected object containing addr, or NULL. */
const char *protected_what(uintptr_t addr);

#endif
