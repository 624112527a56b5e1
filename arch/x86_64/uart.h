/* 16550 UART, 8N1 (the console: COM1 at 115200 until the boot options and
 * ACPI have been read, see monitor/shell/console_port.h). */
#ifndef ARCH_UART_H
#define ARCH_UART_H

#include <stdbool.h>
#include <stdint.h>

/* baud divides 115200; irq: its 8259 line, or UART_NO_IRQ (idle polls) */
void uart_init(uint16_t port, uint32_t baud, uint8_t irq);
uint8_t uart_irq(void);
void uart_putc(char c);		/* polls THRE; no lock, so any context may interrupt it */
bool uart_rx_ready(void);
uint8_t uart_getc_raw(void);	/* caller checked uart_rx_ready() */
void uart_set_rx_irq(bool on);	/* the received-data interrupt */

#define UART_NO_IRQ 0xff

#endif
