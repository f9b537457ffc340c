/* libmmiosim: a simulated Linux VFIO kernel interface, preloaded into the
 * process. Internal interface between the parts:
 *
 *   sim_main.c      environment, init, shared state, spinlock, sim fds
 *   sim_model.c     the `regs` device model, config space, access log,
 *                   region pread/pwrite (async-signal-safe)
 *   sim_vfio.c      the ioctls of /dev/vfio/vfio, groups, devices and
 *                   /dev/iommu: a table of handlers for each, in
 *                   sim_container.c, sim_group.c, sim_device.c (also mmap
 *                   of device fds), sim_irq.c, sim_iommufd.c; sim_dma.c the
 *                   DMA mappings; sim_vfio.h what they share
 *   sim_fs.c        the private sysfs/dev tree and path rewriting
 *   sim_interpose.c the exported libc symbols
 *   arch_x86_64.c   what the kernel does differently per host architecture
 *   arch_s390x.c    (meson builds one): on s390x BAR mappings that fault,
 *                   the s390_pci_mmio_read/write system calls through libc
 *                   syscall(), AT_HWCAP's PCI MIO bit
 */
#ifndef MMIOSIM_SIM_H
#define MMIOSIM_SIM_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vfio_compat.h"

#define SIM_EXPORT __attribute__((visibility("default")))

#define SIM_MAX_DEVICES 32
#define SIM_MAX_OBJECTS 1024
#define SIM_MAX_MAPS 4096
#define SIM_MAX_IOAS 256

#define SIM_NUM_REGIONS 9 /* BAR0-5, ROM, config, VGA */
#define SIM_NUM_IRQS 5 /* INTX, MSI, MSIX, ERR, REQ */
#define SIM_MAX_VECTORS 4

#define SIM_BAR0_SIZE 0x1000u
#define SIM_BAR2_SIZE 0x10000u
#define SIM_CFG_SIZE 256u
#define SIM_REGFILE 0x200u /* bytes of BAR0 backed by state */

/* config space values of model `regs` */
#define SIM_VENDOR_ID 0x1b36
#define SIM_DEVICE_ID 0x4d49
#define SIM_SUBVENDOR 0x1b36
#define SIM_SUBDEVICE 0x0001
#define SIM_REVISION 0x01
#define SIM_CLASS 0xff0000
#define SIM_BAR0_ADDR 0xfe000000ull
#define SIM_BAR2_ADDR 0x800000000ull
#define SIM_MSIX_TABLE 0xf000u /* in BAR2 */
#define SIM_MSIX_PBA 0xf800u /* in BAR2 */

enum sim_mmap_mode { SIM_MMAP_NORMAL, SIM_MMAP_NONE, SIM_MMAP_REFUSE };

enum sim_kind { SIM_CONTAINER = 1, SIM_GROUP, SIM_DEVICE, SIM_IOMMUFD };

enum sim_irq_type { SIM_IRQ_NONE = -1 }; /* else a VFIO_PCI_*_IRQ_INDEX */

/* One simulated device, in shared memory. */
struct sim_dev {
	char bdf[16]; /* "dddd:bb:dd.f" */
	unsigned domain, bus, slot, fn;
	int group; /* iommu group number */
	int cdev; /* N of vfioN */
	/* BAR0 register file: byte-addressed, little-endian; ID/VERSION are
	 * constants and COUNTER lives in `counter`. */
	uint8_t regs[SIM_REGFILE];
	uint32_t counter;
	uint8_t cfg[SIM_CFG_SIZE];
	int irq_fd[SIM_NUM_IRQS][SIM_MAX_VECTORS]; /* our dup of the eventfd, or -1 */
	int irq_active; /* SIM_IRQ_NONE or INTX/MSI/MSIX index */
	int intx_masked;
};

/* An open sim file (container, group, device or iommufd), identified by the
 * inode of the memfd that stands for it. Never freed: the memfd is pinned by
 * a mapping so its inode number cannot be reused. */
struct sim_obj {
	_Atomic uint64_t ino; /* 0: free; published last */
	uint64_t dev;
	int kind;
	int devidx; /* group, device */
	int cdev; /* device: opened through /dev/vfio/devices/vfioN */
	/* container */
	int iommu_type; /* 0: not set */
	int ngroups;
	/* group */
	int container; /* object index, -1: none */
	/* device (cdev) */
	int iommufd; /* object index of the bound iommufd, -1: not bound */
	uint32_t devid;
	uint32_t pt_id; /* hwpt id returned by attach, 0: not attached */
	uint32_t ioas; /* IOAS attached to */
	/* iommufd */
	uint32_t next_id;
};

/* A DMA mapping of a container (ioas == 0) or of an IOAS of an iommufd. */
struct sim_map {
	int used;
	int owner; /* object index */
	uint32_t ioas;
	uint64_t iova, size, vaddr;
};

struct sim_ioas {
	int used;
	int owner; /* iommufd object index */
	uint32_t id;
};

struct sim_shared {
	_Atomic int32_t lock; /* 0 or the pid of the holder */
	uint64_t seq; /* last log sequence number */
	_Atomic int nobj;
	struct sim_dev dev[SIM_MAX_DEVICES];
	struct sim_obj obj[SIM_MAX_OBJECTS];
	struct sim_map map[SIM_MAX_MAPS];
	struct sim_ioas ioas[SIM_MAX_IOAS];
};

