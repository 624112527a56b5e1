/* GDT and TSS: flat 64-bit segments, and the IST stacks for NMI, #DF and #MC. */
#include "gdt.h"
#include "boot_layout.h"
#include "percpu.h"

uint64_t gdt_table[MAX_CPUS][5] __attribute__((aligned(16)));

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

uintptr_t nmi_stack_top(void)
{
	struct percpu *p = this_cpu();

	/* The IST pointer sits NMI_STACK_SPARE bytes under the real top, leaving
	 * a few always-mapped per-CPU words above "T" for the nested NMI path. */
	return (uintptr_t)p->ist->nmi + NMI_STACK_SIZE - NMI_STACK_SPARE;
}

void gdt_init(void)
{
	struct percpu *p = this_cpu();
	uint64_t *g = gdt_table[p->cpu];
	uint64_t base = (uint64_t)(uintptr_t)&p->tss;
	uint64_t limit = sizeof(p->tss) - 1;
	struct gdt_ptr ptr;

	g[0] = 0;
	g[KERNEL_CS / 8] = 0x00209a0000000000ull;	/* L=1, P=1, DPL 0, code */
	g[KERNEL_DS / 8] = 0x0000920000000000ull;	/* P=1, writable data */
	/* 16-byte available 64-bit TSS descriptor (SDM vol. 3A, 8.2.3) */
	g[TSS_SEL / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
			 (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
			 (((base >> 24) & 0xff) << 56);
	g[TSS_SEL / 8 + 1] = base >> 32;

	p->tss.iopb = sizeof(p->tss);	/* no I/O bitmap */
	p->nmi_top = nmi_stack_top();
	p->tss.ist[IST_NMI - 1] = p->nmi_top;
	p->tss.ist[IST_DF - 1] = (uintptr_t)p->ist->df + DF_STACK_SIZE;
	p->tss.ist[IST_MC - 1] = (uintptr_t)p->ist->mc + MC_STACK_SIZE;

	ptr.limit = sizeof(gdt_table[0]) - 1;
	ptr.base = (uint64_t)(uintptr_t)g;
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"mov %2, %%ds\n\t"
		"mov %2, %%es\n\t"
		"mov %2, %%ss\n\t"
		"ltr %w3"
		: : "m"(ptr), "i"(KERNEL_CS), "r"(KERNEL_DS), "r"(TSS_SEL) : "rax", "memory");
}
