#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/shell/parse.h"
#include "monitor/lib/symbols.h"

static int cmd_sym(int argc, char **argv)
{
	const struct symtab *t = &kernel_symtab;
	const struct ksym *s;
	uint64_t addr, off;
	int st;

	if (argc != 2)
		return ST_USAGE;
	s = symtab_by_name(t, argv[1]);
	if (s) {
		kprintf("%s 0x%016lx size 0x%lx %c\n", ksym_name(t, s), s->addr, s->size,
			(char)s->type);
		return ST_OK;
	}
	if ((st = parse_addr(t, argv[1], &addr)) != ST_OK)
		return errorf("'%s': %s", argv[1], status_message(st));
	s = symtab_by_addr(t, addr, &off);
	if (!s)
		return errorf("no symbol contains 0x%lx", addr);
	if (off)
		kprintf("0x%016lx %s+0x%lx\n", addr, ksym_name(t, s), off);
	else
		kprintf("0x%016lx %s\n", addr, ksym_name(t, s));
	return ST_OK;
}

COMMAND(sym,
	.name = "sym",
	.usage = "<name|addr>",
	.summary = "symbol name -> address and size; address -> name+0xoff",
	.run = cmd_sym);
