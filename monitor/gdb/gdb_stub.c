/*
 * The stub's protocol loop. All-stop, one thread per CPU (only the
 * bootstrap CPU runs the shell today: thread 1). How it fits the shell:
 * - Attached, the shell loop calls gdb_serve instead of printing a prompt.
 *   At the top level the target is the shell itself: its registers are
 *   the ones captured there, and resuming it means running the `monitor`
 *   commands gdb queued (a workload), whose breakpoints then stop as usual.
 * - A stop (breakpoint, step, watchpoint, Ctrl-C) runs a nested shell
 *   loop: there gdb_serve sends the stop reply gdb is waiting for and
 *   serves packets on the stopped frame until c or s sets the action.
 * - While it serves packets, stops are held (stop_hold): a breakpoint hit
 *   by what a packet runs (m, qRcmd) only counts, since gdb cannot take a
 *   stop reply in the middle of another reply.
 * Replies are sent without waiting for gdb's '+': a '-' resends the last
 * one, and a lost '+' costs nothing, so a bad line never hangs the stub.
 */
#include "monitor/gdb/gdb_stub.h"
#include "monitor/gdb/gdb_packet.h"
#include "monitor/gdb/gdb_points.h"
#include "monitor/gdb/gdb_regs.h"
#include "monitor/gdb/target_xml.h"
#include "monitor/debug/breakpoint.h"
#include "monitor/debug/watchpoint.h"
#include "monitor/lib/fmt.h"
#include "monitor/lib/string.h"
#include "monitor/mem/memaccess.h"
#include "monitor/shell/command.h"
#include "monitor/shell/console.h"
#include "monitor/shell/line_edit.h"
#include "monitor/shell/parse.h"
#include "monitor/shell/shell.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/uart.h"

#define SIGINT	2
#define SIGTRAP	5
#define DEFERRED_MAX 4
#define OUT_LINE 120	/* console bytes per O packet */

enum action { KEEP, RESUME, STEP, DETACH };

static bool attached;
static struct gdb_rx rx;
static char reply[GDB_PACKET_MAX + 1];
static char tx[2 * GDB_PACKET_MAX + 8];
static size_t tx_len;

/* A stop reply is owed: gdb resumed the target and waits for it to stop. */
static bool owed, ran_deferred;
static struct { enum stop_reason why; unsigned int id; } note;

static char deferred[DEFERRED_MAX][LINE_MAX + 1];
static unsigned int deferred_head, deferred_count;

/* Console output goes to gdb (O packets) only where gdb reads them: while
 * it waits for a stop reply or for qRcmd's reply. */
static bool in_rcmd, holding, just_detached;
static bool first_packet;	/* the one gdb_probe read: served first */
static char out_line[OUT_LINE];
static size_t out_len;


bool gdb_attached(void)
{
	return attached;
}

bool gdb_late_ack(int c, bool line_empty)
{
	if (just_detached && c == '+' && line_empty)
		return true;
	just_detached = false;
	return false;
}

static void send(const char *body, size_t len)
{
	tx_len = gdb_frame(tx, sizeof(tx), body, len);
	for (size_t i = 0; i < tx_len; i++)
		uart_putc(tx[i]);
}

static void send_str(const char *s)
{
	send(s, strlen(s));
}

static void flush_output(void)
{
	char pkt[1 + 2 * OUT_LINE];

	if (!out_len)
		return;
	pkt[0] = 'O';
	gdb_hex_encode(pkt + 1, (const uint8_t *)out_line, out_len);
	send(pkt, 1 + 2 * out_len);
	out_len = 0;
}

bool gdb_console_putc(char c)
{
	if (!attached)
		return false;
	if (!owed && !in_rcmd)
		return true;	/* gdb would take an O packet for the reply it waits for */
	out_line[out_len++] = c;
	if (c == '\n' || out_len == OUT_LINE)
		flush_output();
	return true;
}

static void begin_session(void)
{
	attached = true;
	owed = false;
	ran_deferred = false;
	in_rcmd = false;
	out_len = 0;
	deferred_count = 0;
}

void gdb_attach(void)
{
	begin_session();
	gdb_rx_init(&rx);
}

bool gdb_probe(void)
{
	gdb_rx_init(&rx);
	gdb_rx_feed(&rx, '$');
	for (;;) {
		int c = console_getc();
		enum gdb_rx_event e;

		if (c == '\r' || c == '\n' || c == 0x03)
			return false;
		e = gdb_rx_feed(&rx, (uint8_t)c);
		if (e == GDB_RX_BAD)
			return false;
		if (e == GDB_RX_PACKET) {
			begin_session();
			first_packet = true;
			return true;
		}
	}
}

