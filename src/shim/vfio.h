/* Which fds are VFIO devices (or sysfs BAR files), and their regions
 * (vfio.c). Never used in the signal handler. */
#ifndef MMIOSHIM_VFIO_H
#define MMIOSHIM_VFIO_H

#include <stdbool.h>
#include <stdint.h>

#define VFIO_MAX_REGIONS 16
struct vfio_region {
	uint64_t offset;	/* region offset in the device fd */
	uint64_t size;
	uint32_t flags;		/* as the kernel reported them */
	bool valid;
};

struct device {
	char bdf[32];		/* PCI address, or "unknown" */
	bool sysfs;		/* a sysfs resourceN file: one BAR, offset 0 */
	int sysfs_bar;
	bool info_loaded;
	uint32_t num_regions;
	struct vfio_region region[VFIO_MAX_REGIONS];
	bool command_read;	/* command: PCI_COMMAND as last read (compat.c) */
	uint8_t command[2];
};

struct device *vfio_device_of(int fd);	/* NULL if fd is not a device we know or recognise */
/* Only fds we saw being made or already recognised: cheap enough for every
 * pread/pwrite of the program. */
struct device *vfio_device_known(int fd);
void vfio_note_open(int fd, const char *path);
void vfio_note_device_fd(int fd, const char *bdf);
void vfio_note_dup(int oldfd, int newfd);
void vfio_note_close(int fd);
void vfio_fix_region_info(int fd, void *arg);	/* after GET_REGION_INFO: report BARs as mappable */
int vfio_find_bar(struct device *dev, uint64_t off, int *bar, uint64_t *bar_off, uint64_t *bar_size);

/* fork.c: the table's lock is held across fork */
void vfio_fork_prepare(void);
void vfio_fork_done(void);

#endif
