/* The simulator on s390x: what a Linux >= 6.15 s390x kernel does with the
 * BARs of a vfio-pci device.
 *
 *  - BAR0 and BAR2 are mappable (VFIO_REGION_INFO_FLAG_MMAP). The mapping
 *    is a VM_IO|VM_PFNMAP mapping that the CPU cannot access: here an
 *    anonymous PROT_NONE mapping at the place the caller asked for (a plain
 *    load or store gets SIGSEGV; on the real machine it is SIGILL
 *    ILL_ILLADR). It is recorded in a table (address range, device, BAR,
 *    offset, protection) that munmap, mremap, mprotect and MAP_FIXED
 *    mappings over it keep up to date.
 *  - libc's syscall() answers s390_pci_mmio_read (353) and
 *    s390_pci_mmio_write (352) as arch/s390/pci/pci_mmio.c does: EINVAL for
 *    length 0 or a range crossing a 4 KiB page, EINVAL for an address that
 *    is not in such a mapping, EACCES when the mapping lacks PROT_READ
 *    (read) or PROT_WRITE (write); else the range goes to the device like a
 *    pread/pwrite of it (naturally aligned pieces of at most 8 bytes, each
 *    one device access and one BAR0 log line). That path runs inside the
 *    shim's signal handler: table lookup without locks, no malloc, no stdio.
 *    Every other system call number is passed to the next syscall() with its
 *    six argument words, errno as it sets it.
 *  - getauxval(AT_HWCAP) shows HWCAP_S390_PCI_MIO (bit 21) as MMIOSIM_MIO
 *    says (default 0: cleared). QEMU's user and system emulation have no
 *    MIO instructions: under them MMIOSIM_MIO=1 only changes what the
 *    program believes.
 *  - the mmap system call takes its arguments in a block of six words, and
 *    interrupt eventfds are duplicated with dup (qemu-user).
 *
 * meson builds this file for s390x hosts only (arch_x86_64.c elsewhere);
 * the sim_arch_* hooks are declared in sim.h. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim.h"

#define PGSIZE 4096u

#ifndef __NR_s390_pci_mmio_write
#define __NR_s390_pci_mmio_write 352
#define __NR_s390_pci_mmio_read 353
#endif
#define HWCAP_MIO (1ul << 21) /* HWCAP_S390_PCI_MIO */

int sim_arch_region_mappable(unsigned idx)
{
	return idx == VFIO_PCI_BAR0_REGION_INDEX || idx == VFIO_PCI_BAR2_REGION_INDEX;
}

/* The mmap system call: its arguments are passed in a block of six words
 * (old_mmap), as glibc's mmap does. */
void *sim_arch_sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long args[6] = { (long)addr, (long)len, prot, flags, fd, (long)off };
	return (void *)syscall(SYS_mmap, args);
}

int sim_arch_dup_eventfd(int fd)
{
	/* dup, not F_DUPFD: qemu-user converts the (big-endian) eventfd
	 * counter only on fds it knows as eventfds, and it passes that
	 * knowledge on through dup, dup2 and dup3 */
	int ref = (int)syscall(SYS_dup, fd);
	if (ref >= 0)
		syscall(SYS_fcntl, ref, F_SETFD, FD_CLOEXEC);
	return ref;
}

/* ---- raw system calls (before the next syscall() is known) ---- */

static long raw6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r1 __asm__("r1") = nr;
	register long r2 __asm__("r2") = a;
	register long r3 __asm__("r3") = b;
	register long r4 __asm__("r4") = c;
	register long r5 __asm__("r5") = d;
	register long r6 __asm__("r6") = e;
	register long r7 __asm__("r7") = f;
	__asm__ volatile("svc 0"
			 : "+d"(r2)
			 : "d"(r1), "d"(r3), "d"(r4), "d"(r5), "d"(r6), "d"(r7)
			 : "memory", "cc");
	return r2;
}

/* A system call with libc's conventions: -1 and errno on failure. */
static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	long (*real)(long, ...) = __atomic_load_n(&sim_real.syscall, __ATOMIC_ACQUIRE);
	if (real)
		return real(nr, a, b, c, d, e, f);
	long r = raw6(nr, a, b, c, d, e, f);
	if ((unsigned long)r > -4096ul) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* ---- the table of BAR mappings ----
 * Readers (the system calls, possibly in a signal handler of any thread)
 * take no lock: each slot is a seqlock, read until its generation is even
 * and unchanged. Writers (mmap, munmap, mremap, mprotect) serialise on a
 * spinlock held with all signals blocked, so a handler never interrupts a
 * write of its own thread. A slot's contents never change while it is
 * published except through a generation bump. The table is process memory:
 * a forked child inherits it with the mappings. */

