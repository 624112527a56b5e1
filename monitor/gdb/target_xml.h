#ifndef MONITOR_GDB_TARGET_XML_H
#define MONITOR_GDB_TARGET_XML_H

extern const char gdb_target_xml[];
extern const unsigned long gdb_target_xml_len;

#endif
