#include "monitor/debug/dr_alloc.h"
#include "monitor/debug/watchpoint.h"
#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/shell/parse.h"
#include "monitor/lib/string.h"
#include "monitor/lib/symbols.h"

static int wp_add_cmd(int argc, char **argv)
{
	uint64_t addr, len = 1;
	enum wp_kind kind = WP_WRITE;
	unsigned int id;
	const char *why;
	char sym[96];
	int st;
	bool have_len = false;

	if (argc < 3 || argc > 5)
		return ST_USAGE;
	if ((st = parse_addr(&kernel_symtab, argv[2], &addr)) != ST_OK)
		return errorf("bad address '%s': %s", argv[2], status_message(st));
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "w") == 0)
			kind = WP_WRITE;
		else if (strcmp(argv[i], "rw") == 0)
			kind = WP_ACCESS;
		else if (strcmp(argv[i], "x") == 0)
			kind = WP_EXEC;
		else if (!have_len && parse_u64(argv[i], &len) == ST_OK)
			have_len = true;
		else
			return errorf("bad argument '%s': want 1, 2, 4 or 8, then w, rw or x", argv[i]);
	}
	if (!have_len)
		len = kind == WP_EXEC ? 1 : 8;
	switch (wp_add(addr, len > 8 ? 0 : (unsigned int)len, kind, &id, &why)) {
	case WP_OK:
		kprintf("watchpoint %u at 0x%016lx %s (%lu byte%s, %s)\n", id, addr,
			symtab_format(&kernel_symtab, addr, sym, sizeof(sym)), len,
			len == 1 ? "" : "s", wp_kind_name(kind));
		return ST_OK;
	case WP_BAD_LEN:
		return errorf("bad length %lu: the debug registers watch 1, 2, 4 or 8 bytes", len);
	case WP_EXEC_LEN:
		return errorf("an execute watchpoint has length 1");
	case WP_MISALIGNED:
		return errorf("0x%lx is not aligned to %lu bytes (the debug registers ignore the "
			      "low address bits)", addr, len);
	case WP_PROTECTED:
		return errorf("cannot watch 0x%lx: %s must never trap", addr,
			      why ? why : "protected memory");
	case WP_UNREADABLE:
		return errorf("cannot watch 0x%lx: %s", addr, why);
	case WP_FULL:
		return errorf("no debug register free: at most %d watchpoints (DR%d is the Ctrl-C "
			      "break's)", DR_COUNT - 1, DR_BREAK_REG);
	case WP_DUPLICATE:
		return errorf("0x%lx is already watched that way", addr);
	}
	return ST_REPORTED;
}

static void wp_list(void)
{
	char sym[96];
	bool any = false;

	for (unsigned int i = 0; wp_get(i); i++) {
		const struct watchpoint *w = wp_get(i);

		if (!w->used)
			continue;
		if (!any)
			kprintf("  id address            symbol                     len kind    reg "
				"  hits  in-nmi\n");
		any = true;
		kprintf("  %-2u 0x%016lx %-26s %3u %-7s DR%u %6lu %7s\n", w->id, w->addr,
			symtab_format(&kernel_symtab, w->addr, sym, sizeof(sym)), w->len,
			wp_kind_name(w->kind), w->reg, w->hits, "-");
		if (w->hits_counted)
			kprintf("     %lu hits could not stop (interrupt context, or inside a stop): "
				"counted only\n", w->hits_counted);
	}
	if (!any)
		kprintf("no watchpoints\n");
	else
		kprintf("  in-nmi: none can happen (NMI passes run with DR7's enables off)\n");
}

static int cmd_wp(int argc, char **argv)
{
	uint64_t id;

	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return wp_add_cmd(argc, argv);
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		wp_list();
		return ST_OK;
	}
	if (argc == 3 && strcmp(argv[1], "del") == 0) {
		if (strcmp(argv[2], "all") == 0) {
			kprintf("deleted %u watchpoints\n", wp_del_all());
			return ST_OK;
		}
		if (parse_u64(argv[2], &id) != ST_OK)
			return errorf("bad watchpoint id '%s'", argv[2]);
		if (id > 0xffffffffu || !wp_del((unsigned int)id))
			return errorf("no watchpoint %lu", id);
		kprintf("deleted watchpoint %lu\n", id);
		return ST_OK;
	}
	return ST_USAGE;
}

COMMAND(wp,
	.name = "wp",
	.usage = "add <addr|sym[+off]> [1|2|4|8] [w|rw|x] | del <id|all> | list",
	.summary = "hardware watchpoints (debug registers): write, read/write or execute",
	.help = "  Default: 8 bytes, w (write); x watches an instruction (length 1). The\n"
		"  address must be aligned to the length. A hit stops like a breakpoint:\n"
		"  'stopped: watchpoint N (write) at RIP, addr = old -> new' (RIP is after\n"
		"  the access: data watchpoints trap once it is done). Hits in interrupt\n"
		"  context or inside a stop only count; in NMI context none fire (the NMI\n"
		"  pass turns DR7 off). DR0-DR2 serve watchpoints and gdb's Z1-Z4; DR3 is\n"
		"  the Ctrl-C break's. Entry code, IST stacks, per-CPU area, GDT/IDT/TSS\n"
		"  and the breakpoint trap path's data are refused.",
	.run = cmd_wp);
