/* The ioctls of the simulated /dev/vfio/vfio (container), /dev/vfio/N
 * (group), device fds (group-issued and /dev/vfio/devices/vfioN) and
 * /dev/iommu, and mmap of device fds. Errors follow the kernel's
 * (drivers/vfio/container.c, group.c, device_cdev.c, pci/vfio_pci_core.c,
 * vfio_iommu_type1.c, iommufd/ioas.c). Not used from signal handlers. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim.h"

#define PGSIZE 4096ull
#define END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

static struct sim_obj *obj(int i)
{
	return &sim_sh->obj[i];
}

/* ---- DMA mapping bookkeeping (lock held) ---- */

static int map_overlaps(int owner, uint32_t ioas, uint64_t iova, uint64_t size)
{
	for (int i = 0; i < SIM_MAX_MAPS; i++) {
		struct sim_map *m = &sim_sh->map[i];
		if (m->used && m->owner == owner && m->ioas == ioas && iova < m->iova + m->size &&
		    m->iova < iova + size)
			return 1;
	}
	return 0;
}

static int map_add(int owner, uint32_t ioas, uint64_t iova, uint64_t size, uint64_t vaddr)
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

/* Unmap every mapping inside [iova, last]; a mapping straddling the range
 * fails the whole call with `straddle_err`. Returns bytes unmapped. */
static int64_t map_remove(int owner, uint32_t ioas, uint64_t iova, uint64_t last, int straddle_err)
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

static struct sim_ioas *ioas_find(int owner, uint32_t id)
{
	for (int i = 0; i < SIM_MAX_IOAS; i++) {
		struct sim_ioas *x = &sim_sh->ioas[i];
		if (x->used && x->owner == owner && x->id == id)
			return x;
	}
	return NULL;
}

static int vaddr_ok(uint64_t vaddr, uint64_t size)
{
	/* the kernel pins the pages: an unmapped range fails */
	return syscall(SYS_msync, (void *)(uintptr_t)vaddr, (size_t)size, MS_ASYNC) == 0;
}

/* ---- capability chains ---- */

struct caps {
	uint8_t buf[256];
	uint32_t size;
	uint32_t last; /* offset of the last header + 1, 0: none */
};

/* Append a capability; offsets are from the start of the info struct whose
 * fixed part is `base` bytes. */
static void *cap_add(struct caps *c, uint32_t base, uint16_t id, uint16_t version, uint32_t len)
{
	uint8_t *p = c->buf + c->size;
	memset(p, 0, len);
	struct vfio_info_cap_header *h = (void *)p;
	h->id = id;
	h->version = version;
	h->next = 0;
	if (c->last) {
		struct vfio_info_cap_header *prev = (void *)(c->buf + c->last - 1);
		prev->next = base + c->size;
	}
	c->last = c->size + 1;
	c->size += len;
	return p;
}

/* the kernel's argsz protocol: with room for the chain, copy it and point
 * cap_offset at it; without, only report the size needed */
static void caps_out(void *arg, uint32_t base, uint32_t *argsz, uint32_t *flags, uint32_t caps_flag,
		     uint32_t *cap_offset, const struct caps *c)
{
	if (!c->size)
		return;
	*flags |= caps_flag;
	if (*argsz < base + c->size) {
		*argsz = base + c->size;
		*cap_offset = 0;
	} else {
		memcpy((uint8_t *)arg + base, c->buf, c->size);
		*cap_offset = base;
	}
}

/* ---- container ---- */

