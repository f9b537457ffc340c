/* The ioctls of a simulated /dev/iommu: IOASes and their DMA mappings
 * (drivers/iommu/iommufd/ioas.c, main.c). */
#include <errno.h>
#include <stdatomic.h>

#include "sim_vfio.h"

static long iommufd_ioas_alloc(int oi, void *arg)
{
	struct iommu_ioas_alloc *a = arg;

	if (a->size < END(struct iommu_ioas_alloc, out_ioas_id))
		return -EINVAL;
	if (a->flags)
		return -EOPNOTSUPP;
	sigset_t old;
	long ret = -ENOSPC;
	sim_lock(&old);
	for (int i = 0; i < SIM_MAX_IOAS; i++) {
		struct sim_ioas *x = &sim_sh->ioas[i];
		if (!x->used) {
			*x = (struct sim_ioas){ 1, oi, obj(oi)->next_id++ };
			a->out_ioas_id = x->id;
			ret = 0;
			break;
		}
	}
	sim_unlock(&old);
	return ret;
}

/* Is a device bound to iommufd oi attached to IOAS id? (lock held) */
static int ioas_attached(int oi, uint32_t id)
{
	int n = atomic_load(&sim_sh->nobj);

	for (int i = 0; i < n; i++)
		if (sim_sh->obj[i].kind == SIM_DEVICE && sim_sh->obj[i].iommufd == oi && sim_sh->obj[i].ioas == id)
			return 1;
	return 0;
}

static long iommufd_destroy(int oi, void *arg)
{
	struct iommu_destroy *a = arg;

	if (a->size < END(struct iommu_destroy, id))
		return -EINVAL;
	sigset_t old;
	long ret = 0;
	sim_lock(&old);
	struct sim_ioas *x = sim_ioas_find(oi, a->id);
	if (!x)
		ret = -ENOENT;
	else if (ioas_attached(oi, a->id))
		ret = -EBUSY;
	else {
		sim_map_remove(oi, x->id, 0, UINT64_MAX, 0);
		x->used = 0;
	}
	sim_unlock(&old);
	return ret;
}

static long iommufd_ioas_iova_ranges(int oi, void *arg)
{
	struct iommu_ioas_iova_ranges *r = arg;

	if (r->size < END(struct iommu_ioas_iova_ranges, out_iova_alignment))
		return -EINVAL;
	if (!sim_ioas_find(oi, r->ioas_id))
		return -ENOENT;
	uint32_t room = r->num_iovas;
	r->num_iovas = 1;
	r->out_iova_alignment = PGSIZE;
	if (room < 1)
		return -EMSGSIZE;
	struct iommu_iova_range *out = (void *)(uintptr_t)r->allowed_iovas;
	out[0].start = 0;
	out[0].last = (1ull << 48) - 1;
	return 0;
}

/* The checks of IOMMU_IOAS_MAP before the lock: 0 or -errno. */
static long ioas_map_check(const struct iommu_ioas_map *m)
{
	if (m->size < END(struct iommu_ioas_map, iova))
		return -EINVAL;
	if (m->flags & ~(uint32_t)(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE) ||
	    m->__reserved)
		return -EOPNOTSUPP;
	if (!m->length || m->user_va + m->length - 1 < m->user_va)
		return -EINVAL;
	if ((m->flags & IOMMU_IOAS_MAP_FIXED_IOVA) &&
	    (((m->iova | m->length) & (PGSIZE - 1)) || m->iova + m->length - 1 < m->iova))
		return -EINVAL;
	if (!sim_vaddr_ok(m->user_va & ~(PGSIZE - 1), m->length + (m->user_va & (PGSIZE - 1))))
		return -EFAULT;
	return 0;
}

/* The IOVA IOMMU_IOAS_MAP allocates without FIXED_IOVA: above everything
 * mapped, keeping the page offset (lock held). */
static uint64_t ioas_alloc_iova(int oi, const struct iommu_ioas_map *m)
{
	uint64_t top = 1ull << 20;

	for (int i = 0; i < SIM_MAX_MAPS; i++) {
		struct sim_map *x = &sim_sh->map[i];
		if (x->used && x->owner == oi && x->ioas == m->ioas_id && x->iova + x->size > top)
			top = x->iova + x->size;
	}
	top = (top + PGSIZE - 1) & ~(PGSIZE - 1);
	return top | (m->user_va & (PGSIZE - 1));
}

/* lock held */
static long ioas_map(int oi, struct iommu_ioas_map *m)
{
	if (!sim_ioas_find(oi, m->ioas_id))
		return -ENOENT;
	if (m->flags & IOMMU_IOAS_MAP_FIXED_IOVA) {
		if (sim_map_overlaps(oi, m->ioas_id, m->iova, m->length))
			return -EEXIST;
		return sim_map_add(oi, m->ioas_id, m->iova, m->length, m->user_va);
	}
	uint64_t iova = ioas_alloc_iova(oi, m);
	long ret = sim_map_add(oi, m->ioas_id, iova, m->length, m->user_va);
	if (!ret)
		m->iova = iova;
	return ret;
}

static long iommufd_ioas_map(int oi, void *arg)
{
	struct iommu_ioas_map *m = arg;
	long ret = ioas_map_check(m);

	if (ret)
		return ret;
	sigset_t old;
	sim_lock(&old);
	ret = ioas_map(oi, m);
	sim_unlock(&old);
	return ret;
}

/* lock held */
static long ioas_unmap(int oi, struct iommu_ioas_unmap *u, uint64_t last)
{
	if (!sim_ioas_find(oi, u->ioas_id))
		return -ENOENT;
	int64_t n = sim_map_remove(oi, u->ioas_id, u->iova, last, ENOENT);
	if (n == 0 && last != UINT64_MAX)
		n = -ENOENT;
	if (n >= 0)
		u->length = (uint64_t)n;
	return n < 0 ? n : 0;
}

static long iommufd_ioas_unmap(int oi, void *arg)
{
	struct iommu_ioas_unmap *u = arg;
	uint64_t last;

	if (u->size < END(struct iommu_ioas_unmap, length))
		return -EINVAL;
	if (u->iova == 0 && u->length == UINT64_MAX)
		last = UINT64_MAX;
	else if (!u->length || u->iova + u->length - 1 < u->iova)
		return -EINVAL;
	else
		last = u->iova + u->length - 1;
	sigset_t old;
	sim_lock(&old);
	long ret = ioas_unmap(oi, u, last);
	sim_unlock(&old);
	return ret;
}

static const struct ioctl_handler iommufd_ioctls[] = {
	{ IOMMU_IOAS_ALLOC, iommufd_ioas_alloc },
	{ IOMMU_DESTROY, iommufd_destroy },
	{ IOMMU_IOAS_IOVA_RANGES, iommufd_ioas_iova_ranges },
	{ IOMMU_IOAS_MAP, iommufd_ioas_map },
	{ IOMMU_IOAS_UNMAP, iommufd_ioas_unmap },
};

long sim_iommufd_ioctl(int oi, unsigned long req, void *arg)
{
	return sim_ioctl_run(IOCTLS(iommufd_ioctls), oi, req, arg);
}
