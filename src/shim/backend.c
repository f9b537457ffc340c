/* Which backends this architecture has, and the automatic choice. */
#include "shim.h"

const struct backend *backend_get(enum backend_id id)
{
	switch (id) {
	case BACKEND_REGION: return &backend_region;
	case BACKEND_DIRECT: return &backend_direct;
	default: return NULL;
	}
}

/* auto: the direct backend where the kernel mapped the BAR (a plain access
 * works on this architecture), else pread/pwrite. */
enum backend_id backend_choose(const struct region *r, const char **why)
{
	if (r->real) {
		*why = "the kernel mapped the BAR and the CPU can reach it";
		return BACKEND_DIRECT;
	}
	*why = "the kernel cannot mmap the BAR";
	return BACKEND_REGION;
}
