/*
 * Walking 4-level page tables down to the entry that maps an address.
 * Portable (the tables are identity-mapped, so an entry's address is a
 * pointer): the host unit tests walk tables they build.
 */
#include "paging.h"
#include "boot_layout.h"

uint64_t paging_walk(const uint64_t *pml4, uintptr_t va, int *level)
{
	uint64_t e;
	const uint64_t *t = pml4;

	e = t[(va >> 39) & 511];
	if (!(e & PTE_P))
		return 0;
	t = (const uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK);
	e = t[(va >> 30) & 511];
	if (!(e & PTE_P))
		return 0;
	if (e & PTE_PS) {
		*level = 3;
		return e;
	}
	t = (const uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK);
	e = t[(va >> 21) & 511];
	if (!(e & PTE_P))
		return 0;
	if (e & PTE_PS) {
		*level = 2;
		return e;
	}
	t = (const uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK);
	e = t[(va >> 12) & 511];
	if (!(e & PTE_P))
		return 0;
	*level = 1;
	return e;
}
