#include "monitor/gdb/gdb_packet.h"
#include "monitor/shell/parse.h"

enum { RX_IDLE, RX_BODY, RX_ESCAPE, RX_SUM_HI, RX_SUM_LO };

void gdb_rx_init(struct gdb_rx *rx)
{
	rx->state = RX_IDLE;
	rx->len = 0;
}

static void start(struct gdb_rx *rx)
{
	rx->state = RX_BODY;
	rx->len = 0;
	rx->sum = 0;
	rx->overlong = false;
}

static void put(struct gdb_rx *rx, uint8_t c)
{
	if (rx->len < GDB_PACKET_MAX)
		rx->buf[rx->len++] = (char)c;
	else
		rx->overlong = true;	/* read on to '#', then refuse it whole */
}

enum gdb_rx_event gdb_rx_feed(struct gdb_rx *rx, uint8_t c)
{
	int d;

	switch (rx->state) {
	case RX_IDLE:
		if (c == '$')
			start(rx);
		return c == '+' ? GDB_RX_ACK : c == '-' ? GDB_RX_NAK :
		       c == 0x03 ? GDB_RX_INTERRUPT : GDB_RX_NONE;
	case RX_BODY:
		if (c == '$') {
			/* gdb gave up on the packet and sent another: refuse the first */
			start(rx);
			return GDB_RX_BAD;
		}
		if (c == '#') {
			rx->state = RX_SUM_HI;
			return GDB_RX_NONE;
		}
		rx->sum += c;
		if (c == '}')
			rx->state = RX_ESCAPE;
		else
			put(rx, c);
		return GDB_RX_NONE;
	case RX_ESCAPE:
		rx->sum += c;
		put(rx, c ^ 0x20);
		rx->state = RX_BODY;
		return GDB_RX_NONE;
	case RX_SUM_HI:
		if ((d = parse_hex_digit((char)c)) < 0) {
			rx->state = RX_IDLE;
			if (c == '$')
				start(rx);
			return GDB_RX_BAD;
		}
		rx->sent_sum = (uint8_t)(d << 4);
		rx->state = RX_SUM_LO;
		return GDB_RX_NONE;
	default:
		rx->state = RX_IDLE;
		if ((d = parse_hex_digit((char)c)) < 0) {
			if (c == '$')
				start(rx);
			return GDB_RX_BAD;
		}
		if (rx->overlong || (uint8_t)(rx->sent_sum | d) != rx->sum)
			return GDB_RX_BAD;
		rx->buf[rx->len] = '\0';
		return GDB_RX_PACKET;
	}
}

size_t gdb_frame(char *out, size_t n, const char *body, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	uint8_t sum = 0;

	if (n < 4)
		return 0;
	out[o++] = '$';
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)body[i];
		/* '*' too: gdb reads it as run-length encoding */
		bool esc = c == '$' || c == '#' || c == '}' || c == '*';

		if (o + (esc ? 2 : 1) + 3 > n)
			return 0;
		if (esc) {
			out[o++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out[o++] = (char)c;
		sum += c;
	}
	out[o++] = '#';
	out[o++] = hex[sum >> 4];
	out[o++] = hex[sum & 15];
	return o;
}

void gdb_hex_encode(char *out, const uint8_t *in, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
}

bool gdb_hex_decode(uint8_t *out, const char *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = parse_hex_digit(in[2 * i]), lo = parse_hex_digit(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool gdb_parse_hex(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	unsigned int digits = 0;
	int d;

	*v = 0;
	while (s < end && (d = parse_hex_digit(*s)) >= 0) {
		if (++digits > 16)
			return false;
		*v = *v << 4 | (uint64_t)d;
		s++;
	}
	if (!digits)
		return false;
	*p = s;
	return true;
}
