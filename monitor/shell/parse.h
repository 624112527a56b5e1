/* Argument parsing shared by every command (portable). */
#ifndef MONITOR_PARSE_H
#define MONITOR_PARSE_H

#include <stdint.h>
#include "monitor/lib/status.h"
#include "monitor/lib/symbols.h"

#define MAX_ARGS 16

/* Split line in place at blanks; returns argc, or -1 if more than max. */
int parse_split(char *line, char **argv, int max);

/* One hex digit's value (either case), or -1. */
int parse_hex_digit(char c);

/* "0x" prefix: hex; otherwise decimal. The whole string must be a number. */
enum status parse_u64(const char *s, uint64_t *out);
/* A number with an optional k, m or g suffix (KiB, MiB, GiB). */
enum status parse_size(const char *s, uint64_t *out);
/* A number, or a symbol of t with an optional +offset: "work_mix+0x10". */
enum status parse_addr(const struct symtab *t, const char *s, uint64_t *out);
/* 1, 2, 4 or 8. */
enum status parse_width(const char *s, unsigned int *out);
/* "A:B:C" (work mix's leaf ratio): three decimal or hex numbers, each at
 * most max, not all zero. */
enum status parse_ratio(const char *s, unsigned int max, unsigned int ratio[3]);

#endif