void gdb_note_stop(const struct trap_frame *f, enum stop_reason why, unsigned int id)
{
	(void)f;
	note.why = why;
	note.id = id;
}

bool gdb_next_deferred(char *line, size_t n)
{
	if (!deferred_count)
		return false;
	size_t len = strlen(deferred[deferred_head]);

	if (len >= n)
		len = n - 1;
	memcpy(line, deferred[deferred_head], len);
	line[len] = '\0';
	deferred_head = (deferred_head + 1) % DEFERRED_MAX;
	deferred_count--;
	ran_deferred = true;
	return true;
}

void gdb_command_aborted(void)
{
	if (holding) {
		holding = false;
		stop_hold(false);
	}
	if (in_rcmd) {
		in_rcmd = false;
		flush_output();
		send_str("E01");
	}
}

/* stopped: the reason noted by the stop; at the top level, top_sig: the
 * shell itself stands (SIGTRAP: attach, or the queued commands finished;
 * SIGINT: ^C while idle) */
static void send_stop(bool stopped, int top_sig)
{
	const struct watchpoint *w;
	int sig = SIGTRAP;
	const char *why = "";
	char addr[40] = "";

	if (!stopped) {
		sig = top_sig;
	} else if (note.why == STOP_BREAKPOINT) {
		why = "swbreak:;";
	} else if (note.why == STOP_BREAK) {
		sig = SIGINT;
	} else if (note.why == STOP_WATCH && (w = wp_find(note.id))) {
		if (w->kind == WP_EXEC) {
			why = "hwbreak:;";
		} else {
			why = w->kind == WP_WRITE ? "watch:" : "awatch:";
			fmt_snprintf(addr, sizeof(addr), "%lx;", w->addr);
		}
	}
	fmt_snprintf(reply, sizeof(reply), "T%02xthread:1;%s%s", sig, why, addr);
	send_str(reply);
	if (!stopped)
		ran_deferred = false;
}

/* "addr,len" then end or the separator sep */
static bool parse_addr_len(const char **p, const char *end, char sep, uint64_t *addr,
			   uint64_t *len)
{
	if (!gdb_parse_hex(p, end, addr) || *p >= end || **p != ',')
		return false;
	(*p)++;
	if (!gdb_parse_hex(p, end, len))
		return false;
	if (sep) {
		if (*p >= end || **p != sep)
			return false;
		(*p)++;
	} else if (*p != end) {
		return false;
	}
	return true;
}

static void read_memory(const char *p, const char *end)
{
	uint64_t addr, len, v;
	size_t i;

	if (!parse_addr_len(&p, end, 0, &addr, &len)) {
		send_str("E01");
		return;
	}
	if (len > (sizeof(reply) - 1) / 2)
		len = (sizeof(reply) - 1) / 2;
	for (i = 0; i < len; i++) {
		uint8_t b;

		if (mem_read(addr + i, 1, &v))
			break;
		b = (uint8_t)v;
		/* the text as it is without the int3s of breakpoints */
		for (unsigned int k = 0; bp_get(k); k++)
			if (bp_get(k)->used && bp_get(k)->addr == addr + i)
				b = bp_get(k)->bytes[0];
		gdb_hex_encode(reply + 2 * i, &b, 1);
	}
	if (i == 0 && len) {
		send_str("E14");	/* EFAULT */
		return;
	}
	send(reply, 2 * i);
}

static void write_memory(const char *p, const char *end, bool binary)
{
	uint64_t addr, len;

	if (!parse_addr_len(&p, end, ':', &addr, &len) ||
	    len != (uint64_t)(binary ? end - p : (end - p) / 2) || (!binary && (end - p) % 2)) {
		send_str("E01");
		return;
	}
	for (uint64_t i = 0; i < len; i++) {
		uint8_t b;

		if (binary)
			b = (uint8_t)p[i];
		else if (!gdb_hex_decode(&b, p + 2 * i, 1)) {
			send_str("E01");
			return;
		}
		if (mem_write(addr + i, 1, b)) {
			send_str("E14");
			return;
		}
	}
	send_str("OK");
}

static void read_registers(const struct trap_frame *f)
{
	uint8_t r[16];
	size_t o = 0;

	for (unsigned int n = 0; n < GDB_NREGS; n++) {
		size_t s = gdb_reg_get(f, n, r);

		gdb_hex_encode(reply + o, r, s);
		o += 2 * s;
	}
	send(reply, o);
}

