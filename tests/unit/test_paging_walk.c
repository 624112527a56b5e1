#include "unit.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/boot_layout.h"

/* Tables in host arrays, 4 KiB aligned so their addresses fit an entry's
 * address field. */
#define TABLE	__attribute__((aligned(4096))) uint64_t
static TABLE pml4[512];
static TABLE pdpt[512];
static TABLE pd[512];
static TABLE pt[512];
static TABLE pdpt1[512];	/* under the second PML4 entry */

#define GIB	(1ull << 30)
#define MIB2	(2ull << 20)

static void build(void)
{
	memset(pml4, 0, sizeof(pml4));
	memset(pdpt, 0, sizeof(pdpt));
	memset(pd, 0, sizeof(pd));
	memset(pt, 0, sizeof(pt));
	memset(pdpt1, 0, sizeof(pdpt1));
	pml4[1] = (uint64_t)(uintptr_t)pdpt1 | PTE_P | PTE_W;
	pdpt1[3] = 7 * GIB | PTE_P | PTE_PS;			/* 1 GiB at 512 GiB + 3 GiB */
	pml4[0] = (uint64_t)(uintptr_t)pdpt | PTE_P | PTE_W;
	pdpt[0] = (uint64_t)(uintptr_t)pd | PTE_P | PTE_W;
	pdpt[1] = GIB | PTE_P | PTE_W | PTE_PS;			/* a 1 GiB page */
	pd[0] = (uint64_t)(uintptr_t)pt | PTE_P | PTE_W;
	pd[1] = MIB2 | PTE_P | PTE_W | PTE_PS;			/* a 2 MiB page */
	pt[3] = 0x3000 | PTE_P | PTE_NX;			/* a 4 KiB page */
}

UNIT_TEST(paging_walk_finds_the_leaf_at_each_level)
{
	int level = 0;

	build();
	CHECK_EQ_U64(paging_walk(pml4, 0x3456, &level), 0x3000 | PTE_P | PTE_NX);
	CHECK_EQ_U64(level, 1);
	CHECK_EQ_U64(paging_walk(pml4, MIB2 + 0xabcde, &level), MIB2 | PTE_P | PTE_W | PTE_PS);
	CHECK_EQ_U64(level, 2);
	CHECK_EQ_U64(paging_walk(pml4, GIB + 0x1234567, &level), GIB | PTE_P | PTE_W | PTE_PS);
	CHECK_EQ_U64(level, 3);
	CHECK_EQ_U64(paging_walk(pml4, (1ull << 39) + 3 * GIB + 5, &level), 7 * GIB | PTE_P | PTE_PS);
	CHECK_EQ_U64(level, 3);
}

UNIT_TEST(paging_walk_is_zero_where_nothing_maps)
{
	int level = 7;

	build();
	CHECK_EQ_U64(paging_walk(pml4, 0x4000, &level), 0);		/* no 4 KiB entry */
	CHECK_EQ_U64(paging_walk(pml4, 2 * MIB2, &level), 0);	/* no page-directory entry */
	CHECK_EQ_U64(paging_walk(pml4, 2 * GIB, &level), 0);		/* no PDPT entry */
	CHECK_EQ_U64(paging_walk(pml4, 2ull << 39, &level), 0);	/* no PML4 entry */
	CHECK_EQ_U64(paging_walk(pml4, 0xffff800000000000ull, &level), 0);
	CHECK_EQ_U64(level, 7);
}
