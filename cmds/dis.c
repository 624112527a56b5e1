#include "monitor/debug/insn_boundary.h"
#include "monitor/lib/fmt.h"
#include "monitor/lib/symbols.h"
#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/shell/parse.h"

#define DIS_DEFAULT	16
#define DIS_MAX		256

static int dis_error(const struct insn_error *e)
{
	char why[FAULT_TEXT_MAX], sym[64];

	symtab_format(&kernel_symtab, e->addr, sym, sizeof(sym));
	if (e->fault)
		return errorf("cannot read 0x%lx %s: %s", e->addr, sym,
			      fault_text(e->fault, e->addr, why, sizeof(why)));
	return errorf("0x%lx %s: not a valid x86-64 instruction", e->addr, sym);
}

static int cmd_dis(int argc, char **argv)
{
	uint64_t addr, start, n = DIS_DEFAULT;
	struct insn in;
	struct insn_error err;
	uint8_t bytes[INSN_MAX_LEN];
	char sym[64], sym2[64], hex[3 * INSN_MAX_LEN];
	int st;

	if (argc < 2 || argc > 3)
		return ST_USAGE;
	if ((st = parse_addr(&kernel_symtab, argv[1], &addr)) != ST_OK)
		return errorf("bad address '%s': %s", argv[1], status_message(st));
	if (argc == 3 && (st = parse_u64(argv[2], &n)) != ST_OK)
		return errorf("bad count '%s': %s", argv[2], status_message(st));
	if (n == 0 || n > DIS_MAX)
		return errorf("count %lu out of range (1 to %u)", n, DIS_MAX);
	/* decoding from the middle of an instruction lists garbage that looks
	 * like code: refuse it where the containing symbol tells */
	if (insn_at(addr, &in, &start, NULL) == INSN_INSIDE)
		return errorf("0x%lx %s is inside the %u-byte instruction at 0x%lx %s", addr,
			      symtab_format(&kernel_symtab, addr, sym, sizeof(sym)), in.len, start,
			      symtab_format(&kernel_symtab, start, sym2, sizeof(sym2)));

	for (uint64_t i = 0; i < n; i++, addr += in.len) {
		if (insn_read(addr, &in, bytes, &err) < 0)
			return dis_error(&err);
		for (unsigned int b = 0, p = 0; b < in.len; b++)
			p += fmt_snprintf(hex + p, sizeof(hex) - p, "%s%02x", b ? " " : "", bytes[b]);
		kprintf("%016lx %-32s %-44s %2u\n", addr,
			symtab_format(&kernel_symtab, addr, sym, sizeof(sym)), hex, in.len);
	}
	return ST_OK;
}

COMMAND(dis,
	.name = "dis",
	.usage = "<addr|sym[+off]> [n]",
	.summary = "list n instructions: address, symbol+offset, bytes, length",
	.help = "  n defaults to 16, at most 256. Lengths come from the x86-64 decoder;\n"
		"  no mnemonics. Reads are fault-safe; a breakpoint's int3 shows the byte\n"
		"  it replaced. An address inside an instruction is refused.",
	.run = cmd_dis);
