/* mmio-bench: what one emulated access costs, next to what the kernel costs
 * anyway (issue 6). Run it without arguments; see bench/README.md.
 *
 * The program you start is the driver: it runs each part of the benchmark
 * as a child process, re-executing itself as `mmio-bench --part NAME` with
 * the environment that part needs (no preload, the simulator alone, the
 * shim and the simulator with a backend's settings), collects the values
 * the children print on a pipe ("V key unit value..." lines, one value per
 * repetition) and prints everything at the end, the headline ratios first.
 *
 * Nothing here asserts anything about time: it measures and prints. */
#include <dlfcn.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "bench_config.h"

extern char **environ;

/* Every part runs ROUNDS times, the rounds interleaved (all parts, then all
 * parts again...), so that a slow stretch of the machine spreads over all
 * figures instead of landing on one; each run of a part does REPS
 * repetitions of each of its measurements. A figure is the median of its
 * ROUNDS * REPS repetitions, with min and max. */
#define ROUNDS 3
#define REPS 3			/* repetitions of each measurement, per round */
#define TARGET_NS 20000000.0	/* one repetition lasts about this long */
#define FRESH_SITES 48		/* first-time sites per repetition */
#define THREAD_MS 200		/* one repetition of the doorbell test */
#define THREAD_REPS 2		/* per round */
#define PAIRS 5			/* floor/shim pairs per round */
#define MAXV 32			/* values kept per figure */
#define SITE_STRIDE 16		/* bytes between generated sites */

#define BAR0_SCRATCH 0x8
#define BAR0_DOORBELL 0x100

/* ------------------------------------------------------------------ */
/* The instructions: one known load and one known store per architecture,
 * whose lengths the trap-floor handler knows. */

#if defined(__x86_64__)
#define ARCH_NAME "x86_64"
#define LOAD_TEXT "mov eax, dword ptr [rdi]"
#define STORE_TEXT "mov dword ptr [rdi], esi"
/* 8b 07: mov eax,[rdi]   89 37: mov [rdi],esi   (2 bytes each) */
static inline __attribute__((always_inline)) uint32_t load32(const volatile void *p)
{
	uint32_t v;
	__asm__ volatile("movl (%1), %0" : "=a"(v) : "D"(p) : "memory");
	return v;
}
static inline __attribute__((always_inline)) void store32(volatile void *p, uint32_t v)
{
	__asm__ volatile("movl %0, (%1)" : : "S"(v), "D"(p) : "memory");
}
#define INSN_LEN 2
static int insn_known(const uint8_t *ip)
{
	return (ip[0] == 0x8b && ip[1] == 0x07) || (ip[0] == 0x89 && ip[1] == 0x37);
}
static uintptr_t *uc_pc(ucontext_t *uc)
{
	return (uintptr_t *)&uc->uc_mcontext.gregs[REG_RIP];
}
/* generated sites: uint32_t f(void *p) { mov eax,[rdi]; ret }
 *                  void g(void *p, uint32_t v) { mov [rdi],esi; ret } */
static const uint8_t site_load[] = { 0x8b, 0x07, 0xc3 };
static const uint8_t site_store[] = { 0x89, 0x37, 0xc3 };
#elif defined(__s390x__)
#define ARCH_NAME "s390x"
#define LOAD_TEXT "l %rX,0(%rY)"
#define STORE_TEXT "st %rX,0(%rY)"
/* RX format, 4 bytes: 58 (l) and 50 (st) */
static inline __attribute__((always_inline)) uint32_t load32(const volatile void *p)
{
	uint32_t v;
	__asm__ volatile("l %0,0(%1)" : "=d"(v) : "a"(p) : "memory");
	return v;
}
static inline __attribute__((always_inline)) void store32(volatile void *p, uint32_t v)
{
	__asm__ volatile("st %0,0(%1)" : : "d"(v), "a"(p) : "memory");
}
#define INSN_LEN 4
static int insn_known(const uint8_t *ip)
{
	return (ip[0] == 0x58 || ip[0] == 0x50) && (ip[2] & 0x0f) == 0 && ip[3] == 0 && (ip[1] & 0x0f) == 0;
}
static uintptr_t *uc_pc(ucontext_t *uc)
{
	return (uintptr_t *)&uc->uc_mcontext.psw.addr;
}
/* l %r2,0(%r2); br %r14      st %r3,0(%r2); br %r14 */
static const uint8_t site_load[] = { 0x58, 0x20, 0x20, 0x00, 0x07, 0xfe };
static const uint8_t site_store[] = { 0x50, 0x30, 0x20, 0x00, 0x07, 0xfe };
#else
#error "mmio-bench: x86_64 or s390x"
#endif

typedef uint32_t (*site_load_fn)(volatile void *p);

/* A load that is the first instruction of its function: valgrind reports
 * the pc of a fault precisely only there (see bench/README.md). */
static __attribute__((noinline)) uint32_t load_once(const volatile void *p)
{
	return load32(p);
}
typedef void (*site_store_fn)(volatile void *p, uint32_t v);

/* ------------------------------------------------------------------ */
/* Small helpers */

