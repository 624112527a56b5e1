#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/mem/memaccess.h"
#include "monitor/shell/parse.h"
#include "monitor/lib/symbols.h"

#define MD_DEFAULT	64
#define MD_MAX		(64 * 1024)

static int cmd_md(int argc, char **argv)
{
	uint64_t addr, len = MD_DEFAULT;
	int st;

	if (argc < 2 || argc > 3)
		return ST_USAGE;
	if ((st = parse_addr(&kernel_symtab, argv[1], &addr)) != ST_OK)
		return errorf("bad address '%s': %s", argv[1], status_message(st));
	if (argc == 3 && (st = parse_size(argv[2], &len)) != ST_OK)
		return errorf("bad length '%s': %s", argv[2], status_message(st));
	if (len == 0 || len > MD_MAX)
		return errorf("length %lu out of range (1 to %u)", len, MD_MAX);
	if (addr + len - 1 < addr)
		return errorf("0x%lx + %lu wraps around the address space", addr, len);

	for (uint64_t line = addr; line < addr + len; line += 16) {
		unsigned int n = addr + len - line < 16 ? (unsigned int)(addr + len - line) : 16;
		uint8_t bytes[16];
		char ascii[17];

		for (unsigned int i = 0; i < n; i++) {
			uint64_t v;
			fault_t f = mem_read(line + i, 1, &v);

			if (f) {
				char why[FAULT_TEXT_MAX];

				return errorf("cannot read 0x%lx: %s", line + i,
					      fault_text(f, line + i, why, sizeof(why)));
			}
			bytes[i] = (uint8_t)v;
			ascii[i] = v >= 0x20 && v < 0x7f ? (char)v : '.';
		}
		ascii[n] = '\0';
		kprintf("%016lx:", line);
		for (unsigned int i = 0; i < 16; i++) {
			if (i == 8)
				console_putc(' ');
			if (i < n)
				kprintf(" %02x", bytes[i]);
			else
				console_puts("   ");
		}
		kprintf("  |%s|\n", ascii);
	}
	return ST_OK;
}

COMMAND(md,
	.name = "md",
	.usage = "<addr|sym[+off]> [len]",
	.summary = "dump memory, hex and ASCII, 16 bytes a line",
	.help = "  len defaults to 64 bytes, at most 64k; takes k/m suffixes.\n"
		"  Reads are fault-safe: an unreadable byte ends the dump with an error.",
	.run = cmd_md);
