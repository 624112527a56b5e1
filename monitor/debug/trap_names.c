#include "monitor/debug/trap_names.h"

static const struct {
	const char *mnemonic, *name;
} names[32] = {
	[0] = { "#DE", "divide error" },
	[1] = { "#DB", "debug exception" },
	[2] = { "NMI", "non-maskable interrupt" },
	[3] = { "#BP", "breakpoint" },
	[4] = { "#OF", "overflow" },
	[5] = { "#BR", "bound range exceeded" },
	[6] = { "#UD", "invalid opcode" },
	[7] = { "#NM", "device not available" },
	[8] = { "#DF", "double fault" },
	[9] = { "#MF", "coprocessor segment overrun" },
	[10] = { "#TS", "invalid TSS" },
	[11] = { "#NP", "segment not present" },
	[12] = { "#SS", "stack-segment fault" },
	[13] = { "#GP", "general protection fault" },
	[14] = { "#PF", "page fault" },
	[16] = { "#MF", "x87 floating-point error" },
	[17] = { "#AC", "alignment check" },
	[18] = { "#MC", "machine check" },
	[19] = { "#XM", "SIMD floating-point exception" },
	[20] = { "#VE", "virtualization exception" },
	[21] = { "#CP", "control protection exception" },
	[28] = { "#HV", "hypervisor injection exception" },
	[29] = { "#VC", "VMM communication exception" },
	[30] = { "#SX", "security exception" },
};

const char *trap_name(unsigned int v)
{
	if (v < 32 && names[v].name)
		return names[v].name;
	return v < 32 ? "reserved exception" : "interrupt";
}

const char *trap_mnemonic(unsigned int v)
{
	if (v < 32 && names[v].mnemonic)
		return names[v].mnemonic;
	return v < 32 ? "#??" : "IRQ";
}
