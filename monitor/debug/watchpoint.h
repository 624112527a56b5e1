/* Hardware watchpoints: data writes, data accesses or instruction fetches,
 * through the debug registers (dr_alloc.h). A hit stops like a breakpoint
 * where a stop is allowed, and only counts elsewhere. */
#ifndef MONITOR_DEBUG_WATCHPOINT_H
#define MONITOR_DEBUG_WATCHPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/x86_64/trap_frame.h"

#define WP_MAX 4

enum wp_kind { WP_WRITE, WP_ACCESS, WP_EXEC };

struct watchpoint {
	volatile bool used;
	enum wp_kind kind;
	unsigned int id, reg, len;
	uint64_t addr;
	uint64_t hits;
	uint64_t hits_counted;	/* where it could not stop: interrupt, inside a stop */
	uint64_t old, value;	/* data: before and after the last hit */
	uint64_t last_rip;	/* where the last hit was (after the access for data) */
};

enum wp_error {
	WP_OK, WP_BAD_LEN, WP_MISALIGNED, WP_EXEC_LEN, WP_PROTECTED, WP_UNREADABLE, WP_FULL,
	WP_DUPLICATE,
};

/* why: for WP_PROTECTED, what is there; for WP_UNREADABLE, the fault. */
enum wp_error wp_add(uint64_t addr, unsigned int len, enum wp_kind kind, unsigned int *id,
		     const char **why);
bool wp_del(unsigned int id);
unsigned int wp_del_all(void);
const struct watchpoint *wp_get(unsigned int slot);	/* NULL past the last slot */
const struct watchpoint *wp_find(unsigned int id);
const char *wp_kind_name(enum wp_kind k);		/* write, access, execute */

/* #DB path: count the watchpoints that DR6 says were hit, clear their DR6
 * bits, and give RF to an instruction hit so it runs when resumed. True if
 * any was hit; *stop_id: the one to stop for (0: none, or !can_stop). */
bool wp_on_debug(struct trap_frame *f, uint64_t dr6, bool can_stop, unsigned int *stop_id);

/* "scratch_area = 0x4 -> 0x5" for the stop line of watchpoint id. */
void wp_describe_hit(unsigned int id, char *buf, size_t n);

#endif
