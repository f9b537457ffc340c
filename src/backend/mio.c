/* The mio backend: the PCI MIO instructions of z15 and newer, usable from
 * user space on the kernel's real mapping. pcilgi/pcistgi move 1, 2, 4 or 8
 * bytes right-aligned in a register; pcistbi stores up to 128 bytes that are
 * 8-byte aligned and within one 4 KiB page. The fault that brought us here
 * was an interruption, which serializes: the driver's earlier stores to
 * memory are visible before the device store. */
#include <string.h>

#include "backends.h"
#include "err.h"

#define MIO_BLOCK_MAX 128

static bool mio_usable(const struct bar_io *io, const char **why)
{
	if (!io->real) {
		*why = "the kernel did not map this BAR";
		return false;
	}
	if (!s390x_have_mio()) {
		*why = "the CPU has no PCI MIO instructions (AT_HWCAP bit 21)";
		return false;
	}
	return true;
}

#ifndef MIO_STUB
/* even register: the address, odd register: the length */
union mio_pair {
	unsigned __int128 pair;
	struct {
		uint64_t addr, len;
	};
};

static int pcilgi(uint64_t addr, size_t len, uint64_t *val)
{
	union mio_pair p = { .addr = addr, .len = len };
	int cc;

	asm volatile(".insn rre,0xb9d60000,%[val],%[pair]\n"
		     "ipm %[cc]\n"
		     "srl %[cc],28\n"
		     : [cc] "=d"(cc), [val] "=d"(*val), [pair] "+d"(p.pair)
		     :
		     : "cc");
	return cc;
}

static int pcistgi(uint64_t addr, size_t len, uint64_t val)
{
	union mio_pair p = { .addr = addr, .len = len };
	int cc;

	asm volatile(".insn rre,0xb9d40000,%[val],%[pair]\n"
		     "ipm %[cc]\n"
		     "srl %[cc],28\n"
		     : [cc] "=d"(cc), [pair] "+d"(p.pair)
		     : [val] "d"(val)
		     : "cc", "memory");
	return cc;
}

static int pcistbi(uint64_t addr, size_t len, const void *src)
{
	uint64_t l = len;
	int cc;

	asm volatile(".insn rsy,0xeb00000000d4,%[len],%[addr],%[src]\n"
		     "ipm %[cc]\n"
		     "srl %[cc],28\n"
		     : [cc] "=d"(cc), [len] "+d"(l)
		     : [addr] "d"(addr), [src] "Q"(*(const char(*)[MIO_BLOCK_MAX])src)
		     : "cc", "memory");
	return cc;
}
#else
/* The unit test of this file (tests/unit/s390x_native/mio_stub_test.c)
 * builds it with -DMIO_STUB and provides the three instructions: they
 * return the condition code, as the wrappers above do. */
int pcilgi(uint64_t addr, size_t len, uint64_t *val);
int pcistgi(uint64_t addr, size_t len, uint64_t val);
int pcistbi(uint64_t addr, size_t len, const void *src);
#endif

static int mio_read(const struct bar_io *io, uint64_t off, size_t len, void *buf)
{
	/* runs in the signal handler */
	uint64_t addr = (uintptr_t)io->real + off;
	unsigned char *out = buf;

	while (len) {
		size_t n = aligned_piece(addr, len);
		uint64_t val;
		if (pcilgi(addr, n, &val))
			return MMIO_E_DEVICE;	/* a device error: report it, invent nothing */
		for (size_t i = 0; i < n; i++)	/* right-aligned, big-endian */
			out[i] = (unsigned char)(val >> (8 * (n - 1 - i)));
		addr += n;
		out += n;
		len -= n;
	}
	return 0;
}

static int mio_write(const struct bar_io *io, uint64_t off, size_t len, const void *buf)
{
	/* runs in the signal handler */
	uint64_t addr = (uintptr_t)io->real + off;
	const unsigned char *in = buf;

	while (len) {
		size_t room = S390_PAGE - (addr & (S390_PAGE - 1));
		if (len > 8 && !(addr & 7) && room >= 16) {
			size_t n = len < MIO_BLOCK_MAX ? len : MIO_BLOCK_MAX;
			n = (n < room ? n : room) & ~(size_t)7;
			unsigned char blk[MIO_BLOCK_MAX];
			memcpy(blk, in, n);
			if (pcistbi(addr, n, blk))
				return MMIO_E_DEVICE;
			addr += n;
			in += n;
			len -= n;
			continue;
		}
		size_t n = aligned_piece(addr, len);
		uint64_t val = 0;
		for (size_t i = 0; i < n; i++)
			val = val << 8 | in[i];
		if (pcistgi(addr, n, val))
			return MMIO_E_DEVICE;
		addr += n;
		in += n;
		len -= n;
	}
	return 0;
}

const struct backend backend_mio = { "mio", mio_usable, mio_read, mio_write };
