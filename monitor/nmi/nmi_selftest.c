/*
 * nmi test: force every nesting window of the NMI entry on purpose
 * (NMI.md, "Testing it on purpose") and check the exact counts.
 *
 * Each iteration sends one self-NMI from normal context and waits for it.
 * The test source claims it and runs the case's action in NMI context,
 * which forces what the case is about (a self-NMI and an int3 or a lazy
 * #PF, whose IRET opens the NMI window, and so on). A whole NMI, all its
 * repeat passes included, runs before the interrupted code gets the CPU
 * back, so once normal context sees the claim the iteration is over.
 *
 * Self-NMIs follow NMI.md: sent in the first pass only (or in the first k
 * passes); while NMIs are open, wait for delivery before going on; while
 * they are blocked, never wait.
 *
 * Every online CPU runs the cases at once (nmi_selftest_all.c): all state
 * here is per CPU, every self-NMI goes to its sender alone (the ICR names
 * the sender's own APIC id), and every count read is the CPU's own (its NMI
 * stack's spare words, its struct nmi_cpu, its lazy and breakpoint counts),
 * so the CPUs' cases do not see each other.
 */
#include "monitor/nmi/nmi_selftest.h"
#include "monitor/nmi/nmi_selftest_out.h"
#include "monitor/bootinfo.h"
#include "monitor/debug/breakpoint.h"
#include "monitor/shell/console.h"
#include "monitor/mem/lazy.h"
#include "monitor/mem/memaccess.h"
#include "monitor/nmi/nmi.h"
#include "monitor/nmi/nmi_ipi.h"
#include "monitor/nmi/nmi_timer.h"
#include "monitor/lib/string.h"
#include "monitor/debug/trap.h"
#include "monitor/smp/smp_world.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/boot_layout.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/text_poke.h"
#include "arch/x86_64/tsc.h"

#define WAIT_SPINS	20000000ul	/* bounded waits: a hang names its case */
#define REPEAT_K	3		/* passes that send in "repeat-state" */
#define COLLAPSE_N	10
/* Two lazy pages a CPU, at the region's top: only their CPU ever touches
 * them, so its own INVLPG (lazy_unmap) is all the TLB needs. */
#define TEST_PAGE(which) (LAZY_BASE + LAZY_SIZE - \
			  (2 * (this_cpu()->cpu + 1) - (which)) * PAGE_SIZE)
#define TEST_PAGE_A	TEST_PAGE(0)
#define TEST_PAGE_B	TEST_PAGE(1)

extern void nmi_selftest_int3(void);
extern void nmi_selftest_ud2(void);

/* The exception whose IRET opens the NMI window in the cases that are not
 * about int3: int3 where it works, ud2 where the hypervisor cannot take an
 * int3 (boot option quirk=no-int3, which tools/qemu.py passes under kvm_pvm). */
static bool use_ud2;
#define OPENER_VECTOR (use_ud2 ? 6 : 3)

static void open_window_in_nmi(void)
{
	if (use_ud2)
		nmi_selftest_ud2();
	else
		nmi_selftest_int3();
}

/* Under kvm_pvm a self-NMI sent while NMIs are blocked is not delivered at
 * the IRET that unblocks them, only merged into a later one (measured: boot
 * option quirk=nmi-late). There the window is opened first and the NMI sent
 * and waited for after it; the counts are the same. */
static bool nmi_late;

/* While the timer NMI runs (sampling, or the Ctrl-C watch), its NMIs add
 * passes, nestings and ring-page faults of their own: the counts can then
 * only be checked as lower bounds. unknown and latched stay exact. */
static bool relaxed;

extern void nmi_canary_run(uint64_t iterations, volatile uint32_t *icr, uint64_t icr_value,
			   volatile uint64_t *pending, uint64_t out[16]);
extern char nmi_hook_copy_site[], nmi_hook_exit_site[], nmi_hook_copy[], nmi_hook_exit[];

enum case_id { C_INT3, C_LAZY, C_NOEXC, C_COLLAPSE, C_REPEAT, C_COPY, C_EXIT, C_CR2, C_CANARY };

/* What the action in NMI context sees, one per CPU; written by its CPU's
 * normal context between iterations only. */
