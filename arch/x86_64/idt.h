#ifndef ARCH_IDT_H
#define ARCH_IDT_H
#include <stdint.h>

void idt_init(void);
void idt_load(void);
void idt_set_handler(unsigned int vector, void (*entry)(void), unsigned int ist);

#endif
