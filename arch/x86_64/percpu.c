#include "percpu.h"
#include "cpu.h"
#include <stddef.h>

struct percpu percpu_area[MAX_CPUS];
struct ist_stacks ist_area[MAX_CPUS] __attribute__((section(".bss.ist")));
struct ap_stack ap_stacks[MAX_CPUS] __attribute__((section(".bss.ist")));

void percpu_init(unsigned int cpu)
{
	struct percpu *p = &percpu_area[cpu];

	p->self = p;
	p->cpu = cpu;
	p->ist = &ist_area[cpu];
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)p);
}

#define CHECK_OFFSET(field, off) \
	_Static_assert(offsetof(struct percpu, field) == (off), #field " moved: fix percpu_offsets.h")
CHECK_OFFSET(self, PERCPU_SELF);
CHECK_OFFSET(nmi_pass, PERCPU_NMI_PASS);
CHECK_OFFSET(nmi_top, PERCPU_NMI_TOP);
CHECK_OFFSET(apic_icr, PERCPU_APIC_ICR);
CHECK_OFFSET(self_nmi_icr, PERCPU_SELF_NMI_ICR);
CHECK_OFFSET(hook_armed, PERCPU_HOOK_ARMED);
CHECK_OFFSET(hook_fired, PERCPU_HOOK_FIRED);
CHECK_OFFSET(hook_timeouts, PERCPU_HOOK_TIMEOUTS);
CHECK_OFFSET(hook_save, PERCPU_HOOK_SAVE);
CHECK_OFFSET(nmi_depth, PERCPU_NMI_DEPTH);

extern uint8_t boot_stack_guard[4096];	/* boot.S: the bootstrap CPU's stack */

const char *ist_guard_of(uintptr_t addr, unsigned int *cpu)
{
	*cpu = 0;
	if (addr - (uintptr_t)boot_stack_guard < sizeof(boot_stack_guard))
		return "boot stack";
	for (unsigned int c = 0; c < MAX_CPUS; c++) {
		const struct ist_stacks *s = &ist_area[c];

		*cpu = c;
		if (addr - (uintptr_t)s->nmi_guard < sizeof(s->nmi_guard))
			return "NMI stack";
		if (addr - (uintptr_t)s->df_guard < sizeof(s->df_guard))
			return "#DF stack";
		if (addr - (uintptr_t)s->mc_guard < sizeof(s->mc_guard))
			return "#MC stack";
		if (addr - (uintptr_t)ap_stacks[c].guard < sizeof(ap_stacks[c].guard))
			return "AP stack";
	}
	return NULL;
}
