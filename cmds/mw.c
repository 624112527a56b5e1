#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/mem/memaccess.h"
#include "monitor/shell/parse.h"
#include "monitor/lib/symbols.h"

static int cmd_mw(int argc, char **argv)
{
	uint64_t addr, value, old, now;
	unsigned int width = 8;
	char why[FAULT_TEXT_MAX], sym[96];
	fault_t f;
	int st;

	if (argc < 3 || argc > 4)
		return ST_USAGE;
	if ((st = parse_addr(&kernel_symtab, argv[1], &addr)) != ST_OK)
		return errorf("bad address '%s': %s", argv[1], status_message(st));
	if ((st = parse_u64(argv[2], &value)) != ST_OK)
		return errorf("bad value '%s': %s", argv[2], status_message(st));
	if (argc == 4 && (st = parse_width(argv[3], &width)) != ST_OK)
		return errorf("bad width '%s': %s", argv[3], status_message(st));
	if (width < 8 && value >> (width * 8))
		return errorf("value 0x%lx does not fit in %u byte%s", value, width,
			      width == 1 ? "" : "s");

	if ((f = mem_read(addr, width, &old)))
		return errorf("cannot read 0x%lx: %s", addr, fault_text(f, addr, why, sizeof(why)));
	if ((f = mem_write(addr, width, value)))
		return errorf("cannot write 0x%lx: %s", addr, fault_text(f, addr, why, sizeof(why)));
	if ((f = mem_read(addr, width, &now)))
		return errorf("cannot read back 0x%lx: %s", addr,
			      fault_text(f, addr, why, sizeof(why)));
	kprintf("0x%016lx %s: 0x%0*lx -> 0x%0*lx\n", addr,
		symtab_format(&kernel_symtab, addr, sym, sizeof(sym)),
		(int)width * 2, old, (int)width * 2, now);
	if (now != value)
		return errorf("0x%lx reads back 0x%lx, not 0x%lx (device memory?)", addr, now, value);
	return ST_OK;
}

COMMAND(mw,
	.name = "mw",
	.usage = "<addr|sym[+off]> <value> [1|2|4|8]",
	.summary = "write a value of that width (default 8); shows old -> new",
	.run = cmd_mw);
