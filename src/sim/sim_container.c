/* The ioctls of the simulated /dev/vfio/vfio, a container with the type1
 * IOMMU driver (drivers/vfio/container.c, vfio_iommu_type1.c). */
#include <errno.h>

#include "sim_vfio.h"

static long container_get_api_version(int oi, void *arg)
{
	(void)oi, (void)arg;
	return VFIO_API_VERSION;
}

static long container_check_extension(int oi, void *arg)
{
	(void)oi;
	switch ((unsigned long)arg) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_DMA_CC_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	default:
		return 0;
	}
}

static long container_set_iommu(int oi, void *arg)
{
	struct sim_obj *c = obj(oi);
	unsigned long type = (unsigned long)arg;

	if (c->ngroups == 0 || c->iommu_type)
		return -EINVAL;
	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -ENODEV;
	c->iommu_type = (int)type;
	return 0;
}

/* the capabilities of VFIO_IOMMU_GET_INFO: the IOVA range and how many DMA
 * mappings are left */
static void iommu_info_caps(int oi, struct caps *caps, uint32_t base)
{
	struct vfio_iommu_type1_info_cap_iova_range *r =
		sim_cap_add(caps, base, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1,
			    sizeof(*r) + sizeof(struct vfio_iova_range));
	r->nr_iovas = 1;
	r->iova_ranges[0].start = 0;
	r->iova_ranges[0].end = (1ull << 48) - 1;
	struct vfio_iommu_type1_info_dma_avail *a =
		sim_cap_add(caps, base, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 1, sizeof(*a));
	int used = 0;
	for (int i = 0; i < SIM_MAX_MAPS; i++)
		used += sim_sh->map[i].used && sim_sh->map[i].owner == oi;
	a->avail = (uint32_t)(65535 - used);
}

static long container_iommu_get_info(int oi, void *arg)
{
	struct vfio_iommu_type1_info *info = arg;
	uint32_t base = sizeof(*info);

	if (info->argsz < END(struct vfio_iommu_type1_info, iova_pgsizes))
		return -EINVAL;
	info->flags = VFIO_IOMMU_INFO_PGSIZES;
	info->iova_pgsizes = PGSIZE | (2ull << 20) | (1ull << 30);
	struct caps caps = { .size = 0 };
	iommu_info_caps(oi, &caps, base);
	if (info->argsz >= sizeof(*info))
		sim_caps_out(info, base, &info->argsz, &info->flags, VFIO_IOMMU_INFO_CAPS, &info->cap_offset,
			     &caps);
	else {
		info->flags |= VFIO_IOMMU_INFO_CAPS;
		info->argsz = base + caps.size;
	}
	return 0;
}

/* VFIO_DMA_MAP_FLAG_VADDR: a new process address for the mapping of exactly
 * this range (lock held) */
static long dma_update_vaddr(int oi, const struct vfio_iommu_type1_dma_map *m)
{
	long ret = -EINVAL;
	for (int i = 0; i < SIM_MAX_MAPS; i++) {
		struct sim_map *x = &sim_sh->map[i];
		if (x->used && x->owner == oi && x->iova == m->iova && x->size == m->size) {
			x->vaddr = m->vaddr;
			ret = 0;
		}
	}
	return ret;
}

static long container_map_dma(int oi, void *arg)
{
	struct vfio_iommu_type1_dma_map *m = arg;

	if (m->argsz < END(struct vfio_iommu_type1_dma_map, size))
		return -EINVAL;
	if (m->flags & ~(uint32_t)(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE | VFIO_DMA_MAP_FLAG_VADDR))
		return -EINVAL;
	if (!m->size || ((m->size | m->iova | m->vaddr) & (PGSIZE - 1)) || m->iova + m->size - 1 < m->iova ||
	    m->vaddr + m->size - 1 < m->vaddr)
		return -EINVAL;
	sigset_t old;
	long ret;
	sim_lock(&old);
	if (m->flags & VFIO_DMA_MAP_FLAG_VADDR)
		ret = dma_update_vaddr(oi, m);
	else if (sim_map_overlaps(oi, 0, m->iova, m->size))
		ret = -EEXIST;
	else if (!sim_vaddr_ok(m->vaddr, m->size))
		ret = -EFAULT;
	else
		ret = sim_map_add(oi, 0, m->iova, m->size, m->vaddr);
	sim_unlock(&old);
	return ret;
}

/* The last IOVA of the range VFIO_IOMMU_UNMAP_DMA names; -EINVAL when it
 * names none. */
static int unmap_dma_last(const struct vfio_iommu_type1_dma_unmap *u, uint64_t *last)
{
	if (u->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (u->iova || u->size)
			return -EINVAL;
		*last = UINT64_MAX;
		return 0;
	}
	if (!u->size || (u->size & (PGSIZE - 1)) || (u->iova & (PGSIZE - 1)) || u->iova + u->size - 1 < u->iova)
		return -EINVAL;
	*last = u->iova + u->size - 1;
	return 0;
}

static long container_unmap_dma(int oi, void *arg)
{
	struct vfio_iommu_type1_dma_unmap *u = arg;
	uint64_t iova = u->iova, last;

	if (u->argsz < END(struct vfio_iommu_type1_dma_unmap, size))
		return -EINVAL;
	if (u->flags & ~(uint32_t)VFIO_DMA_UNMAP_FLAG_ALL)
		return -EINVAL;
	if (unmap_dma_last(u, &last))
		return -EINVAL;
	sigset_t old;
	sim_lock(&old);
	int64_t n = sim_map_remove(oi, 0, iova, last, EINVAL);
	sim_unlock(&old);
	if (n < 0)
		return n;
	u->size = (uint64_t)n;
	return 0;
}

/* what a container answers before VFIO_SET_IOMMU */
static const struct ioctl_handler container_ioctls[] = {
	{ VFIO_GET_API_VERSION, container_get_api_version },
	{ VFIO_CHECK_EXTENSION, container_check_extension },
	{ VFIO_SET_IOMMU, container_set_iommu },
};

/* what the IOMMU driver VFIO_SET_IOMMU chose answers */
static const struct ioctl_handler iommu_ioctls[] = {
	{ VFIO_IOMMU_GET_INFO, container_iommu_get_info },
	{ VFIO_IOMMU_MAP_DMA, container_map_dma },
	{ VFIO_IOMMU_UNMAP_DMA, container_unmap_dma },
};

long sim_container_ioctl(int oi, unsigned long req, void *arg)
{
	const struct ioctl_handler *h = sim_ioctl_find(IOCTLS(container_ioctls), req);

	if (h)
		return h->fn(oi, arg);
	if (!obj(oi)->iommu_type)
		return -EINVAL; /* every other ioctl, before VFIO_SET_IOMMU */
	return sim_ioctl_run(IOCTLS(iommu_ioctls), oi, req, arg);
}
