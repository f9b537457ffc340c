/* bmfix.so: works around a bug of QEMU 7.2's util/vfio-helpers.c on
 * big-endian hosts, so that Debian bookworm's s390x qemu-img/qemu-io can be
 * tested at all (the bug is not about BAR accesses, and the shim does not
 * touch configuration space).
 *
 * qemu_vfio_init_pci() reads PCI_COMMAND with pread() into a uint16_t, ORs
 * in PCI_COMMAND_MASTER (0x4) in host byte order and writes it back: on
 * s390x the bit lands in the high byte (0x0400, INTx disable) and bus
 * mastering is never enabled, so the controller's first DMA fails
 * (QEMU's NVMe model: "pci_nvme_err_addr_read", controller fatal status)
 * and the driver waits forever. Fixed upstream in 2025 ("util/vfio-helpers:
 * ... PCI_COMMAND ... cpu_to_le16(le16_to_cpu(pci_cmd) | PCI_COMMAND_MASTER)",
 * Farhan Ali); sid's QEMU 11.1 has the fix.
 *
 * This library wraps pwrite/pwrite64: a 2-byte write at PCI_COMMAND of a
 * VFIO device's configuration region gets the bus-master bit set in the
 * byte the device reads it from, and one line on stderr says so. Nothing
 * else changes. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);

static int is_config_command(int fd, off_t off)
{
	struct vfio_region_info ri = { .argsz = sizeof ri, .index = VFIO_PCI_CONFIG_REGION_INDEX };
	int saved = errno;
	int ok = ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &ri) == 0 && (off_t)ri.offset + 4 == off;
	errno = saved;
	return ok;
}

static ssize_t fixed(int fd, const void *buf, size_t n, off_t off)
{
	if (!real_pwrite)
		real_pwrite = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
	if (n == 2 && is_config_command(fd, off)) {
		unsigned char b[2];
		memcpy(b, buf, 2);
		if (!(b[0] & 0x04)) {
			unsigned char f[2] = { (unsigned char)(b[0] | 0x04), b[1] };
			fprintf(stderr, "systest-bmfix: PCI_COMMAND write %02x %02x -> %02x %02x "
				"(QEMU 7.2 vfio-helpers big-endian bus-master bug)\n", b[0], b[1], f[0], f[1]);
			return real_pwrite(fd, f, 2, off);
		}
	}
	return real_pwrite(fd, buf, n, off);
}

__attribute__((visibility("default"))) ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return fixed(fd, buf, n, off);
}

__attribute__((visibility("default"))) ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	return fixed(fd, buf, n, off);
}
