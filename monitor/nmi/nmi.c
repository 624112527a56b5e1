/*
 * NMI dispatcher: one pass per call from nmi_entry.S, every registered
 * source asked. The C latch, and around the sources the companion rules of
 * nmi_pass.h. nmi_entry.S tries the fast pass first, if one is set.
 */
#include "monitor/nmi/nmi.h"
#include "monitor/nmi/nmi_pass.h"
#include "monitor/lib/string.h"
#include "monitor/shell/console.h"
#include "arch/x86_64/boot_layout.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"

#define MAX_SOURCES	12
#define STACK_PAINT	0x6e6d695f70616e74ull	/* "tnap_imn" */
/* Frames below T that every NMI writes (NMI.md layout): never painted. */
#define NMI_FRAMES_BYTES 272

static const struct nmi_source *sources[MAX_SOURCES];
static unsigned int nsources;
static struct nmi_cpu nmi_cpus[MAX_CPUS];
/* The fast pass while none is set: never takes the pass. */
static bool no_fast_pass(struct trap_frame *f)
{
	(void)f;
	return false;
}

bool (*volatile nmi_fast_pass)(struct trap_frame *f) = no_fast_pass;
static bool (*fast_pass_set)(struct trap_frame *f);
static bool fast_pass_held;

static void publish_fast_pass(void)
{
	nmi_fast_pass = fast_pass_set && !fast_pass_held ? fast_pass_set : no_fast_pass;
}

/* Open the NMI window now, from inside the handler: an IRET to the next
 * instruction on the current stack (the idea of Linux's CONFIG_DEBUG_ENTRY),
 * so that the nested paths run on every NMI in testing. */
static void iret_to_self(void)
{
	__asm__ volatile(
		"movq %%rsp, %%rax\n\t"
		"pushq %0\n\t"
		"pushq %%rax\n\t"
		"pushfq\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"iretq\n"
		"1:"
		: : "i"(KERNEL_DS), "i"(KERNEL_CS) : "rax", "memory");
}

struct nmi_cpu *nmi_this_cpu(void)
{
	return this_cpu()->nmi;
}

void nmi_register_source(const struct nmi_source *src)
{
	if (nsources == MAX_SOURCES) {
		/* its NMIs would all count as unknown: say so at boot */
		kprintf("error: nmi: more than %u NMI sources, '%s' not registered\n",
			MAX_SOURCES, src->name);
		return;
	}
	sources[nsources++] = src;
	if (!src->fast_pass_checks) {
		fast_pass_set = NULL;
		publish_fast_pass();
	}
}

bool nmi_set_fast_pass(bool (*pass_in_nmi)(struct trap_frame *f))
{
	for (unsigned int i = 0; i < nsources; i++)
		if (pass_in_nmi && !sources[i]->fast_pass_checks)
			return false;
	fast_pass_set = pass_in_nmi;
	publish_fast_pass();
	return true;
}

void nmi_hold_fast_pass(bool held)
{
	fast_pass_held = held;
	publish_fast_pass();
}

void nmi_log_in_nmi(uint32_t event, uint64_t arg)
{
	struct percpu *p = this_cpu();

	nmi_log_put(&p->nmi->log, rdtsc(), event, (uint32_t)p->nmi_pass, arg);
}

void nmi_dispatch(struct trap_frame *f)
{
	struct percpu *p = this_cpu();
	struct nmi_cpu *n = p->nmi;
	uint64_t t0 = rdtsc();
	struct nmi_pass_regs r;
	bool repeat = p->nmi_pass > 0;

	if (!nmi_latch_enter(&n->latch, &n->stats)) {
		nmi_log_in_nmi(NMI_LOG_LATCHED, f->rip);
		return;
	}
	nmi_pass_begin(n, &r);
	if (n->debug_unmask)
		iret_to_self();

	do {
		unsigned int claimed = 0;

		for (unsigned int i = 0; i < nsources; i++) {
			n->pass_claims = claimed;
			if (sources[i]->claim_in_nmi(f, repeat))
				claimed++;
		}
		nmi_account_pass(&n->stats, claimed, repeat);
		if (!claimed && !repeat)
			nmi_log_in_nmi(NMI_LOG_UNKNOWN, f->rip);
	} while (nmi_latch_again(&n->latch));

	nmi_pass_end(n, &r);
	nmi_account_cycles(&n->stats, rdtsc() - t0);
}

void nmi_request_break_in_nmi(uint64_t rip)
{
	this_cpu()->nmi->break_rip = rip;
}

static uint64_t *spare(void)
{
	return (uint64_t *)(uintptr_t)this_cpu()->nmi_top;
}

uint64_t nmi_nested_count(void)
{
	return spare()[NMI_SPARE_NESTED / 8];
}

uint64_t nmi_window_count(void)
{
	return spare()[NMI_SPARE_IN_WINDOW / 8];
}

uint64_t nmi_stack_usable(void)
{
	return NMI_STACK_USABLE;
}

uint64_t nmi_stack_deepest(void)
{
	const uint64_t *w = (const uint64_t *)this_cpu()->ist->nmi;
	uint64_t top = this_cpu()->nmi_top;
	size_t i = 0;

	while ((uintptr_t)&w[i] < top - NMI_FRAMES_BYTES && w[i] == STACK_PAINT)
		i++;
	return top - (uintptr_t)&w[i];
}

void nmi_init(void)
{
	struct percpu *p = this_cpu();
	uint64_t *w = (uint64_t *)p->ist->nmi;

	p->nmi = &nmi_cpus[p->cpu];
	/* paint below the frames every NMI writes; nmi_stack_deepest scans it */
	for (size_t i = 0; (uintptr_t)&w[i] < p->nmi_top - NMI_FRAMES_BYTES; i++)
		w[i] = STACK_PAINT;
}
