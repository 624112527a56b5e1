/*
 * Breakpoint engine. A hit counts, stops in the shell where a stop is
 * allowed, and then runs the instruction under the int3 out of line
 * (step.c): the int3 stays in the text, so a hit in any other context
 * meanwhile (an NMI, a #PF, a stopped shell's command) is caught and
 * counted as well, and nothing is shared between the contexts but the
 * breakpoint's counters, which are updated with single atomic instructions.
 * In NMI or interrupt context, or inside a stop, a hit only counts (NMI.md:
 * no stop from NMI context; the debugger must not stop itself).
 */
#include "monitor/debug/breakpoint.h"
#include "monitor/bootinfo.h"
#include "monitor/debug/debug_path.h"
#include "monitor/debug/insn_boundary.h"
#include "monitor/debug/step.h"
#include "monitor/debug/stop.h"
#include "monitor/nmi/nmi.h"
#include "monitor/lib/string.h"
#include "monitor/lib/symbols.h"
#include "monitor/smp/smp_world.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fault_safe.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/protected.h"
#include "arch/x86_64/text_poke.h"

#define INT3 0xcc

extern char __text_start[], __text_end[];
extern const uint64_t __int3_sites_start[], __int3_sites_end[];
extern const uint64_t __ud2_sites_start[], __ud2_sites_end[];

static DEBUG_PATH_DATA struct breakpoint bps[BP_MAX];
static unsigned int next_id = 1;
static DEBUG_PATH_DATA volatile uint64_t hits_nmi_cpu[MAX_CPUS];

#define COUNT(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)

static bool listed(const uint64_t *start, const uint64_t *end, uint64_t addr)
{
	for (const uint64_t *s = start; s < end; s++)
		if (*s == addr)
			return true;
	return false;
}

/* Instructions that must run where they are: their address is looked up in
 * a table when they trap (fault-safe accessors' fixups, nmi test's int3 and
 * ud2 sites), which a copy in a slot would not match. */
static const char *needs_its_address(uint64_t addr)
{
	if (fault_safe_fixup(addr))
		return "a fault-safe access (its fixup is found by its address)";
	if (listed(__int3_sites_start, __int3_sites_end, addr) ||
	    listed(__ud2_sites_start, __ud2_sites_end, addr))
		return "a deliberate trap of nmi test";
	return NULL;
}

/* The CPU (+1) changing the table: a stop on another CPU parks it, maybe
 * half-way (a slot chosen, a byte back but the slot still used), and that
 * CPU's stopped shell must not change the table under it. */
static volatile unsigned int changing;

bool bp_change_interrupted(void)
{
	unsigned int c = changing;

	return c && c != this_cpu()->cpu + 1;
}

static void change(bool begin)
{
	/* NMIs take the general pass while a breakpoint is set (or about to
	 * be): the fast pass stands in for nmi_dispatch, the sources' claims
	 * and sample_in_nmi, and a breakpoint on any of them is hit as ever */
	if (begin)
		nmi_hold_fast_pass(true);
	changing = begin ? this_cpu()->cpu + 1 : 0;
	if (!begin)
		nmi_hold_fast_pass(bp_count() > 0);
}

/* The profiler's NMI fast pass runs only while no breakpoint is set (see
 * change()): a breakpoint in it could never be hit. By name: it is static,
 * and the test of this refusal breaks on it by name too. */
static bool in_fast_pass(uint64_t addr)
{
	uint64_t off;
	const struct ksym *k = symtab_by_addr(&kernel_symtab, addr, &off);

	return k && strcmp(ksym_name(&kernel_symtab, k), "fast_pass_in_nmi") == 0;
}

static enum bp_error add(uint64_t addr, bool trace, unsigned int *id, struct bp_why *why)
{
	int level;
	uint64_t pte = paging_query(addr, &level);
	struct breakpoint *free = NULL;
	struct insn in;
	struct insn_error err;
	uint8_t bytes[INSN_MAX_LEN];

	*why = (struct bp_why){ 0 };
	if (bootinfo_has_option("quirk=no-int3"))
		return BP_NO_INT3;
	if (addr < (uintptr_t)__text_start || addr >= (uintptr_t)__text_end || !pte ||
	    (pte & PTE_NX))
		return BP_NOT_TEXT;
	if (protected_range(addr, 1))
		return BP_PROTECTED;
	if (in_fast_pass(addr)) {
		why->text = "the NMI fast pass runs only while no breakpoint is set (the general "
			    "pass does its work then: break on sample_in_nmi or nmi_dispatch)";
		return BP_NEVER_RUNS;
	}
	for (unsigned int i = 0; i < BP_MAX; i++) {
		if (bps[i].used && bps[i].addr == addr)
			return BP_DUPLICATE;
		if (!bps[i].used && !free)
			free = &bps[i];
	}
	if (!free)
		return BP_FULL;
	switch (insn_at(addr, &in, &why->insn_start, &err)) {
	case INSN_BOUNDARY:
		break;
	case INSN_INSIDE:
		return BP_NOT_BOUNDARY;
	case INSN_NO_SYMBOL:
		why->text = "no code symbol contains it (instructions are decoded from one)";
		return BP_UNDECODABLE;
	case INSN_FAILED:
		why->text = "the code before it or at it does not decode";
		return BP_UNDECODABLE;
	}
	if (insn_read(addr, &in, bytes, &err) < 0) {
		why->text = "its instruction does not decode";
		return BP_UNDECODABLE;
	}
	why->text = step_plan_refusal(bytes, &in);
	if (!why->text)
		why->text = needs_its_address(addr);
	if (why->text)
		return BP_CANNOT_STEP;

