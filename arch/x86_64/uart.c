/* 16550 UART driver: 8N1, polled output, interrupt-driven input, on the
 * port console_port_choose picked (COM1 until then). */
#include "uart.h"
#include "cpu.h"

#define UART_CLOCK_DIV	115200	/* 1.8432 MHz / 16 */
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

static uint16_t base = 0x3F8;
static uint8_t irq_line = 4;

void uart_init(uint16_t port, uint32_t baud, uint8_t irq)
{
	uint32_t div = UART_CLOCK_DIV / baud;

	base = port;
	irq_line = irq;
	outb(base + UART_IER, 0);
	outb(base + UART_LCR, UART_LCR_DLAB);
	outb(base + UART_DLL, (uint8_t)div);
	outb(base + UART_DLM, (uint8_t)(div >> 8));
	outb(base + UART_LCR, UART_LCR_8N1);
	outb(base + UART_FCR, 0x07);	/* enable and clear FIFOs, 1-byte trigger */
	outb(base + UART_MCR, UART_MCR_DTR_RTS_OUT2);
}

uint8_t uart_irq(void)
{
	return irq_line;
}

void uart_set_rx_irq(bool on)
{
	outb(base + UART_IER, on ? UART_IER_RDA : 0);
}

void uart_putc(char c)
{
	while (!(inb(base + UART_LSR) & UART_LSR_THRE))
		cpu_relax();
	outb(base + UART_THR, (uint8_t)c);
}

bool uart_rx_ready(void)
{
	return inb(base + UART_LSR) & UART_LSR_DR;
}

uint8_t uart_getc_raw(void)
{
	return inb(base + UART_RBR);
}
