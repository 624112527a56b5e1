/*
 * Breakpoint engine. A hit: put the original byte back, single-step that one
 * instruction with TF, and re-arm the int3 on the #DB. While the int3 is out
 * another context (an NMI) may run the instruction unseen: one missed hit,
 * never a wrong one (Linux steps out of line to avoid even that).
 * In NMI or interrupt context a hit only counts (NMI.md: no stop from NMI
 * context), as it does inside a stop (the debugger must not stop itself).
 */
#include "monitor/debug/breakpoint.h"
#include "monitor/bootinfo.h"
#include "monitor/debug/debug_path.h"
#include "monitor/lib/fmt.h"
#include "monitor/nmi/nmi.h"
#include "monitor/debug/stop.h"
#include "monitor/lib/string.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/protected.h"
#include "arch/x86_64/text_poke.h"

#define INT3 0xcc

extern char __text_start[], __text_end[];

static struct breakpoint bps[BP_MAX];
static unsigned int next_id = 1;

/* Per CPU (bootstrap only for now): the breakpoint being stepped over, and
 * whether the step should stop afterwards. */
static struct breakpoint *volatile stepping;
static volatile uint64_t hits_nmi_total;
static volatile bool step_stops;

enum bp_error bp_add(uint64_t addr, bool trace, unsigned int *id)
{
	int level;
	uint64_t pte = paging_query(addr, &level);
	struct breakpoint *free = NULL;

	if (bootinfo_has_option("quirk=no-int3"))
		return BP_NO_INT3;
	if (addr < (uintptr_t)__text_start || addr >= (uintptr_t)__text_end || !pte ||
	    (pte & PTE_NX))
		return BP_NOT_TEXT;
	if (protected_range(addr, 1))
		return BP_PROTECTED;
	for (unsigned int i = 0; i < BP_MAX; i++) {
		if (bps[i].used && bps[i].addr == addr)
			return BP_DUPLICATE;
		if (!bps[i].used && !free)
			free = &bps[i];
	}
	if (!free)
		return BP_FULL;
	*free = (struct breakpoint){ .used = true, .trace = trace, .id = next_id++, .addr = addr,
				     .orig = *(volatile uint8_t *)addr };
	*id = free->id;
	text_poke((void *)addr, &(uint8_t){ INT3 }, 1);
	return BP_OK;
}

static void disarm(struct breakpoint *b)
{
	if (stepping != b)	/* mid-step the original byte is in place already */
		text_poke((void *)b->addr, &b->orig, 1);
}

bool bp_del(unsigned int id)
{
	for (unsigned int i = 0; i < BP_MAX; i++)
		if (bps[i].used && bps[i].id == id) {
			disarm(&bps[i]);
			bps[i].used = false;
			return true;
		}
	return false;
}

unsigned int bp_del_all(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < BP_MAX; i++)
		if (bps[i].used) {
			disarm(&bps[i]);
			bps[i].used = false;
			n++;
		}
	return n;
}

unsigned int bp_count(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < BP_MAX; i++)
		n += bps[i].used;
	return n;
}

uint64_t bp_hits_nmi_total(void)
{
	return hits_nmi_total;
}

const struct breakpoint *bp_get(unsigned int slot)
{
	return slot < BP_MAX ? &bps[slot] : NULL;
}

DEBUG_PATH static struct breakpoint *find(uint64_t addr)
{
	for (unsigned int i = 0; i < BP_MAX; i++)
		if (bps[i].used && bps[i].addr == addr)
			return &bps[i];
	return NULL;
}

DEBUG_PATH bool bp_on_int3(struct trap_frame *f)
{
	struct percpu *cpu = this_cpu();
	struct breakpoint *b = find(f->rip - 1);
	bool can_stop = cpu->nmi_depth == 0 && cpu->irq_depth == 0 && !stop_active();
	enum shell_action a = SHELL_CONT;

	if (!b)
		return false;
	f->rip = b->addr;			/* run the original instruction */
	b->hits++;
	if (cpu->nmi_depth) {
		b->hits_nmi++;
		hits_nmi_total++;
		b->last_nmi = *f;
		b->have_last_nmi = true;
	}
	text_poke((void *)b->addr, &b->orig, 1);
	stepping = b;
	if (!b->trace && !can_stop)
		b->hits_as_trace++;
	if (!b->trace && can_stop) {
		char why[32];

		fmt_snprintf(why, sizeof(why), "breakpoint %u", b->id);
		a = stop_enter(f, why);
	}
	step_stops = a == SHELL_STEP;
	f->rflags |= X86_RFLAGS_TF;		/* #DB after one instruction */
	return true;
}

void bp_request_step(struct trap_frame *f)
{
	step_stops = true;
	f->rflags |= X86_RFLAGS_TF;
}

DEBUG_PATH bool bp_on_single_step(struct trap_frame *f)
{
	struct breakpoint *b = stepping;
	enum shell_action a;

	if (!b && !step_stops)
		return false;
	f->rflags &= ~X86_RFLAGS_TF;
	if (b) {
		stepping = NULL;
		if (b->used)
			text_poke((void *)b->addr, &(uint8_t){ INT3 }, 1);
	}
	if (step_stops) {
		step_stops = false;
		if (this_cpu()->nmi_depth == 0) {
			a = stop_enter(f, "step");
			if (a == SHELL_STEP)
				bp_request_step(f);
		}
	}
	return true;
}