/* Process-local (inherited by fork, rebuilt after exec). */
struct sim_proc {
	int ndev;
	enum sim_mmap_mode mmap_mode;
	int log_fd[SIM_MAX_DEVICES]; /* -1: no log */
	int bar2_fd[SIM_MAX_DEVICES];
	uint8_t *bar2[SIM_MAX_DEVICES];
	uint64_t memfd_dev; /* st_dev of memfds */
	uint64_t bar2_ino[SIM_MAX_DEVICES]; /* st_ino of the BAR2 memfds */
	int mio; /* MMIOSIM_MIO: AT_HWCAP shows HWCAP_S390_PCI_MIO (s390x) */
};

extern struct sim_shared *sim_sh;
extern struct sim_proc sim_p;

/* real functions (next definition after ours) */
struct sim_real {
	int (*open)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	ssize_t (*pread)(int, void *, size_t, off_t);
	ssize_t (*pwrite)(int, const void *, size_t, off_t);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	void *(*fopen)(const char *, const char *);
	void *(*opendir)(const char *);
	ssize_t (*readlink)(const char *, char *, size_t);
	ssize_t (*readlinkat)(int, const char *, char *, size_t);
	int (*stat)(const char *, void *);
	int (*lstat)(const char *, void *);
	int (*fstatat)(int, const char *, void *, int);
	int (*statx)(int, const char *, int, unsigned, void *);
	int (*access)(const char *, int);
	int (*faccessat)(int, const char *, int, int);
	char *(*realpath)(const char *, char *);
	char *(*canonicalize_file_name)(const char *);
	int (*scandir)(const char *, void *, void *, void *);
	ssize_t (*getxattr)(const char *, const char *, void *, size_t);
	ssize_t (*lgetxattr)(const char *, const char *, void *, size_t);
	ssize_t (*listxattr)(const char *, char *, size_t);
	ssize_t (*llistxattr)(const char *, char *, size_t);
	int (*munmap)(void *, size_t);
	void *(*mremap)(void *, size_t, size_t, int, ...);
	int (*mprotect)(void *, size_t, int);
	long (*syscall)(long, ...);
	unsigned long (*getauxval)(unsigned long);
};
extern struct sim_real sim_real;

/* sim_main.c */
int sim_ready(void); /* initialises lazily; 0 while not usable */
int sim_ready_nolazy(void); /* async-signal-safe: no init attempt */
void sim_lock(sigset_t *old);
void sim_unlock(const sigset_t *old);
int sim_obj_of_fd(int fd); /* object index or -1; async-signal-safe */
int sim_obj_new(int kind, int devidx, int cloexec, int *fd_out);
int sim_dev_by_bdf(const char *bdf);
int sim_dev_by_group(int group);
int sim_dev_by_cdev(int cdev);
long sim_sys(long nr, long a, long b, long c, long d, long e, long f);

/* sim_model.c */
void sim_model_init(struct sim_dev *d);
void sim_model_reset(struct sim_dev *d);
ssize_t sim_region_rw(int objidx, void *buf, size_t count, uint64_t pos, int write);
ssize_t sim_dev_rw(int devidx, unsigned idx, void *buf, size_t count, uint64_t off, int write);
void sim_signal_irq(struct sim_dev *d, int index, int vector);

/* sim_vfio.c, sim_device.c */
int sim_ioctl(int objidx, unsigned long req, void *arg); /* -errno or >= 0 */
void *sim_mmap(int objidx, void *addr, size_t len, int prot, int flags, off_t off, int *err);

/* arch_x86_64.c or arch_s390x.c, the one for the host architecture */
/* The mmap system call, not libc's mmap (on s390x its arguments are passed
 * in a block of six words). */
void *sim_arch_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
/* Does region idx of a device have VFIO_REGION_INFO_FLAG_MMAP? */
int sim_arch_region_mappable(unsigned idx);
/* The mapping of BAR idx at bar_off for an mmap of a device fd that passed
 * the checks: BAR2's memory, or on s390x a faulting placeholder recorded for
 * the system calls; MAP_FAILED with *err. */
void *sim_arch_bar_mmap(int devidx, unsigned idx, uint64_t bar_off, void *addr, size_t len, int prot,
			int flags, int *err);
/* s390x: mmap of a file that is not a sim fd: a sysfs resource2 file gives
 * a BAR mapping too; returns NULL when fd is not one (always elsewhere). */
void *sim_arch_resource_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off, int *err);
/* s390x: a non-sim mapping was made at [addr, addr+len) with MAP_FIXED, or
 * that range was unmapped: forget the BAR mappings there (elsewhere
 * nothing). */
void sim_arch_bar_forget(uintptr_t addr, size_t len);
/* The simulator's own reference to an interrupt eventfd, close-on-exec;
 * negative on failure. */
int sim_arch_dup_eventfd(int fd);

/* sim_fs.c */
void sim_fs_cleanup(void);
/* Rewrite `path` into buf if it names a sim device file; returns the path to
 * use (path itself or buf). */
const char *sim_path(const char *path, char *buf, size_t size);
/* Strip the private tree prefix from a resolved path, in place. */
void sim_unpath(char *resolved);
/* open of /dev/vfio/... or /dev/iommu or a sysfs resourceN: returns an fd,
 * -1 with errno, or -2 when the path is not ours. */
int sim_open_special(const char *path, int flags);
/* readlink("/proc/self/fd/N") of a sim fd: length written, or -1 if not ours */
ssize_t sim_fd_link(const char *path, char *buf, size_t size);

/* formatting helpers, async-signal-safe */
size_t sim_fmt_u64(char *p, uint64_t v, int hex);

#include "early_getenv.h"

#endif