#define MAX_BARMAPS 512

struct barmap {
	_Atomic unsigned gen; /* odd while being written */
	uintptr_t start, end; /* start 0: free */
	int devidx;
	unsigned bar;
	uint64_t off; /* BAR offset of start */
	int prot;
};

static struct barmap maps[MAX_BARMAPS];
static atomic_int maps_lock;

static void wlock(sigset_t *old)
{
	sigset_t all;
	sigfillset(&all);
	raw6(SYS_rt_sigprocmask, SIG_BLOCK, (long)&all, (long)old, _NSIG / 8, 0, 0);
	int z = 0;
	while (!atomic_compare_exchange_weak(&maps_lock, &z, 1)) {
		z = 0;
		raw6(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
	}
}

static void wunlock(const sigset_t *old)
{
	atomic_store(&maps_lock, 0);
	raw6(SYS_rt_sigprocmask, SIG_SETMASK, (long)old, 0, _NSIG / 8, 0, 0);
}

/* fork: a child is a copy of one thread; the table's lock must not be
 * copied while another thread holds it (the kernel's own tables never are) */
static sigset_t fork_old;

static void fork_prepare(void)
{
	wlock(&fork_old);
}

static void fork_done(void)
{
	wunlock(&fork_old);
}

__attribute__((constructor)) static void maps_atfork(void)
{
	pthread_atfork(fork_prepare, fork_done, fork_done);
}

/* writer only */
static void slot_set(struct barmap *m, uintptr_t start, uintptr_t end, int devidx, unsigned bar, uint64_t off,
		     int prot)
{
	atomic_fetch_add_explicit(&m->gen, 1, memory_order_acq_rel);
	atomic_thread_fence(memory_order_release);
	m->start = start;
	m->end = end;
	m->devidx = devidx;
	m->bar = bar;
	m->off = off;
	m->prot = prot;
	atomic_fetch_add_explicit(&m->gen, 1, memory_order_release);
}

/* writer only */
static int slot_add(uintptr_t start, uintptr_t end, int devidx, unsigned bar, uint64_t off, int prot)
{
	for (int i = 0; i < MAX_BARMAPS; i++)
		if (!maps[i].start) {
			slot_set(&maps[i], start, end, devidx, bar, off, prot);
			return 0;
		}
	return -1;
}

/* writer only: remove [a, b) from the table, keeping the pieces outside */
static void forget_locked(uintptr_t a, uintptr_t b)
{
	for (int i = 0; i < MAX_BARMAPS; i++) {
		struct barmap m = maps[i];
		if (!m.start || m.end <= a || m.start >= b)
			continue;
		if (m.start < a && m.end > b) /* a hole in the middle: keep the right part too */
			slot_add(b, m.end, m.devidx, m.bar, m.off + (b - m.start), m.prot);
		if (m.start < a)
			slot_set(&maps[i], m.start, a, m.devidx, m.bar, m.off, m.prot);
		else if (m.end > b)
			slot_set(&maps[i], b, m.end, m.devidx, m.bar, m.off + (b - m.start), m.prot);
		else
			slot_set(&maps[i], 0, 0, 0, 0, 0, 0);
	}
}

void sim_arch_bar_forget(uintptr_t addr, size_t len)
{
	sigset_t old;
	uintptr_t end = addr + ((len + PGSIZE - 1) & ~(size_t)(PGSIZE - 1));
	wlock(&old);
	forget_locked(addr & ~(uintptr_t)(PGSIZE - 1), end);
	wunlock(&old);
}

/* Runs in a signal handler. The mapping holding addr, copied out; 0 if none. */
static int lookup(uintptr_t addr, struct barmap *out)
{
	for (int i = 0; i < MAX_BARMAPS; i++) {
		struct barmap *m = &maps[i];
		for (;;) {
			unsigned g1 = atomic_load_explicit(&m->gen, memory_order_acquire);
			if (g1 & 1)
				continue; /* another thread is writing it */
			struct barmap c;
			c.start = m->start;
			c.end = m->end;
			c.devidx = m->devidx;
			c.bar = m->bar;
			c.off = m->off;
			c.prot = m->prot;
			atomic_thread_fence(memory_order_acquire);
			if (atomic_load_explicit(&m->gen, memory_order_relaxed) != g1)
				continue;
			if (c.start && addr >= c.start && addr < c.end) {
				*out = c;
				return 1;
			}
			break;
		}
	}
	return 0;
}

/* ---- mappings ---- */

static void *real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (sim_real.mmap)
		return sim_real.mmap(addr, len, prot, flags, fd, off);
	long args[6] = { (long)addr, (long)len, prot, flags, fd, (long)off }; /* old_mmap */
	return (void *)sys6(SYS_mmap, (long)args, 0, 0, 0, 0, 0);
}