static long container_ioctl(int oi, unsigned long req, void *arg)
{
	struct sim_obj *c = obj(oi);

	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		switch ((unsigned long)arg) {
		case VFIO_TYPE1_IOMMU:
		case VFIO_TYPE1v2_IOMMU:
		case VFIO_DMA_CC_IOMMU:
		case VFIO_UNMAP_ALL:
			return 1;
		default:
			return 0;
		}
	case VFIO_SET_IOMMU: {
		unsigned long type = (unsigned long)arg;
		if (c->ngroups == 0 || c->iommu_type)
			return -EINVAL;
		if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
			return -ENODEV;
		c->iommu_type = (int)type;
		return 0;
	}
	}
	if (!c->iommu_type)
		return -EINVAL;
	switch (req) {
	case VFIO_IOMMU_GET_INFO: {
		struct vfio_iommu_type1_info *info = arg;
		uint32_t base = sizeof(*info);
		if (info->argsz < END(struct vfio_iommu_type1_info, iova_pgsizes))
			return -EINVAL;
		info->flags = VFIO_IOMMU_INFO_PGSIZES;
		info->iova_pgsizes = PGSIZE | (2ull << 20) | (1ull << 30);
		struct caps caps = { .size = 0 };
		struct vfio_iommu_type1_info_cap_iova_range *r = cap_add(
			&caps, base, VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, 1,
			sizeof(*r) + sizeof(struct vfio_iova_range));
		r->nr_iovas = 1;
		r->iova_ranges[0].start = 0;
		r->iova_ranges[0].end = (1ull << 48) - 1;
		struct vfio_iommu_type1_info_dma_avail *a =
			cap_add(&caps, base, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 1, sizeof(*a));
		int used = 0;
		for (int i = 0; i < SIM_MAX_MAPS; i++)
			used += sim_sh->map[i].used && sim_sh->map[i].owner == oi;
		a->avail = (uint32_t)(65535 - used);
		if (info->argsz >= sizeof(*info))
			caps_out(info, base, &info->argsz, &info->flags, VFIO_IOMMU_INFO_CAPS,
				 &info->cap_offset, &caps);
		else {
			info->flags |= VFIO_IOMMU_INFO_CAPS;
			info->argsz = base + caps.size;
		}
		return 0;
	}
	case VFIO_IOMMU_MAP_DMA: {
		struct vfio_iommu_type1_dma_map *m = arg;
		if (m->argsz < END(struct vfio_iommu_type1_dma_map, size))
			return -EINVAL;
		if (m->flags & ~(uint32_t)(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE |
					    VFIO_DMA_MAP_FLAG_VADDR))
			return -EINVAL;
		if (!m->size || ((m->size | m->iova | m->vaddr) & (PGSIZE - 1)) ||
		    m->iova + m->size - 1 < m->iova || m->vaddr + m->size - 1 < m->vaddr)
			return -EINVAL;
		sigset_t old;
		long ret = 0;
		sim_lock(&old);
		if (m->flags & VFIO_DMA_MAP_FLAG_VADDR) {
			ret = -EINVAL;
			for (int i = 0; i < SIM_MAX_MAPS; i++) {
				struct sim_map *x = &sim_sh->map[i];
				if (x->used && x->owner == oi && x->iova == m->iova && x->size == m->size) {
					x->vaddr = m->vaddr;
					ret = 0;
				}
			}
		} else if (map_overlaps(oi, 0, m->iova, m->size))
			ret = -EEXIST;
		else if (!vaddr_ok(m->vaddr, m->size))
			ret = -EFAULT;
		else
			ret = map_add(oi, 0, m->iova, m->size, m->vaddr);
		sim_unlock(&old);
		return ret;
	}
	case VFIO_IOMMU_UNMAP_DMA: {
		struct vfio_iommu_type1_dma_unmap *u = arg;
		uint64_t iova = u->iova, last;
		if (u->argsz < END(struct vfio_iommu_type1_dma_unmap, size))
			return -EINVAL;
		if (u->flags & ~(uint32_t)VFIO_DMA_UNMAP_FLAG_ALL)
			return -EINVAL;
		if (u->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
			if (u->iova || u->size)
				return -EINVAL;
			last = UINT64_MAX;
		} else {
			if (!u->size || (u->size & (PGSIZE - 1)) || (u->iova & (PGSIZE - 1)) ||
			    u->iova + u->size - 1 < u->iova)
				return -EINVAL;
			last = u->iova + u->size - 1;
		}
		sigset_t old;
		sim_lock(&old);
		int64_t n = map_remove(oi, 0, iova, last, EINVAL);
		sim_unlock(&old);
		if (n < 0)
			return n;
		u->size = (uint64_t)n;
		return 0;
	}
	default:
		return -ENOTTY;
	}
}

