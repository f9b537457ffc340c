/* The emulator's view of memory: an address in a trapped mapping becomes one
 * device access through the region's backend; any other address is ordinary
 * memory. Runs in the signal handler. */
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <sys/mman.h>

#include "arch.h"
#include "backend.h"
#include "fault.h"
#include "init.h"
#include "regions.h"
#include "trace.h"

/* The executable part of the C library. Its memcpy/memmove/memset copy
 * into a BAR with overlapping, unaligned scalar moves for the head and tail
 * of a block; those are pieces of a block copy, not a driver's unaligned
 * register access. */
static uintptr_t libc_text_lo, libc_text_hi;

static int find_text(struct dl_phdr_info *info, size_t size, void *base)
{
	(void)size;
	if ((void *)info->dlpi_addr != base)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			libc_text_lo = info->dlpi_addr + ph->p_vaddr;
			libc_text_hi = libc_text_lo + ph->p_memsz;
		}
	}
	return 1;
}

void io_init(void)
{
	Dl_info dli;

	if (dladdr((void *)(uintptr_t)memcpy, &dli) && dli.dli_fbase)
		dl_iterate_phdr(find_text, dli.dli_fbase);
}

bool io_in_libc(uint64_t pc)
{
	/* may run in a signal handler */
	return pc >= libc_text_lo && pc < libc_text_hi;
}

/* Is a scalar access of len bytes at off not naturally aligned? An element
 * of a string instruction is one such access. Vector moves and block
 * copies (MVC, the C library's copy routines) have no alignment of their
 * own: they go to the device as the kernel's pread/pwrite splits them. */
static bool misaligned(uint64_t off, size_t len, const struct insn *in)
{
	if (len > 8 || (in && in->kind == INSN_COPY && !in->element))
		return false;
	if (in && !in->element && io_in_libc(in->pc))
		return false;
	return (len & (len - 1)) || (off & (len - 1));
}

/* Trace and count an access as the device receives it: accesses wider than
 * 8 bytes in the naturally aligned pieces pread/pwrite split them into, each
 * with its bytes read as a little-endian (PCI) number, so that a trace reads
 * the same on every architecture. */
static void record(const struct region *r, uint64_t off, size_t len, const unsigned char *p, bool write,
		   uint64_t pc)
{
	/* runs in the signal handler */
	while (len) {
		size_t n = aligned_piece(r->bar_off + off, len);
		uint64_t v = 0;
		for (size_t i = n; i-- > 0;)
			v = v << 8 | p[i];
		trace_access(&r->label, r->bar_off + off, n, v, write, pc);
		stats_access(&r->label, r->bar_off + off, n, write, pc);
		off += n;
		p += n;
		len -= n;
	}
}

static int device_access(const struct region *r, uint64_t off, size_t len, void *buf, bool write, uint64_t pc)
{
	/* runs in the signal handler */
	const struct backend *b = backend_get(r->backend);
	int err = write ? b->write(&r->io, off, len, buf) : b->read(&r->io, off, len, buf);

	if (!err && (trace_enabled() || stats_enabled()))
		record(r, off, len, buf, write, pc);
	return err;
}

