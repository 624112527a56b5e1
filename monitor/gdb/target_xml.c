/* The target description gdb reads with qXfer:features:read:target.xml:
 * gdb's x86-64 register set (the org.gnu.gdb.i386.core and .sse features,
 * with gdb's register names), in the order of the g packet (gdb_regs.c). */
#include "monitor/gdb/target_xml.h"

#define R(name, bits, type) "<reg name=\"" name "\" bitsize=\"" #bits "\" type=\"" type "\"/>"
#define R64(name) R(name, 64, "int64")
#define R32(name) R(name, 32, "int32")
#define ST(n) R("st" #n, 80, "i387_ext")
#define XMM(n) R("xmm" #n, 128, "vec128")

const char gdb_target_xml[] =
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target version=\"1.0\"><architecture>i386:x86-64</architecture>"
	"<feature name=\"org.gnu.gdb.i386.core\">"
	"<flags id=\"i386_eflags\" size=\"4\">"
	"<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"PF\" start=\"2\" end=\"2\"/>"
	"<field name=\"AF\" start=\"4\" end=\"4\"/><field name=\"ZF\" start=\"6\" end=\"6\"/>"
	"<field name=\"SF\" start=\"7\" end=\"7\"/><field name=\"TF\" start=\"8\" end=\"8\"/>"
	"<field name=\"IF\" start=\"9\" end=\"9\"/><field name=\"DF\" start=\"10\" end=\"10\"/>"
	"<field name=\"OF\" start=\"11\" end=\"11\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
	"</flags>"
	R64("rax") R64("rbx") R64("rcx") R64("rdx") R64("rsi") R64("rdi")
	R("rbp", 64, "data_ptr") R("rsp", 64, "data_ptr")
	R64("r8") R64("r9") R64("r10") R64("r11") R64("r12") R64("r13") R64("r14") R64("r15")
	R("rip", 64, "code_ptr") R("eflags", 32, "i386_eflags")
	R32("cs") R32("ss") R32("ds") R32("es") R32("fs") R32("gs")
	ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)
	R32("fctrl") R32("fstat") R32("ftag") R32("fiseg") R32("fioff") R32("foseg")
	R32("fooff") R32("fop")
	"</feature><feature name=\"org.gnu.gdb.i386.sse\">"
	"<vector id=\"v2l\" type=\"int64\" count=\"2\"/>"
	"<union id=\"vec128\"><field name=\"v2_int64\" type=\"v2l\"/>"
	"<field name=\"uint128\" type=\"uint128\"/></union>"
	XMM(0) XMM(1) XMM(2) XMM(3) XMM(4) XMM(5) XMM(6) XMM(7)
	XMM(8) XMM(9) XMM(10) XMM(11) XMM(12) XMM(13) XMM(14) XMM(15)
	R32("mxcsr")
	"</feature></target>";

const unsigned long gdb_target_xml_len = sizeof(gdb_target_xml) - 1;