static void write_registers(struct trap_frame *f, const char *p, const char *end)
{
	uint8_t r[16];
	struct trap_frame t = *f;

	if (end - p != 2 * GDB_REGS_BYTES) {
		send_str("E01");
		return;
	}
	for (unsigned int n = 0; n < GDB_NREGS; n++) {
		size_t s = gdb_reg_get(f, n, r);

		if (!gdb_hex_decode(r, p, s)) {
			send_str("E01");
			return;
		}
		gdb_reg_set(&t, n, r, s);
		p += 2 * s;
	}
	*f = t;
	send_str("OK");
}

static void one_register(struct trap_frame *f, const char *p, const char *end, bool set)
{
	uint64_t n;
	uint8_t r[16];
	size_t s;

	if (!gdb_parse_hex(&p, end, &n) || n >= GDB_NREGS) {
		send_str("E01");
		return;
	}
	s = gdb_reg_get(f, (unsigned int)n, r);
	if (!set) {
		if (p != end) {
			send_str("E01");
			return;
		}
		gdb_hex_encode(reply, r, s);
		send(reply, 2 * s);
		return;
	}
	if (p >= end || *p != '=' || end - p - 1 != (long)(2 * s) || !gdb_hex_decode(r, p + 1, s)) {
		send_str("E01");
		return;
	}
	gdb_reg_set(f, (unsigned int)n, r, s);
	send_str("OK");
}

static void breakpoint_packet(const char *p, const char *end, bool insert)
{
	unsigned int type = (unsigned int)(p[0] - '0');
	uint64_t addr, kind;

	p++;
	if (p >= end || *p != ',' || (p++, !parse_addr_len(&p, end, 0, &addr, &kind))) {
		send_str("E01");
		return;
	}
	send_str(gdb_point(insert, type, addr, kind));
}

static void features(const char *p, const char *end)
{
	static const char annex[] = "target.xml:";
	uint64_t off, len;

	if ((size_t)(end - p) < sizeof(annex) - 1 || memcmp(p, annex, sizeof(annex) - 1) != 0) {
		send_str("E00");	/* no such annex */
		return;
	}
	p += sizeof(annex) - 1;
	if (!parse_addr_len(&p, end, 0, &off, &len)) {
		send_str("E01");
		return;
	}
	if (off > gdb_target_xml_len)
		off = gdb_target_xml_len;
	if (len > sizeof(reply) - 2)
		len = sizeof(reply) - 2;
	if (len > gdb_target_xml_len - off)
		len = gdb_target_xml_len - off;
	reply[0] = off + len < gdb_target_xml_len ? 'm' : 'l';
	memcpy(reply + 1, gdb_target_xml + off, len);
	send(reply, 1 + len);
}

/* Commands that run code (a workload, a deliberate fault) wait for gdb to
 * resume: gdb takes no stop reply inside qRcmd. cont, step and gdb are
 * gdb's own continue, stepi and the session itself. */