static void die(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	fputs("mmio-bench: ", stderr);
	vfprintf(stderr, f, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* The clock of the single-thread measurements: the measuring thread's CPU
 * time (user and system: the fault, the signal delivery and the system
 * calls are all charged to it), so that time the thread spends waiting
 * for a CPU another process holds does not count. MMIO_BENCH_CLOCK=wall
 * measures elapsed time instead. Threads (6) and program starts (7) are
 * always elapsed time. */
static clockid_t bench_clock = CLOCK_THREAD_CPUTIME_ID;

static double clock_ns(void)
{
	struct timespec t;

	clock_gettime(bench_clock, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void clock_choose(void)
{
	const char *c = getenv("MMIO_BENCH_CLOCK");

	if (c && !strcmp(c, "wall"))
		bench_clock = CLOCK_MONOTONIC;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* A child's result line: V key unit value... (one value per repetition) */
static void emit(const char *key, const char *unit, const double *v, int n)
{
	printf("V %s %s", key, unit);
	for (int i = 0; i < n; i++)
		printf(" %.6g", v[i]);
	printf("\n");
	fflush(stdout);
}

/* n accesses (or operations); returns nothing, the caller times it */
typedef void (*run_fn)(void *ctx, long n);

static double timed(run_fn f, void *ctx, long n)
{
	double t0 = clock_ns();
	f(ctx, n);
	return clock_ns() - t0;
}

/* How many operations make a repetition of about TARGET_NS. */
static long calibrate(run_fn f, void *ctx)
{
	long n = 1;
	double t;

	f(ctx, 1);	/* warm up: first faults, decode, page tables */
	for (;;) {
		t = timed(f, ctx, n);
		if (t >= TARGET_NS / 10 || n >= (1L << 30))
			break;
		n *= 4;
	}
	n = (long)((double)n * TARGET_NS / (t > 1 ? t : 1));
	return n < 1 ? 1 : n;
}

/* ns per operation: REPS repetitions of about TARGET_NS each */
static void measure(const char *key, run_fn f, void *ctx)
{
	double v[REPS];
	long n = calibrate(f, ctx);

	for (int i = 0; i < REPS; i++)
		v[i] = timed(f, ctx, n) / (double)n;
	emit(key, "ns", v, REPS);
}

/* ------------------------------------------------------------------ */
/* Accesses in a loop: one instruction site, repeated */

static void run_load(void *ctx, long n)
{
	volatile void *p = ctx;
	for (long i = 0; i < n; i++)
		(void)load32(p);
}

static void run_store(void *ctx, long n)
{
	volatile void *p = ctx;
	for (long i = 0; i < n; i++)
		store32(p, (uint32_t)i);
}

struct fd_ctx {
	int fd;
	off_t off;
};

static void run_pread(void *ctx, long n)
{
	struct fd_ctx *c = ctx;
	uint32_t v;
	for (long i = 0; i < n; i++)
		if (pread(c->fd, &v, 4, c->off) != 4)
			die("pread: %s", strerror(errno));
}

static void run_pwrite(void *ctx, long n)
{
	struct fd_ctx *c = ctx;
	uint32_t v = 0;
	for (long i = 0; i < n; i++, v++)
		if (pwrite(c->fd, &v, 4, c->off) != 4)
			die("pwrite: %s", strerror(errno));
}

/* ------------------------------------------------------------------ */
/* Sites seen for the first time: copies of a one-instruction function in
 * fresh executable pages, each called once. Addresses are never reused
 * (the shim's decode cache is keyed by address). */

struct sites {
	uint8_t *code;
	size_t count, next;
};

static void sites_make(struct sites *s, const uint8_t *tmpl, size_t len, size_t count)
{
	size_t size = (count * SITE_STRIDE + 4095) & ~(size_t)4095;
	uint8_t *c = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (c == MAP_FAILED)
		die("mmap code: %s", strerror(errno));
	for (size_t i = 0; i < count; i++)
		memcpy(c + i * SITE_STRIDE, tmpl, len);
	__builtin___clear_cache((char *)c, (char *)c + size);
	if (mprotect(c, size, PROT_READ | PROT_EXEC))
		die("mprotect code: %s", strerror(errno));
	s->code = c;
	s->count = count;
	s->next = 0;
}

/* REPS repetitions of FRESH_SITES first-time calls */
static void measure_fresh(const char *key, struct sites *s, volatile void *p, int store)
{
	double v[REPS];

	for (int r = 0; r < REPS; r++) {
		if (s->next + FRESH_SITES > s->count)
			die("out of generated sites");
		uint8_t *base = s->code + s->next * SITE_STRIDE;
		s->next += FRESH_SITES;
		double t0 = clock_ns();
		for (int i = 0; i < FRESH_SITES; i++) {
			void *f = base + (size_t)i * SITE_STRIDE;
			if (store)
				((site_store_fn)f)(p, (uint32_t)i);
			else
				(void)((site_load_fn)f)(p);
		}
		v[r] = (clock_ns() - t0) / FRESH_SITES;
	}
	emit(key, "ns", v, REPS);
}

/* ------------------------------------------------------------------ */
/* The trap floor: a PROT_NONE page and a handler that only skips the
 * instruction (whose length we know: we emitted it). */

static volatile uint8_t *floor_page;

static void floor_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uintptr_t *pc = uc_pc(uc);
	(void)sig;

	if (((uintptr_t)si->si_addr & ~(uintptr_t)4095) != (uintptr_t)floor_page ||
	    !insn_known((const uint8_t *)*pc))
		abort();
	*pc += INSN_LEN;
}

static void floor_install(int full_mask)
{
	struct sigaction sa = { .sa_sigaction = floor_handler, .sa_flags = SA_SIGINFO };

	if (full_mask)
		sigfillset(&sa.sa_mask);
	else
		sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL))
		die("sigaction: %s", strerror(errno));
}

/* ------------------------------------------------------------------ */
/* The simulated device, opened as drivers do (legacy VFIO group flow) */

static int open_device(const char *bdf)
{
	char path[256], link[256];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		die("%s: %s (is libmmiosim.so preloaded?)", path, strerror(errno));
	link[n] = '\0';
	int container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		die("/dev/vfio/vfio: %s", strerror(errno));
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));
	int group = open(path, O_RDWR);
	if (group < 0)
		die("%s: %s", path, strerror(errno));
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) || ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU))
		die("VFIO container setup: %s", strerror(errno));
	int dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (dev < 0)
		die("VFIO_GROUP_GET_DEVICE_FD: %s", strerror(errno));
	return dev;
}

static struct vfio_region_info region_info(int dev, unsigned idx)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = idx };

	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri))
		die("VFIO_DEVICE_GET_REGION_INFO %u: %s", idx, strerror(errno));
	return ri;
}

/* Is the page at p mapped PROT_NONE (a guard the shim traps)? */
static int guarded(const volatile void *p)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && (uintptr_t)p >= lo && (uintptr_t)p < hi) {
			ret = !strncmp(perms, "---", 3);
			break;
		}
	}
	fclose(f);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Threads writing concurrently, each to its own register */

