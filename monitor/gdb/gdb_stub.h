/*
 * The GDB remote stub's kernel side. gdb owns the serial line from attach
 * (the gdb command, or a '$' at the start of a shell line) to detach: the
 * shell loop hands every turn to gdb_serve instead of printing a prompt,
 * and a stop reports to gdb instead of printing (stop.c). The NMI path
 * never speaks the protocol.
 */
#ifndef MONITOR_GDB_STUB_H
#define MONITOR_GDB_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include "monitor/debug/stop.h"
#include "arch/x86_64/trap_frame.h"

bool gdb_attached(void);
/* Start a session (the gdb command). */
void gdb_attach(void);
/* A '$' at the start of a shell line: read on to the end of the packet.
 * A good one attaches gdb (gdb_serve answers it first); a line that ends
 * (CR, LF, Ctrl-C) or a bad checksum first was a person's: false. */
bool gdb_probe(void);
/* From stop_run: remember why, for the stop reply. */
void gdb_note_stop(const struct trap_frame *f, enum stop_reason why, unsigned int id);
/* The shell loop's turn while attached: serve packets for f (a stopped
 * context if stopped, else the shell's own registers) until gdb resumes
 * it (stopped: the shell action is set) or detaches. */
void gdb_serve(struct trap_frame *f, bool stopped);
/* A `monitor` command that runs code waits for gdb to resume the target:
 * the next one to run at the shell's top level, false if none. */
bool gdb_next_deferred(char *line, size_t n);
/* Console output while attached: true if it was taken (sent to gdb as O
 * packets where gdb accepts them, or dropped where it does not). */
bool gdb_console_putc(char c);
/* After detach gdb still acknowledges the last reply: a '+' at the start
 * of the next shell line is that, not typing. True if c is to be dropped. */
bool gdb_late_ack(int c, bool line_empty);
/* A command aborted by an exception: forget the packet work in flight. */
void gdb_command_aborted(void);

#endif
