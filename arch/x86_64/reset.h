#ifndef ARCH_RESET_H
#define ARCH_RESET_H

void machine_reset(void) __attribute__((noreturn));

#endif
