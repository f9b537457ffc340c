/* A driver converted by hand to the s390x accessors, as QEMU 10.1 and
 * later are: every BAR0 access is an s390_pci_mmio_read/write system call
 * on the BAR mapping. Under the shim that mapping is a guard mapping, so
 * the shim performs the calls; the device must see exactly what it sees
 * without the shim. Prints each value read and each call's result. */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vfio_drv.h"

#ifndef __NR_s390_pci_mmio_write
#define __NR_s390_pci_mmio_write 352
#define __NR_s390_pci_mmio_read 353
#endif

static char *bar;

static void call(const char *what, long nr, unsigned off, void *buf, size_t len)
{
	long r = syscall(nr, (unsigned long)(bar + off), buf, len);

	printf("%s 0x%x len %zu: %ld%s%s\n", what, off, len, r, r ? " " : "", r ? strerror(errno) : "");
}

static void rd(unsigned off, size_t len)
{
	unsigned char b[32] = { 0 };

	call("read", __NR_s390_pci_mmio_read, off, b, len);
	printf("  bytes");
	for (size_t i = 0; i < len && i < sizeof(b); i++)
		printf(" %02x", b[i]);
	printf("\n");
}

static void wr(unsigned off, const void *buf, size_t len)
{
	call("write", __NR_s390_pci_mmio_write, off, (void *)buf, len);
}

int main(void)
{
	uint32_t v32 = htole32(0x11223344);
	uint64_t v64 = htole64(0x0102030405060708ull);
	unsigned char block[16];

	drv_open();
	bar = drv_map_bar(0, NULL, 0, PROT_READ | PROT_WRITE, 0);
	rd(REG_ID, 4);
	wr(REG_SCRATCH, &v32, 4);
	rd(REG_SCRATCH, 4);
	wr(REG_SCRATCH64, &v64, 8);
	rd(REG_SCRATCH64, 8);
	rd(REG_COUNTER, 4);
	rd(REG_COUNTER, 4);
	for (int i = 0; i < 16; i++)
		block[i] = (unsigned char)(0xa0 + i);
	wr(REG_BYTES, block, 16);	/* two 8-byte pieces */
	rd(REG_BYTES + 1, 3);		/* pieces of 1 and 2 */
	wr(REG_DOORBELL(3), &v32, 4);
	/* what the kernel refuses */
	rd(REG_ID, 0);
	rd(4094, 4);
	return 0;
}
