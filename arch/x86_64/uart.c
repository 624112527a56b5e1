/* 16550 UART driver: COM1, 115200 8N1, polled output, interrupt-driven input. */
#include "uart.h"
#include "cpu.h"

#define COM1		0x3F8
#define UART_RBR	0	/* receive buffer (DLAB=0) */
#define UART_THR	0	/* transmit holding (DLAB=0) */
#define UART_IER	1
#define UART_DLL	0	/* divisor latch (DLAB=1) */
#define UART_DLM	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_LCR_DLAB	0x80
#define UART_LCR_8N1	0x03
#define UART_LSR_DR	0x01
#define UART_LSR_THRE	0x20
#define UART_MCR_DTR_RTS_OUT2 0x0B	/* OUT2 gates the IRQ line on PC UARTs */
#define UART_IER_RDA	0x01

void uart_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1 + UART_DLL, 1);	/* 115200 = 1843200 / 16 / 1 */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, UART_LCR_8N1);
	outb(COM1 + UART_FCR, 0x07);	/* enable and clear FIFOs, 1-byte trigger */
	outb(COM1 + UART_MCR, UART_MCR_DTR_RTS_OUT2);
}

void uart_set_rx_irq(bool on)
{
	outb(COM1 + UART_IER, on ? UART_IER_RDA : 0);
}

void uart_putc(char c)
{
	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
		cpu_relax();
	outb(COM1 + UART_THR, (uint8_t)c);
}

bool uart_rx_ready(void)
{
	return inb(COM1 + UART_LSR) & UART_LSR_DR;
}

uint8_t uart_getc_raw(void)
{
	return inb(COM1 + UART_RBR);
}
