/* The `regs` device model: BAR0 registers, BAR2 memory, config space, the
 * access log, and pread/pwrite on the regions of a device fd.
 *
 * Everything reachable from sim_region_rw() runs inside the shim's SIGSEGV
 * handler: no malloc, no stdio, no pthread locks; only syscalls, the
 * spinlock in shared memory and plain memory accesses. */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim.h"

#define REG_ID 0x4d4d494fu
#define REG_VERSION 0x00010000u

/* ---- config space ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void cfg_defaults(uint8_t *c)
{
	memset(c, 0, SIM_CFG_SIZE);
	put16(c + 0x00, SIM_VENDOR_ID);
	put16(c + 0x02, SIM_DEVICE_ID);
	put16(c + 0x04, 0x0000); /* command */
	put16(c + 0x06, 0x0010); /* status: capabilities list */
	c[0x08] = SIM_REVISION;
	c[0x09] = (uint8_t)SIM_CLASS;
	c[0x0a] = (uint8_t)(SIM_CLASS >> 8);
	c[0x0b] = (uint8_t)(SIM_CLASS >> 16);
	put32(c + 0x10, (uint32_t)SIM_BAR0_ADDR); /* 32-bit memory, non-prefetchable */
	put32(c + 0x18, (uint32_t)SIM_BAR2_ADDR | 0xc); /* 64-bit prefetchable */
	put32(c + 0x1c, (uint32_t)(SIM_BAR2_ADDR >> 32));
	put16(c + 0x2c, SIM_SUBVENDOR);
	put16(c + 0x2e, SIM_SUBDEVICE);
	c[0x34] = 0x40; /* capabilities pointer */
	c[0x3d] = 0x01; /* interrupt pin INTA */
	/* MSI-X at 0x40: 4 vectors, table and PBA in BAR2 */
	c[0x40] = 0x11;
	c[0x41] = 0x50;
	put16(c + 0x42, SIM_MAX_VECTORS - 1);
	put32(c + 0x44, SIM_MSIX_TABLE | 2);
	put32(c + 0x48, SIM_MSIX_PBA | 2);
	/* MSI at 0x50: 64-bit, 1 vector */
	c[0x50] = 0x05;
	c[0x51] = 0x00;
	put16(c + 0x52, 0x0080);
}

/* writable bits of each config byte */
static uint8_t cfg_wmask(unsigned o)
{
	switch (o) {
	case 0x04: return 0x47; /* io, memory, bus master, parity */
	case 0x05: return 0x05; /* SERR, INTx disable */
	case 0x0c: case 0x0d: return 0xff; /* cache line, latency timer */
	case 0x11: return 0xf0; /* BAR0: 4 KiB */
	case 0x12: case 0x13: return 0xff;
	case 0x1a: case 0x1b: return 0xff; /* BAR2: 64 KiB, 64-bit */
	case 0x1c: case 0x1d: case 0x1e: case 0x1f: return 0xff;
	case 0x3c: return 0xff; /* interrupt line */
	case 0x43: return 0xc0; /* MSI-X enable, function mask */
	case 0x52: return 0x71; /* MSI enable, multiple message enable */
	case 0x54: return 0xfc; /* MSI address */
	case 0x55: case 0x56: case 0x57: return 0xff;
	case 0x58: case 0x59: case 0x5a: case 0x5b: return 0xff;
	case 0x5c: case 0x5d: return 0xff; /* MSI data */
	default: return 0;
	}
}

void sim_model_init(struct sim_dev *d)
{
	memset(d->regs, 0, sizeof(d->regs));
	d->counter = 0;
	cfg_defaults(d->cfg);
	for (int i = 0; i < SIM_NUM_IRQS; i++)
		for (int v = 0; v < SIM_MAX_VECTORS; v++)
			d->irq_fd[i][v] = -1;
	d->irq_active = SIM_IRQ_NONE;
	d->intx_masked = 0;
}

/* Called with the lock held. */
void sim_model_reset(struct sim_dev *d)
{
	memset(d->regs, 0, sizeof(d->regs));
	d->counter = 0;
}

/* ---- formatting (async-signal-safe) ---- */

