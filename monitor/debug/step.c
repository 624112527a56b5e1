/*
 * Why this is nesting-safe (DEBUG.md, "Levels"):
 * - A record and its slot belong to one context. The index is taken with
 *   one atomic add before anything is written, so a context that interrupts
 *   this one between that add and its own IRET (an NMI, a #PF, an IRQ)
 *   takes the next index and writes only the next slot.
 * - Every interrupting context finishes (its own #DB included) before the
 *   one below resumes, so records are popped in the order they were pushed
 *   and the #DB of the context that resumes finds its own record on top.
 * - The int3 never leaves the text: another context that reaches the same
 *   breakpoint meanwhile traps and counts too (no missed hit), and deleting
 *   a breakpoint never races with a step (a record holds its own copy).
 * - A #DB is taken before any NMI that is pending at the same boundary
 *   (SDM vol. 3A, 6.9: traps on the previous instruction come first).
 */
#include "monitor/debug/step.h"
#include "monitor/debug/debug_path.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/step_slots.h"
#include "arch/x86_64/text_poke.h"

_Static_assert(STEP_SLOT_BYTES == STEP_SLOT_SIZE, "slot size in step_slots.h and step_plan.h");
_Static_assert(MAX_CPUS <= STEP_SLOT_CPUS, "a slot row per CPU");

struct step_rec {
	uint64_t addr;		/* the stepped instruction's own address */
	uint64_t slot;		/* where it runs; 0: in place */
	uint8_t len, code_len, fix;
	bool stop_after;
};

struct cpu_steps {
	struct step_rec rec[STEP_LEVELS];
	volatile unsigned int depth;
	struct step_stats stats;
};

static DEBUG_PATH_DATA struct cpu_steps cpu_steps[MAX_CPUS];

DEBUG_PATH static struct cpu_steps *mine(void)
{
	return &cpu_steps[this_cpu()->cpu];
}

DEBUG_PATH static int push(struct cpu_steps *s)
{
	unsigned int i = __atomic_fetch_add(&s->depth, 1, __ATOMIC_RELAXED);

	if (i >= STEP_LEVELS) {
		__atomic_fetch_sub(&s->depth, 1, __ATOMIC_RELAXED);
		s->stats.no_slot++;
		return -1;
	}
	if (i + 1 > s->stats.deepest)
		s->stats.deepest = i + 1;
	return (int)i;
}

DEBUG_PATH bool step_out_of_line(struct trap_frame *f, const uint8_t *bytes,
				 const struct insn *in, bool stop_after)
{
	struct cpu_steps *s = mine();
	int i = push(s);
	uint64_t slot;
	struct step_plan plan;

	if (i < 0)
		return false;
	slot = (uint64_t)(uintptr_t)step_slots +
	       ((uint64_t)this_cpu()->cpu * STEP_LEVELS + (unsigned int)i) * STEP_SLOT_BYTES;
	/* bp add checked that a plan exists; only the slot address is new */
	if (step_plan_make(bytes, in, f->rip, slot, &plan)) {
		__atomic_fetch_sub(&s->depth, 1, __ATOMIC_RELAXED);
		return false;
	}
	text_poke((void *)(uintptr_t)slot, plan.code, plan.code_len);
	s->rec[i] = (struct step_rec){ .addr = f->rip, .slot = slot, .len = in->len,
				       .code_len = plan.code_len, .fix = plan.fix,
				       .stop_after = stop_after };
	s->stats.out_of_line++;
	f->rip = slot;
	f->rflags |= X86_RFLAGS_TF;
	return true;
}

DEBUG_PATH bool step_in_place(struct trap_frame *f, bool pushes_flags)
{
	struct cpu_steps *s = mine();
	int i = push(s);

	if (i < 0)
		return false;
	s->rec[i] = (struct step_rec){ .addr = f->rip, .fix = pushes_flags ? STEP_FIX_PUSHED_TF : 0,
				       .stop_after = true };
	s->stats.in_place++;
	f->rflags |= X86_RFLAGS_TF;
	return true;
}

DEBUG_PATH bool step_on_single_step(struct trap_frame *f, bool *stop_after)
{
	struct cpu_steps *s = mine();
	unsigned int d = s->depth;
	struct step_rec r;

	if (d == 0 || d > STEP_LEVELS)
		return false;
	r = s->rec[d - 1];
	if (r.slot) {
		if ((r.fix & STEP_FIX_REPEATS) && f->rip == r.slot) {
			*stop_after = false;	/* a REP iteration: RIP stays until the last */
			return true;
		}
		if (f->rip == r.slot + r.code_len && (r.fix & STEP_FIX_FALLTHROUGH))
			f->rip = r.addr + r.len;
		if (r.fix & STEP_FIX_RET_ADDR)
			*(volatile uint64_t *)(uintptr_t)f->rsp = r.addr + r.len;
	}
	if (r.fix & STEP_FIX_PUSHED_TF)
		*(volatile uint64_t *)(uintptr_t)f->rsp &= ~X86_RFLAGS_TF;
	f->rflags &= ~X86_RFLAGS_TF;
	__atomic_fetch_sub(&s->depth, 1, __ATOMIC_RELAXED);
	*stop_after = r.stop_after;
	return true;
}

unsigned int step_depth(void)
{
	return mine()->depth;
}

void step_abandon_above(unsigned int depth)
{
	struct cpu_steps *s = mine();

	if (s->depth > depth) {
		s->stats.abandoned += s->depth - depth;
		s->depth = depth;
	}
}

DEBUG_PATH bool step_in_slot(uint64_t rip)
{
	return rip >= (uintptr_t)step_slots && rip < (uintptr_t)step_slots_end;
}

uint64_t step_slot_origin(uint64_t rip)
{
	struct cpu_steps *s = mine();

	if (!step_in_slot(rip))
		return 0;
	for (unsigned int i = 0; i < s->depth && i < STEP_LEVELS; i++)
		if (s->rec[i].slot && rip >= s->rec[i].slot &&
		    rip < s->rec[i].slot + s->rec[i].code_len)
			return s->rec[i].addr + (rip - s->rec[i].slot);
	return 0;
}

void step_get_stats(struct step_stats *out)
{
	*out = mine()->stats;
}
