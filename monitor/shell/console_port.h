/*
 * Which serial port is the console (portable: unit-tested and fuzzed). In
 * order: the boot option serial=com1|com2|com3|com4|0xPORT[,BAUD] (an
 * explicit choice wins, as Linux's console= does over SPCR), else the port
 * the firmware's ACPI SPCR table names, else COM1 at 115200. The reason is
 * kept for `info`.
 */
#ifndef MONITOR_CONSOLE_PORT_H
#define MONITOR_CONSOLE_PORT_H

#include <stdint.h>
#include "monitor/acpi/acpi.h"

#define CONSOLE_NO_IRQ	0xff

enum console_source { CONSOLE_DEFAULT, CONSOLE_OPTION, CONSOLE_SPCR };

struct console_port {
	uint16_t port;
	uint32_t baud;
	uint8_t irq;		/* 8259 line, CONSOLE_NO_IRQ if unknown */
	enum console_source source;
	char why[112];
};

/* "com2", "0x2f8,9600": 0, or -1 if s is not one. BAUD must divide the
 * UART's 115200 base rate; without it, 115200. */
int console_port_parse(const char *s, uint16_t *port, uint32_t *baud);

/* option: the value after serial= (NULL without one); spcr: the parsed SPCR
 * (NULL without one). */
void console_port_choose(const char *option, const struct acpi_spcr *spcr, struct console_port *out);

#endif
