/* The monitor's own 4-level page tables (identity map of the first 4 GiB). */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PTE_NX		(1ull << 63)
#define PTE_ADDR_MASK	0x000ffffffffff000ull

void paging_init(void);

/* The leaf entry mapping va (any level), or 0 if va is not mapped. *level
 * gets 1 for a 4 KiB page, 2 for 2 MiB, 3 for 1 GiB. */
uint64_t paging_query(uintptr_t va, int *level);
/* The same in the tables under pml4 (paging_walk.c, portable). */
uint64_t paging_walk(const uint64_t *pml4, uintptr_t va, int *level);

bool paging_nx_enabled(void);

#endif

/* Mapping pages at run time, from any context (NMI included): page-table
 * entries are installed with compare-and-exchange, so a context that loses
 * a race gives its frame back and uses the winner's. */
enum paging_result {
	PAGING_OK,
	PAGING_NOMEM,		/* alloc_table returned 0 */
	PAGING_EXISTS,		/* va was mapped meanwhile: caller frees its frame */
	PAGING_CONFLICT,	/* a large page covers va */
};

struct paging_alloc {
	uint64_t (*alloc_table)(void);		/* a zeroed frame's physical address, or 0 */
	void (*free_table)(uint64_t phys);
};

enum paging_result paging_map_page(uintptr_t va, uint64_t pa, uint64_t flags,
				   const struct paging_alloc *a);
/* Clears va's 4 KiB leaf entry (atomically) and flushes it; returns the old
 * entry, 0 if none. Intermediate tables are kept. */
uint64_t paging_unmap_page(uintptr_t va);
/* The 4 KiB leaf entry of va without allocating, or NULL if a table is missing. */
uint64_t *paging_leaf(uintptr_t va);