static atomic_int th_ready, th_go, th_stop;

struct th_arg {
	pthread_t tid;
	volatile uint32_t *reg;
	long count;
};

static void *th_main(void *argv)
{
	struct th_arg *a = argv;
	long n = 0;

	atomic_fetch_add(&th_ready, 1);
	while (!atomic_load_explicit(&th_go, memory_order_acquire))
		;
	while (!atomic_load_explicit(&th_stop, memory_order_relaxed)) {
		for (int i = 0; i < 16; i++)
			store32(a->reg, (uint32_t)i);
		n += 16;
	}
	a->count = n;
	return NULL;
}

/* accesses per second of nthreads threads, THREAD_REPS repetitions */
static void measure_threads(const char *key, volatile uint8_t *base, size_t stride, int nthreads)
{
	double v[THREAD_REPS];
	struct th_arg a[8];

	for (int r = 0; r < THREAD_REPS; r++) {
		atomic_store(&th_ready, 0);
		atomic_store(&th_go, 0);
		atomic_store(&th_stop, 0);
		for (int i = 0; i < nthreads; i++) {
			a[i].reg = (volatile uint32_t *)(base + (size_t)i * stride);
			a[i].count = 0;
			if (pthread_create(&a[i].tid, NULL, th_main, &a[i]))
				die("pthread_create");
		}
		while (atomic_load(&th_ready) < nthreads)
			sched_yield();
		double t0 = now_ns();
		atomic_store_explicit(&th_go, 1, memory_order_release);
		struct timespec d = { THREAD_MS / 1000, (THREAD_MS % 1000) * 1000000L };
		nanosleep(&d, NULL);
		atomic_store(&th_stop, 1);
		long total = 0;
		for (int i = 0; i < nthreads; i++) {
			pthread_join(a[i].tid, NULL);
			total += a[i].count;
		}
		v[r] = (double)total / ((now_ns() - t0) / 1e9);
	}
	emit(key, "acc/s", v, THREAD_REPS);
}

/* ------------------------------------------------------------------ */
/* The parts, each run in a child process */

/* (1), (2) on a memfd, (3); nothing preloaded */
static void part_plain(void)
{
	uint8_t *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(mem, 0, 4096);
	measure("mem.load", run_load, mem + 8);
	measure("mem.store", run_store, mem + 8);

	int fd = memfd_create("mmio-bench", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 4096))
		die("memfd: %s", strerror(errno));
	struct fd_ctx c = { fd, 8 };
	measure("pread.memfd", run_pread, &c);
	measure("pwrite.memfd", run_pwrite, &c);

	floor_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (floor_page == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	floor_install(0);
	measure("floor.load", run_load, (void *)(floor_page + 8));
	measure("floor.store", run_store, (void *)(floor_page + 8));
	floor_install(1);
	measure("floor.load.fullmask", run_load, (void *)(floor_page + 8));
	signal(SIGSEGV, SIG_DFL);

	/* fresh code on ordinary memory: what a first-time site costs without
	 * any trap (instruction fetch from new pages) */
	struct sites s;
	sites_make(&s, site_load, sizeof(site_load), (size_t)REPS * FRESH_SITES);
	measure_fresh("fresh.load", &s, mem + 8, 0);
}

/* (2) on the simulator's device fd; only libmmiosim.so preloaded */
static void part_sim(void)
{
	int dev = open_device("0000:00:01.0");
	struct vfio_region_info bar0 = region_info(dev, VFIO_PCI_BAR0_REGION_INDEX);
	struct fd_ctx c = { dev, (off_t)(bar0.offset + BAR0_SCRATCH) };

	measure("pread.sim", run_pread, &c);
	measure("pwrite.sim", run_pwrite, &c);
}

static uint64_t ksa_floor[8], ksa_shim[8];
static void measure_pairs(const char *backend, const char *tag, int store, volatile uint8_t *reg,
			  struct fd_ctx *fc);

/* Map a BAR of the simulated device and check that the shim traps it. */
static volatile uint8_t *map_trapped_bar(int bar, int *devp)
{
	int dev = open_device("0000:00:01.0");
	if (devp)
		*devp = dev;
	struct vfio_region_info ri = region_info(dev, (unsigned)bar);
	volatile uint8_t *m = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev, (off_t)ri.offset);

	if (m == MAP_FAILED)
		die("mmap BAR%d: %s", bar, strerror(errno));
	if (guarded(m) != 1)
		die("BAR%d is not trapped (the mapping is not a PROT_NONE guard): check MMIOSHIM_* settings", bar);
	uint32_t id;
	/* the device is little-endian (a big-endian driver swaps) */
	if (bar == 0 && (id = le32toh(load_once(m))) != 0x4d4d494f)
		die("BAR0 ID reads %#x, not 0x4d4d494f", id);
	return m;
}

/* (4), (6) through one backend; the shim and the simulator preloaded.
 * bar: which BAR to map (0: registers, 2: memory) */