/* ---- group ---- */

static long group_ioctl(int oi, unsigned long req, void *arg)
{
	struct sim_obj *g = obj(oi);

	switch (req) {
	case VFIO_GROUP_GET_STATUS: {
		struct vfio_group_status *s = arg;
		if (s->argsz < END(struct vfio_group_status, flags))
			return -EINVAL;
		s->flags = VFIO_GROUP_FLAGS_VIABLE | (g->container >= 0 ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
		return 0;
	}
	case VFIO_GROUP_SET_CONTAINER: {
		int cfd = *(const int *)arg;
		if (syscall(SYS_fcntl, cfd, F_GETFD) < 0)
			return -EBADF;
		int ci = sim_obj_of_fd(cfd);
		if (ci < 0 || obj(ci)->kind != SIM_CONTAINER)
			return -EINVAL;
		sigset_t old;
		long ret = 0;
		sim_lock(&old);
		if (g->container >= 0)
			ret = -EINVAL;
		else {
			g->container = ci;
			obj(ci)->ngroups++;
		}
		sim_unlock(&old);
		return ret;
	}
	case VFIO_GROUP_UNSET_CONTAINER: {
		sigset_t old;
		long ret = 0;
		sim_lock(&old);
		if (g->container < 0)
			ret = -EINVAL;
		else {
			struct sim_obj *c = obj(g->container);
			if (--c->ngroups == 0) {
				c->iommu_type = 0;
				map_remove(g->container, 0, 0, UINT64_MAX, 0);
			}
			g->container = -1;
		}
		sim_unlock(&old);
		return ret;
	}
	case VFIO_GROUP_GET_DEVICE_FD: {
		const char *name = arg;
		if (g->container < 0 || !obj(g->container)->iommu_type)
			return -EINVAL;
		if (strncmp(name, sim_sh->dev[g->devidx].bdf, 64))
			return -ENODEV;
		int fd = -1;
		int di = sim_obj_new(SIM_DEVICE, g->devidx, 1, &fd);
		if (di < 0)
			return di;
		return fd;
	}
	default:
		return -ENOTTY;
	}
}

/* ---- device ---- */

static void region_info(int devidx, struct vfio_region_info *ri, void *arg)
{
	uint32_t base = sizeof(*ri);
	struct caps caps = { .size = 0 };

	(void)devidx;
	ri->offset = (uint64_t)ri->index << VFIO_PCI_OFFSET_SHIFT;
	ri->flags = 0;
	ri->size = 0;
	ri->cap_offset = 0;
	switch (ri->index) {
	case VFIO_PCI_BAR0_REGION_INDEX:
		ri->size = SIM_BAR0_SIZE;
		ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		/* s390x: mappable (Linux >= 6.15), accessible only through the
		 * s390_pci_mmio_* system calls */
		if (sim_p.mmap_mode != SIM_MMAP_NONE && sim_arch_region_mappable(ri->index))
			ri->flags |= VFIO_REGION_INFO_FLAG_MMAP;
		break;
	case VFIO_PCI_BAR2_REGION_INDEX:
		ri->size = SIM_BAR2_SIZE;
		ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		if (sim_p.mmap_mode != SIM_MMAP_NONE) {
			ri->flags |= VFIO_REGION_INFO_FLAG_MMAP;
			struct vfio_region_info_cap_sparse_mmap *s =
				cap_add(&caps, base, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 1,
					sizeof(*s) + sizeof(struct vfio_region_sparse_mmap_area));
			s->nr_areas = 1;
			s->areas[0].offset = 0;
			s->areas[0].size = SIM_BAR2_SIZE;
			/* the MSI-X table lives in this BAR and may be mapped */
			cap_add(&caps, base, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1,
				sizeof(struct vfio_info_cap_header));
		}
		break;
	case VFIO_PCI_CONFIG_REGION_INDEX:
		ri->size = SIM_CFG_SIZE;
		ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
		break;
	default:
		break;
	}
	caps_out(arg, base, &ri->argsz, &ri->flags, VFIO_REGION_INFO_FLAG_CAPS, &ri->cap_offset, &caps);
}

static long set_irqs(struct sim_dev *d, struct vfio_irq_set *s)
{
	static const unsigned counts[SIM_NUM_IRQS] = { 1, 1, SIM_MAX_VECTORS, 1, 1 };
	uint32_t minsz = END(struct vfio_irq_set, count);

	if (s->argsz < minsz || s->index >= SIM_NUM_IRQS)
		return -EINVAL;
	uint32_t dtype = s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	uint32_t action = s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
	if (s->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return -EINVAL;
	if (__builtin_popcount(dtype) != 1 || __builtin_popcount(action) != 1)
		return -EINVAL;
	unsigned max = counts[s->index];
	if (s->count && (s->start >= max || s->start + s->count > max))
		return -EINVAL;
	uint32_t elem = dtype == VFIO_IRQ_SET_DATA_BOOL ? 1 : dtype == VFIO_IRQ_SET_DATA_EVENTFD ? 4 : 0;
	if ((uint64_t)s->argsz - minsz < (uint64_t)s->count * elem)
		return -EINVAL;

	long ret = 0;
	sigset_t old;
	int *fds = d->irq_fd[s->index];

	if (action == VFIO_IRQ_SET_ACTION_TRIGGER && dtype == VFIO_IRQ_SET_DATA_EVENTFD) {
		const int32_t *want = (const int32_t *)s->data;
		/* validate and take our own references first */
		int dup[SIM_MAX_VECTORS];
		for (uint32_t i = 0; i < s->count; i++) {
			dup[i] = -1;
			if (want[i] < 0)
				continue;
			dup[i] = sim_arch_dup_eventfd(want[i]);
			if (dup[i] < 0) {
				for (uint32_t j = 0; j < i; j++)
					if (dup[j] >= 0)
						syscall(SYS_close, dup[j]);
				return -EBADF;
			}
		}
		int is_msi = s->index == VFIO_PCI_MSI_IRQ_INDEX || s->index == VFIO_PCI_MSIX_IRQ_INDEX ||
			     s->index == VFIO_PCI_INTX_IRQ_INDEX;
		sim_lock(&old);
		if (s->count && is_msi && d->irq_active != SIM_IRQ_NONE && d->irq_active != (int)s->index) {
			ret = -EINVAL;
		} else if (!s->count) {
			for (unsigned v = 0; v < SIM_MAX_VECTORS; v++)
				if (fds[v] >= 0) {
					syscall(SYS_close, fds[v]);
					fds[v] = -1;
				}
			if (d->irq_active == (int)s->index)
				d->irq_active = SIM_IRQ_NONE;
		} else {
			for (uint32_t i = 0; i < s->count; i++) {
				int *slot = &fds[s->start + i];
				if (*slot >= 0)
					syscall(SYS_close, *slot);
				*slot = dup[i];
				dup[i] = -1;
			}
			if (is_msi) {
				int any = 0;
				for (unsigned v = 0; v < SIM_MAX_VECTORS; v++)
					any |= fds[v] >= 0;
				d->irq_active = any ? (int)s->index : SIM_IRQ_NONE;
				if (s->index == VFIO_PCI_INTX_IRQ_INDEX)
					d->intx_masked = 0;
			}
		}
		sim_unlock(&old);
		for (uint32_t i = 0; i < s->count; i++)
			if (dup[i] >= 0)
				syscall(SYS_close, dup[i]);
		return ret;
	}
	if (action == VFIO_IRQ_SET_ACTION_TRIGGER) {
		sim_lock(&old);
		if (!s->count && dtype == VFIO_IRQ_SET_DATA_NONE) {
			for (unsigned v = 0; v < SIM_MAX_VECTORS; v++)
				if (fds[v] >= 0) {
					syscall(SYS_close, fds[v]);
					fds[v] = -1;
				}
			if (d->irq_active == (int)s->index)
				d->irq_active = SIM_IRQ_NONE;
		}
		for (uint32_t i = 0; i < s->count; i++)
			if (dtype == VFIO_IRQ_SET_DATA_NONE || s->data[i])
				sim_signal_irq(d, (int)s->index, (int)(s->start + i));
		sim_unlock(&old);
		return 0;
	}
	/* mask / unmask: INTx only */
	if (s->index != VFIO_PCI_INTX_IRQ_INDEX || dtype == VFIO_IRQ_SET_DATA_EVENTFD)
		return -EINVAL;
	if (s->count && (dtype == VFIO_IRQ_SET_DATA_NONE || s->data[0])) {
		sim_lock(&old);
		d->intx_masked = action == VFIO_IRQ_SET_ACTION_MASK;
		sim_unlock(&old);
	}
	return 0;
}

static long device_ioctl(int oi, unsigned long req, void *arg)
{
	struct sim_obj *o = obj(oi);
	struct sim_dev *d = &sim_sh->dev[o->devidx];

	if (req == VFIO_DEVICE_BIND_IOMMUFD) {
		struct vfio_device_bind_iommufd *b = arg;
		if (!o->cdev || o->iommufd >= 0)
			return -EINVAL;
		if (b->argsz < END(struct vfio_device_bind_iommufd, out_devid) || (b->flags & ~1u))
			return -EINVAL;
		if (syscall(SYS_fcntl, b->iommufd, F_GETFD) < 0)
			return -EBADF;
		int ii = sim_obj_of_fd(b->iommufd);
		if (ii < 0 || obj(ii)->kind != SIM_IOMMUFD)
			return -EINVAL;
		sigset_t old;
		sim_lock(&old);
		o->devid = obj(ii)->next_id++;
		o->iommufd = ii;
		sim_unlock(&old);
		b->out_devid = o->devid;
		return 0;
	}
	if (o->cdev && o->iommufd < 0)
		return -EINVAL; /* nothing but bind before bind */

	switch (req) {
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT: {
		struct vfio_device_attach_iommufd_pt *a = arg;
		if (!o->cdev)
			return -EINVAL;
		if (a->argsz < END(struct vfio_device_attach_iommufd_pt, pt_id) || a->flags)
			return -EINVAL;
		sigset_t old;
		long ret = -ENOENT;
		sim_lock(&old);
		if (ioas_find(o->iommufd, a->pt_id)) {
			o->ioas = a->pt_id;
			/* the kernel makes a hw_pagetable for an IOAS */
			o->pt_id = obj(o->iommufd)->next_id++;
			a->pt_id = o->pt_id;
			ret = 0;
		}
		sim_unlock(&old);
		return ret;
	}
	case VFIO_DEVICE_DETACH_IOMMUFD_PT: {
		struct vfio_device_detach_iommufd_pt *a = arg;
		if (!o->cdev)
			return -EINVAL;
		if (a->argsz < END(struct vfio_device_detach_iommufd_pt, flags) || a->flags)
			return -EINVAL;
		o->pt_id = 0;
		o->ioas = 0;
		return 0;
	}
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info *info = arg;
		if (info->argsz < END(struct vfio_device_info, num_irqs))
			return -EINVAL;
		info->flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
		info->num_regions = SIM_NUM_REGIONS;
		info->num_irqs = SIM_NUM_IRQS;
		/* newer headers: u32 cap_offset, u32 pad */
		if (info->argsz > 16)
			memset((uint8_t *)info + 16, 0, info->argsz < 24 ? info->argsz - 16 : 8);
		return 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO: {
		struct vfio_region_info *ri = arg;
		if (ri->argsz < END(struct vfio_region_info, offset))
			return -EINVAL;
		if (ri->index >= SIM_NUM_REGIONS)
			return -EINVAL;
		region_info(o->devidx, ri, arg);
		return 0;
	}
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info *ii = arg;
		if (ii->argsz < END(struct vfio_irq_info, count) || ii->index >= SIM_NUM_IRQS)
			return -EINVAL;
		ii->flags = VFIO_IRQ_INFO_EVENTFD;
		switch (ii->index) {
		case VFIO_PCI_INTX_IRQ_INDEX:
			ii->flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
			ii->count = 1;
			break;
		case VFIO_PCI_MSI_IRQ_INDEX:
			ii->flags |= VFIO_IRQ_INFO_NORESIZE;
			ii->count = 1;
			break;
		case VFIO_PCI_MSIX_IRQ_INDEX:
			ii->flags |= VFIO_IRQ_INFO_NORESIZE;
			ii->count = SIM_MAX_VECTORS;
			break;
		default: /* ERR, REQ */
			ii->flags |= VFIO_IRQ_INFO_NORESIZE;
			ii->count = 1;
			break;
		}
		return 0;
	}
	case VFIO_DEVICE_SET_IRQS:
		return set_irqs(d, arg);
	case VFIO_DEVICE_RESET: {
		sigset_t old;
		sim_lock(&old);
		sim_model_reset(d);
		sim_unlock(&old);
		return 0;
	}
	default:
		return -ENOTTY;
	}
}

/* ---- iommufd ---- */

static long iommufd_ioctl(int oi, unsigned long req, void *arg)
{
	struct sim_obj *f = obj(oi);
	sigset_t old;
	long ret = 0;

	switch (req) {
	case IOMMU_IOAS_ALLOC: {
		struct iommu_ioas_alloc *a = arg;
		if (a->size < END(struct iommu_ioas_alloc, out_ioas_id))
			return -EINVAL;
		if (a->flags)
			return -EOPNOTSUPP;
		ret = -ENOSPC;
		sim_lock(&old);
		for (int i = 0; i < SIM_MAX_IOAS; i++) {
			struct sim_ioas *x = &sim_sh->ioas[i];
			if (!x->used) {
				*x = (struct sim_ioas){ 1, oi, f->next_id++ };
				a->out_ioas_id = x->id;
				ret = 0;
				break;
			}
		}
		sim_unlock(&old);
		return ret;
	}
	case IOMMU_DESTROY: {
		struct iommu_destroy *a = arg;
		if (a->size < END(struct iommu_destroy, id))
			return -EINVAL;
		sim_lock(&old);
		struct sim_ioas *x = ioas_find(oi, a->id);
		if (!x)
			ret = -ENOENT;
		else {
			int n = atomic_load(&sim_sh->nobj);
			for (int i = 0; i < n; i++)
				if (sim_sh->obj[i].kind == SIM_DEVICE && sim_sh->obj[i].iommufd == oi &&
				    sim_sh->obj[i].ioas == a->id)
					ret = -EBUSY;
			if (!ret) {
				map_remove(oi, x->id, 0, UINT64_MAX, 0);
				x->used = 0;
			}
		}
		sim_unlock(&old);
		return ret;
	}
	case IOMMU_IOAS_IOVA_RANGES: {
		struct iommu_ioas_iova_ranges *r = arg;
		if (r->size < END(struct iommu_ioas_iova_ranges, out_iova_alignment))
			return -EINVAL;
		if (!ioas_find(oi, r->ioas_id))
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
	case IOMMU_IOAS_MAP: {
		struct iommu_ioas_map *m = arg;
		if (m->size < END(struct iommu_ioas_map, iova))
			return -EINVAL;
		if (m->flags & ~(uint32_t)(IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |
					    IOMMU_IOAS_MAP_READABLE) ||
		    m->__reserved)
			return -EOPNOTSUPP;
		if (!m->length || m->user_va + m->length - 1 < m->user_va)
			return -EINVAL;
		if ((m->flags & IOMMU_IOAS_MAP_FIXED_IOVA) &&
		    (((m->iova | m->length) & (PGSIZE - 1)) || m->iova + m->length - 1 < m->iova))
			return -EINVAL;
		if (!vaddr_ok(m->user_va & ~(PGSIZE - 1), m->length + (m->user_va & (PGSIZE - 1))))
			return -EFAULT;
		sim_lock(&old);
		if (!ioas_find(oi, m->ioas_id))
			ret = -ENOENT;
		else if (m->flags & IOMMU_IOAS_MAP_FIXED_IOVA) {
			if (map_overlaps(oi, m->ioas_id, m->iova, m->length))
				ret = -EEXIST;
			else
				ret = map_add(oi, m->ioas_id, m->iova, m->length, m->user_va);
		} else {
			/* allocate above everything mapped, keeping the page offset */
			uint64_t top = 1ull << 20;
			for (int i = 0; i < SIM_MAX_MAPS; i++) {
				struct sim_map *x = &sim_sh->map[i];
				if (x->used && x->owner == oi && x->ioas == m->ioas_id && x->iova + x->size > top)
					top = x->iova + x->size;
			}
			top = (top + PGSIZE - 1) & ~(PGSIZE - 1);
			uint64_t iova = top | (m->user_va & (PGSIZE - 1));
			ret = map_add(oi, m->ioas_id, iova, m->length, m->user_va);
			if (!ret)
				m->iova = iova;
		}
		sim_unlock(&old);
		return ret;
	}
	case IOMMU_IOAS_UNMAP: {
		struct iommu_ioas_unmap *u = arg;
		if (u->size < END(struct iommu_ioas_unmap, length))
			return -EINVAL;
		uint64_t last;
		if (u->iova == 0 && u->length == UINT64_MAX)
			last = UINT64_MAX;
		else if (!u->length || u->iova + u->length - 1 < u->iova)
			return -EINVAL;
		else
			last = u->iova + u->length - 1;
		sim_lock(&old);
		if (!ioas_find(oi, u->ioas_id))
			ret = -ENOENT;
		else {
			int64_t n = map_remove(oi, u->ioas_id, u->iova, last, ENOENT);
			if (n == 0 && last != UINT64_MAX)
				n = -ENOENT;
			if (n >= 0)
				u->length = (uint64_t)n;
			ret = n < 0 ? n : 0;
		}
		sim_unlock(&old);
		return ret;
	}
	default:
		return -ENOTTY;
	}
}

int sim_ioctl(int oi, unsigned long req, void *arg)
{
	switch (obj(oi)->kind) {
	case SIM_CONTAINER:
		return (int)container_ioctl(oi, req, arg);
	case SIM_GROUP:
		return (int)group_ioctl(oi, req, arg);
	case SIM_DEVICE:
		return (int)device_ioctl(oi, req, arg);
	case SIM_IOMMUFD:
		return (int)iommufd_ioctl(oi, req, arg);
	default:
		return -ENOTTY;
	}
}

/* mmap of a sim fd: only BAR2 of a device (s390x: BAR0 and BAR2), only
 * MAP_SHARED, only within the BAR, only with MMIOSIM_MMAP=normal; everything
 * else EINVAL as vfio-pci. On s390x the mapping is one the CPU cannot
 * access (arch_s390x.c). */
void *sim_mmap(int oi, void *addr, size_t len, int prot, int flags, off_t off, int *err)
{
	struct sim_obj *o = obj(oi);
	uint64_t pos = (uint64_t)off;

	if (o->kind != SIM_DEVICE) {
		*err = ENODEV;
		return MAP_FAILED;
	}
	unsigned idx = (unsigned)(pos >> VFIO_PCI_OFFSET_SHIFT);
	uint64_t in = pos & ((1ull << VFIO_PCI_OFFSET_SHIFT) - 1);
	int type = flags & MAP_TYPE;
	uint64_t barsize = idx == VFIO_PCI_BAR0_REGION_INDEX ? SIM_BAR0_SIZE : SIM_BAR2_SIZE;
	if ((o->cdev && o->iommufd < 0) || sim_p.mmap_mode != SIM_MMAP_NORMAL ||
	    !sim_arch_region_mappable(idx) || !len || (in & (PGSIZE - 1)) ||
	    (type != MAP_SHARED && type != MAP_SHARED_VALIDATE) || in >= barsize ||
	    ((len + PGSIZE - 1) & ~(PGSIZE - 1)) > barsize - in) {
		*err = EINVAL;
		return MAP_FAILED;
	}
	return sim_arch_bar_mmap(o->devidx, idx, in, addr, len, prot, flags, err);
}
