#ifndef MONITOR_VERSION_H
#define MONITOR_VERSION_H

#define MONITOR_NAME	"nmimon"
#define MONITOR_VERSION	"0.1"

#endif
