#include "monitor/mem/lazy.h"
#include "monitor/mem/frames.h"
#include "arch/x86_64/boot_layout.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"

/* Per CPU, so that nmi test, on every CPU at once, can check each CPU's
 * faults exactly; updated with atomics: NMIs update them too. A page
 * unmapped on another CPU than mapped it leaves one CPU's pages_mapped
 * low and the other's high: only the sum means anything. */
static struct lazy_stats stats[MAX_CPUS];

#define COUNT(field) __atomic_fetch_add(&stats[this_cpu()->cpu].field, 1, __ATOMIC_RELAXED)

static const struct paging_alloc table_alloc = {
	.alloc_table = frame_alloc_zeroed,
	.free_table = frame_free,
};

/* NMI context: lock-free all the way down (frames.c, paging.c). */
bool lazy_handle_fault(uint64_t va, bool in_nmi)
{
	uint64_t page = va & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t frame = frame_alloc_zeroed();
	enum paging_result r;

	if (!frame) {
		COUNT(out_of_memory);
		if (in_nmi)
			COUNT(out_of_memory_nmi);
		return false;
	}
	r = paging_map_page(page, frame, PTE_W | (paging_nx_enabled() ? PTE_NX : 0),
			    &table_alloc);
	if (r == PAGING_EXISTS) {
		frame_free(frame);	/* an NMI mapped it between our fault and here */
		COUNT(faults_raced);
		return true;
	}
	if (r != PAGING_OK) {
		frame_free(frame);
		COUNT(out_of_memory);
		if (in_nmi)
			COUNT(out_of_memory_nmi);
		return false;
	}
	COUNT(pages_mapped);
	COUNT(faults);
	if (in_nmi)
		COUNT(faults_nmi);
	return true;
}

uint64_t lazy_reset(void)
{
	uint64_t n = 0;

	for (uint64_t va = LAZY_BASE; va < LAZY_BASE + LAZY_SIZE; va += PAGE_SIZE) {
		if ((va & ((2ull << 20) - 1)) == 0 && !paging_leaf(va)) {
			va += (2ull << 20) - PAGE_SIZE;	/* no page table: 2 MiB unmapped */
			continue;
		}
		if (lazy_unmap(va))
			n++;
	}
	return n;
}

bool lazy_unmap(uint64_t va)
{
	uint64_t old = paging_unmap_page(va & ~(uint64_t)(PAGE_SIZE - 1));

	if (!(old & PTE_P))
		return false;
	frame_free(old & PTE_ADDR_MASK);
	__atomic_fetch_sub(&stats[this_cpu()->cpu].pages_mapped, 1, __ATOMIC_RELAXED);
	return true;
}

void lazy_get_stats(struct lazy_stats *out)
{
	*out = (struct lazy_stats){ 0 };
	for (unsigned int c = 0; c < MAX_CPUS; c++) {
		out->pages_mapped += stats[c].pages_mapped;
		out->faults += stats[c].faults;
		out->faults_nmi += stats[c].faults_nmi;
		out->faults_raced += stats[c].faults_raced;
		out->out_of_memory += stats[c].out_of_memory;
		out->out_of_memory_nmi += stats[c].out_of_memory_nmi;
	}
}

void lazy_get_cpu_stats(struct lazy_stats *out)
{
	*out = stats[this_cpu()->cpu];
}