static void part_shim(const char *backend, int bar, const char *tag)
{
	char key[128];
	int dev;

	/* The trap floor's handler, installed before the shim owns SIGSEGV
	 * (it takes it over when the first BAR is trapped); afterwards the
	 * two kernel actions are swapped with the raw system call, which the
	 * shim does not see. Floor and shim then alternate in this process. */
	floor_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (floor_page == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	floor_install(0);
	if (syscall(SYS_rt_sigaction, SIGSEGV, NULL, &ksa_floor, (size_t)8))
		die("rt_sigaction: %s", strerror(errno));
	signal(SIGSEGV, SIG_DFL);

	/* a tracing mode against a shim that cannot trace: say so, measure nothing */
	if (tag[0] && !dlsym(RTLD_DEFAULT, "mmioshim_mark")) {
		printf("U %s\n", tag);
		return;
	}
	volatile uint8_t *m = map_trapped_bar(bar, &dev);
	volatile uint8_t *reg = m + (bar == 0 ? BAR0_SCRATCH : 8);
	if (syscall(SYS_rt_sigaction, SIGSEGV, NULL, &ksa_shim, (size_t)8))
		die("rt_sigaction: %s", strerror(errno));

	/* the access the backend performs, on the device fd (region only) */
	struct vfio_region_info ri = region_info(dev, (unsigned)bar);
	struct fd_ctx fc = { dev, (off_t)(ri.offset + (bar == 0 ? BAR0_SCRATCH : 8)) };
	int with_pread = !strcmp(backend, "region");

	measure_pairs(backend, tag, 0, reg, with_pread ? &fc : NULL);
	measure_pairs(backend, tag, 1, reg, with_pread ? &fc : NULL);
	if (tag[0])
		return;	/* a tracing mode: repeated sites only */

	struct sites ls, ss;
	sites_make(&ls, site_load, sizeof(site_load), (size_t)REPS * FRESH_SITES);
	sites_make(&ss, site_store, sizeof(site_store), (size_t)REPS * FRESH_SITES);
	snprintf(key, sizeof(key), "shim.%s.load.first", backend);
	measure_fresh(key, &ls, reg, 0);
	snprintf(key, sizeof(key), "shim.%s.store.first", backend);
	measure_fresh(key, &ss, reg, 1);

	/* (6): BAR0: DOORBELL[i] for thread i; BAR2: one word per cache line */
	volatile uint8_t *db = bar == 0 ? m + BAR0_DOORBELL : m + 0x1000;
	size_t stride = bar == 0 ? 4 : 64;
	for (int t = 1; t <= 4; t *= 2) {
		snprintf(key, sizeof(key), "threads.%s.%d", backend, t);
		measure_threads(key, db, stride, t);
	}
}

/* The raw kernel actions of SIGSEGV (ksa_*) are opaque: written back as
 * they were read. */

static void ksa_set(const uint64_t *k)
{
	if (syscall(SYS_rt_sigaction, SIGSEGV, k, NULL, (size_t)8))
		die("rt_sigaction: %s", strerror(errno));
}

/* Floor, shim (and for the region backend pread or pwrite on the device
 * fd) measured alternately, PAIRS times: each pair gives a ratio of
 * neighbours in time. Emits the shim's figure (shim.B.OP.hit), the floor
 * and pread figures of this process and the per-pair ratios. */
static void measure_pairs(const char *backend, const char *tag, int store, volatile uint8_t *reg,
			  struct fd_ctx *fc)
{
	double vf[PAIRS], vs[PAIRS], vp[PAIRS], vr[PAIRS], vo[PAIRS];
	run_fn op = store ? run_store : run_load;
	run_fn io = store ? run_pwrite : run_pread;
	const char *name = store ? "store" : "load";
	char key[160];

	ksa_set(ksa_floor);
	long nf = calibrate(op, (void *)(floor_page + 8));
	ksa_set(ksa_shim);
	long ns = calibrate(op, (void *)reg);
	long np = fc ? calibrate(io, fc) : 0;
	for (int i = 0; i < PAIRS; i++) {
		ksa_set(ksa_floor);
		vf[i] = timed(op, (void *)(floor_page + 8), nf) / (double)nf;
		ksa_set(ksa_shim);
		vs[i] = timed(op, (void *)reg, ns) / (double)ns;
		vp[i] = fc ? timed(io, fc, np) / (double)np : 0;
		vr[i] = vs[i] / (vf[i] + vp[i]);
		vo[i] = vs[i] - vf[i] - vp[i];
	}
	snprintf(key, sizeof(key), "%sshim.%s.%s.hit", tag, backend, name);
	emit(key, "ns", vs, PAIRS);
	snprintf(key, sizeof(key), "%sfloor@%s.%s", tag, backend, name);
	emit(key, "ns", vf, PAIRS);
	if (fc) {
		snprintf(key, sizeof(key), "%s%s@%s", tag, store ? "pwrite" : "pread", backend);
		emit(key, "ns", vp, PAIRS);
	}
	snprintf(key, sizeof(key), "%sratio.%s.%s", tag, backend, name);
	emit(key, "x", vr, PAIRS);
	snprintf(key, sizeof(key), "%sown.%s.%s", tag, backend, name);
	emit(key, "ns", vo, PAIRS);
}

/* (7) a program that uses no device: a loop over calls the shim
 * interposes (open/close, mmap/munmap), with or without the shim */
static void run_loop(void *ctx, long n)
{
	(void)ctx;
	for (long i = 0; i < n; i++) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("/dev/null: %s", strerror(errno));
		close(fd);
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap: %s", strerror(errno));
		munmap(p, 4096);
	}
}

/* For profilers (perf, strace -c, valgrind --tool=callgrind): N trapped
 * loads or stores at one site, untimed. Run it with the environment of a
 * backend, e.g. LD_PRELOAD="libmmioshim.so libmmiosim.so"
 * mmio-bench --part repeat load:0:100000 */
static void part_repeat(const char *spec)
{
	char what[16];
	int bar;
	long n;

	if (sscanf(spec, "%15[^:]:%d:%ld", what, &bar, &n) != 3)
		die("--part repeat load|store|first-load|first-store:BAR:COUNT");
	volatile uint8_t *m = map_trapped_bar(bar, NULL);
	volatile uint8_t *reg = m + (bar == 0 ? BAR0_SCRATCH : 8);
	if (!strcmp(what, "load")) {
		run_load((void *)reg, n);
	} else if (!strcmp(what, "store")) {
		run_store((void *)reg, n);
	} else if (!strcmp(what, "first-load") || !strcmp(what, "first-store")) {
		/* n sites seen for the first time, each called once */
		int store = !strcmp(what, "first-store");
		struct sites s;
		sites_make(&s, store ? site_store : site_load, store ? sizeof(site_store) : sizeof(site_load), (size_t)n);
		for (long i = 0; i < n; i++) {
			void *f = s.code + (size_t)i * SITE_STRIDE;
			if (store)
				((site_store_fn)f)(reg, (uint32_t)i);
			else
				(void)((site_load_fn)f)(reg);
		}
	} else {
		die("--part repeat load|store|first-load|first-store:BAR:COUNT");
	}
}

