/*
 * gdb's Z and z packets: software breakpoints through the breakpoint
 * engine (bp_add), hardware breakpoints and watchpoints through the
 * watchpoint allocator (wp_add). What gdb planted is remembered, so that z
 * and detach remove exactly that and never the shell's own.
 */
#include "monitor/gdb/gdb_points.h"
#include "monitor/debug/breakpoint.h"
#include "monitor/debug/watchpoint.h"

static struct { bool used; unsigned int id; uint64_t addr; } bps[BP_MAX];
static struct { bool used; unsigned int id, type; uint64_t addr; } wps[WP_MAX];

static const char *software(bool insert, uint64_t addr)
{
	unsigned int id;
	struct bp_why why;

	for (unsigned int i = 0; i < BP_MAX; i++)
		if (bps[i].used && bps[i].addr == addr) {
			if (!insert) {
				bp_del(bps[i].id);
				bps[i].used = false;
			}
			return "OK";
		}
	if (!insert)
		return "OK";	/* not ours, or already gone */
	switch (bp_add(addr, false, &id, &why)) {
	case BP_OK:
		for (unsigned int i = 0; i < BP_MAX; i++)
			if (!bps[i].used) {
				bps[i].used = true;
				bps[i].id = id;
				bps[i].addr = addr;
				break;
			}
		return "OK";
	case BP_DUPLICATE:
		return "OK";	/* the shell's breakpoint stops there already */
	default:
		return "E01";
	}
}

const char *gdb_point(bool insert, unsigned int type, uint64_t addr, uint64_t kind)
{
	unsigned int id;
	const char *why;

	if (type == 0)
		return software(insert, addr);
	if (type == 3 || type > 4)
		return "";	/* x86 has no read-only watchpoint: gdb uses Z4 */
	for (unsigned int i = 0; i < WP_MAX; i++)
		if (wps[i].used && wps[i].addr == addr && wps[i].type == type) {
			if (!insert) {
				wp_del(wps[i].id);
				wps[i].used = false;
			}
			return "OK";
		}
	if (!insert)
		return "OK";
	if (wp_add(addr, type == 1 ? 1 : (unsigned int)(kind > 8 ? 0 : kind),
		   type == 1 ? WP_EXEC : type == 2 ? WP_WRITE : WP_ACCESS, &id, &why) != WP_OK)
		return "E01";
	for (unsigned int i = 0; i < WP_MAX; i++)
		if (!wps[i].used) {
			wps[i].used = true;
			wps[i].id = id;
			wps[i].type = type;
			wps[i].addr = addr;
			break;
		}
	return "OK";
}

void gdb_points_remove_all(void)
{
	for (unsigned int i = 0; i < BP_MAX; i++)
		if (bps[i].used) {
			bp_del(bps[i].id);
			bps[i].used = false;
		}
	for (unsigned int i = 0; i < WP_MAX; i++)
		if (wps[i].used) {
			wp_del(wps[i].id);
			wps[i].used = false;
		}
}
