/* The ioctls of a simulated device fd, group-issued or opened as
 * /dev/vfio/devices/vfioN (drivers/vfio/device_cdev.c,
 * pci/vfio_pci_core.c), and its mmap. The IRQ ioctls are in sim_irq.c. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim_vfio.h"

/* ---- iommufd: cdev fds only (sim_device_ioctl checks) ---- */

static long device_bind_iommufd(int oi, void *arg)
{
	struct sim_obj *o = obj(oi);
	struct vfio_device_bind_iommufd *b = arg;

	if (o->iommufd >= 0)
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

static long device_attach_iommufd_pt(int oi, void *arg)
{
	struct sim_obj *o = obj(oi);
	struct vfio_device_attach_iommufd_pt *a = arg;

	if (a->argsz < END(struct vfio_device_attach_iommufd_pt, pt_id) || a->flags)
		return -EINVAL;
	sigset_t old;
	long ret = -ENOENT;
	sim_lock(&old);
	if (sim_ioas_find(o->iommufd, a->pt_id)) {
		o->ioas = a->pt_id;
		/* the kernel makes a hw_pagetable for an IOAS */
		o->pt_id = obj(o->iommufd)->next_id++;
		a->pt_id = o->pt_id;
		ret = 0;
	}
	sim_unlock(&old);
	return ret;
}

static long device_detach_iommufd_pt(int oi, void *arg)
{
	struct sim_obj *o = obj(oi);
	struct vfio_device_detach_iommufd_pt *a = arg;

	if (a->argsz < END(struct vfio_device_detach_iommufd_pt, flags) || a->flags)
		return -EINVAL;
	o->pt_id = 0;
	o->ioas = 0;
	return 0;
}

/* ---- the device ---- */

static long device_get_info(int oi, void *arg)
{
	struct vfio_device_info *info = arg;

	(void)oi;
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

static void bar0_info(struct vfio_region_info *ri)
{
	ri->size = SIM_BAR0_SIZE;
	ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	/* s390x: mappable (Linux >= 6.15), accessible only through the
	 * s390_pci_mmio_* system calls */
	if (sim_p.mmap_mode != SIM_MMAP_NONE && sim_arch_region_mappable(ri->index))
		ri->flags |= VFIO_REGION_INFO_FLAG_MMAP;
}

static void bar2_info(struct vfio_region_info *ri, struct caps *caps, uint32_t base)
{
	ri->size = SIM_BAR2_SIZE;
	ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	if (sim_p.mmap_mode == SIM_MMAP_NONE)
		return;
	ri->flags |= VFIO_REGION_INFO_FLAG_MMAP;
	struct vfio_region_info_cap_sparse_mmap *s =
		sim_cap_add(caps, base, VFIO_REGION_INFO_CAP_SPARSE_MMAP, 1,
			    sizeof(*s) + sizeof(struct vfio_region_sparse_mmap_area));
	s->nr_areas = 1;
	s->areas[0].offset = 0;
	s->areas[0].size = SIM_BAR2_SIZE;
	/* the MSI-X table lives in this BAR and may be mapped */
	sim_cap_add(caps, base, VFIO_REGION_INFO_CAP_MSIX_MAPPABLE, 1, sizeof(struct vfio_info_cap_header));
}

static long device_get_region_info(int oi, void *arg)
{
	struct vfio_region_info *ri = arg;
	uint32_t base = sizeof(*ri);
	struct caps caps = { .size = 0 };

	(void)oi;
	if (ri->argsz < END(struct vfio_region_info, offset))
		return -EINVAL;
	if (ri->index >= SIM_NUM_REGIONS)
		return -EINVAL;
	ri->offset = (uint64_t)ri->index << VFIO_PCI_OFFSET_SHIFT;
	ri->flags = 0;
	ri->size = 0;
	ri->cap_offset = 0;
	if (ri->index == VFIO_PCI_BAR0_REGION_INDEX)
		bar0_info(ri);
	else if (ri->index == VFIO_PCI_BAR2_REGION_INDEX)
		bar2_info(ri, &caps, base);
	else if (ri->index == VFIO_PCI_CONFIG_REGION_INDEX) {
		ri->size = SIM_CFG_SIZE;
		ri->flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	}
	sim_caps_out(arg, base, &ri->argsz, &ri->flags, VFIO_REGION_INFO_FLAG_CAPS, &ri->cap_offset, &caps);
	return 0;
}

static long device_reset(int oi, void *arg)
{
	sigset_t old;

	(void)arg;
	sim_lock(&old);
	sim_model_reset(&sim_sh->dev[obj(oi)->devidx]);
	sim_unlock(&old);
	return 0;
}

/* the iommufd ioctls: a device fd opened as /dev/vfio/devices/vfioN
 * answers them, a group-issued one EINVAL */
static const struct ioctl_handler cdev_ioctls[] = {
	{ VFIO_DEVICE_BIND_IOMMUFD, device_bind_iommufd },
	{ VFIO_DEVICE_ATTACH_IOMMUFD_PT, device_attach_iommufd_pt },
	{ VFIO_DEVICE_DETACH_IOMMUFD_PT, device_detach_iommufd_pt },
};

static const struct ioctl_handler device_ioctls[] = {
	{ VFIO_DEVICE_GET_INFO, device_get_info },
	{ VFIO_DEVICE_GET_REGION_INFO, device_get_region_info },
	{ VFIO_DEVICE_GET_IRQ_INFO, sim_device_get_irq_info },
	{ VFIO_DEVICE_SET_IRQS, sim_device_set_irqs },
	{ VFIO_DEVICE_RESET, device_reset },
};

long sim_device_ioctl(int oi, unsigned long req, void *arg)
{
	struct sim_obj *o = obj(oi);

	if (req != VFIO_DEVICE_BIND_IOMMUFD && o->cdev && o->iommufd < 0)
		return -EINVAL; /* nothing but bind before bind */
	const struct ioctl_handler *h = sim_ioctl_find(IOCTLS(cdev_ioctls), req);
	if (h)
		return o->cdev ? h->fn(oi, arg) : -EINVAL;
	return sim_ioctl_run(IOCTLS(device_ioctls), oi, req, arg);
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