static void part_loop(const char *key)
{
	measure(key, run_loop, NULL);
}

/* ------------------------------------------------------------------ */
/* The driver: runs the parts, prints the figures */

struct result {
	char key[64], unit[16];
	double v[MAXV];
	int n;
	double med, min, max;	/* of v[0..n) */
};

static struct result results[128];
static int nresults;
static int emulated;
static const char *emulated_why;
static char self_exe[4096];
static char shim_lib[4096], sim_lib[4096];
static const char *wrapper_default[] = { BENCH_WRAPPER NULL };
static char *wrapper[16];
static char failures[4096];
static char trace_path[4096];	/* (5): the trace file of a part */
static char untraceable[64];	/* (5): set when the shim has no tracing */

static struct result *find(const char *key)
{
	for (int i = 0; i < nresults; i++)
		if (!strcmp(results[i].key, key))
			return &results[i];
	return NULL;
}

/* values of one figure, from any round */
static void add_values(const char *key, const char *unit, const double *v, int n)
{
	struct result *r = find(key);

	if (!r) {
		if (nresults == (int)(sizeof(results) / sizeof(results[0])))
			return;
		r = &results[nresults++];
		memset(r, 0, sizeof(*r));
		snprintf(r->key, sizeof(r->key), "%s", key);
		snprintf(r->unit, sizeof(r->unit), "%s", unit);
	}
	for (int i = 0; i < n && r->n < MAXV; i++)
		r->v[r->n++] = v[i];
	double s[MAXV];
	memcpy(s, r->v, sizeof(double) * (size_t)r->n);
	qsort(s, (size_t)r->n, sizeof(s[0]), cmp_double);
	r->med = r->n % 2 ? s[r->n / 2] : (s[r->n / 2 - 1] + s[r->n / 2]) / 2;
	r->min = s[0];
	r->max = s[r->n - 1];
}

static const struct result *get(const char *key)
{
	return find(key);
}

static void note_failure(const char *f, ...)
{
	va_list ap;
	size_t len = strlen(failures);

	va_start(ap, f);
	vsnprintf(failures + len, sizeof(failures) - len, f, ap);
	va_end(ap);
	len = strlen(failures);
	if (len + 1 < sizeof(failures))
		strcat(failures, "\n");
}

/* The environment of a child: ours without the variables that select
 * preloads, shim or simulator settings, plus the given ones. */
static char **child_env(const char *const *extra)
{
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	while (extra && extra[k])
		k++;
	char **env = calloc(n + k + 1, sizeof(*env));
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		const char *e = environ[i];
		if (!strncmp(e, "LD_PRELOAD=", 11) || !strncmp(e, "MMIOSHIM_", 9) || !strncmp(e, "MMIOSIM_", 8))
			continue;
		env[j++] = (char *)e;
	}
	for (size_t i = 0; i < k; i++)
		env[j++] = (char *)extra[i];
	env[j] = NULL;
	return env;
}

/* argv with the emulator in front when there is one */
static char **child_argv(const char *const *args)
{
	static char *argv[32];
	int n = 0;

	for (int i = 0; wrapper[i]; i++)
		argv[n++] = wrapper[i];
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	return argv;
}

/* Run `mmio-bench --part NAME ARG` with extra environment; collect its V
 * lines. */
static void run_part(const char *title, const char *name, const char *arg, const char *const *extra)
{
	int pfd[2];
	const char *args[] = { self_exe, "--part", name, arg, NULL };

	if (pipe(pfd))
		die("pipe: %s", strerror(errno));
	char **argv = child_argv(args);
	char **env = child_env(extra);
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execvpe(argv[0], argv, env);
		fprintf(stderr, "mmio-bench: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	free(env);
	close(pfd[1]);
	FILE *f = fdopen(pfd[0], "r");
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		char key[64], unit[16];
		int used;
		double v[MAXV];
		int n = 0;
		if (sscanf(line, "U %63s", key) == 1) {	/* a tracing mode the shim lacks */
			snprintf(untraceable, sizeof(untraceable), "%s", key);
			continue;
		}
		if (sscanf(line, "V %63s %15s%n", key, unit, &used) != 2)
			continue;
		for (char *p = line + used, *end; n < MAXV; p = end) {
			v[n] = strtod(p, &end);
			if (end == p)
				break;
			n++;
		}
		if (n)
			add_values(key, unit, v, n);
	}
	fclose(f);
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		note_failure("part '%s' (%s) failed: %s %d", name, title,
			     WIFEXITED(st) ? "exit status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

/* Start a program that uses no device n times; returns ns per run. */
static double spawn_runs(char **argv, char **env, long n)
{
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		pid_t pid;
		int st;
		if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, env))
			die("posix_spawn %s: %s", argv[0], strerror(errno));
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			die("%s failed", argv[0]);
	}
	return now_ns() - t0;
}

/* (7): the cost of having the shim in LD_PRELOAD when starting a program */
static void measure_spawn(const char *key, char **argv, char **env)
{
	double v[REPS];
	long n = 1;
	double t = spawn_runs(argv, env, 1);

	for (;;) {
		t = spawn_runs(argv, env, n);
		if (t >= 5 * TARGET_NS / 10 || n >= 4096)
			break;
		n *= 2;
	}
	n = (long)((double)n * 5 * TARGET_NS / (t > 1 ? t : 1));
	if (n < 3)
		n = 3;
	for (int i = 0; i < REPS; i++)
		v[i] = spawn_runs(argv, env, n) / (double)n;
	add_values(key, "ns", v, REPS);
}

/* ---- what the figures are called ---- */

static const char *label_mark(void)
{
	return emulated ? "  (emulated)" : "";
}

static void print_ns(const char *label, const char *key)
{
	const struct result *r = get(key);

	if (!r) {
		printf("    %-50s (not measured: see the failures below)\n", label);
		return;
	}
	printf("    %-50s %10.1f ns   [min %.1f, max %.1f]%s\n", label, r->med, r->min, r->max, label_mark());
}