static bool deferred_command(const char *name)
{
	static const char *const names[] = { "work", "trap", "prof", "nmi", "lazy", "reboot" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static void monitor_command(const char *p, const char *end)
{
	char line[LINE_MAX + 1], copy[LINE_MAX + 1];
	char *argv[MAX_ARGS];
	size_t n = (size_t)(end - p) / 2;
	int argc;

	if ((end - p) % 2 || n > LINE_MAX || !gdb_hex_decode((uint8_t *)line, p, n)) {
		send_str("E01");
		return;
	}
	line[n] = '\0';
	memcpy(copy, line, n + 1);
	in_rcmd = true;
	argc = parse_split(copy, argv, MAX_ARGS);
	if (argc > 0 && (strcmp(argv[0], "cont") == 0 || strcmp(argv[0], "step") == 0 ||
			 strcmp(argv[0], "gdb") == 0)) {
		errorf("'%s' is gdb's own here: use continue, stepi, or detach", argv[0]);
	} else if (argc > 0 && deferred_command(argv[0])) {
		if (deferred_count == DEFERRED_MAX) {
			errorf("%d commands already wait for gdb to resume", DEFERRED_MAX);
		} else {
			memcpy(deferred[(deferred_head + deferred_count) % DEFERRED_MAX], line, n + 1);
			deferred_count++;
			kprintf("'%s' runs when gdb resumes the target (continue)\n", line);
		}
	} else if (argc < 0) {
		errorf("%s (at most %d words)", status_message(ST_TOO_MANY_ARGS), MAX_ARGS);
	} else if (argc > 0) {
		this_cpu()->in_command = true;	/* a fault aborts it (gdb_command_aborted) */
		shell_exec(argc, argv);
		this_cpu()->in_command = false;
	}
	flush_output();
	in_rcmd = false;
	send_str("OK");
}

static bool starts(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

/* c/s [addr], C/S sig[;addr], vCont;c / vCont;s[:thread] */
static enum action resume_packet(struct trap_frame *f, const char *p, const char *end)
{
	uint64_t v;
	bool step;

	if (starts(p, end, "vCont;")) {
		p += 6;
		if (p >= end || (*p != 'c' && *p != 'C' && *p != 's' && *p != 'S')) {
			send_str("");
			return KEEP;
		}
		return *p == 's' || *p == 'S' ? STEP : RESUME;
	}
	step = *p == 's' || *p == 'S';
	if (*p == 'C' || *p == 'S') {
		p++;
		if (!gdb_parse_hex(&p, end, &v)) {
			send_str("E01");
			return KEEP;
		}
		if (p < end && *p == ';')
			p++;
	} else {
		p++;
	}
	if (p < end) {
		if (!gdb_parse_hex(&p, end, &v) || p != end) {
			send_str("E01");
			return KEEP;
		}
		f->rip = v;
	}
	return step ? STEP : RESUME;
}

static enum action handle(struct trap_frame *f, bool stopped)
{
	const char *p = rx.buf, *end = rx.buf + rx.len;

	if (rx.len == 0) {
		send_str("");
		return KEEP;
	}
	switch (*p) {
	case '?':
		send_stop(stopped, SIGTRAP);
		return KEEP;
	case 'g':
		if (rx.len == 1)
			read_registers(f);
		else
			send_str("E01");
		return KEEP;
	case 'G':
		write_registers(f, p + 1, end);
		return KEEP;
	case 'p':
	case 'P':
		one_register(f, p + 1, end, *p == 'P');
		return KEEP;
	case 'm':
		read_memory(p + 1, end);
		return KEEP;
	case 'M':
		write_memory(p + 1, end, false);
		return KEEP;
	case 'X':
		write_memory(p + 1, end, true);
		return KEEP;
	case 'c': case 'C': case 's': case 'S':
		return resume_packet(f, p, end);
	case 'Z': case 'z':
		if (rx.len >= 2 && p[1] >= '0' && p[1] <= '4')
			breakpoint_packet(p + 1, end, *p == 'Z');
		else
			send_str("");
		return KEEP;
	case 'D':
		send_str("OK");
		return DETACH;
	case 'k':
		return DETACH;
	case 'H':
	case 'T':
		send_str("OK");	/* the one thread of the one CPU that stops */
		return KEEP;
	case 'v':
		if (starts(p, end, "vCont?"))
			send_str("vCont;c;C;s;S");
		else if (starts(p, end, "vCont;"))
			return resume_packet(f, p, end);
		else
			send_str("");
		return KEEP;
	case 'q':
		if (starts(p, end, "qSupported"))
			send_str("PacketSize=fc0;qXfer:features:read+;swbreak+;hwbreak+");
		else if (starts(p, end, "qXfer:features:read:"))
			features(p + 20, end);
		else if (starts(p, end, "qRcmd,"))
			monitor_command(p + 6, end);
		else if (starts(p, end, "qAttached"))
			send_str("1");
		else if (rx.len == 2 && p[1] == 'C')
			send_str("QC1");
		else if (starts(p, end, "qfThreadInfo"))
			send_str("m1");
		else if (starts(p, end, "qsThreadInfo"))
			send_str("l");
		else
			send_str("");
		return KEEP;
	default:
		send_str("");
		return KEEP;
	}
}

void gdb_serve(struct trap_frame *f, bool stopped)
{
	enum action a = KEEP;

	stop_hold(true);
	holding = true;
	if (owed && (stopped || ran_deferred)) {
		flush_output();
		owed = false;
		send_stop(stopped, SIGTRAP);
	}
	while (a == KEEP || (a != DETACH && !stopped && !deferred_count)) {
		enum gdb_rx_event e = first_packet ? GDB_RX_PACKET :
				      gdb_rx_feed(&rx, (uint8_t)console_getc());

		first_packet = false;
		if (e == GDB_RX_PACKET) {
			uart_putc('+');
			a = handle(f, stopped);
			if (a == RESUME || a == STEP)
				owed = true;	/* idle until ^C unless commands wait */
		} else if (e == GDB_RX_BAD) {
			uart_putc('-');
		} else if (e == GDB_RX_NAK && tx_len) {
			for (size_t i = 0; i < tx_len; i++)
				uart_putc(tx[i]);
		} else if (e == GDB_RX_INTERRUPT && owed && !stopped) {
			owed = false;
			send_stop(false, SIGINT);
			a = KEEP;
		}
	}
	if (a == DETACH) {
		gdb_points_remove_all();
		attached = false;
		just_detached = true;
		owed = false;
		deferred_count = 0;
	}
	if (stopped && a != KEEP)
		shell_set_action(a == STEP ? SHELL_STEP : SHELL_CONT);	/* detach resumes */
	holding = false;
	stop_hold(false);
}
