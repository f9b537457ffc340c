/* The syscall backend: s390_pci_mmio_read/write on the address inside the
 * kernel's real mapping of the BAR, which is how the kernel finds the
 * function and BAR. A call must not cross a page. The system call is an
 * interruption, so the driver's earlier stores to memory are visible to
 * the device before the store it carries. */
#include <sys/syscall.h>
#include <unistd.h>

#include "backends.h"
#include "err.h"

#ifndef __NR_s390_pci_mmio_write
#define __NR_s390_pci_mmio_write 352
#define __NR_s390_pci_mmio_read 353
#endif

static bool syscall_usable(const struct bar_io *io, const char **why)
{
	if (!io->real) {
		*why = "the kernel did not map this BAR (the system calls need its mapping)";
		return false;
	}
	return true;
}

static int syscall_access(long nr, const struct bar_io *io, uint64_t off, size_t len, void *buf)
{
	/* runs in the signal handler */
	uintptr_t addr = (uintptr_t)io->real + off;

	while (len) {
		size_t n = S390_PAGE - (addr & (S390_PAGE - 1));
		if (n > len)
			n = len;
		/* libc's syscall(): the simulator answers it where there is no kernel */
		if (syscall(nr, addr, buf, n) != 0)
			return MMIO_E_DEVICE;
		addr += n;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

static int syscall_read(const struct bar_io *io, uint64_t off, size_t len, void *buf)
{
	/* runs in the signal handler */
	return syscall_access(__NR_s390_pci_mmio_read, io, off, len, buf);
}

static int syscall_write(const struct bar_io *io, uint64_t off, size_t len, const void *buf)
{
	/* runs in the signal handler */
	return syscall_access(__NR_s390_pci_mmio_write, io, off, len, (void *)buf);
}

const struct backend backend_syscall = { "syscall", syscall_usable, syscall_read, syscall_write };
