#ifndef MONITOR_CONSOLE_BOOT_H
#define MONITOR_CONSOLE_BOOT_H

#include "monitor/shell/console_port.h"

/* After bootinfo_parse, before paging_init (the ACPI search reads low memory). */
void console_boot_select(void);
const struct console_port *console_boot_port(void);

#endif
