/* Which file descriptors are VFIO devices, their PCI address and regions.
 * Learned from the calls that create them (GROUP_GET_DEVICE_FD, opening a
 * cdev or a sysfs resource file) or, for fds received from elsewhere, by
 * recognising them on their first mmap. Never used in the signal handler. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"
#include "vfio.h"

/* Device fds at or beyond this are said, not tracked (a table of this many
 * pointers is 8 MiB of address space, touched only where fds are). */
#define FD_TRACKED (1 << 20)

static struct device *devs[FD_TRACKED];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static bool fd_ok(int fd)
{
	return fd >= 0 && fd < FD_TRACKED;
}

/* A VFIO device fd the table cannot hold: its BARs would pass untrapped. */
static void fd_beyond_table(int fd)
{
	log_error("device fd %d is beyond the %d the shim can track: mappings of its BARs will not be trapped",
		  fd, FD_TRACKED);
}

static void set_device(int fd, const struct device *d)
{
	if (!fd_ok(fd)) {
		if (d)
			fd_beyond_table(fd);
		return;
	}
	pthread_mutex_lock(&lock);
	if (d) {
		if (!devs[fd])
			devs[fd] = malloc(sizeof(*devs[fd]));
		if (devs[fd])
			*devs[fd] = *d;
	} else {
		free(devs[fd]);
		devs[fd] = NULL;
	}
	pthread_mutex_unlock(&lock);
}

/* "/sys/.../0000:00:04.0/resource2" -> bdf "0000:00:04.0", bar 2 */
static bool parse_sysfs_resource(const char *path, char *bdf, size_t bdf_size, int *bar)
{
	if (strncmp(path, "/sys/", 5))
		return false;
	const char *base = strrchr(path, '/');
	if (!base || strncmp(base + 1, "resource", 8))
		return false;
	const char *n = base + 9;
	if (n[0] < '0' || n[0] > '5' || (n[1] && strcmp(n + 1, "_wc")))
		return false;
	const char *start = base;
	while (start > path && start[-1] != '/')
		start--;
	size_t len = (size_t)(base - start);
	if (len == 0 || len >= bdf_size)
		return false;
	memcpy(bdf, start, len);
	bdf[len] = '\0';
	*bar = n[0] - '0';
	return true;
}

/* /dev/vfio/devices/vfioN -> the PCI address from /sys/class/vfio-dev/vfioN/device */
static void cdev_bdf(const char *path, char *bdf, size_t size)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *name = strrchr(path, '/');

	snprintf(bdf, size, "unknown");
	snprintf(link, sizeof(link), "/sys/class/vfio-dev/%s/device", name ? name + 1 : path);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	const char *b = strrchr(target, '/');
	snprintf(bdf, size, "%.31s", b ? b + 1 : target);
}

void vfio_note_open(int fd, const char *path)
{
	struct device d = { .bdf = "unknown" };

	if (!path || fd < 0)
		return;
	if (!strncmp(path, "/dev/vfio/devices/", 18)) {
		cdev_bdf(path, d.bdf, sizeof(d.bdf));
		set_device(fd, &d);
	} else if (parse_sysfs_resource(path, d.bdf, sizeof(d.bdf), &d.sysfs_bar)) {
		d.sysfs = true;
		set_device(fd, &d);
	} else if (fd_ok(fd) && devs[fd]) {
		set_device(fd, NULL);
	}
}

void vfio_note_device_fd(int fd, const char *bdf)
{
	struct device d = { 0 };

	snprintf(d.bdf, sizeof(d.bdf), "%s", bdf ? bdf : "unknown");
	set_device(fd, &d);
}

void vfio_note_dup(int oldfd, int newfd)
{
	if (!fd_ok(oldfd))
		return;
	pthread_mutex_lock(&lock);
	struct device copy, *src = devs[oldfd];
	if (src)
		copy = *src;
	pthread_mutex_unlock(&lock);
	set_device(newfd, src ? &copy : NULL);
}

void vfio_note_close(int fd)
{
	if (fd_ok(fd) && devs[fd])
		set_device(fd, NULL);
}

/* An fd we did not see being made: recognise a VFIO device or a sysfs BAR
 * file by what /proc says it is. */
