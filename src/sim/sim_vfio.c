/* The ioctls of the simulated /dev/vfio/vfio (container), /dev/vfio/N
 * (group), device fds (group-issued and /dev/vfio/devices/vfioN) and
 * /dev/iommu: each kind of object has a table of handlers, one per ioctl
 * (sim_container.c, sim_group.c, sim_device.c, sim_iommufd.c); here the
 * lookup in a table and the capability chains of the info ioctls.
 * Not used from signal handlers. */
#include <errno.h>
#include <string.h>

#include "sim_vfio.h"

const struct ioctl_handler *sim_ioctl_find(const struct ioctl_handler *table, size_t n, unsigned long req)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].req == req)
			return &table[i];
	return NULL;
}

long sim_ioctl_run(const struct ioctl_handler *table, size_t n, int oi, unsigned long req, void *arg)
{
	const struct ioctl_handler *h = sim_ioctl_find(table, n, req);
	return h ? h->fn(oi, arg) : -ENOTTY;
}

int sim_ioctl(int oi, unsigned long req, void *arg)
{
	switch (obj(oi)->kind) {
	case SIM_CONTAINER:
		return (int)sim_container_ioctl(oi, req, arg);
	case SIM_GROUP:
		return (int)sim_group_ioctl(oi, req, arg);
	case SIM_DEVICE:
		return (int)sim_device_ioctl(oi, req, arg);
	case SIM_IOMMUFD:
		return (int)sim_iommufd_ioctl(oi, req, arg);
	default:
		return -ENOTTY;
	}
}

/* ---- capability chains ---- */

void *sim_cap_add(struct caps *c, uint32_t base, uint16_t id, uint16_t version, uint32_t len)
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

void sim_caps_out(void *arg, uint32_t base, uint32_t *argsz, uint32_t *flags, uint32_t caps_flag,
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
