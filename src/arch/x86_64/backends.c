/* x86_64: the CPU reaches PCI memory, so a BAR the kernel mapped needs no
 * trap unless asked for; trapped accesses go to the kernel's mapping
 * (direct) or through pread/pwrite (region). */
#include "shim.h"

const bool arch_cpu_reaches_bars = true;

const struct backend *backend_get(enum backend_id id)
{
	switch (id) {
	case BACKEND_REGION: return &backend_region;
	case BACKEND_DIRECT: return &backend_direct;
	default: return NULL;
	}
}

enum backend_id backend_choose(const struct region *r, const char **why)
{
	if (r->real) {
		*why = "the kernel mapped the BAR and the CPU can reach it";
		return BACKEND_DIRECT;
	}
	*why = "the kernel cannot mmap the BAR";
	return BACKEND_REGION;
}
