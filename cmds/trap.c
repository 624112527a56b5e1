/* Raise an exception on purpose, to see (and test) the exception report. */
#include "monitor/bootinfo.h"
#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/nmi/nmi_ipi.h"
#include "monitor/lib/string.h"

#define UNMAPPED_ADDR		0xffff800000000000ull	/* no page tables there */
#define NONCANONICAL_ADDR	0x0000800000000000ull

static void overflow_in_nmi(uint64_t depth);

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
	} else if (strcmp(argv[1], "nmi-overflow") == 0) {
		nmi_ipi_set_action(overflow_in_nmi);
		nmi_ipi_send_self();
		return errorf("the NMI stack did not overflow");
	} else {
		return errorf("unknown trap '%s' (de, ud, gp, pf, bp, nmi-overflow)", argv[1]);
	}
	return errorf("%s did not trap", argv[1]);
}

/* NMI context, on purpose: recurse until the NMI stack runs into its guard
 * page. The #PF cannot be delivered on that stack, so the CPU raises #DF,
 * which has its own IST stack and reports. */
static volatile uint64_t overflow_limit = ~0ull;	/* volatile: the compiler cannot see the end */

static void overflow_in_nmi(uint64_t depth)
{
	volatile char frame[512];

	frame[0] = (char)depth;
	if (depth < overflow_limit)
		overflow_in_nmi(depth + 1);
	frame[1] = frame[0];	/* keeps the call from being a tail call */
}

COMMAND(trap,
	.name = "trap",
	.usage = "de|ud|gp|pf|bp|nmi-overflow",
	.summary = "raise that exception from a command, to see the report",
	.help = "  nmi-overflow overflows the NMI stack into its guard page from an NMI:\n"
		"  the #DF report on its own stack, then a halt (never a triple fault).",
	.run = cmd_trap);
