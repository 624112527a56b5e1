#include "monitor/shell/console_port.h"
#include "monitor/lib/fmt.h"
#include "monitor/lib/string.h"

#define UART_BASE_BAUD	115200

static const uint16_t com_ports[4] = { 0x3F8, 0x2F8, 0x3E8, 0x2E8 };

/* The PC convention: COM1 and COM3 share IRQ 4, COM2 and COM4 IRQ 3. */
static uint8_t legacy_irq(uint16_t port)
{
	if (port == 0x3F8 || port == 0x3E8)
		return 4;
	if (port == 0x2F8 || port == 0x2E8)
		return 3;
	return CONSOLE_NO_IRQ;
}

static int parse_number(const char *s, size_t n, unsigned int base, uint32_t max, uint32_t *out)
{
	uint32_t v = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -1;
		if (d >= base || v > (max - d) / base)
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

int console_port_parse(const char *s, uint16_t *port, uint32_t *baud)
{
	const char *comma = strchr(s, ',');
	size_t n = comma ? (size_t)(comma - s) : strlen(s);
	uint32_t p, b = UART_BASE_BAUD;

	if (n == 4 && strncmp(s, "com", 3) == 0 && s[3] >= '1' && s[3] <= '4')
		p = com_ports[s[3] - '1'];
	/* a UART has 8 registers: the last must be a port too */
	else if (!(n > 2 && s[0] == '0' && s[1] == 'x' && parse_number(s + 2, n - 2, 16, 0xFFF8, &p) == 0 && p))
		return -1;
	if (comma && (parse_number(comma + 1, strlen(comma + 1), 10, UART_BASE_BAUD, &b) != 0 || b == 0 ||
		      UART_BASE_BAUD % b != 0))
		return -1;
	/* written only on success: the caller's default stays otherwise */
	*port = (uint16_t)p;
	*baud = b;
	return 0;
}

static void from_spcr(const struct acpi_spcr *spcr, struct console_port *out, const char *prefix)
{
	out->source = CONSOLE_SPCR;
	out->port = (uint16_t)spcr->address;
	out->baud = spcr->baud ? spcr->baud : UART_BASE_BAUD;
	out->irq = spcr->irq_type & 1 ? spcr->irq : legacy_irq(out->port);
	if (out->irq > 15)
		out->irq = legacy_irq(out->port);
	fmt_snprintf(out->why, sizeof(out->why), "%sACPI SPCR names I/O port 0x%x%s", prefix,
		     out->port, spcr->baud ? "" : " (baud as left: 115200 assumed)");
}

static bool spcr_io_usable(const struct acpi_spcr *spcr)
{
	return spcr->space == ACPI_SPACE_IO && spcr->address && spcr->address <= 0xFFF8;
}

void console_port_choose(const char *option, const struct acpi_spcr *spcr, struct console_port *out)
{
	char bad[48] = "";

	*out = (struct console_port){ .port = com_ports[0], .baud = UART_BASE_BAUD, .irq = 4,
				      .source = CONSOLE_DEFAULT };
	if (option) {
		if (console_port_parse(option, &out->port, &out->baud) == 0) {
			out->source = CONSOLE_OPTION;
			out->irq = legacy_irq(out->port);
			fmt_snprintf(out->why, sizeof(out->why), "boot option serial=%.24s", option);
			return;
		}
		fmt_snprintf(bad, sizeof(bad), "serial=%.16s is invalid; ", option);
	}
	if (spcr && spcr_io_usable(spcr)) {
		from_spcr(spcr, out, bad);
		return;
	}
	if (spcr && spcr->space == ACPI_SPACE_MEMORY)
		fmt_snprintf(out->why, sizeof(out->why),
			     "%sACPI SPCR names an MMIO UART at 0x%lx, not supported yet: COM1 default",
			     bad, (unsigned long)spcr->address);
	else if (spcr)
		fmt_snprintf(out->why, sizeof(out->why),
			     "%sACPI SPCR names address space %u at 0x%lx, not usable: COM1 default",
			     bad, spcr->space, (unsigned long)spcr->address);
	else
		fmt_snprintf(out->why, sizeof(out->why), "%sno ACPI SPCR%s: COM1 default", bad,
			     option ? "" : ", no serial= boot option");
}
