/*
 * Watchpoints. Why a hit is safe to handle in the #DB path:
 * - Data watchpoints are traps: the access is done when the #DB comes, so
 *   the watched bytes are mapped and the new value is read plainly.
 * - Instruction watchpoints are faults: the instruction has not run. The
 *   frame gets RF=1, so the IRET that resumes it (after a stop or at once)
 *   runs it instead of faulting again (SDM vol. 3B 18.3.1.1).
 * - An NMI pass runs with DR7's enables off (NMI.md), so no watchpoint
 *   fires in NMI context; DR6 bits seen there are the interrupted
 *   context's pending hit, which its own #DB handles.
 * - The debug path's own data and the entry code, stacks and tables are
 *   refused: a watchpoint there would trap inside the #DB handler.
 */
#include "monitor/debug/watchpoint.h"
#include "monitor/debug/debug_path.h"
#include "monitor/debug/dr_alloc.h"
#include "monitor/lib/fmt.h"
#include "monitor/lib/symbols.h"
#include "monitor/mem/memaccess.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/protected.h"

static DEBUG_PATH_DATA struct watchpoint wps[WP_MAX];
static unsigned int next_id = 1;

#define COUNT(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)

static const enum dr_rw rw_of[] = { [WP_WRITE] = DR_RW_WRITE, [WP_ACCESS] = DR_RW_ACCESS,
				    [WP_EXEC] = DR_RW_EXEC };

const char *wp_kind_name(enum wp_kind k)
{
	return k == WP_WRITE ? "write" : k == WP_ACCESS ? "access" : "execute";
}

enum wp_error wp_add(uint64_t addr, unsigned int len, enum wp_kind kind, unsigned int *id,
		     const char **why)
{
	struct watchpoint *free = NULL;
	uint64_t v = 0;
	fault_t f;
	int reg;

	*why = NULL;
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return WP_BAD_LEN;
	if (kind == WP_EXEC && len != 1)
		return WP_EXEC_LEN;
	if (addr & (len - 1))
		return WP_MISALIGNED;	/* the hardware ignores the low address bits */
	if (protected_range(addr, len)) {
		*why = protected_what(addr);
		for (unsigned int i = 1; !*why && i < len; i++)
			*why = protected_what(addr + i);
		return WP_PROTECTED;
	}
	if ((f = mem_read(addr, len, &v))) {
		static char text[FAULT_TEXT_MAX];

		*why = fault_text(f, addr, text, sizeof(text));
		return WP_UNREADABLE;
	}
	for (unsigned int i = 0; i < WP_MAX; i++) {
		if (wps[i].used && wps[i].addr == addr && wps[i].kind == kind && wps[i].len == len)
			return WP_DUPLICATE;
		if (!wps[i].used && !free)
			free = &wps[i];
	}
	if (!free || (reg = dr_alloc()) < 0)
		return WP_FULL;
	*free = (struct watchpoint){ .kind = kind, .id = next_id++, .reg = (unsigned int)reg,
				     .len = len, .addr = addr, .old = v, .value = v };
	*id = free->id;
	__atomic_store_n(&free->used, true, __ATOMIC_RELEASE);
	dr_enable((unsigned int)reg, addr, rw_of[kind], len);
	return WP_OK;
}

static void remove(struct watchpoint *w)
{
	dr_free(w->reg);	/* off in DR7 before the slot is free */
	__atomic_store_n(&w->used, false, __ATOMIC_RELEASE);
}

bool wp_del(unsigned int id)
{
	for (unsigned int i = 0; i < WP_MAX; i++)
		if (wps[i].used && wps[i].id == id) {
			remove(&wps[i]);
			return true;
		}
	return false;
}

unsigned int wp_del_all(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < WP_MAX; i++)
		if (wps[i].used) {
			remove(&wps[i]);
			n++;
		}
	return n;
}

const struct watchpoint *wp_get(unsigned int slot)
{
	return slot < WP_MAX ? &wps[slot] : NULL;
}

const struct watchpoint *wp_find(unsigned int id)
{
	for (unsigned int i = 0; i < WP_MAX; i++)
		if (wps[i].used && wps[i].id == id)
			return &wps[i];
	return NULL;
}

DEBUG_PATH static uint64_t read_width(uint64_t addr, unsigned int len)
{
	switch (len) {
	case 1: return *(volatile uint8_t *)addr;
	case 2: return *(volatile uint16_t *)addr;
	case 4: return *(volatile uint32_t *)addr;
	default: return *(volatile uint64_t *)addr;
	}
}

DEBUG_PATH bool wp_on_debug(struct trap_frame *f, uint64_t dr6, bool can_stop,
			    unsigned int *stop_id)
{
	uint64_t seen = 0;

	*stop_id = 0;
	if (this_cpu()->nmi_depth)
		return false;
	for (unsigned int i = 0; i < WP_MAX; i++) {
		struct watchpoint *w = &wps[i];

		if (!w->used || !(dr6 & (1ul << w->reg)))
			continue;
		seen |= 1ul << w->reg;
		COUNT(w->hits);
		w->last_rip = f->rip;
		if (w->kind == WP_EXEC) {
			f->rflags |= X86_RFLAGS_RF;
		} else {
			/* an access watchpoint would catch this read itself: off for it */
			uint64_t dr7 = read_dr7();

			write_dr7(dr7 & ~dr7_enable_bit(w->reg));
			w->old = w->value;
			w->value = read_width(w->addr, w->len);
			write_dr7(dr7);
		}
		if (!can_stop)
			COUNT(w->hits_counted);
		else if (!*stop_id)
			*stop_id = w->id;
	}
	if (seen)
		write_dr6(dr6 & ~seen);		/* DR6 hit bits are sticky */
	return seen != 0;
}

void wp_describe_hit(unsigned int id, char *buf, size_t n)
{
	const struct watchpoint *w = wp_find(id);
	char sym[96];

	if (!w)
		fmt_snprintf(buf, n, "(deleted)");
	else if (w->kind == WP_EXEC)
		fmt_snprintf(buf, n, "%s", symtab_format(&kernel_symtab, w->addr, sym, sizeof(sym)));
	else
		fmt_snprintf(buf, n, "%s = 0x%lx -> 0x%lx",
			     symtab_format(&kernel_symtab, w->addr, sym, sizeof(sym)), w->old,
			     w->value);
}
