#include "percpu.h"
#include "cpu.h"

struct percpu percpu_area[MAX_CPUS];
static struct ist_stacks ist_area[MAX_CPUS] __attribute__((section(".bss.ist")));

void percpu_init(unsigned int cpu)
{
	struct percpu *p = &percpu_area[cpu];

	p->self = p;
	p->cpu = cpu;
	p->ist = &ist_area[cpu];
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)p);
}
