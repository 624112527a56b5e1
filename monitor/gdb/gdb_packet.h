/*
 * The GDB remote serial protocol's packet layer (portable: host unit tests
 * build it). Framing is "$body#xx": xx is the modulo-256 sum of the body's
 * bytes as sent; '}' escapes the next byte (XOR 0x20). Outside a packet,
 * '+' and '-' acknowledge, and 0x03 is gdb's interrupt.
 */
#ifndef MONITOR_GDB_PACKET_H
#define MONITOR_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GDB_PACKET_MAX	4096	/* body bytes, unescaped; qSupported's PacketSize */

enum gdb_rx_event {
	GDB_RX_NONE,		/* keep feeding */
	GDB_RX_PACKET,		/* a good packet: rx->buf, rx->len (answer '+') */
	GDB_RX_BAD,		/* bad checksum, overlong, or cut short by '$' (answer '-') */
	GDB_RX_ACK,		/* '+' outside a packet */
	GDB_RX_NAK,		/* '-' outside a packet: send the last packet again */
	GDB_RX_INTERRUPT,	/* 0x03 outside a packet */
};

struct gdb_rx {
	int state;
	uint8_t sum, sent_sum;
	bool overlong;
	size_t len;
	char buf[GDB_PACKET_MAX + 1];	/* NUL-terminated for the parsers; may hold NULs */
};

void gdb_rx_init(struct gdb_rx *rx);
enum gdb_rx_event gdb_rx_feed(struct gdb_rx *rx, uint8_t c);

/* Frame body into out: '$', escaped body, '#', checksum. Returns the
 * length, or 0 if out (n bytes) is too small. */
size_t gdb_frame(char *out, size_t n, const char *body, size_t len);

/* Bytes to 2n lowercase hex digits in out (no NUL). */
void gdb_hex_encode(char *out, const uint8_t *in, size_t n);
/* 2n hex digits to n bytes; false on a non-hex digit. */
bool gdb_hex_decode(uint8_t *out, const char *in, size_t n);
/* A hex number at *p (at least one digit, at most 16): advances *p past
 * it. False if there is none or it overflows 64 bits. */
bool gdb_parse_hex(const char **p, const char *end, uint64_t *v);

#endif
