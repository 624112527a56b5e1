/* Code the #BP/#DB path runs before it can tell a breakpoint hit: placed in
 * .text.debugpath, which protected_range() refuses breakpoints in (a
 * breakpoint there would trap inside its own handler, forever). */
#ifndef MONITOR_DEBUG_PATH_H
#define MONITOR_DEBUG_PATH_H

#define DEBUG_PATH __attribute__((section(".text.debugpath")))
/* Data the #BP/#DB path writes: placed in .data.debugpath, which
 * protected_range() refuses watchpoints on (a watchpoint there would trap
 * inside the #DB handler that writes it, forever). */
#define DEBUG_PATH_DATA __attribute__((section(".data.debugpath")))

#endif
