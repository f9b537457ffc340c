/* The region backend: pread/pwrite of exactly the access on the VFIO device
 * fd, at the region's offset. Works on every architecture and kernel, also
 * where the kernel refuses to mmap the BAR. */
#include <errno.h>
#include <linux/vfio.h>

#include "backends.h"
#include "err.h"
#include "support.h"

static bool region_usable(const struct bar_io *io, const char **why)
{
	if (io->fd < 0) {
		*why = "no device file descriptor";
		return false;
	}
	if (io->sysfs) {
		*why = "a sysfs resource file of a memory BAR cannot be read or written, only mapped";
		return false;
	}
	return true;
}

static int region_read(const struct bar_io *io, uint64_t off, size_t len, void *buf)
{
	/* runs in the signal handler */
	ssize_t n = real.pread(io->fd, buf, len, (off_t)(io->file_off + off));
	return n == (ssize_t)len ? 0 : MMIO_E_DEVICE;
}

static int region_write(const struct bar_io *io, uint64_t off, size_t len, const void *buf)
{
	/* runs in the signal handler */
	ssize_t n = real.pwrite(io->fd, buf, len, (off_t)(io->file_off + off));
	return n == (ssize_t)len ? 0 : MMIO_E_DEVICE;
}

const struct backend backend_region = { "region", region_usable, region_read, region_write };