struct case_state {
	volatile enum case_id id;
	volatile uint64_t acts_left;	/* first passes still to act in */
	volatile uint64_t bad_flags;	/* passes that saw IF=1 or DF=1 */
	volatile uint64_t wait_timeouts;
	volatile uint64_t access_faults;
};
static struct case_state states[MAX_CPUS];

static struct case_state *my_state(void)
{
	return &states[this_cpu()->cpu];
}

struct snapshot {
	struct nmi_stats s;
	uint64_t nested, window, hook_fired, hook_timeouts, claimed, bp_hits_nmi;
	struct lazy_stats lazy;
};

/* Give a late NMI (a hypervisor may deliver one well after the request)
 * time to arrive inside the case that caused it, where the counts show it. */
static void settle(void)
{
	uint64_t end = rdtsc() + tsc_hz() / 500;

	while (rdtsc() < end)
		cpu_relax();
}

/* C passes begun so far: every NMI that lands in normal context adds one
 * before it returns (a pass is first, repeat or latched). */
static uint64_t passes(const struct nmi_stats *s)
{
	const volatile struct nmi_stats *v = s;

	return v->first + v->repeats + v->latched;
}

/* One snapshot: the counters live in several places, and an NMI (a timer
 * tick sampling under a breakpoint) landing between two reads would count
 * in one and not the other; such a copy is taken again. take() runs in
 * normal context, so an NMI that interrupts it has finished when it resumes. */
static void take(struct snapshot *x)
{
	struct percpu *p = this_cpu();
	uint64_t before;

	do {
		before = passes(&p->nmi->stats);
		__asm__ volatile("" : : : "memory");	/* the copies stay between the two reads */
		x->s = p->nmi->stats;
		x->nested = nmi_nested_count();
		x->window = nmi_window_count();
		x->hook_fired = p->hook_fired;
		x->hook_timeouts = p->hook_timeouts;
		x->claimed = nmi_ipi_claimed();
		x->bp_hits_nmi = bp_hits_nmi_this_cpu();
		lazy_get_cpu_stats(&x->lazy);
		__asm__ volatile("" : : : "memory");
	} while (passes(&p->nmi->stats) != before);
}

/* NMI context, NMIs open: send one self-NMI and wait until it has nested. */
static void send_and_wait_in_nmi(void)
{
	uint64_t before = nmi_nested_count();

	nmi_ipi_send_self();
	for (unsigned long i = 0; i < WAIT_SPINS; i++)
		if (nmi_nested_count() != before)
			return;
	my_state()->wait_timeouts++;
}

/* NMI context, first pass: one nested NMI, through the window an exception's
 * IRET opens (open: that exception). */
static void force_nest_in_nmi(void (*open)(void))
{
	if (nmi_late) {
		open();
		send_and_wait_in_nmi();
	} else {
		nmi_ipi_send_self();	/* blocked: stays pending */
		open();			/* its IRET opens the window: nests now */
	}
}

static void touch_in_nmi(uint64_t va);

static void open_lazy_in_nmi(void)
{
	touch_in_nmi(TEST_PAGE_A);	/* #PF maps it; its IRET opens the window */
}

static void touch_in_nmi(uint64_t va)
{
	if (fault_safe_write8(va, 0x5a))
		my_state()->access_faults++;
}

static void arm_hook(void)
{
	nmi_ipi_expect();		/* the hook's NMI is one of ours */
	this_cpu()->hook_armed = 1;
}