/* MMIOSHIM_UNALIGNED=split: naturally aligned pieces in address order. */
static int split_access(const struct region *r, uint64_t off, size_t len, char *buf, bool write, uint64_t pc)
{
	/* runs in the signal handler */
	while (len) {
		size_t n = aligned_piece(off, len);
		int err = device_access(r, off, n, buf, write, pc);
		if (err)
			return err;
		off += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static bool pages_mapped(uint64_t addr, size_t len)
{
	/* runs in the signal handler */
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	unsigned char vec;

	for (uintptr_t p = addr & ~(page - 1); p < addr + len; p += page)
		if (mincore((void *)p, 1, &vec))
			return false;
	return true;
}

/* An operand in ordinary memory, copied by the kernel so that a bad address
 * is an error, not a fault inside the handler. Right after the end of a
 * trapped mapping it is the access running past that mapping. */
static int memory_access(uint64_t addr, size_t len, void *buf, bool write)
{
	/* runs in the signal handler */
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = write ? process_vm_writev(getpid(), &local, 1, &remote, 1, 0)
			  : process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	struct region before;

	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && errno == ENOSYS && pages_mapped(addr, len)) {
		/* no such system call (user-mode emulators): copy directly */
		if (write)
			memcpy((void *)(uintptr_t)addr, buf, len);
		else
			memcpy(buf, (const void *)(uintptr_t)addr, len);
		return 0;
	}
	return addr && region_lookup((uintptr_t)addr - 1, &before) ? MMIO_E_RANGE : MMIO_E_FAULT;
}

static int io_access(const struct mmio_io *io, uint64_t addr, size_t len, void *buf, bool write)
{
	/* runs in the signal handler */
	const struct io_ctx *ctx = io->ctx;
	struct region r;

	/* the region of the fault is the one almost every access is in */
	if (ctx && ctx->fault_region && addr - ctx->fault_region->guard < ctx->fault_region->len)
		r = *ctx->fault_region;
	else if (!region_lookup((uintptr_t)addr, &r))
		return memory_access(addr, len, buf, write);
	if (!(r.prot & (write ? PROT_WRITE : PROT_READ | PROT_WRITE)))
		return MMIO_E_PROT;
	uint64_t off = addr - r.guard;
	if (len > r.len - off)
		return MMIO_E_RANGE;
	const struct insn *in = ctx ? ctx->in : NULL;
	uint64_t pc = in ? in->pc : 0;
	if (misaligned(r.bar_off + off, len, in)) {
		if (cfg.unaligned == UNALIGNED_REFUSE)
			return MMIO_E_UNALIGNED;
		return split_access(&r, off, len, buf, write, pc);
	}
	return device_access(&r, off, len, buf, write, pc);
}

static int io_read(const struct mmio_io *io, uint64_t addr, size_t len, void *buf)
{
	/* runs in the signal handler */
	return io_access(io, addr, len, buf, false);
}

static int io_write(const struct mmio_io *io, uint64_t addr, size_t len, const void *buf)
{
	/* runs in the signal handler */
	return io_access(io, addr, len, (void *)buf, true);
}

static int io_range(const struct mmio_io *io, uint64_t addr, size_t len)
{
	/* runs in the signal handler */
	struct region r;

	(void)io;
	if (!len || !region_lookup((uintptr_t)addr, &r))
		return 0;
	return len > r.len - (addr - r.guard) ? MMIO_E_RANGE : 0;
}

/* ctx: a struct io_ctx, or NULL */
const struct mmio_io shim_io = { io_read, io_write, NULL, io_range };

/* A system call of the program that names an address in a trapped mapping
 * (s390_pci_mmio_read/write of a hand-converted driver): the kernel would
 * refuse the guard page, so the shim performs it, in naturally aligned
 * pieces of at most 8 bytes as the kernel cuts it, with the kernel's
 * checks and errors. Returns 0 or -errno. May run in a signal handler (a
 * program's handler may make the call). */
int io_mmio_call(const struct region *r, uintptr_t addr, void *buf, size_t len, bool write, uint64_t pc)
{
	unsigned char bounce[4096];
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	if (!len || len > sizeof(bounce) || page - (addr & (page - 1)) < len || len > r->len - (addr - r->guard))
		return -EINVAL;
	if (!(r->prot & (write ? PROT_WRITE : PROT_READ)))
		return -EACCES;
	/* the program's buffer through the kernel: a bad one is EFAULT */
	if (write && memory_access((uintptr_t)buf, len, bounce, false))
		return -EFAULT;
	if (split_access(r, addr - r->guard, len, (char *)bounce, write, pc))
		return -EIO;
	if (!write && memory_access((uintptr_t)buf, len, bounce, true))
		return -EFAULT;
	return 0;
}
