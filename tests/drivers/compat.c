/* PCI_COMMAND read-modify-writes on the VFIO config region, as drivers do
 * them (compat.c of the shim: the pci-command-byte-order fix).
 *
 *   compat buggy     QEMU 7.2 / libvfn: pread into a uint16_t, |= 0x4 in
 *                    host byte order, pwrite back (wrong on big-endian)
 *   compat correct   the same through le16toh/htole16 (QEMU 11.1)
 *   compat intx      INTx disable (bit 10) set correctly: on a big-endian
 *                    host the same bytes as the buggy write
 *   compat blind     a 2-byte write of the buggy bytes with no read before
 *   compat dword     command and status as one 4-byte read-modify-write
 *
 * Memory space is enabled first (as the kernel leaves it on a real
 * device). Prints the bytes written and then PCI_COMMAND's two bytes as the
 * device holds them, read back. Built with _FORTIFY_SOURCE at -O1 and up,
 * so pread of a known-size buffer becomes __pread64_chk, as in Debian's
 * QEMU. */
#undef _FORTIFY_SOURCE
#define _FORTIFY_SOURCE 2
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vfio_drv.h"

static off_t config(unsigned off)
{
	return (off_t)(drv.region[VFIO_PCI_CONFIG_REGION_INDEX].offset + off);
}

static void cfg_read(void *buf, size_t n, unsigned off)
{
	if (pread(drv.devfd, buf, n, config(off)) != (ssize_t)n)
		drv_die("pread config+%#x: %s", off, strerror(errno));
}

static void cfg_write(const void *buf, size_t n, unsigned off)
{
	const unsigned char *b = buf;

	if (pwrite(drv.devfd, buf, n, config(off)) != (ssize_t)n)
		drv_die("pwrite config+%#x: %s", off, strerror(errno));
	printf("wrote");
	for (size_t i = 0; i < n; i++)
		printf(" %02x", b[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	uint16_t cmd;

	drv_open();
	cmd = htole16(0x0002);
	cfg_write(&cmd, 2, 4);
	if (!strcmp(mode, "buggy")) {
		/* pread straight into the uint16_t with a size the compiler
		 * does not know, as QEMU 7.2's qemu_vfio_pci_read_config: with
		 * _FORTIFY_SOURCE this is __pread64_chk */
		size_t n = (size_t)opaque(sizeof(cmd));
		if (pread(drv.devfd, &cmd, n, config(4)) != (ssize_t)n)
			drv_die("pread PCI_COMMAND: %s", strerror(errno));
		cmd |= 0x0004;
		cfg_write(&cmd, 2, 4);
	} else if (!strcmp(mode, "correct")) {
		cfg_read(&cmd, 2, 4);
		cmd = htole16(le16toh(cmd) | 0x0004);
		cfg_write(&cmd, 2, 4);
	} else if (!strcmp(mode, "intx")) {
		cfg_read(&cmd, 2, 4);
		cmd = htole16(le16toh(cmd) | 0x0400);
		cfg_write(&cmd, 2, 4);
	} else if (!strcmp(mode, "blind")) {
		unsigned char b[2] = { 0x02, 0x04 };
		cfg_write(b, 2, 4);
	} else if (!strcmp(mode, "dword")) {
		uint32_t v;
		cfg_read(&v, 4, 4);
		v |= 0x0004;
		cfg_write(&v, 4, 4);
	} else {
		drv_die("usage: compat buggy|correct|intx|blind|dword");
	}
	unsigned char b[2];
	cfg_read(b, 2, 4);
	printf("PCI_COMMAND %02x %02x\n", b[0], b[1]);
	return 0;
}