/* NMI context: the case's action, run by the pass that claims the request. */
static void action_in_nmi(uint64_t pass)
{
	struct case_state *st = my_state();
	uint64_t fl = read_rflags();

	if (fl & (X86_RFLAGS_IF | X86_RFLAGS_DF))
		st->bad_flags++;
	if (st->id == C_REPEAT) {
		/* passes 0..k-1 each cause one more pass */
		if (pass == 0 && st->acts_left) {
			st->acts_left--;
			force_nest_in_nmi(open_window_in_nmi);
		} else if (pass > 0 && pass < REPEAT_K) {
			send_and_wait_in_nmi();
		}
		return;
	}
	/* first pass only; but while timer NMIs run, the request may be claimed
	 * by the repeat pass of a timer NMI, where forcing works just as well */
	if ((pass != 0 && !relaxed && st->id != C_CR2) || st->acts_left == 0)
		return;
	st->acts_left--;
	switch (st->id) {
	case C_INT3:
		force_nest_in_nmi(nmi_selftest_int3);
		break;
	case C_CANARY:
		force_nest_in_nmi(open_window_in_nmi);
		break;
	case C_LAZY:
		force_nest_in_nmi(open_lazy_in_nmi);
		break;
	case C_NOEXC:
		force_nest_in_nmi(open_window_in_nmi);
		send_and_wait_in_nmi();	/* still open: nests with no exception */
		break;
	case C_COLLAPSE:
		for (int i = 0; i < COLLAPSE_N; i++)
			nmi_ipi_send_self();	/* blocked (unless debug-unmask): they merge */
		break;
	case C_COPY:
		force_nest_in_nmi(open_window_in_nmi);
		arm_hook();		/* fires in the repeat pass's frame copy */
		break;
	case C_EXIT:
		open_window_in_nmi();	/* open the window, no NMI pending */
		arm_hook();		/* fires between clearing the flag and the IRET */
		break;
	case C_CR2:
		touch_in_nmi(TEST_PAGE_B);	/* CR2 := B under the #PF handler of A */
		break;
	default:
		break;
	}
}

/* The #PF handler of page A calls this before it reads CR2. */
static void cr2_hook(void)
{
	uint64_t before = nmi_ipi_claimed();

	nmi_ipi_send_self();
	for (unsigned long i = 0; i < WAIT_SPINS && nmi_ipi_claimed() == before; i++)
		cpu_relax();
}

/* One iteration from normal context: send, and wait for the NMI to be over. */
static bool drive_one(void)
{
	uint64_t before = nmi_ipi_claimed();

	nmi_ipi_send_self();
	for (unsigned long i = 0; i < WAIT_SPINS; i++)
		if (nmi_ipi_claimed() != before)
			return true;
	return false;
}

static const uint8_t nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };

static void patch_jump(char *site, char *target)
{
	uint8_t jmp[5] = { 0xe9 };
	int32_t rel = (int32_t)(target - (site + 5));

	memcpy(jmp + 1, &rel, 4);
	text_poke(site, jmp, 5);
}

/* The hook sites are shared text, patched for the window cases only, as
 * the monitor runs without them otherwise (the sampling path, make bench's
 * breakdown of nmi test's NMIs). With several CPUs under test, all of them
 * meet between cases (nmi_selftest_meet) and the shell CPU patches while
 * the others wait, so that every CPU runs window-copy with the copy site
 * alone patched and window-exit with the exit site alone, as one CPU does;
 * a patched hook acts only on a CPU that armed it (%gs:hook_armed) and lets
 * the other CPUs' NMIs through. Each patch is followed by an NMI to every
 * other CPU, which serialises it (smp_sync_cores): outside every case's
 * counts, as the others wait at the meeting point then. Shell CPU. */
static void set_hooks(unsigned int step)
{
	if (step == STEP_EXIT || step == STEP_DONE)
		text_poke(step == STEP_EXIT ? nmi_hook_copy_site : nmi_hook_exit_site, nop5, 5);
	if (step == STEP_COPY)
		patch_jump(nmi_hook_copy_site, nmi_hook_copy);
	if (step == STEP_EXIT)
		patch_jump(nmi_hook_exit_site, nmi_hook_exit);
	smp_sync_cores();	/* the cross-modifying code rule (smp_world.h) */
}

/* This CPU, between two cases: meets the others, and the hooks are set for
 * the cases from step on. Returns the first-level NMIs it took meanwhile
 * (the serialising ones), which are no case's. */
static uint64_t meet(unsigned int step)
{
	uint64_t before = nmi_this_cpu()->stats.first;

	nmi_selftest_meet(step, set_hooks);
	return nmi_this_cpu()->stats.first - before;
}

struct expect {
	uint64_t first, repeats, nested, window, handled, swallowed, opener, pf, pf_nmi, hooks;
};


static bool differs(uint64_t got, uint64_t want, bool exact)
{
	return relaxed && !exact ? got < want : got != want;
}

