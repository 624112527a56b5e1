#include "monitor/shell/console.h"
#include "monitor/bootinfo.h"
#include "monitor/gdb/gdb_stub.h"
#include "monitor/lib/fmt.h"
#include "monitor/lib/status.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/uart.h"

#define RX_RING 256	/* power of two */
#define CTRL_C 0x03

/* Single producer (the UART interrupt), single consumer (the shell). */
static volatile unsigned char rx_ring[RX_RING];
static volatile unsigned int rx_head, rx_tail;

void console_putc(char c)
{
	if (gdb_console_putc(c))
		return;		/* gdb owns the line: never raw bytes between its packets */
	if (c == '\n')
		uart_putc('\r');
	uart_putc(c);
}

void console_puts(const char *s)
{
	while (*s)
		console_putc(*s++);
}

static void sink(void *ctx, char c)
{
	(void)ctx;
	console_putc(c);
}

int kvprintf(const char *f, va_list ap)
{
	return fmt_vformat(sink, NULL, f, ap);
}

int kprintf(const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = kvprintf(f, ap);
	va_end(ap);
	return n;
}

int errorf(const char *f, ...)
{
	va_list ap;

	console_puts("error: ");
	va_start(ap, f);
	kvprintf(f, ap);
	va_end(ap);
	console_putc('\n');
	return ST_REPORTED;
}

/*
 * Back-pressure instead of loss: when the ring is full, leave the bytes in
 * the UART and mask its RX interrupt until the shell has made room. QEMU
 * then holds further input back (it only sends into a FIFO with room); a
 * real line without flow control can still overrun the 16-byte FIFO.
 */
static volatile bool rx_throttled;

bool console_rx_interrupt(bool want_break)
{
	while (uart_rx_ready()) {
		unsigned char c;

		if (rx_head - rx_tail == RX_RING) {
			rx_throttled = true;
			uart_set_rx_irq(false);
			return false;
		}
		c = uart_getc_raw();
		if (want_break && c == CTRL_C)
			return true;	/* consumed: it stops the command instead */
		rx_ring[rx_head % RX_RING] = c;
		__asm__ volatile("" : : : "memory");
		rx_head++;
	}
	return false;
}

/* NMI context, only while neither the interrupt handler nor the shell can
 * be using the ring (nmi_timer.c says when). */
static volatile uint64_t rx_taken_in_nmi, rx_dropped_in_nmi;

/* NMI context cannot hold input back as the interrupt path does (the UART
 * byte is already read): a byte that finds the ring full is lost, and counted. */
void console_queue_byte_in_nmi(unsigned char c)
{
	rx_taken_in_nmi++;
	if (rx_head - rx_tail == RX_RING) {
		rx_dropped_in_nmi++;
		return;
	}
	rx_ring[rx_head % RX_RING] = c;
	__asm__ volatile("" : : : "memory");
	rx_head++;
}

uint64_t console_rx_dropped_in_nmi(void)
{
	return rx_dropped_in_nmi;
}

uint64_t console_rx_taken_in_nmi(void)
{
	return rx_taken_in_nmi;
}

int console_trygetc(void)
{
	int c;

	if (rx_tail == rx_head) {
		/* bytes that arrived while interrupts were off are still in the
		 * UART FIFO: take them now rather than wait for another IRQ */
		uint64_t fl = read_rflags();

		cli();
		console_rx_interrupt(false);
		if (fl & X86_RFLAGS_IF)
			sti();
		if (rx_tail == rx_head)
			return -1;
	}
	c = rx_ring[rx_tail % RX_RING];
	__asm__ volatile("" : : : "memory");
	rx_tail++;
	if (rx_throttled && rx_head - rx_tail < RX_RING / 2) {
		rx_throttled = false;
		uart_set_rx_irq(true);
	}
	return c;
}

int console_getc(void)
{
	static int poll = -1;

	if (poll < 0)
		poll = bootinfo_has_option("idle=poll") || uart_irq() == UART_NO_IRQ;
	for (;;) {
		int c;

		/* Another CPU's stopped shell reads the UART itself: its
		 * interrupt goes to the bootstrap CPU, which is parked, maybe
		 * half-way through an update of the input ring (leave it be). */
		if (this_cpu()->cpu != 0) {
			while (!uart_rx_ready())
				cpu_relax();
			return uart_getc_raw();
		}
		if (poll) {
			/* boot option idle=poll: for -icount runs (tools/qemu.py);
			 * or a console UART whose IRQ line is unknown */
			c = console_trygetc();
			if (c >= 0)
				return c;
			cpu_relax();
			continue;
		}
		cli();
		if (rx_tail != rx_head || uart_rx_ready()) {
			sti();
			c = console_trygetc();
			if (c >= 0)
				return c;
			continue;
		}
		sti_hlt();	/* the RX interrupt wakes us */
	}
}
