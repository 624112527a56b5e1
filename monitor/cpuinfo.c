#include "cpuinfo.h"
#include "monitor/lib/string.h"
#include "arch/x86_64/cpu.h"

struct cpuinfo cpuinfo;

static void trim_brand(char *s)
{
	size_t n = strlen(s), skip = 0;

	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	while (s[skip] == ' ')
		skip++;
	memmove(s, s + skip, n - skip + 1);
}

void cpuinfo_probe(void)
{
	struct cpuinfo *ci = &cpuinfo;
	uint32_t a, b, c, d, max, maxext;

	cpuid(0, 0, &max, &b, &c, &d);
	memcpy(ci->vendor, &b, 4);
	memcpy(ci->vendor + 4, &d, 4);
	memcpy(ci->vendor + 8, &c, 4);
	ci->vendor[12] = '\0';

	cpuid(1, 0, &a, &b, &c, &d);
	ci->stepping = a & 0xf;
	ci->model = (a >> 4) & 0xf;
	ci->family = (a >> 8) & 0xf;
	if (ci->family == 0xf)
		ci->family += (a >> 20) & 0xff;
	if (ci->family == 0x6 || ci->family >= 0xf)
		ci->model |= ((a >> 16) & 0xf) << 4;
	ci->apic_id = b >> 24;
	ci->apic = d & (1u << 9);
	ci->x2apic = c & (1u << 21);
	ci->hypervisor = c & (1u << 31);
	ci->pdcm = c & (1u << 15);

	if (ci->hypervisor) {
		cpuid(0x40000000, 0, &a, &b, &c, &d);
		ci->hypervisor_max_leaf = a;
		memcpy(ci->hypervisor_sig, &b, 4);
		memcpy(ci->hypervisor_sig + 4, &c, 4);
		memcpy(ci->hypervisor_sig + 8, &d, 4);
		ci->hypervisor_sig[12] = '\0';
	}
	if (max >= 0xa) {
		cpuid(0xa, 0, &a, &b, &c, &d);
		ci->pmu_version = a & 0xff;
		ci->pmu_counters = (a >> 8) & 0xff;
		ci->pmu_width = (a >> 16) & 0xff;
		ci->pmu_fixed = ci->pmu_version >= 2 ? (d & 0x1f) : 0;
	}

	cpuid(0x80000000, 0, &maxext, &b, &c, &d);
	if (maxext >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		ci->nx = d & (1u << 20);
	}
	if (maxext >= 0x80000004) {
		uint32_t *w = (uint32_t *)ci->brand;

		for (uint32_t leaf = 0; leaf < 3; leaf++)
			cpuid(0x80000002 + leaf, 0, &w[leaf * 4], &w[leaf * 4 + 1],
			      &w[leaf * 4 + 2], &w[leaf * 4 + 3]);
		ci->brand[48] = '\0';
		trim_brand(ci->brand);
	}
	if (maxext >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		ci->tsc_invariant = d & (1u << 8);
	}
}