static bool report(const char *name, const struct snapshot *a, const struct snapshot *b,
		   const struct expect *e, bool ok)
{
	const char *names[] = { "first", "repeats", "nested", "in-window", "handled",
				"swallowed", use_ud2 ? "#UD" : "#BP", "#PF", "lazy-in-nmi", "hooks",
				       "unknown", "latched" };
	uint64_t got[] = {
		b->s.first - a->s.first, b->s.repeats - a->s.repeats, b->nested - a->nested,
		b->window - a->window, b->s.handled - a->s.handled,
		b->s.swallowed - a->s.swallowed,
		/* breakpoints the user set in the NMI path are not the opener */
		b->s.faults[OPENER_VECTOR] - a->s.faults[OPENER_VECTOR] -
			(OPENER_VECTOR == 3 ? b->bp_hits_nmi - a->bp_hits_nmi : 0),
		b->s.faults[14] - a->s.faults[14], b->lazy.faults_nmi - a->lazy.faults_nmi,
		b->hook_fired - a->hook_fired, b->s.unknown - a->s.unknown,
		b->s.latched - a->s.latched,
	};
	/* under timer NMIs an armed hook may be taken by a timer NMI whose
	 * window is closed: hooks are then not counted, nor their timeouts */
	uint64_t want[] = { e->first, e->repeats, e->nested, e->window, e->handled,
			    e->swallowed, e->opener, e->pf, e->pf_nmi, relaxed ? 0 : e->hooks, 0, 0 };
	uint64_t hook_timeouts = relaxed ? 0 : b->hook_timeouts - a->hook_timeouts;
	unsigned int n = sizeof(got) / sizeof(got[0]);
	const struct case_state *st = my_state();

	for (unsigned int i = 0; i < n; i++)
		if (differs(got[i], want[i], i >= n - 2))
			ok = false;
	if (st->bad_flags || st->wait_timeouts || st->access_faults || hook_timeouts)
		ok = false;
	/* verdict first, then every count, with the expected value where it differs */
	nst_say("case %s: %s", name, ok ? "PASS" : "FAIL");
	for (unsigned int i = 0; i < n; i++) {
		nst_say(" %s=%lu", names[i], got[i]);
		if (differs(got[i], want[i], i >= n - 2))
			nst_say("(want %s%lu)", relaxed && i < n - 2 ? ">=" : "", want[i]);
	}
	if (st->bad_flags)
		nst_say(" passes-with-IF-or-DF=%lu(want 0)", st->bad_flags);
	if (st->wait_timeouts)
		nst_say(" nmi-wait-timeouts=%lu(want 0)", st->wait_timeouts);
	if (st->access_faults)
		nst_say(" unserved-lazy-faults=%lu(want 0)", st->access_faults);
	if (hook_timeouts)
		nst_say(" hook-timeouts=%lu(want 0)", hook_timeouts);
	nst_say("\n");
	return ok;
}

static void reset_state(enum case_id id, uint64_t acts)
{
	*my_state() = (struct case_state){ .id = id, .acts_left = acts };
}

/* Cases driven one self-NMI per iteration from normal context. */
static bool run_driven(const char *name, enum case_id id, unsigned long n,
		       const struct expect *per_iter, uint64_t extra_first)
{
	struct snapshot a, b;
	struct expect e;
	unsigned long done = 0;
	bool ok = true;

	nst_say("running %s (%lu iterations)\n", name, n);
	reset_state(id, 0);
	take(&a);
	for (; done < n; done++) {
		my_state()->acts_left = 1;
		if (!drive_one())
			ok = false;
		if (id == C_COLLAPSE) {
			/* the merged NMI comes right after the first one's IRET */
			for (unsigned long i = 0; i < WAIT_SPINS && nmi_ipi_claimed() < a.claimed + 2 * (done + 1); i++)
				cpu_relax();
		}
		if (id == C_LAZY)
			lazy_unmap(TEST_PAGE_A);
		if (!ok)
			break;
	}
	this_cpu()->hook_armed = 0;
	settle();
	take(&b);
	e.first = per_iter->first * done + extra_first;
	e.repeats = per_iter->repeats * done;
	e.nested = per_iter->nested * done;
	e.window = per_iter->window * done;
	e.handled = per_iter->handled * done;
	e.swallowed = per_iter->swallowed * done;
	e.opener = per_iter->opener * done;
	e.pf = per_iter->pf * done;
	e.pf_nmi = per_iter->pf_nmi * done;
	e.hooks = per_iter->hooks * done;
	if (!ok)
		nst_say("case %s: NMI not delivered in iteration %lu\n", name, done);
	return report(name, &a, &b, &e, ok);
}