void *sim_arch_bar_mmap(int devidx, unsigned idx, uint64_t bar_off, void *addr, size_t len, int prot,
			int flags, int *err)
{
	int fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	void *p = real_mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | fixed, -1, 0);
	if (p == MAP_FAILED) {
		*err = errno;
		return p;
	}
	uintptr_t a = (uintptr_t)p, b = a + ((len + PGSIZE - 1) & ~(size_t)(PGSIZE - 1));
	sigset_t old;
	wlock(&old);
	forget_locked(a, b); /* MAP_FIXED over an earlier one */
	int r = slot_add(a, b, devidx, idx, bar_off, prot);
	wunlock(&old);
	if (r) {
		sys6(SYS_munmap, (long)p, (long)len, 0, 0, 0, 0);
		*err = ENOMEM;
		return MAP_FAILED;
	}
	return p;
}

void *sim_arch_resource_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off, int *err)
{
	struct stat st;
	int saved = errno;

	if (!sim_ready_nolazy() || sys6(SYS_fstat, fd, (long)&st, 0, 0, 0, 0) != 0 ||
	    (uint64_t)st.st_dev != sim_p.memfd_dev) {
		errno = saved;
		return NULL;
	}
	for (int i = 0; i < sim_p.ndev; i++) {
		if ((uint64_t)st.st_ino != sim_p.bar2_ino[i])
			continue;
		uint64_t o = (uint64_t)off;
		int type = flags & MAP_TYPE;
		if (!len || (o & (PGSIZE - 1)) || (type != MAP_SHARED && type != MAP_SHARED_VALIDATE) ||
		    o >= SIM_BAR2_SIZE || ((len + PGSIZE - 1) & ~(size_t)(PGSIZE - 1)) > SIM_BAR2_SIZE - o) {
			*err = EINVAL;
			return MAP_FAILED;
		}
		void *p = sim_arch_bar_mmap(i, VFIO_PCI_BAR2_REGION_INDEX, o, addr, len, prot, flags, err);
		if (p != MAP_FAILED)
			errno = saved;
		return p;
	}
	errno = saved;
	return NULL;
}

SIM_EXPORT int munmap(void *addr, size_t len)
{
	int r;
	sim_ready();
	if (sim_real.munmap)
		r = sim_real.munmap(addr, len);
	else
		r = (int)sys6(SYS_munmap, (long)addr, (long)len, 0, 0, 0, 0);
	if (r == 0) {
		int saved = errno;
		sim_arch_bar_forget((uintptr_t)addr, len);
		errno = saved;
	}
	return r;
}

/* The kernel (mm/mremap.c): the old range must lie in one mapping, and a
 * VM_PFNMAP mapping cannot grow (EFAULT). Moving and shrinking work. */
SIM_EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	void *new_addr = (flags & MREMAP_FIXED) ? va_arg(ap, void *) : NULL;
	va_end(ap);

	sim_ready();
	struct barmap m;
	int ours = lookup((uintptr_t)old, &m);
	if (ours) {
		uintptr_t a = (uintptr_t)old;
		size_t ol = (old_len + PGSIZE - 1) & ~(size_t)(PGSIZE - 1);
		if (a + ol > m.end || new_len > old_len) {
			errno = EFAULT;
			return MAP_FAILED;
		}
	}
	void *p;
	if (sim_real.mremap)
		p = sim_real.mremap(old, old_len, new_len, flags, new_addr);
	else
		p = (void *)sys6(SYS_mremap, (long)old, (long)old_len, (long)new_len, flags, (long)new_addr, 0);
	if (p == MAP_FAILED)
		return p;
	int saved = errno;
	uintptr_t a = (uintptr_t)old, n = (uintptr_t)p;
	size_t ol = (old_len + PGSIZE - 1) & ~(size_t)(PGSIZE - 1);
	size_t nl = (new_len + PGSIZE - 1) & ~(size_t)(PGSIZE - 1);
	sigset_t mask;
	wlock(&mask);
	if (n != a || !ours)
		forget_locked(n, n + nl); /* whatever was at the destination is gone */
	forget_locked(a, a + ol);
	if (ours && nl)
		slot_add(n, n + nl, m.devidx, m.bar, m.off + (a - m.start), m.prot);
	wunlock(&mask);
	errno = saved;
	return p;
}

