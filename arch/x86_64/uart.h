/* 16550 UART on COM1, 115200 8N1. */
#ifndef ARCH_UART_H
#define ARCH_UART_H

#include <stdbool.h>
#include <stdint.h>

void uart_init(void);
void uart_putc(char c);		/* polls THRE; no lock, so any context may interrupt it */
bool uart_rx_ready(void);
uint8_t uart_getc_raw(void);	/* caller checked uart_rx_ready() */
void uart_set_rx_irq(bool on);	/* the received-data interrupt */

#define COM1_IRQ 4

#endif