static bool run_cr2(unsigned long n)
{
	struct snapshot a, b;
	struct expect e = { 0 };
	bool ok = true;
	unsigned long done = 0;

	nst_say("running cr2 (%lu iterations)\n", n);
	reset_state(C_CR2, 0);
	take(&a);
	for (; done < n; done++) {
		uint64_t v;

		my_state()->acts_left = 1;
		trap_pf_test_hook[this_cpu()->cpu] = cr2_hook;
		if (mem_read(TEST_PAGE_A, 1, &v) || !lazy_unmap(TEST_PAGE_A) ||
		    !lazy_unmap(TEST_PAGE_B)) {
			ok = false;
			break;
		}
	}
	trap_pf_test_hook[this_cpu()->cpu] = NULL;
	settle();
	take(&b);
	e.first = done;
	e.handled = done;
	e.pf = done;		/* page B, inside the NMI */
	e.pf_nmi = done;
	ok = report("cr2", &a, &b, &e, ok);
	/* A's own fault mapped A: exactly one normal-context fault for A, and no
	 * fault ever found its page already mapped by someone else */
	nst_say("case cr2: lazy faults=%lu(want %s%lu) lost-races=%lu(want 0)\n",
		b.lazy.faults - a.lazy.faults, relaxed ? ">=" : "", 2 * done,
		b.lazy.faults_raced - a.lazy.faults_raced);
	return ok && !differs(b.lazy.faults - a.lazy.faults, 2 * done, false) &&
	       b.lazy.faults_raced == a.lazy.faults_raced;
}

static bool run_canary(unsigned long n)
{
	static const uint64_t want[16] = {
		0 /* r15: ICR */, 0 /* r14: pending */, 0 /* r13: ICR value */,
		0xccccccccccccccccull, 0xbbbbbbbbbbbbbbbbull, 0xaaaaaaaaaaaaaaaaull,
		0x9999999999999999ull, 0x8888888888888888ull, 0x7777777777777777ull,
		0x6666666666666666ull, 0x5555555555555555ull, 0x4444444444444444ull,
		0 /* rcx */, 0 /* rbx */, 0x1111111111111111ull, 0x0cd7 /* rflags */,
	};
	static const char *names[16] = { "r15", "r14", "r13", "r12", "r11", "r10", "r9", "r8",
					 "rbp", "rdi", "rsi", "rdx", "rcx", "rbx", "rax", "rflags" };
	struct percpu *p = this_cpu();
	uint64_t out[16], w[16];
	struct snapshot a, b;
	struct expect e = { 0 };
	bool regs_ok = true;
	uint64_t fl = read_rflags();

	nst_say("running canary (%lu forced nestings)\n", n);
	memcpy(w, want, sizeof(w));
	w[0] = p->apic_icr;
	w[1] = (uintptr_t)nmi_ipi_pending_word();
	w[2] = p->apic_icr ? (uint32_t)p->self_nmi_icr : p->self_nmi_icr;	/* x2APIC: all 64 bits */
	reset_state(C_CANARY, n);
	take(&a);
	cli();
	nmi_canary_run(n, (volatile uint32_t *)(uintptr_t)p->apic_icr, w[2],
		       nmi_ipi_pending_word(), out);
	if (fl & X86_RFLAGS_IF)
		sti();
	settle();
	take(&b);
	e.first = n;
	e.repeats = n;
	e.nested = n;
	e.handled = 2 * n;
	e.opener = n;
	for (int i = 0; i < 16; i++)
		if (out[i] != w[i]) {
			nst_say("case canary: %s=0x%lx (want 0x%lx)\n", names[i], out[i], w[i]);
			regs_ok = false;
		}
	return report("canary", &a, &b, &e, regs_ok);
}

void nmi_selftest_prepare(void)
{
	struct nmi_timer_stats t;

	nmi_timer_get_stats(&t);
	relaxed = t.hz != 0;
	if (relaxed)
		kprintf("the timer NMI runs at %lu Hz: counts are checked as lower bounds\n", t.hz);
	use_ud2 = bootinfo_has_option("quirk=no-int3");
	nmi_late = bootinfo_has_option("quirk=nmi-late");
}