	*free = (struct breakpoint){ .trace = trace, .id = next_id++, .addr = addr, .insn = in };
	for (unsigned int i = 0; i < in.len; i++)
		free->bytes[i] = bytes[i];
	*id = free->id;
	/* complete before the int3 is out: a hit may come at once (from an NMI) */
	__atomic_store_n(&free->used, true, __ATOMIC_RELEASE);
	text_poke((void *)addr, &(uint8_t){ INT3 }, 1);
	smp_sync_cores();	/* other CPUs running this code see the int3 */
	return BP_OK;
}

/* The original byte goes back before the slot is freed: an int3 that is
 * still in the text always has its breakpoint. */
static void remove(struct breakpoint *b)
{
	text_poke((void *)b->addr, &b->bytes[0], 1);
	/* no CPU runs into this int3 after this; one that already hit it
	 * finds the breakpoint (still used) or its byte back (bp_on_int3) */
	smp_sync_cores();
	__atomic_store_n(&b->used, false, __ATOMIC_RELEASE);
}

bool bp_exists(unsigned int id)
{
	for (unsigned int i = 0; i < BP_MAX; i++)
		if (bps[i].used && bps[i].id == id)
			return true;
	return false;
}

enum bp_error bp_add(uint64_t addr, bool trace, unsigned int *id, struct bp_why *why)
{
	enum bp_error e;

	change(true);
	e = add(addr, trace, id, why);
	change(false);
	return e;
}

bool bp_del(unsigned int id)
{
	bool found = false;

	change(true);
	for (unsigned int i = 0; i < BP_MAX && !found; i++)
		if (bps[i].used && bps[i].id == id) {
			remove(&bps[i]);
			found = true;
		}
	change(false);
	return found;
}

unsigned int bp_del_all(void)
{
	unsigned int n = 0;

	change(true);
	for (unsigned int i = 0; i < BP_MAX; i++)
		if (bps[i].used) {
			remove(&bps[i]);
			n++;
		}
	change(false);
	return n;
}

unsigned int bp_count(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < BP_MAX; i++)
		n += bps[i].used;
	return n;
}

uint64_t bp_hits_nmi_this_cpu(void)
{
	return hits_nmi_cpu[this_cpu()->cpu];
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

/* Word by word: a struct copy may become a call to memcpy, which is not in
 * the debug path and may itself hold a breakpoint. */
DEBUG_PATH static void record_nmi_hit(struct breakpoint *b, const struct trap_frame *f)
{
	volatile uint64_t *d = (volatile uint64_t *)&b->last_nmi;
	const uint64_t *s = (const uint64_t *)f;

	for (size_t i = 0; i < sizeof(*f) / 8; i++)
		d[i] = s[i];
	b->have_last_nmi = true;
}

DEBUG_PATH bool bp_on_int3(struct trap_frame *f)
{
	struct percpu *cpu = this_cpu();
	uint64_t addr = f->rip - 1;
	struct breakpoint *b = find(addr);
	bool can_stop;

	if (!b) {
		/* deleted between the int3 and here: its byte is back, run it.
		 * This CPU may still hold the int3 in a stale copy of the text
		 * (QEMU's TCG was seen running a translation made before the
		 * restore, taking this path forever): writing the byte again
		 * from here drops the copy; on hardware it changes nothing. */
		uint8_t now = *(volatile uint8_t *)addr;

		if (now != INT3) {
			text_poke((void *)addr, &now, 1);
			f->rip = addr;
			return true;
		}
		return false;
	}
	f->rip = addr;
	COUNT(b->hits);
	if (cpu->nmi_depth) {
		COUNT(b->hits_nmi);
		COUNT(hits_nmi_cpu[cpu->cpu]);
		record_nmi_hit(b, f);
	}
	can_stop = !b->trace && cpu->nmi_depth == 0 && cpu->irq_depth == 0 && !stop_active();
	if (!b->trace && !can_stop)
		COUNT(b->hits_as_trace);
	if (can_stop) {
		stop_enter(f, STOP_BREAKPOINT, b->id);	/* resumes f itself (bp_resume) */
		return true;
	}
	/* no free slot (deeper nesting than STEP_LEVELS): an unexpected #BP */
	return step_out_of_line(f, b->bytes, &b->insn, false);
}

/* PUSHF stepped in place pushes our TF: its step must clear it. Prefixes
 * before 9C can only be REX or 66 in code a compiler emits. */
DEBUG_PATH static bool pushes_flags(uint64_t rip)
{
	const volatile uint8_t *p = (const volatile uint8_t *)rip;
	unsigned int i = 0;

	while (i < 2 && (p[i] == 0x66 || (p[i] & 0xf0) == 0x40))
		i++;
	return p[i] == 0x9c;
}

DEBUG_PATH void bp_resume(struct trap_frame *f, bool step)
{
	struct breakpoint *b = find(f->rip);

	/* the stopped context runs on from its breakpoint: out of line, as a
	 * trace hit does (nesting is at its lowest here, a slot is free) */
	if (b)
		step_out_of_line(f, b->bytes, &b->insn, step);
	else if (step)
		step_in_place(f, pushes_flags(f->rip));
}