/* The backends of the shim this machine has, as the parts that measure
 * them: name, BAR, environment. */
struct backend_part {
	const char *name;
	int bar;
	const char *what;
	const char *env[4];
};

#if defined(__x86_64__)
static const struct backend_part backends[] = {
	{ "region", 0, "BAR0 SCRATCH (regs), pread/pwrite on the device fd", { NULL } },
	{ "direct", 2, "BAR2 memory, MMIOSHIM_TRAP=all, the kernel's mapping", { "MMIOSHIM_TRAP=all", NULL } },
};
#else
static const struct backend_part backends[] = {
	{ "region", 0, "BAR0 SCRATCH (regs), MMIOSIM_MMAP=none: pread/pwrite", { "MMIOSIM_MMAP=none", NULL } },
	{ "syscall", 0, "BAR0 SCRATCH (regs), s390_pci_mmio_read/write", { "MMIOSHIM_BACKEND=syscall", NULL } },
};
#endif
#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

/* Tracing (issue 4). When the shim can trace, give each mode the
 * environment that selects it; a mode with no environment is reported as
 * not available, never measured. */
struct trace_mode {
	const char *name;
	const char *tag;	/* key prefix of its figures */
	const char *const *env;	/* NULL: not available, nothing measured */
};
/* "%s" in a setting is replaced by the name of a temporary trace file,
 * removed after each part. The part runs with the backend's settings plus
 * these, repeated sites only. */
static const char *const trace_file_env[] = { "MMIOSHIM_TRACE=%s", NULL };
static const char *const trace_filtered_env[] = { "MMIOSHIM_TRACE=%s", "MMIOSHIM_TRACE_FILTER=bar=5", NULL };
static const struct trace_mode trace_modes[] = {
	{ "tracing to a file (text)", "trace-file", trace_file_env },
	{ "tracing on, all filtered out (bar=5)", "trace-filtered", trace_filtered_env },
};
#define NTRACE (sizeof(trace_modes) / sizeof(trace_modes[0]))

static void print_ratio(const char *text, double v)
{
	if (v > 0)
		printf("%s %.2f\n", text, v);
	else
		printf("%s n/a\n", text);
}

static double med(const char *key)
{
	const struct result *r = get(key);
	return r ? r->med : -1;
}

