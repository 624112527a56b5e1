#include "tests/unit/unit.h"
#include "monitor/gdb/gdb_packet.h"

static struct gdb_rx rx;

/* Feed s; return the last event that was not NONE (NONE if there was none)
 * and count the events of each kind. */
static enum gdb_rx_event feed(const char *s, size_t n, unsigned int *counts)
{
	enum gdb_rx_event last = GDB_RX_NONE;

	for (size_t i = 0; i < n; i++) {
		enum gdb_rx_event e = gdb_rx_feed(&rx, (uint8_t)s[i]);

		if (counts)
			counts[e]++;
		if (e != GDB_RX_NONE)
			last = e;
	}
	return last;
}

#define FEED(s) feed(s, sizeof(s) - 1, NULL)

UNIT_TEST(gdb_packet_good_checksum_is_a_packet)
{
	gdb_rx_init(&rx);
	CHECK_EQ_U64(FEED("$qSupported:multiprocess+#c6"), GDB_RX_PACKET);
	CHECK_STREQ(rx.buf, "qSupported:multiprocess+");
	CHECK_EQ_U64(FEED("$g#67"), GDB_RX_PACKET);
	CHECK_STREQ(rx.buf, "g");
	CHECK_EQ_U64(FEED("$#00"), GDB_RX_PACKET);	/* empty body */
	CHECK_EQ_U64(rx.len, 0);
	CHECK_EQ_U64(FEED("$g#6"), GDB_RX_NONE);	/* not finished */
	CHECK_EQ_U64(FEED("7"), GDB_RX_PACKET);
}

UNIT_TEST(gdb_packet_checksum_upper_case_hex_is_accepted)
{
	gdb_rx_init(&rx);
	CHECK_EQ_U64(FEED("$qSupported:multiprocess+#C6"), GDB_RX_PACKET);
}

UNIT_TEST(gdb_packet_bad_checksum_truncation_and_junk_are_refused)
{
	unsigned int counts[6] = { 0 };

	gdb_rx_init(&rx);
	CHECK_EQ_U64(FEED("$g#68"), GDB_RX_BAD);
	CHECK_EQ_U64(FEED("$g#6x"), GDB_RX_BAD);
	CHECK_EQ_U64(FEED("$g#x"), GDB_RX_BAD);
	/* a new '$' cuts the packet short; the new one still parses */
	CHECK_EQ_U64(feed("$m0,4$g#67", 10, counts), GDB_RX_PACKET);
	CHECK_EQ_U64(counts[GDB_RX_BAD], 1);
	CHECK_EQ_U64(counts[GDB_RX_PACKET], 1);
	/* '$' in place of a checksum digit: refused, and starts a packet */
	CHECK_EQ_U64(FEED("$g#$g#67"), GDB_RX_PACKET);
	/* junk between packets is ignored; + - and ^C outside are events */
	CHECK_EQ_U64(FEED("xyz"), GDB_RX_NONE);
	CHECK_EQ_U64(FEED("+"), GDB_RX_ACK);
	CHECK_EQ_U64(FEED("-"), GDB_RX_NAK);
	CHECK_EQ_U64(FEED("\x03"), GDB_RX_INTERRUPT);
	/* inside a packet they are data */
	CHECK_EQ_U64(feed("$+-\x03#5b", 7, NULL), GDB_RX_PACKET);
	CHECK_EQ_U64(rx.len, 3);
}

UNIT_TEST(gdb_packet_overlong_is_refused_whole_and_the_next_parses)
{
	static char big[GDB_PACKET_MAX + 16];
	unsigned int sum = 0;
	char tail[4];

	gdb_rx_init(&rx);
	big[0] = '$';
	for (size_t i = 1; i <= GDB_PACKET_MAX + 1; i++) {
		big[i] = 'a';
		sum += 'a';
	}
	snprintf(tail, sizeof(tail), "#%02x", sum & 0xff);
	CHECK_EQ_U64(feed(big, GDB_PACKET_MAX + 2, NULL), GDB_RX_NONE);
	CHECK_EQ_U64(feed(tail, 3, NULL), GDB_RX_BAD);
	CHECK_EQ_U64(FEED("$g#67"), GDB_RX_PACKET);
	/* exactly the maximum is accepted */
	sum -= 'a';
	snprintf(tail, sizeof(tail), "#%02x", sum & 0xff);
	feed(big, GDB_PACKET_MAX + 1, NULL);
	CHECK_EQ_U64(feed(tail, 3, NULL), GDB_RX_PACKET);
	CHECK_EQ_U64(rx.len, GDB_PACKET_MAX);
}

UNIT_TEST(gdb_packet_escapes_decode_and_count_in_the_checksum)
{
	/* X data 0x23 0x24 0x7d 0x2a as gdb sends it: }\x03 }\x04 }] }\x0a */
	static const char in[] = "$X0,4:}\x03}\x04}]}\x0a#";
	unsigned int sum = 0;
	char pkt[64];
	size_t n = sizeof(in) - 1;

	for (size_t i = 1; i < n - 1; i++)
		sum += (uint8_t)in[i];
	memcpy(pkt, in, n);
	snprintf(pkt + n, sizeof(pkt) - n, "%02x", sum & 0xff);
	gdb_rx_init(&rx);
	CHECK_EQ_U64(feed(pkt, n + 2, NULL), GDB_RX_PACKET);
	CHECK_EQ_U64(rx.len, 9);
	CHECK(memcmp(rx.buf, "X0,4:#$}*", 9) == 0);
}

UNIT_TEST(gdb_frame_escapes_and_round_trips)
{
	static const char body[] = "O#$}*x";
	char out[32];
	size_t n = gdb_frame(out, sizeof(out), body, 6);

	CHECK_EQ_U64(n, 1 + 10 + 3);
	CHECK(memcmp(out, "$O}\x03}\x04}]}\x0ax#", 12) == 0);
	gdb_rx_init(&rx);
	CHECK_EQ_U64(feed(out, n, NULL), GDB_RX_PACKET);
	CHECK(rx.len == 6 && memcmp(rx.buf, body, 6) == 0);
	CHECK_EQ_U64(gdb_frame(out, 13, body, 6), 0);	/* no room: nothing */
	n = gdb_frame(out, sizeof(out), "OK", 2);
	CHECK(n == 6 && memcmp(out, "$OK#9a", 6) == 0);
}

UNIT_TEST(gdb_hex_encode_decode_and_parse)
{
	uint8_t bytes[4] = { 0x00, 0x7f, 0xab, 0xff }, back[4];
	char hex[8];
	const char *p, *s;
	uint64_t v;

	gdb_hex_encode(hex, bytes, 4);
	CHECK(memcmp(hex, "007fabff", 8) == 0);
	CHECK(gdb_hex_decode(back, "007FABff", 4));
	CHECK(memcmp(back, bytes, 4) == 0);
	CHECK(!gdb_hex_decode(back, "0g", 1));
	s = "ffffffff80100000,10";
	p = s;
	CHECK(gdb_parse_hex(&p, s + strlen(s), &v));
	CHECK_EQ_U64(v, 0xffffffff80100000ull);
	CHECK(*p == ',');
	s = ",10";
	p = s;
	CHECK(!gdb_parse_hex(&p, s + 3, &v));	/* no digit */
	s = "10000000000000000";
	p = s;
	CHECK(!gdb_parse_hex(&p, s + strlen(s), &v));	/* 17 digits */
}
