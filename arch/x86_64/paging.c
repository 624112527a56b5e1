/*
 * Page tables: boot.S identity-maps 4 GiB with 2 MiB pages. Here the 2 MiB
 * pages that hold the monitor image are split into 4 KiB pages so that text
 * is read-only, data is no-execute, page 0 and every stack guard page are
 * not present (a stack overflow faults instead of corrupting a neighbour).
 */
#include "paging.h"
#include "boot_layout.h"
#include "cpu.h"
#include "percpu.h"

extern uint64_t boot_pml4[512], boot_pdpt[512], boot_pd[4 * 512];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __image_start[], __image_end[], boot_stack_guard[];

#define SPLIT_TABLES	4	/* 8 MiB of 4 KiB pages: the image must fit */

static uint64_t split_pt[SPLIT_TABLES][512] __attribute__((aligned(4096)));
static bool nx;

bool paging_nx_enabled(void)
{
	return nx;
}

static void enable_nx(void)
{
	uint32_t a, b, c, d;

	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a < 0x80000001)
		return;
	cpuid(0x80000001, 0, &a, &b, &c, &d);
	if (!(d & (1u << 20)))
		return;
	wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_NXE);
	nx = true;
}

static uint64_t *pte_of(uintptr_t va)
{
	return &split_pt[va >> 21][(va >> 12) & 511];
}

static void unmap_page(void *va)
{
	*pte_of((uintptr_t)va) = 0;
}

void paging_init(void)
{
	uintptr_t end = (uintptr_t)__image_end;
	uint64_t nxbit;

	enable_nx();
	nxbit = nx ? PTE_NX : 0;

	if (end > SPLIT_TABLES * (2ul << 20))
		halt_forever();	/* image outgrew the split tables: a build error, really */

	for (uintptr_t va = 0; va < SPLIT_TABLES * (2ul << 20); va += PAGE_SIZE) {
		uint64_t flags = PTE_P | PTE_W | nxbit;

		/* the multiboot headers share text's first page */
		if (va >= (uintptr_t)__image_start && va < (uintptr_t)__text_end)
			flags = PTE_P;				/* text: read-only, executable */
		else if (va >= (uintptr_t)__rodata_start && va < (uintptr_t)__rodata_end)
			flags = PTE_P | nxbit;
		*pte_of(va) = va | flags;
	}
	unmap_page((void *)0);	/* catch NULL dereferences */
	unmap_page(boot_stack_guard);
	for (unsigned int c = 0; c < MAX_CPUS; c++) {	/* every CPU's, up or not yet */
		struct ist_stacks *s = &ist_area[c];

		unmap_page(s->nmi_guard);
		unmap_page(s->df_guard);
		unmap_page(s->mc_guard);
		unmap_page(ap_stacks[c].guard);
	}

	for (unsigned int i = 0; i < SPLIT_TABLES; i++)
		boot_pd[i] = (uint64_t)(uintptr_t)split_pt[i] | PTE_P | PTE_W;
	/* The rest of the identity map holds no code. */
	for (unsigned int i = SPLIT_TABLES; i < 4 * 512; i++)
		boot_pd[i] |= nxbit;
	write_cr3(read_cr3());	/* flush the whole TLB */
}

uint64_t paging_query(uintptr_t va, int *level)
{
	return paging_walk(boot_pml4, va, level);
}

static uint64_t *table_at(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & PTE_ADDR_MASK);	/* tables are identity-mapped */
}

/* The next-level table under *slot, created if missing. */
static uint64_t *next_table(uint64_t *slot, const struct paging_alloc *a,
			    enum paging_result *res)
{
	uint64_t e = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

	if (!(e & PTE_P)) {
		uint64_t t, expected = e;

		if (!a) {
			*res = PAGING_NOMEM;
			return NULL;
		}
		t = a->alloc_table();
		if (!t) {
			*res = PAGING_NOMEM;
			return NULL;
		}
		if (__atomic_compare_exchange_n(slot, &expected, t | PTE_P | PTE_W, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			e = t | PTE_P | PTE_W;
		} else {
			a->free_table(t);	/* someone (an NMI) installed one first */
			e = expected;
		}
	}
	if (e & PTE_PS) {
		*res = PAGING_CONFLICT;
		return NULL;
	}
	return table_at(e);
}

static uint64_t *walk(uintptr_t va, const struct paging_alloc *a, enum paging_result *res)
{
	uint64_t *t = boot_pml4;

	for (int shift = 39; shift > 12; shift -= 9) {
		t = next_table(&t[(va >> shift) & 511], a, res);
		if (!t)
			return NULL;
	}
	return &t[(va >> 12) & 511];
}

enum paging_result paging_map_page(uintptr_t va, uint64_t pa, uint64_t flags,
				   const struct paging_alloc *a)
{
	enum paging_result res = PAGING_OK;
	uint64_t *leaf = walk(va, a, &res);
	uint64_t expected = 0;

	if (!leaf)
		return res;
	if (!__atomic_compare_exchange_n(leaf, &expected, pa | flags | PTE_P, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return PAGING_EXISTS;
	/* not-present entries are never cached in the TLB (SDM vol. 3A, 4.10.2.3):
	 * no flush is needed after mapping */
	return PAGING_OK;
}

uint64_t *paging_leaf(uintptr_t va)
{
	enum paging_result res;

	return walk(va, NULL, &res);
}

uint64_t paging_unmap_page(uintptr_t va)
{
	uint64_t *leaf = paging_leaf(va);
	uint64_t old;

	if (!leaf)
		return 0;
	old = __atomic_exchange_n(leaf, 0, __ATOMIC_ACQ_REL);
	if (old & PTE_P)
		invlpg(va);
	return old;
}
