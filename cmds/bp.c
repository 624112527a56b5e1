#include "monitor/debug/breakpoint.h"
#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/shell/parse.h"
#include "monitor/lib/string.h"
#include "monitor/lib/symbols.h"
#include "arch/x86_64/protected.h"

static int bp_add_cmd(int argc, char **argv)
{
	uint64_t addr;
	unsigned int id;
	struct bp_why why;
	bool trace = false;
	char sym[96];
	int st;

	if (argc < 3 || argc > 4)
		return ST_USAGE;
	if (argc == 4) {
		if (strcmp(argv[3], "trace") != 0)
			return ST_USAGE;
		trace = true;
	}
	if ((st = parse_addr(&kernel_symtab, argv[2], &addr)) != ST_OK)
		return errorf("bad address '%s': %s", argv[2], status_message(st));
	switch (bp_add(addr, trace, &id, &why)) {
	case BP_OK:
		kprintf("breakpoint %u at 0x%016lx %s (%s)\n", id, addr,
			symtab_format(&kernel_symtab, addr, sym, sizeof(sym)), trace ? "trace" : "stop");
		return ST_OK;
	case BP_NOT_TEXT:
		return errorf("cannot break at 0x%lx: not mapped executable monitor text", addr);
	case BP_PROTECTED:
		return errorf("cannot break at 0x%lx: %s must never trap", addr,
			      protected_what(addr) ? protected_what(addr) : "protected code");
	case BP_DUPLICATE:
		return errorf("0x%lx already has a breakpoint", addr);
	case BP_FULL:
		return errorf("no room: at most %d breakpoints", BP_MAX);
	case BP_NO_INT3:
		return errorf("int3 stops this hypervisor (boot option quirk=no-int3)");
	case BP_NOT_BOUNDARY:
		return errorf("cannot break at 0x%lx: not an instruction boundary (inside the "
			      "instruction at %s)", addr,
			      symtab_format(&kernel_symtab, why.insn_start, sym, sizeof(sym)));
	case BP_UNDECODABLE:
	case BP_NEVER_RUNS:
		return errorf("cannot break at 0x%lx: %s", addr, why.text);
	case BP_CANNOT_STEP:
		return errorf("cannot break at 0x%lx: the instruction cannot run out of line: %s",
			      addr, why.text);
	}
	return ST_REPORTED;
}

static void bp_list(void)
{
	char sym[96];
	bool any = false;

	for (unsigned int i = 0; bp_get(i); i++) {
		const struct breakpoint *b = bp_get(i);

		if (!b->used)
			continue;
		if (!any)
			kprintf("  id address            symbol                     mode   hits  in-nmi\n");
		any = true;
		kprintf("  %-2u 0x%016lx %-26s %-5s %5lu %7lu\n", b->id, b->addr,
			symtab_format(&kernel_symtab, b->addr, sym, sizeof(sym)),
			b->trace ? "trace" : "stop", b->hits, b->hits_nmi);
		if (b->hits_as_trace)
			kprintf("     %lu hits could not stop (NMI or interrupt context, or inside a "
				"stop): counted as trace\n", b->hits_as_trace);
		if (b->have_last_nmi)
			kprintf("     last NMI-context hit: rsp 0x%lx rbp 0x%lx rflags 0x%lx rdi 0x%lx\n",
				b->last_nmi.rsp, b->last_nmi.rbp, b->last_nmi.rflags, b->last_nmi.rdi);
	}
	if (!any)
		kprintf("no breakpoints\n");
}

static int cmd_bp(int argc, char **argv)
{
	uint64_t id;

	if (argc >= 2 && (!strcmp(argv[1], "add") || !strcmp(argv[1], "del")) &&
	    bp_change_interrupted())
		return errorf("the stop came while another cpu was changing breakpoints: cont "
			      "first, then bp %s", argv[1]);
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return bp_add_cmd(argc, argv);
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		bp_list();
		return ST_OK;
	}
	if (argc == 3 && strcmp(argv[1], "del") == 0) {
		if (strcmp(argv[2], "all") == 0) {
			kprintf("deleted %u breakpoints\n", bp_del_all());
			return ST_OK;
		}
		if (parse_u64(argv[2], &id) != ST_OK)
			return errorf("bad breakpoint id '%s'", argv[2]);
		if (id > 0xffffffffu || !bp_del((unsigned int)id))
			return errorf("no breakpoint %lu", id);
		kprintf("deleted breakpoint %lu\n", id);
		return ST_OK;
	}
	return ST_USAGE;
}

COMMAND(bp,
	.name = "bp",
	.usage = "add <addr|sym[+off]> [trace] | del <id|all> | list",
	.summary = "int3 breakpoints: stop, or trace (count and record, never stop)",
	.help = "  A stop breakpoint hit by a command stops it: mon(stopped)> takes regs,\n"
		"  bt, md, mw, sym, bp, step and cont. Hits in NMI or interrupt context only\n"
		"  count (and NMI hits record their registers): a stop there would leave\n"
		"  the handler open. Entry code, IST stacks, GDT/IDT/TSS and the trap path\n"
		"  itself are refused.",
	.run = cmd_bp);