size_t sim_fmt_u64(char *p, uint64_t v, int hex)
{
	char tmp[24];
	size_t n = 0;
	unsigned base = hex ? 16 : 10;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

/* Runs in a signal handler. One write(2) per line: with O_APPEND lines of
 * several threads and processes never interleave. */
static void log_line(int devidx, uint64_t seq, int bar, uint64_t off, unsigned width, int write,
		     uint64_t val, int rejected)
{
	int fd = sim_p.log_fd[devidx];
	char line[128];
	size_t n = 0;

	if (fd < 0)
		return;
	n += sim_fmt_u64(line + n, seq, 0);
	line[n++] = ' ';
	n += sim_fmt_u64(line + n, (uint64_t)bar, 0);
	line[n++] = ' ';
	line[n++] = '0';
	line[n++] = 'x';
	n += sim_fmt_u64(line + n, off, 1);
	line[n++] = ' ';
	n += sim_fmt_u64(line + n, width, 0);
	line[n++] = ' ';
	line[n++] = write ? 'W' : 'R';
	line[n++] = ' ';
	line[n++] = '0';
	line[n++] = 'x';
	n += sim_fmt_u64(line + n, val, 1);
	if (rejected) {
		memcpy(line + n, " rejected", 9);
		n += 9;
	}
	line[n++] = '\n';
	syscall(SYS_write, fd, line, n);
}

/* ---- BAR0 registers (called with the lock held; signal handler) ---- */

static uint64_t regs_read(struct sim_dev *d, unsigned off, unsigned w, int *rej)
{
	int strict_ok = off == 0x24 && w == 4;
	uint64_t v = 0;

	if (off < 0x1c && off + w > 0x18)
		d->counter++;
	for (unsigned i = 0; i < w; i++) {
		unsigned o = off + i;
		uint8_t b = 0;
		if (o < 0x04)
			b = (uint8_t)(REG_ID >> (8 * o));
		else if (o < 0x08)
			b = (uint8_t)(REG_VERSION >> (8 * (o - 4)));
		else if (o < 0x0c)
			b = d->regs[o]; /* SCRATCH */
		else if (o < 0x10)
			*rej = 1;
		else if (o < 0x18)
			b = d->regs[o]; /* SCRATCH64 */
		else if (o < 0x1c)
			b = (uint8_t)(d->counter >> (8 * (o - 0x18)));
		else if (o < 0x20)
			b = d->regs[o]; /* STATUS */
		else if (o < 0x24)
			b = 0; /* STATUS_SET is write-only */
		else if (o < 0x28) {
			if (strict_ok)
				b = d->regs[o];
			else {
				b = 0xff;
				*rej = 1;
			}
		} else if (o < 0x30)
			*rej = 1;
		else if (o < 0x40)
			b = d->regs[o]; /* BYTES */
		else if (o < 0x100)
			*rej = 1;
		else if (o < 0x200)
			b = 0; /* DOORBELL is write-only */
		else
			*rej = 1;
		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

static void regs_write(struct sim_dev *d, unsigned off, unsigned w, uint64_t v, int *rej, int *irq)
{
	int strict_ok = off == 0x24 && w == 4;

	for (unsigned i = 0; i < w; i++) {
		unsigned o = off + i;
		uint8_t b = (uint8_t)(v >> (8 * i));
		if (o < 0x08)
			*rej = 1; /* ID, VERSION */
		else if (o < 0x0c)
			d->regs[o] = b;
		else if (o < 0x10)
			*rej = 1;
		else if (o < 0x18)
			d->regs[o] = b;
		else if (o < 0x1c)
			*rej = 1; /* COUNTER */
		else if (o < 0x20)
			d->regs[o] &= (uint8_t)~b; /* STATUS: write 1 to clear */
		else if (o < 0x24) {
			d->regs[o - 4] |= b; /* STATUS_SET */
			if (o == 0x20 && (b & 1))
				*irq = 1;
		} else if (o < 0x28) {
			if (strict_ok)
				d->regs[o] = b;
			else
				*rej = 1;
		} else if (o < 0x30)
			*rej = 1;
		else if (o < 0x40)
			d->regs[o] = b;
		else if (o < 0x100)
			*rej = 1;
		else if (o < 0x200) {
			if (w == 4)
				d->regs[o] = b;
			else
				*rej = 1;
		} else
			*rej = 1;
	}
}

/* Runs in a signal handler (called with the lock held). */
void sim_signal_irq(struct sim_dev *d, int index, int vector)
{
	if (index < 0 || index >= SIM_NUM_IRQS || vector < 0 || vector >= SIM_MAX_VECTORS)
		return;
	int fd = d->irq_fd[index][vector];
	if (fd < 0)
		return;
	uint64_t one = 1;
	syscall(SYS_write, fd, &one, sizeof(one));
}

/* STATUS_SET bit 0 raises the interrupt of the active type, vector 0. */
static void status_irq(struct sim_dev *d)
{
	switch (d->irq_active) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
	case VFIO_PCI_MSI_IRQ_INDEX:
		sim_signal_irq(d, d->irq_active, 0);
		break;
	case VFIO_PCI_INTX_IRQ_INDEX:
		if (!d->intx_masked) {
			d->intx_masked = 1; /* INTx is automasked */
			sim_signal_irq(d, VFIO_PCI_INTX_IRQ_INDEX, 0);
		}
		break;
	default:
		break;
	}
}

static uint64_t le_load(const uint8_t *p, unsigned w)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < w; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void le_store(uint8_t *p, uint64_t v, unsigned w)
{
	for (unsigned i = 0; i < w; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Runs in a signal handler. One device access of BAR0, logged. */
static void bar0_access(int devidx, unsigned off, unsigned w, int write, uint8_t *data)
{
	struct sim_dev *d = &sim_sh->dev[devidx];
	sigset_t old;
	int rej = 0, irq = 0;
	uint64_t v;

	sim_lock(&old);
	if (write) {
		v = le_load(data, w);
		regs_write(d, off, w, v, &rej, &irq);
	} else {
		v = regs_read(d, off, w, &rej);
	}
	uint64_t seq = ++sim_sh->seq;
	log_line(devidx, seq, 0, off, w, write, v, rej);
	if (irq)
		status_irq(d);
	sim_unlock(&old);
	if (!write)
		le_store(data, v, w);
}

/* Runs in a signal handler. BAR2 is memory: copy with the access's width. */
static void bar2_access(int devidx, unsigned off, unsigned w, int write, uint8_t *data)
{
	uint8_t *m = sim_p.bar2[devidx] + off;
	switch (w) {
	case 8: {
		uint64_t v;
		if (write) {
			memcpy(&v, data, 8);
			__atomic_store_n((uint64_t *)(void *)m, v, __ATOMIC_RELAXED);
		} else {
			v = __atomic_load_n((uint64_t *)(void *)m, __ATOMIC_RELAXED);
			memcpy(data, &v, 8);
		}
		break;
	}
	case 4: {
		uint32_t v;
		if (write) {
			memcpy(&v, data, 4);
			__atomic_store_n((uint32_t *)(void *)m, v, __ATOMIC_RELAXED);
		} else {
			v = __atomic_load_n((uint32_t *)(void *)m, __ATOMIC_RELAXED);
			memcpy(data, &v, 4);
		}
		break;
	}
	case 2: {
		uint16_t v;
		if (write) {
			memcpy(&v, data, 2);
			__atomic_store_n((uint16_t *)(void *)m, v, __ATOMIC_RELAXED);
		} else {
			v = __atomic_load_n((uint16_t *)(void *)m, __ATOMIC_RELAXED);
			memcpy(data, &v, 2);
		}
		break;
	}
	default:
		if (write)
			__atomic_store_n(m, *data, __ATOMIC_RELAXED);
		else
			*data = __atomic_load_n(m, __ATOMIC_RELAXED);
		break;
	}
}

/* Runs in a signal handler. */
static void cfg_access(int devidx, unsigned off, unsigned w, int write, uint8_t *data)
{
	struct sim_dev *d = &sim_sh->dev[devidx];
	sigset_t old;

	sim_lock(&old);
	for (unsigned i = 0; i < w; i++) {
		unsigned o = off + i;
		if (write) {
			uint8_t m = cfg_wmask(o);
			d->cfg[o] = (uint8_t)((d->cfg[o] & ~m) | (data[i] & m));
		} else {
			data[i] = d->cfg[o];
		}
	}
	sim_unlock(&old);
}

/* Runs in a signal handler.
 * pread/pwrite on a device fd, split as vfio-pci's vfio_pci_core_do_io_rw
 * does: 8 bytes if at least 8 remain and the offset is 8-aligned, else 4 if
 * 4-aligned, else 2 if 2-aligned, else 1 (config space: 4/2/1, as
 * vfio_config_do_rw). Returns the count done or -errno. errno is not
 * touched. */
ssize_t sim_region_rw(int objidx, void *buf, size_t count, uint64_t pos, int write)
{
	struct sim_obj *o = &sim_sh->obj[objidx];

	if (o->kind != SIM_DEVICE)
		return -EINVAL;
	if (o->cdev && o->iommufd < 0)
		return -EINVAL; /* cdev not bound yet */
	unsigned idx = (unsigned)(pos >> VFIO_PCI_OFFSET_SHIFT);
	uint64_t off = pos & ((1ull << VFIO_PCI_OFFSET_SHIFT) - 1);
	return sim_dev_rw(o->devidx, idx, buf, count, off, write);
}

/* Runs in a signal handler.
 * Access region idx of device devidx at off, split as sim_region_rw
 * describes. Returns the count done or -errno; errno is not touched. */
ssize_t sim_dev_rw(int devidx, unsigned idx, void *buf, size_t count, uint64_t off, int write)
{
	int saved = errno;
	uint64_t size;
	void (*access)(int, unsigned, unsigned, int, uint8_t *);
	int cfg = 0;

	switch (idx) {
	case VFIO_PCI_BAR0_REGION_INDEX:
		size = SIM_BAR0_SIZE;
		access = bar0_access;
		break;
	case VFIO_PCI_BAR2_REGION_INDEX:
		size = SIM_BAR2_SIZE;
		access = bar2_access;
		break;
	case VFIO_PCI_CONFIG_REGION_INDEX:
		size = SIM_CFG_SIZE;
		access = cfg_access;
		cfg = 1;
		break;
	default:
		return -EINVAL;
	}
	if (cfg) {
		if (off >= size || count > size - off)
			return -EFAULT;
	} else {
		if (off >= size)
			return -EINVAL;
		if (count > size - off)
			count = (size_t)(size - off);
	}
	uint8_t *p = buf;
	size_t done = 0;
	while (done < count) {
		size_t left = count - done;
		uint64_t at = off + done;
		unsigned w;
		if (!cfg && left >= 8 && !(at % 8))
			w = 8;
		else if (left >= 4 && !(at % 4))
			w = 4;
		else if (left >= 2 && !(at % 2))
			w = 2;
		else
			w = 1;
		access(devidx, (unsigned)at, w, write, p + done);
		done += w;
	}
	errno = saved;
	return (ssize_t)done;
}
