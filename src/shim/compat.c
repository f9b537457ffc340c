/* Compatibility fixes (MMIOSHIM_COMPAT=auto|none). One today:
 *
 * pci-command-byte-order. QEMU's util/vfio-helpers.c (every release before
 * the 2025 fix) and libvfn's pci_set_bus_master() read PCI_COMMAND with
 * pread() into a uint16_t, OR in PCI_COMMAND_MASTER (0x0004) in host byte
 * order and write it back. Configuration space is little-endian, so on a
 * big-endian host the bit lands in the second byte: bit 10, INTx disable.
 * Bus mastering is never enabled, the device's first DMA fails and the
 * driver waits forever.
 *
 * The rule, narrow on purpose so that a correct driver is never changed: on
 * a big-endian host, a 2-byte write at PCI_COMMAND whose first byte equals
 * the first byte last read there and whose second byte is the second byte
 * read plus some of bits 0-2 (IO, MEMORY, MASTER) not set before, is sent
 * with those bits in the first byte and the second byte as read. A driver
 * that means INTx disable sets bit 10 alone (0x04 in the second byte), never
 * an IO/MEMORY/MASTER pattern that mirrors the first byte's bits; and it
 * would have to have read the register just before, as the buggy sequence
 * does. Anything else passes unchanged; little-endian hosts never change a
 * byte. */
#include <string.h>

#include "compat.h"
#include "init.h"
#include "support.h"
#include "trace.h"

#define PCI_COMMAND_OFF 4
#define COMMAND_LOW_BITS 0x07	/* IO, MEMORY, MASTER */

static bool host_big_endian(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 0;
}

static bool active(void)
{
	return cfg.compat == COMPAT_AUTO && host_big_endian();
}

void compat_config_read(struct device *d, uint64_t off, const void *buf, size_t n)
{
	if (!active() || off > PCI_COMMAND_OFF || off + n < PCI_COMMAND_OFF + 2)
		return;
	memcpy(d->command, (const uint8_t *)buf + (PCI_COMMAND_OFF - off), 2);
	d->command_read = true;
}

/* "bus master", "memory space and bus master": the command bits in b
 * (bits 0-2), or what the same bits mean one byte up (bits 8-10). */
static void bit_names(char *out, size_t size, uint8_t b, bool high)
{
	static const char *const low_names[] = { "IO space", "memory space", "bus master" };
	static const char *const high_names[] = { "SERR#", "fast back-to-back", "INTx disable" };
	size_t k = 0;

	out[0] = '\0';
	for (int i = 0; i < 3; i++)
		if (b & (1u << i))
			k += (size_t)fmt(out + k, size - k, "%s%s", k ? " and " : "", (high ? high_names : low_names)[i]);
}

/* The bits the buggy read-modify-write put into the second byte, or 0. */
static uint8_t swapped_bits(const struct device *d, const uint8_t w[2])
{
	const uint8_t *r = d->command;
	uint8_t added = (uint8_t)(w[1] & ~r[1]);

	if (!d->command_read || w[0] != r[0] || (w[1] & r[1]) != r[1])
		return 0;
	if (!added || (added & ~COMMAND_LOW_BITS))
		return 0;
	return added;
}

const void *compat_config_write(struct device *d, uint64_t off, const void *buf, size_t n, uint8_t fixed[2])
{
	const uint8_t *w = buf;

	if (!active() || off != PCI_COMMAND_OFF || n != 2)
		return buf;
	uint8_t bits = swapped_bits(d, w);
	d->command_read = false;
	if (!bits)
		return buf;
	fixed[0] = (uint8_t)(w[0] | bits);
	fixed[1] = d->command[1];
	char meant[64], got[64];
	bit_names(meant, sizeof(meant), bits, false);
	bit_names(got, sizeof(got), bits, true);
	log_warn("%s: PCI_COMMAND write %02x %02x sent as %02x %02x: the driver set %s (0x%04x) in host byte "
		 "order, which on this big-endian host is 0x%04x (%s) on the device; MMIOSHIM_COMPAT=none "
		 "(mmio-run --compat=none) turns this fix off",
		 d->bdf, w[0], w[1], fixed[0], fixed[1], meant, bits, bits << 8, got);
	trace_compat(d->bdf, PCI_COMMAND_OFF, 2, (uint64_t)w[0] | (uint64_t)w[1] << 8,
		     (uint64_t)fixed[0] | (uint64_t)fixed[1] << 8, "pci-command-byte-order");
	return fixed;
}
