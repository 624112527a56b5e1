/* Moving the console to the port console_port_choose picks, once the boot
 * options and the ACPI tables can be read. */
#include "monitor/shell/console_boot.h"
#include "monitor/acpi/acpi_boot.h"
#include "monitor/bootinfo.h"
#include "arch/x86_64/uart.h"

_Static_assert(CONSOLE_NO_IRQ == UART_NO_IRQ, "one value for 'no IRQ line'");

static struct console_port chosen;

void console_boot_select(void)
{
	char option[40];
	struct acpi_spcr spcr;
	bool have_spcr = acpi_boot_spcr(&spcr) == 0;

	console_port_choose(bootinfo_option_value("serial=", option, sizeof(option)),
			    have_spcr ? &spcr : NULL, &chosen);
	uart_init(chosen.port, chosen.baud, chosen.irq);
}

const struct console_port *console_boot_port(void)
{
	return &chosen;
}
