/*
 * Per-CPU data, reached through GS base from day one. The monitor runs only
 * in ring 0 and never executes SWAPGS, so GS base is valid in every context,
 * NMI included, from percpu_init() on.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <stdint.h>
#include <stdbool.h>
#include "percpu_offsets.h"

#define MAX_CPUS	8

#define DF_STACK_SIZE	(8 * 1024)
#define MC_STACK_SIZE	(8 * 1024)

#define IST_NMI	1
#define IST_DF	2
#define IST_MC	3

/* Each IST stack sits above an unmapped guard page (paging.c unmaps them). */
struct ist_stacks {
	uint8_t nmi_guard[4096];
	uint8_t nmi[NMI_STACK_SIZE];
	uint8_t df_guard[4096];
	uint8_t df[DF_STACK_SIZE];
	uint8_t mc_guard[4096];
	uint8_t mc[MC_STACK_SIZE];
} __attribute__((aligned(4096)));

/* An AP's kernel stack (the bootstrap CPU runs on boot.S's), also above an
 * unmapped guard page. */
#define AP_STACK_SIZE	(16 * 1024)
struct ap_stack {
	uint8_t guard[4096];
	uint8_t stack[AP_STACK_SIZE];
} __attribute__((aligned(4096)));

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iopb;
} __attribute__((packed));

struct nmi_cpu;

struct percpu {
	/* fields that assembly reaches through %gs: see percpu_offsets.h */
	struct percpu *self;		/* gs:0, so this_cpu() is one load */
	volatile uint64_t nmi_pass;
	uint64_t nmi_top;
	uint64_t apic_icr;
	uint64_t self_nmi_icr;
	volatile uint64_t hook_armed;
	volatile uint64_t hook_fired;
	volatile uint64_t hook_timeouts;
	uint64_t hook_save[4];
	volatile uint64_t nmi_depth;	/* > 0 while in NMI context; nmi_entry.S keeps it */

	unsigned int cpu;
	unsigned int apic_id;
	/* set while a shell command runs: an exception then returns to the prompt */
	volatile bool in_command;
	volatile unsigned int irq_depth;
	struct nmi_cpu *nmi;		/* monitor/nmi/nmi.c's per-CPU state */
	struct tss64 tss;
	struct ist_stacks *ist;
};

extern struct percpu percpu_area[MAX_CPUS];
extern struct ist_stacks ist_area[MAX_CPUS];
extern struct ap_stack ap_stacks[MAX_CPUS];	/* [0] unused */

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

void percpu_init(unsigned int cpu);
/* "NMI stack" etc. if addr lies in the guard page below one of the IST
 * stacks, an AP's stack or the boot stack; *cpu: whose. */
const char *ist_guard_of(uintptr_t addr, unsigned int *cpu);

#endif
