#include "monitor/debug/trap_raise.h"
#include "monitor/lib/string.h"

static const char *const names[] = { "de", "ud", "gp", "pf", "bp" };

bool trap_raisable(const char *name)
{
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}
