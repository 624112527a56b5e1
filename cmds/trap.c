/* Raise an exception on purpose, to see (and test) the exception report. */
#include "monitor/bootinfo.h"
#include "monitor/command.h"
#include "monitor/console.h"
#include "monitor/string.h"

#define UNMAPPED_ADDR		0xffff800000000000ull	/* no page tables there */
#define NONCANONICAL_ADDR	0x0000800000000000ull

static int cmd_trap(int argc, char **argv)
{
	if (argc != 2)
		return ST_USAGE;
	if (strcmp(argv[1], "bp") == 0 && bootinfo_has_option("quirk=no-int3"))
		return errorf("int3 stops this hypervisor (boot option quirk=no-int3)");
	kprintf("raising %s\n", argv[1]);
	if (strcmp(argv[1], "de") == 0) {
		unsigned long zero = 0, q;

		__asm__ volatile("xor %%edx, %%edx; div %2" : "=a"(q) : "a"(1ul), "r"(zero) : "rdx");
	} else if (strcmp(argv[1], "ud") == 0) {
		__asm__ volatile("ud2");
	} else if (strcmp(argv[1], "gp") == 0) {
		__asm__ volatile("mov (%0), %%rax" : : "r"(NONCANONICAL_ADDR) : "rax", "memory");
	} else if (strcmp(argv[1], "pf") == 0) {
		__asm__ volatile("mov (%0), %%rax" : : "r"(UNMAPPED_ADDR) : "rax", "memory");
	} else if (strcmp(argv[1], "bp") == 0) {
		__asm__ volatile("int3");
	} else {
		return errorf("unknown trap '%s' (de, ud, gp, pf, bp)", argv[1]);
	}
	return errorf("%s did not trap", argv[1]);
}

COMMAND(trap,
	.name = "trap",
	.usage = "de|ud|gp|pf|bp",
	.summary = "raise that exception from a command, to see the report",
	.run = cmd_trap);
