#ifndef MONITOR_CPUINFO_H
#define MONITOR_CPUINFO_H

#include <stdbool.h>
#include <stdint.h>

struct cpuinfo {
	char vendor[13];
	char brand[49];
	char hypervisor_sig[13];	/* CPUID 40000000H, when a hypervisor says so */
	uint32_t hypervisor_max_leaf;
	unsigned int family, model, stepping;
	unsigned int apic_id;
	bool nx, apic, x2apic, tsc_invariant, hypervisor, pdcm;
	/* CPUID leaf 0AH: architectural performance monitoring */
	unsigned int pmu_version, pmu_counters, pmu_width, pmu_fixed;
};

extern struct cpuinfo cpuinfo;
void cpuinfo_probe(void);

#endif