static void print_all(void)
{
	char key[128], label[160];

	/* the headline, exactly in this form: medians of per-pair ratios */
	print_ratio("ratio direct/trap-floor:", med("ratio.direct.load"));
	print_ratio("ratio region/(trap-floor+pread):", med("ratio.region.load"));
	printf("emulated: %s\n", emulated ? "yes" : "no");

	struct utsname u;
	uname(&u);
	printf("\nmmio-bench %s on %s (%s %s, %ld CPUs)%s\n", ARCH_NAME, u.nodename, u.sysname, u.release,
	       sysconf(_SC_NPROCESSORS_ONLN), emulated ? ", EMULATED" : "");
	if (emulated)
		printf("figures are emulated (%s): they say nothing about the hardware\n", emulated_why);
	printf("clock: %s\n", bench_clock == CLOCK_MONOTONIC ? "elapsed time (MMIO_BENCH_CLOCK=wall)"
								: "CPU time of the measuring thread");
	printf("ns per access: median of %d repetitions (%d interleaved rounds of %d) [min, max];\n", ROUNDS * REPS,
	       ROUNDS, REPS);
	printf("ratios and the shim's repeated-site figures: %d floor/shim pairs (%d rounds of %d)\n", ROUNDS * PAIRS,
	       ROUNDS, PAIRS);

	printf("\nratios: shim / what the kernel costs anyway, median of per-pair ratios [min, max]\n");
	for (size_t b = 0; b < NBACKENDS; b++)
		for (int st = 0; st < 2; st++) {
			const char *op = st ? "store" : "load";
			int region = !strcmp(backends[b].name, "region");
			snprintf(key, sizeof(key), "ratio.%s.%s", backends[b].name, op);
			snprintf(label, sizeof(label), "%s %s / (trap floor%s)", backends[b].name, op,
				 region ? (st ? " + pwrite" : " + pread") : "");
			const struct result *r = get(key);
			if (!r) {
				printf("    %-50s (not measured)\n", label);
				continue;
			}
			printf("    %-50s %10.2f      [min %.2f, max %.2f]%s\n", label, r->med, r->min, r->max,
			       label_mark());
		}
	printf("  the handler's own work: shim - floor%s, per pair; median [min, max]\n",
	       get("pread@region") ? " (- pread/pwrite for region)" : "");
	for (size_t b = 0; b < NBACKENDS; b++)
		for (int st = 0; st < 2; st++) {
			snprintf(key, sizeof(key), "own.%s.%s", backends[b].name, st ? "store" : "load");
			snprintf(label, sizeof(label), "%s %s", backends[b].name, st ? "store" : "load");
			print_ns(label, key);
		}

	printf("\n(1) direct access to ordinary memory\n");
	print_ns("load  " LOAD_TEXT, "mem.load");
	print_ns("store " STORE_TEXT, "mem.store");

	printf("\n(2) pread/pwrite of 4 bytes on an fd\n");
	print_ns("pread  memfd (tmpfs), no preload", "pread.memfd");
	print_ns("pwrite memfd (tmpfs), no preload", "pwrite.memfd");
	print_ns("pread  simulator device fd, BAR0 SCRATCH", "pread.sim");
	print_ns("pwrite simulator device fd, BAR0 SCRATCH", "pwrite.sim");

	printf("\n(3) trap floor: PROT_NONE page, handler only skips the instruction\n");
	print_ns("load  (" LOAD_TEXT ")", "floor.load");
	print_ns("store (" STORE_TEXT ")", "floor.store");
	print_ns("load, handler's sa_mask full (as the shim's)", "floor.load.fullmask");
	for (size_t b = 0; b < NBACKENDS; b++)
		for (int st = 0; st < 2; st++) {
			snprintf(key, sizeof(key), "floor@%s.%s", backends[b].name, st ? "store" : "load");
			snprintf(label, sizeof(label), "%s, in the %s process (pairs)", st ? "store" : "load ",
				 backends[b].name);
			print_ns(label, key);
		}
	for (size_t b = 0; b < NBACKENDS; b++)
		for (int st = 0; st < 2; st++) {
			snprintf(key, sizeof(key), "%s@%s", st ? "pwrite" : "pread", backends[b].name);
			if (!get(key))
				continue;
			snprintf(label, sizeof(label), "%s device fd, in the %s process (pairs)",
				 st ? "pwrite" : "pread ", backends[b].name);
			print_ns(label, key);
		}

	printf("\n(4) the shim's trapped access, per backend\n");
	for (size_t b = 0; b < NBACKENDS; b++) {
		printf("  %s: %s\n", backends[b].name, backends[b].what);
		static const char *const kinds[][2] = {
			{ "load.hit", "load,  repeated site (decode cache hit)" },
			{ "store.hit", "store, repeated site (decode cache hit)" },
			{ "load.first", "load,  site seen for the first time" },
			{ "store.first", "store, site seen for the first time" },
		};
		for (size_t k = 0; k < 4; k++) {
			snprintf(key, sizeof(key), "shim.%s.%s", backends[b].name, kinds[k][0]);
			print_ns(kinds[k][1], key);
		}
	}
	print_ns("reference: first call of fresh code, no trap", "fresh.load");

	printf("\n(5) tracing on/off (repeated site; off: the figures of (4))\n");
	for (size_t t = 0; t < NTRACE; t++) {
		if (!trace_modes[t].env || untraceable[0]) {
			printf("    %-50s tracing: not available in this build\n", trace_modes[t].name);
			continue;
		}
		for (size_t b = 0; b < NBACKENDS; b++)
			for (int st = 0; st < 2; st++) {
				snprintf(key, sizeof(key), "%s.shim.%s.%s.hit", trace_modes[t].tag, backends[b].name,
					 st ? "store" : "load");
				snprintf(label, sizeof(label), "%s: %s %s", trace_modes[t].name, backends[b].name,
					 st ? "store" : "load");
				char off[128];
				snprintf(off, sizeof(off), "shim.%s.%s.hit", backends[b].name, st ? "store" : "load");
				const struct result *r = get(key);
				if (!r || !get(off)) {
					print_ns(label, key);
					continue;
				}
				printf("    %-50s %10.1f ns   [min %.1f, max %.1f]  x%.2f of tracing off%s\n", label, r->med,
				       r->min, r->max, r->med / med(off), label_mark());
			}
	}

	printf("\n(6) threads ringing doorbells concurrently: accesses per second (median of %d runs of %d ms)\n",
	       ROUNDS * THREAD_REPS, THREAD_MS);
	for (size_t b = 0; b < NBACKENDS; b++) {
		snprintf(key, sizeof(key), "threads.%s.1", backends[b].name);
		const struct result *one = get(key);
		for (int t = 1; t <= 4; t *= 2) {
			snprintf(key, sizeof(key), "threads.%s.%d", backends[b].name, t);
			const struct result *r = get(key);
			snprintf(label, sizeof(label), "%s, %d thread%s (%s)", backends[b].name, t, t > 1 ? "s" : "",
				 backends[b].bar == 0 ? "DOORBELL[i]" : "BAR2 word i");
			if (!r || !one) {
				printf("    %-50s (not measured)\n", label);
				continue;
			}
			printf("    %-50s %10.0f /s  [min %.0f, max %.0f]  x%.2f of 1 thread%s\n", label, r->med, r->min,
			       r->max, r->med / one->med, label_mark());
		}
	}

	printf("\n(7) a program that uses no device, without and with the shim preloaded\n");
	const struct result *a = get("spawn.plain"), *b = get("spawn.shim");
	const char *prog = emulated ? "mmio-bench --part nop" : "/bin/true";
	snprintf(label, sizeof(label), "start %s, no preload", prog);
	print_ns(label, "spawn.plain");
	snprintf(label, sizeof(label), "start %s, shim preloaded", prog);
	print_ns(label, "spawn.shim");
	if (a && b)
		printf("    %-50s %10.1f us per program start\n", "difference", (b->med - a->med) / 1000);
	print_ns("loop: open+close, mmap+munmap; no preload", "loop.plain");
	print_ns("loop: open+close, mmap+munmap; shim preloaded", "loop.shim");
	a = get("loop.plain"), b = get("loop.shim");
	if (a && b)
		printf("    %-50s %10.1f ns per iteration (4 interposed calls)\n", "difference", b->med - a->med);

	if (failures[0])
		printf("\nfailures:\n%s", failures);
}

/* Under qemu-user there is no AT_PLATFORM (a Linux kernel always gives
 * one); MMIO_BENCH_EMULATED=1 or 0 overrides. */
static void detect_emulation(void)
{
	const char *e = getenv("MMIO_BENCH_EMULATED");

	if (e && *e) {
		emulated = strcmp(e, "0") != 0;
		emulated_why = "MMIO_BENCH_EMULATED is set";
		return;
	}
	emulated = getauxval(AT_PLATFORM) == 0;
	emulated_why = "no AT_PLATFORM in the auxiliary vector: user-mode emulation";
}

static int exists(const char *p)
{
	return access(p, R_OK) == 0;
}

/* The libraries: $MMIO_BENCH_LIBDIR, else beside the executable's folder
 * (build/bench/mmio-bench -> build/), else the paths of the build. */
