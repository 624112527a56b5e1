/*
 * Console: the serial line. Output is polled and lock-free, so an NMI or
 * exception may interrupt it at any instruction and a report may print from
 * anywhere (NMI context itself never prints: ARCHITECTURE.md). Input arrives
 * by the UART interrupt into a small ring that the shell drains.
 */
#ifndef MONITOR_CONSOLE_H
#define MONITOR_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void console_putc(char c);		/* '\n' goes out as CRLF */
void console_puts(const char *s);
int kprintf(const char *f, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *f, va_list ap);
/* "error: ..." and a newline; returns ST_REPORTED for a command to return */
int errorf(const char *f, ...) __attribute__((format(printf, 1, 2)));

void console_queue_byte_in_nmi(unsigned char c);
uint64_t console_rx_dropped_in_nmi(void);	/* bytes lost there: the ring was full */
uint64_t console_rx_taken_in_nmi(void);	/* bytes queued there or lost */
int console_getc(void);			/* waits (HLT) for a byte */
int console_trygetc(void);		/* -1 when nothing is queued */
/* Interrupt context: queue received bytes. With want_break, a Ctrl-C is
 * taken out of the input and reported (true): the caller stops the command. */
bool console_rx_interrupt(bool want_break);

#endif
