#ifndef ARCH_PIC_H
#define ARCH_PIC_H

#define PIC_VECTOR_BASE	0x20

void pic_init(void);
void pic_unmask(unsigned int irq);
void pic_eoi(unsigned int irq);

#endif