void nmi_selftest_here(unsigned long n, struct nmi_selftest_result *r)
{
	struct nmi_cpu *c = nmi_this_cpu();
	unsigned int pass = 0, fail = 0, skip = 0;
	struct snapshot start, end;
	uint64_t t0 = rdtsc(), t1, hz = tsc_hz(), nmis, us, met = 0;
	static const struct expect int3 = { .first = 1, .repeats = 1, .nested = 1, .handled = 2, .opener = 1 };
	static const struct expect lazy = { .first = 1, .repeats = 1, .nested = 1, .handled = 2,
					    .pf = 1, .pf_nmi = 1 };
	static const struct expect noexc = { .first = 1, .repeats = 1, .nested = 2, .handled = 2, .opener = 1 };
	static const struct expect collapse = { .first = 2, .handled = 2 };
	/* debug-unmask: the window is open in the pass, so each self-NMI nests
	 * at once instead of merging, and they fold into one repeat pass */
	static const struct expect unmasked = { .first = 1, .repeats = 1, .nested = COLLAPSE_N,
						.handled = 2 };
	static const struct expect repeat = { .first = 1, .repeats = REPEAT_K, .nested = REPEAT_K,
					      .handled = REPEAT_K + 1, .opener = 1 };
	static const struct expect copy = { .first = 1, .repeats = 1, .nested = 1, .window = 1,
					    .handled = 2, .opener = 1, .hooks = 1 };
	static const struct expect exitw = { .first = 1, .repeats = 1, .nested = 1, .handled = 2,
					     .opener = 1, .hooks = 1 };

#define TALLY(x) do { if (x) pass++; else fail++; } while (0)
	take(&start);
	nmi_ipi_set_action(action_in_nmi);
	lazy_unmap(TEST_PAGE_A);
	lazy_unmap(TEST_PAGE_B);
	if (use_ud2) {
		nst_say("running basic-int3\ncase basic-int3: SKIP: boot option quirk=no-int3 "
			"(this hypervisor fails on int3); the other cases open the window with ud2\n");
		skip++;
	} else {
		TALLY(run_driven("basic-int3", C_INT3, n, &int3, 0));
	}
	TALLY(run_driven("basic-lazy", C_LAZY, n, &lazy, 0));
	TALLY(run_canary(n));
	TALLY(run_driven("no-exception", C_NOEXC, n, &noexc, 0));
	if (nmi_late || bp_count() || relaxed) {
		nst_say("running collapse\ncase collapse: SKIP: %s\n",
			bp_count() ? "breakpoints are set: one in the NMI path opens the window early" :
			relaxed ? "timer NMIs are arriving: blocked self-NMIs cannot be told apart" :
			"quirk=nmi-late: kvm_pvm sometimes delivers two NMIs for requests made while "
			"blocked (measured: 1 iteration in 100)");
		skip++;
	} else {
		TALLY(run_driven("collapse", C_COLLAPSE, n, c->debug_unmask ? &unmasked : &collapse,
				 0));
	}
	TALLY(run_driven("repeat-state", C_REPEAT, n, &repeat, 0));
	met += meet(STEP_COPY);
	TALLY(run_driven("window-copy", C_COPY, n, &copy, 0));
	met += meet(STEP_EXIT);
	TALLY(run_driven("window-exit", C_EXIT, n, &exitw, 0));
	met += meet(STEP_DONE);
	TALLY(run_cr2(n));
	nmi_ipi_set_action(NULL);

	take(&end);
	nst_say("running accounting\n");
	{
		bool ok = end.s.unknown == 0 && end.s.latched == 0;

		nst_say("case accounting: %s unknown=%lu(want 0) latched=%lu(want 0)\n",
			ok ? "PASS" : "FAIL", end.s.unknown, end.s.latched);
		TALLY(ok);
	}
	t1 = rdtsc();
	nmis = (end.s.first - start.s.first - met) + (end.nested - start.nested) +
	       (end.window - start.window);
	us = (t1 - t0) / (hz / 1000000 ? hz / 1000000 : 1);
	nst_say("nmi test: %s %u passed, %u failed, %u skipped; %lu NMIs (%lu nested) in %lu ms, "
		"%lu NMIs/s\n", fail ? "FAIL" : "PASS", pass, fail, skip, nmis,
		end.nested - start.nested, us / 1000, us ? nmis * 1000000 / us : 0);
	*r = (struct nmi_selftest_result){ .pass = pass, .fail = fail, .skip = skip, .nmis = nmis,
					   .nested = end.nested - start.nested, .us = us };
}
