/* DMA mapping bookkeeping of containers (ioas 0) and of the IOASes of
 * iommufds, in shared memory; the caller holds the lock. Nothing is mapped
 * for a device: only the checks and the answers the kernel gives. */
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim_vfio.h"

int sim_map_overlaps(int owner, uint32_t ioas, uint64_t iova, uint64_t size)
{
	for (int i = 0; i < SIM_MAX_MAPS; i++) {
		struct sim_map *m = &sim_sh->map[i];
		if (m->used && m->owner == owner && m->ioas == ioas && iova < m->iova + m->size &&
		    m->iova < iova + size)
			return 1;
	}
	return 0;
}

int sim_map_add(int owner, uint32_t ioas, uint64_t iova, uint64_t size, uint64_t vaddr)
{
	for (int i = 0; i < SIM_MAX_MAPS; i++) {
		struct sim_map *m = &sim_sh->map[i];
		if (!m->used) {
			*m = (struct sim_map){ 1, owner, ioas, iova, size, vaddr };
			return 0;
		}
	}
	return -ENOSPC;
}

int64_t sim_map_remove(int owner, uint32_t ioas, uint64_t iova, uint64_t last, int straddle_err)
{
	uint64_t total = 0;
	for (int i = 0; i < SIM_MAX_MAPS; i++) {
		struct sim_map *m = &sim_sh->map[i];
		if (!m->used || m->owner != owner || m->ioas != ioas)
			continue;
		uint64_t mlast = m->iova + m->size - 1;
		if (mlast < iova || m->iova > last)
			continue;
		if (m->iova < iova || mlast > last)
			return -straddle_err;
	}
	for (int i = 0; i < SIM_MAX_MAPS; i++) {
		struct sim_map *m = &sim_sh->map[i];
		if (m->used && m->owner == owner && m->ioas == ioas && m->iova >= iova &&
		    m->iova + m->size - 1 <= last) {
			total += m->size;
			m->used = 0;
		}
	}
	return (int64_t)total;
}

struct sim_ioas *sim_ioas_find(int owner, uint32_t id)
{
	for (int i = 0; i < SIM_MAX_IOAS; i++) {
		struct sim_ioas *x = &sim_sh->ioas[i];
		if (x->used && x->owner == owner && x->id == id)
			return x;
	}
	return NULL;
}

int sim_vaddr_ok(uint64_t vaddr, uint64_t size)
{
	/* the kernel pins the pages: an unmapped range fails */
	return syscall(SYS_msync, (void *)(uintptr_t)vaddr, (size_t)size, MS_ASYNC) == 0;
}