/* A BAR mapping keeps PROT_NONE (the CPU cannot reach a BAR); the
 * protection the program asked for is recorded for the system calls. */
SIM_EXPORT int mprotect(void *addr, size_t len, int prot)
{
	sim_ready();
	int (*real)(void *, size_t, int) = sim_real.mprotect;
	uintptr_t a = (uintptr_t)addr, b = a + ((len + PGSIZE - 1) & ~(size_t)(PGSIZE - 1));
	int r = real ? real(addr, len, prot) : (int)sys6(SYS_mprotect, (long)addr, (long)len, prot, 0, 0, 0);
	if (r != 0 || a == b)
		return r;
	int saved = errno;
	sigset_t old;
	wlock(&old);
	for (int i = 0; i < MAX_BARMAPS; i++) {
		struct barmap m = maps[i];
		if (!m.start || m.end <= a || m.start >= b)
			continue;
		uintptr_t lo = m.start > a ? m.start : a, hi = m.end < b ? m.end : b;
		/* back to PROT_NONE where the real call made it accessible */
		if (real)
			real((void *)lo, hi - lo, PROT_NONE);
		else
			sys6(SYS_mprotect, (long)lo, (long)(hi - lo), PROT_NONE, 0, 0, 0);
		if (m.prot == prot)
			continue;
		if (m.start < lo)
			slot_add(m.start, lo, m.devidx, m.bar, m.off, m.prot);
		if (m.end > hi)
			slot_add(hi, m.end, m.devidx, m.bar, m.off + (hi - m.start), m.prot);
		slot_set(&maps[i], lo, hi, m.devidx, m.bar, m.off + (lo - m.start), prot);
	}
	wunlock(&old);
	errno = saved;
	return r;
}

/* ---- s390_pci_mmio_read / s390_pci_mmio_write ----
 * Runs in a signal handler. */
static long pci_mmio(long nr, unsigned long addr, void *buf, size_t len)
{
	int saved = errno;
	int err;
	struct barmap m;

	if (!len || PGSIZE - (addr & (PGSIZE - 1)) < len)
		err = EINVAL;
	else if (!sim_ready_nolazy() || !lookup(addr, &m))
		err = EINVAL; /* not a VM_IO|VM_PFNMAP mapping */
	else if (!(m.prot & (nr == __NR_s390_pci_mmio_read ? PROT_READ : PROT_WRITE)))
		err = EACCES;
	else {
		ssize_t r = sim_dev_rw(m.devidx, m.bar, buf, len, m.off + (addr - m.start),
				       nr == __NR_s390_pci_mmio_write);
		err = r < 0 ? (int)-r : (size_t)r != len ? EFAULT : 0;
	}
	if (err) {
		errno = err;
		return -1;
	}
	errno = saved;
	return 0;
}

/* Every other call goes to the next definition with the six argument words
 * (as libc's syscall() itself reads them). Runs in a signal handler. */
SIM_EXPORT long syscall(long nr, ...)
{
	va_list ap;
	va_start(ap, nr);
	long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long);
	long d = va_arg(ap, long), e = va_arg(ap, long), f = va_arg(ap, long);
	va_end(ap);

	if (nr == __NR_s390_pci_mmio_read || nr == __NR_s390_pci_mmio_write)
		return pci_mmio(nr, (unsigned long)a, (void *)b, (size_t)c);
	long r = sys6(nr, a, b, c, d, e, f);
	if (r != -1 && sim_ready_nolazy()) {
		/* the table follows raw munmap / mremap / MAP_FIXED mmap too */
		int saved = errno;
		if (nr == SYS_munmap)
			sim_arch_bar_forget((uintptr_t)a, (size_t)b);
		else if (nr == SYS_mremap) {
			sim_arch_bar_forget((uintptr_t)a, (size_t)b);
			sim_arch_bar_forget((uintptr_t)r, (size_t)c);
		} else if (nr == SYS_mmap && a && ((int)((const long *)a)[3] & MAP_FIXED))
			sim_arch_bar_forget((uintptr_t)r, (size_t)((const long *)a)[1]); /* old_mmap block */
		errno = saved;
	}
	return r;
}

SIM_EXPORT unsigned long getauxval(unsigned long type)
{
	sim_ready();
	unsigned long (*real)(unsigned long) = sim_real.getauxval;
	if (!real)
		real = (unsigned long (*)(unsigned long))dlsym(RTLD_NEXT, "getauxval");
	unsigned long v = real ? real(type) : 0;
	if (type == AT_HWCAP) {
		if (sim_p.mio)
			v |= HWCAP_MIO;
		else
			v &= ~HWCAP_MIO;
	}
	return v;
}
