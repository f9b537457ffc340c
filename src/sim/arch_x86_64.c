/* The simulator on x86_64: what the kernel does there, where only BAR2 is
 * mappable and a BAR mapping is memory the CPU reaches. The s390x
 * behaviour is in arch_s390x.c; meson builds one of the two, for the host
 * architecture. The sim_arch_* hooks are declared in sim.h. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim.h"

int sim_arch_region_mappable(unsigned idx)
{
	return idx == VFIO_PCI_BAR2_REGION_INDEX;
}

void *sim_arch_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

int sim_arch_dup_eventfd(int fd)
{
	return (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0);
}

/* BAR2's memory itself, the memfd every process of the device shares */
void *sim_arch_bar_mmap(int devidx, unsigned idx, uint64_t bar_off, void *addr, size_t len, int prot,
			int flags, int *err)
{
	void *p;

	(void)idx;
	if (sim_real.mmap)
		p = sim_real.mmap(addr, len, prot, flags, sim_p.bar2_fd[devidx], (off_t)bar_off);
	else
		p = sim_arch_sys_mmap(addr, len, prot, flags, sim_p.bar2_fd[devidx], (off_t)bar_off);
	if (p == MAP_FAILED)
		*err = errno;
	return p;
}

/* the sysfs resource2 file is mapped as the file it is */
void *sim_arch_resource_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off, int *err)
{
	(void)addr, (void)len, (void)prot, (void)flags, (void)fd, (void)off, (void)err;
	return NULL;
}

/* no table of BAR mappings to keep up to date */
void sim_arch_bar_forget(uintptr_t addr, size_t len)
{
	(void)addr, (void)len;
}
