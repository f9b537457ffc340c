/* The ioctls of a simulated /dev/vfio/N, the group of one device
 * (drivers/vfio/group.c). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim_vfio.h"

static long group_get_status(int oi, void *arg)
{
	struct vfio_group_status *s = arg;

	if (s->argsz < END(struct vfio_group_status, flags))
		return -EINVAL;
	s->flags = VFIO_GROUP_FLAGS_VIABLE | (obj(oi)->container >= 0 ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
	return 0;
}

static long group_set_container(int oi, void *arg)
{
	struct sim_obj *g = obj(oi);
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

/* the last group leaving a container takes its IOMMU and DMA mappings */
static long group_unset_container(int oi, void *arg)
{
	struct sim_obj *g = obj(oi);
	sigset_t old;
	long ret = 0;

	(void)arg;
	sim_lock(&old);
	if (g->container < 0)
		ret = -EINVAL;
	else {
		struct sim_obj *c = obj(g->container);
		if (--c->ngroups == 0) {
			c->iommu_type = 0;
			sim_map_remove(g->container, 0, 0, UINT64_MAX, 0);
		}
		g->container = -1;
	}
	sim_unlock(&old);
	return ret;
}

static long group_get_device_fd(int oi, void *arg)
{
	struct sim_obj *g = obj(oi);
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

static const struct ioctl_handler group_ioctls[] = {
	{ VFIO_GROUP_GET_STATUS, group_get_status },
	{ VFIO_GROUP_SET_CONTAINER, group_set_container },
	{ VFIO_GROUP_UNSET_CONTAINER, group_unset_container },
	{ VFIO_GROUP_GET_DEVICE_FD, group_get_device_fd },
};

long sim_group_ioctl(int oi, unsigned long req, void *arg)
{
	return sim_ioctl_run(IOCTLS(group_ioctls), oi, req, arg);
}