static void find_libs(void)
{
	const char *d = getenv("MMIO_BENCH_LIBDIR");
	char dir[4096];

	if (d && *d) {
		snprintf(shim_lib, sizeof(shim_lib), "%s/libmmioshim.so", d);
		snprintf(sim_lib, sizeof(sim_lib), "%s/libmmiosim.so", d);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", self_exe);
	char *up = dirname(dir);
	snprintf(shim_lib, sizeof(shim_lib), "%s/../libmmioshim.so", up);
	snprintf(sim_lib, sizeof(sim_lib), "%s/../libmmiosim.so", up);
	if (exists(shim_lib) && exists(sim_lib))
		return;
	snprintf(shim_lib, sizeof(shim_lib), "%s", BENCH_SHIM_LIB);
	snprintf(sim_lib, sizeof(sim_lib), "%s", BENCH_SIM_LIB);
}

/* How children are started: MMIO_BENCH_WRAPPER (words separated by spaces;
 * empty: none), else under emulation the cross file's wrapper. */
static void find_wrapper(void)
{
	const char *w = getenv("MMIO_BENCH_WRAPPER");
	int n = 0;

	if (w) {
		char *copy = strdup(w), *save = NULL;
		for (char *t = strtok_r(copy, " ", &save); t && n < 15; t = strtok_r(NULL, " ", &save))
			wrapper[n++] = t;
	} else if (emulated) {
		for (int i = 0; wrapper_default[i] && n < 15; i++)
			wrapper[n++] = (char *)wrapper_default[i];
	}
	wrapper[n] = NULL;
}

/* One round: every part once */
static void one_round(const char *preload_shim, const char *preload_sim, const char *preload_both)
{
	run_part("(1)-(3) memory, memfd, trap floor", "plain", "-", NULL);
	run_part("(2) pread/pwrite on the simulator", "sim", "-", (const char *[]){ preload_sim, NULL });
	for (size_t b = 0; b < NBACKENDS; b++) {
		const char *env[8] = { preload_both };
		int k = 1;
		for (int i = 0; backends[b].env[i]; i++)
			env[k++] = backends[b].env[i];
		env[k] = NULL;
		char title[128], spec[96];
		snprintf(title, sizeof(title), "(4), (6) shim, %s backend", backends[b].name);
		snprintf(spec, sizeof(spec), "%s:%d", backends[b].name, backends[b].bar);	/* --part shim NAME:BAR */
		run_part(title, "shim", spec, env);
		/* (5) the same with tracing, where the shim has it */
		for (size_t t = 0; t < NTRACE; t++) {
			if (!trace_modes[t].env)
				continue;
			char settings[4][4200];
			int kt = k;
			for (int i = 0; trace_modes[t].env[i] && kt < 7 && i < 4; i++) {
				const char *e = trace_modes[t].env[i], *pct = strstr(e, "%s");
				if (pct)
					snprintf(settings[i], sizeof(settings[i]), "%.*s%s%s", (int)(pct - e), e, trace_path,
						 pct + 2);
				else
					snprintf(settings[i], sizeof(settings[i]), "%s", e);
				env[kt++] = settings[i];
			}
			env[kt] = NULL;
			snprintf(title, sizeof(title), "(5) shim, %s backend, %s", backends[b].name, trace_modes[t].name);
			snprintf(spec, sizeof(spec), "%s:%d:%s.", backends[b].name, backends[b].bar, trace_modes[t].tag);
			run_part(title, "shim", spec, env);
			unlink(trace_path);
			env[k] = NULL;
		}
	}

	/* (7) */
	char *prog_true[] = { "/bin/true", NULL };
	const char *nop_args[] = { self_exe, "--part", "nop", "-", NULL };
	char **prog = emulated ? child_argv(nop_args) : prog_true;
	char **env_plain = child_env(NULL);
	char **env_shim = child_env((const char *[]){ preload_shim, NULL });
	measure_spawn("spawn.plain", prog, env_plain);
	measure_spawn("spawn.shim", prog, env_shim);
	free(env_plain);
	free(env_shim);
	run_part("(7) loop, no preload", "loop", "loop.plain", NULL);
	run_part("(7) loop, shim preloaded", "loop", "loop.shim", (const char *[]){ preload_shim, NULL });
}

static int driver(void)
{
	char preload_shim[8300], preload_both[8300], preload_sim[4200];

	double start = now_ns();
	detect_emulation();
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n <= 0)
		die("/proc/self/exe: %s", strerror(errno));
	self_exe[n] = '\0';
	find_libs();
	find_wrapper();
	if (!exists(shim_lib) || !exists(sim_lib))
		die("cannot find %s and %s (set MMIO_BENCH_LIBDIR)", shim_lib, sim_lib);
	const char *tmp = getenv("TMPDIR");
	snprintf(trace_path, sizeof(trace_path), "%s/mmio-bench-%ld.trace", tmp && *tmp ? tmp : "/tmp", (long)getpid());
	snprintf(preload_shim, sizeof(preload_shim), "LD_PRELOAD=%s", shim_lib);
	snprintf(preload_sim, sizeof(preload_sim), "LD_PRELOAD=%s", sim_lib);
	snprintf(preload_both, sizeof(preload_both), "LD_PRELOAD=%s %s", shim_lib, sim_lib);

	for (int round = 1; round <= ROUNDS; round++) {
		fprintf(stderr, "mmio-bench: round %d of %d\n", round, ROUNDS);
		one_round(preload_shim, preload_sim, preload_both);
	}

	print_all();
	printf("\n(total %.0f s)\n", (now_ns() - start) / 1e9);
	return failures[0] ? 1 : 0;
}

int main(int argc, char **argv)
{
	clock_choose();
	if (argc == 1)
		return driver();
	if (argc == 4 && !strcmp(argv[1], "--part")) {
		const char *p = argv[2], *arg = argv[3];
		if (!strcmp(p, "plain"))
			part_plain();
		else if (!strcmp(p, "sim"))
			part_sim();
		else if (!strcmp(p, "shim")) {
			char name[32], tag[32] = "";
			int bar;
			if (sscanf(arg, "%31[^:]:%d:%31s", name, &bar, tag) < 2)
				die("--part shim NAME:BAR[:TAG]");
			part_shim(name, bar, tag);
		} else if (!strcmp(p, "repeat"))
			part_repeat(arg);
		else if (!strcmp(p, "loop"))
			part_loop(arg);
		else if (!strcmp(p, "nop"))
			;
		else
			die("unknown part '%s'", p);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: mmio-bench   (no arguments; see bench/README.md)\n");
		return 0;
	}
	fprintf(stderr, "usage: mmio-bench   (no arguments; see bench/README.md)\n");
	return 2;
}