static struct device *recognise(int fd)
{
	char link[64], path[PATH_MAX];
	struct device d = { .bdf = "unknown" };
	struct vfio_device_info info = { .argsz = sizeof(info) };

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	if (!strncmp(path, "/dev/vfio/devices/", 18) || parse_sysfs_resource(path, d.bdf, sizeof(d.bdf), &d.sysfs_bar)) {
		vfio_note_open(fd, path);
		return devs[fd];
	}
	/* anon inodes are what the group flow hands out; memfds are probed too
	 * so that a simulated device passed from elsewhere is found. */
	if (strcmp(path, "anon_inode:[vfio-device]") && strncmp(path, "/memfd:", 7))
		return NULL;
	if (real.ioctl(fd, VFIO_DEVICE_GET_INFO, &info) || !(info.flags & VFIO_DEVICE_FLAGS_PCI))
		return NULL;
	set_device(fd, &d);
	return devs[fd];
}

static void load_regions(int fd, struct device *d)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	d->info_loaded = true;
	if (d->sysfs) {
		struct stat st;
		if (fstat(fd, &st) == 0) {
			d->num_regions = (uint32_t)d->sysfs_bar + 1;
			d->region[d->sysfs_bar] = (struct vfio_region){ 0, (uint64_t)st.st_size,
				VFIO_REGION_INFO_FLAG_MMAP, true };
		}
		return;
	}
	if (real.ioctl(fd, VFIO_DEVICE_GET_INFO, &info)) {
		log_error("%s: VFIO_DEVICE_GET_INFO failed (%s): mappings of its BARs will not be trapped",
			  d->bdf, strerror(errno));
		return;
	}
	d->num_regions = info.num_regions < VFIO_MAX_REGIONS ? info.num_regions : VFIO_MAX_REGIONS;
	for (uint32_t i = 0; i < d->num_regions; i++) {
		/* argsz without room for capabilities: the kernel fills the fixed
		 * part, which is all we need, and only reports the size it wants. */
		struct vfio_region_info ri = { .argsz = sizeof(ri), .index = i };
		if (real.ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri)) {
			if (i <= VFIO_PCI_BAR5_REGION_INDEX || i == VFIO_PCI_CONFIG_REGION_INDEX)
				log_error("%s: VFIO_DEVICE_GET_REGION_INFO of region %u failed (%s): %s",
					  d->bdf, i, strerror(errno),
					  i == VFIO_PCI_CONFIG_REGION_INDEX ? "its compatibility fixes are off"
									     : "mappings of this BAR will not be trapped");
			continue;
		}
		d->region[i] = (struct vfio_region){ ri.offset, ri.size, ri.flags, true };
	}
}

struct device *vfio_device_of(int fd)
{
	if (!fd_ok(fd))
		return NULL;
	struct device *d = devs[fd];
	if (!d)
		d = recognise(fd);
	if (d && !d->info_loaded)
		load_regions(fd, d);
	return d;
}

struct device *vfio_device_known(int fd)
{
	if (!fd_ok(fd) || !devs[fd])
		return NULL;
	return vfio_device_of(fd);
}

int vfio_find_bar(struct device *d, uint64_t off, int *bar, uint64_t *bar_off, uint64_t *bar_size)
{
	for (uint32_t i = 0; i < d->num_regions && i <= VFIO_PCI_BAR5_REGION_INDEX; i++) {
		const struct vfio_region *r = &d->region[i];
		if (r->valid && r->size && off >= r->offset && off - r->offset < r->size) {
			*bar = (int)i;
			*bar_off = off - r->offset;
			*bar_size = r->size;
			return 0;
		}
	}
	return -1;
}

void vfio_fix_region_info(int fd, void *arg)
{
	struct vfio_region_info *ri = arg;
	struct device *d = vfio_device_of(fd);

	if (!d || d->sysfs || ri->index > VFIO_PCI_BAR5_REGION_INDEX || !ri->size)
		return;
	if ((ri->flags & (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)) &&
	    !(ri->flags & VFIO_REGION_INFO_FLAG_MMAP)) {
		log_debug("%s BAR%u: the kernel cannot mmap it; the shim will", d->bdf, ri->index);
		ri->flags |= VFIO_REGION_INFO_FLAG_MMAP;
	}
}

void vfio_fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

void vfio_fork_done(void)
{
	pthread_mutex_unlock(&lock);
}
