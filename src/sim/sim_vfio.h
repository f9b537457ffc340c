/* libmmiosim: what the files of the VFIO objects share.
 *
 *   sim_vfio.c      sim_ioctl, the lookup in a table of ioctl handlers;
 *                   capability chains and the argsz protocol
 *   sim_dma.c       DMA mapping and IOAS bookkeeping
 *   sim_container.c /dev/vfio/vfio
 *   sim_group.c     /dev/vfio/N
 *   sim_device.c    device fds (group-issued and /dev/vfio/devices/vfioN),
 *                   their mmap
 *   sim_irq.c       a device's IRQs: VFIO_DEVICE_GET_IRQ_INFO, SET_IRQS
 *   sim_iommufd.c   /dev/iommu
 *
 * Errors follow the kernel's (drivers/vfio/container.c, group.c,
 * device_cdev.c, pci/vfio_pci_core.c, pci/vfio_pci_intrs.c,
 * vfio_iommu_type1.c, iommufd/ioas.c). Not used from signal handlers. */
#ifndef MMIOSIM_SIM_VFIO_H
#define MMIOSIM_SIM_VFIO_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"

#define PGSIZE 4096ull
/* the smallest argsz (or size) that holds `field` */
#define END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

static inline struct sim_obj *obj(int i)
{
	return &sim_sh->obj[i];
}

/* One ioctl of an object: fn gets the object index and the ioctl's argument
 * (a pointer, or a number cast to one), and returns -errno or the ioctl's
 * value. */
struct ioctl_handler {
	unsigned long req;
	long (*fn)(int oi, void *arg);
};
#define IOCTLS(table) (table), sizeof(table) / sizeof((table)[0])

/* the handler of req in table (n entries), NULL if it has none */
const struct ioctl_handler *sim_ioctl_find(const struct ioctl_handler *table, size_t n, unsigned long req);
/* runs the handler of req; ENOTTY if the table has none */
long sim_ioctl_run(const struct ioctl_handler *table, size_t n, int oi, unsigned long req, void *arg);

/* sim_container.c, sim_group.c, sim_device.c, sim_iommufd.c */
long sim_container_ioctl(int oi, unsigned long req, void *arg);
long sim_group_ioctl(int oi, unsigned long req, void *arg);
long sim_device_ioctl(int oi, unsigned long req, void *arg);
long sim_iommufd_ioctl(int oi, unsigned long req, void *arg);

/* sim_irq.c: handlers of device fds */
long sim_device_get_irq_info(int oi, void *arg);
long sim_device_set_irqs(int oi, void *arg);

/* ---- capability chains (sim_vfio.c) ---- */

struct caps {
	uint8_t buf[256];
	uint32_t size;
	uint32_t last; /* offset of the last header + 1, 0: none */
};

/* Append a capability; offsets are from the start of the info struct whose
 * fixed part is `base` bytes. */
void *sim_cap_add(struct caps *c, uint32_t base, uint16_t id, uint16_t version, uint32_t len);
/* the kernel's argsz protocol: with room for the chain, copy it and point
 * cap_offset at it; without, only report the size needed */
void sim_caps_out(void *arg, uint32_t base, uint32_t *argsz, uint32_t *flags, uint32_t caps_flag,
		  uint32_t *cap_offset, const struct caps *c);

/* ---- DMA mapping bookkeeping (sim_dma.c; lock held) ---- */

/* Does [iova, iova+size) overlap a mapping of owner's ioas (0: a container)? */
int sim_map_overlaps(int owner, uint32_t ioas, uint64_t iova, uint64_t size);
/* 0, or -ENOSPC when the table is full */
int sim_map_add(int owner, uint32_t ioas, uint64_t iova, uint64_t size, uint64_t vaddr);
/* Unmap every mapping inside [iova, last]; a mapping straddling the range
 * fails the whole call with `straddle_err`. Returns bytes unmapped. */
int64_t sim_map_remove(int owner, uint32_t ioas, uint64_t iova, uint64_t last, int straddle_err);
struct sim_ioas *sim_ioas_find(int owner, uint32_t id);
/* Is [vaddr, vaddr+size) mapped in the process? (the kernel pins it) */
int sim_vaddr_ok(uint64_t vaddr, uint64_t size);

#endif
