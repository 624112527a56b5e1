/* The monitor's own 4-level page tables (identity map of the first 4 GiB). */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#define PTE_NX		(1ull << 63)
#define PTE_ADDR_MASK	0x000ffffffffff000ull

void paging_init(void);

/* The leaf entry mapping va (any level), or 0 if va is not mapped. *level
 * gets 1 for a 4 KiB page, 2 for 2 MiB, 3 for 1 GiB. */
uint64_t paging_query(uintptr_t va, int *level);

bool paging_nx_enabled(void);

#endif
