/* A test driver for the tracing tests (tests/trace): every scenario makes a
 * known sequence of device accesses, printed where the test needs values.
 *   trace_drv basic | copy | bar2 | resource BDF | twodev BDF_A BDF_B | symbols DLOPEN_PATH |
 *             crash abort|segv | threads NTHREADS N | marks | fork | names
 * Built with ../drivers/vfio_drv.c and linked against libtracelib.so
 * (trace_lib.c); the dlopen'ed library is trace_dl.c. */
#include "vfio_drv.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

uint32_t tracelib_touch(volatile uint8_t *bar);

static void (*mark_fn)(const char *);
static int (*active_fn)(void);

static void mark(const char *text)
{
	if (mark_fn)
		mark_fn(text);
}

static void find_api(void)
{
	mark_fn = (void (*)(const char *))dlsym(RTLD_DEFAULT, "mmioshim_mark");
	active_fn = (int (*)(void))dlsym(RTLD_DEFAULT, "mmioshim_active");
	printf("api mark %s active %s\n", mark_fn ? "found" : "missing", active_fn ? "found" : "missing");
}

static uint8_t *map0(void)
{
	return drv_map_bar(VFIO_PCI_BAR0_REGION_INDEX, NULL, 0, PROT_READ | PROT_WRITE, 0);
}

static int basic(void)
{
	uint8_t *b = map0();
	unsigned char in[16], out[16];

	mark("begin basic");
	printf("ID 0x%x\n", RD32(b + REG_ID));
	printf("VERSION 0x%x\n", RD32(b + REG_VERSION));
	WR32(b + REG_SCRATCH, 0x12345678);
	printf("SCRATCH 0x%x\n", RD32(b + REG_SCRATCH));
	WR64(b + REG_SCRATCH64, 0xfedcba9876543210ull);
	printf("SCRATCH64 0x%llx\n", (unsigned long long)RD64(b + REG_SCRATCH64));
	printf("SCRATCH64.lo 0x%x\n", RD32(b + REG_SCRATCH64));
	printf("SCRATCH64.hi 0x%x\n", RD32(b + REG_SCRATCH64 + 4));
	for (int i = 0; i < 3; i++)
		printf("COUNTER %u\n", RD32(b + REG_COUNTER));
	WR32(b + REG_STATUS_SET, 0x5);
	WR32(b + REG_STATUS, 0x1);
	printf("STATUS 0x%x\n", RD32(b + REG_STATUS));
	WR8(b + REG_BYTES, 0xab);
	WR16(b + REG_BYTES + 2, 0xbeef);
	WR32(b + REG_BYTES + 4, 0x01020304);
	printf("BYTES8 0x%x\n", RD8(b + REG_BYTES));
	printf("BYTES16 0x%x\n", RD16(b + REG_BYTES + 2));
	printf("BYTES64 0x%llx\n", (unsigned long long)RD64(b + REG_BYTES));
	WR32(b + REG_DOORBELL(5), 0x55);
	printf("STRICT32.16 0x%x\n", RD16(b + REG_STRICT32)); /* rejected */
	mark("end basic");
	(void)in;
	(void)out;
	return 0;
}

/* a 16-byte copy to and from BYTES (a vector move at -O2 on x86_64) */
static int copy(void)
{
	uint8_t *b = map0();
	unsigned char in[16], out[16];

	for (int i = 0; i < 16; i++)
		in[i] = (unsigned char)(0x10 + i);
	COPY_TO_BAR(b + REG_BYTES, in, 16);
	BARRIER();
	COPY_FROM_BAR(out, b + REG_BYTES, 16);
	printf("copy %s\n", memcmp(in, out, 16) ? "differs" : "same");
	WR32(b + REG_SCRATCH, 0x1);
	/* 256 bytes from the doorbells (reads return 0): glibc's memcpy */
	unsigned char big[256];
	memset(big, 0xee, sizeof(big));
	COPY_FROM_BAR(big, b + REG_DOORBELL(0), sizeof(big));
	printf("big %s\n", big[0] == 0 && big[255] == 0 ? "zero" : "not zero");
#if defined(__x86_64__)
	/* one rep movsb of 128 bytes: one emulated access of 128 bytes */
	{
		void *dst = big;
		const volatile void *src = b + REG_DOORBELL(0);
		size_t n = 128;
		__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	}
#endif
	return 0;
}

/* BAR2 (mappable memory, not in the simulator's log) and BAR0 */
static int bar2(void)
{
	uint8_t *b0 = map0();
	uint8_t *b2 = drv_map_bar(VFIO_PCI_BAR2_REGION_INDEX, NULL, 0, PROT_READ | PROT_WRITE, 0);

	WR32(b0 + REG_SCRATCH, 0xa0a0a0a0);
	WR32(b2 + 0x100, 0xcafef00d);
	WR64(b2 + 0x108, 0x0123456789abcdefull);
	WR8(b2 + 0x110, 0x5a);
	WR16(b2 + 0x112, 0x7e57);
	printf("BAR2 0x100 0x%x\n", RD32(b2 + 0x100));
	printf("BAR2 0x108 0x%llx\n", (unsigned long long)RD64(b2 + 0x108));
	printf("BAR2 0x110 0x%x\n", RD8(b2 + 0x110));
	printf("BAR2 0x112 0x%x\n", RD16(b2 + 0x112));
	printf("SCRATCH 0x%x\n", RD32(b0 + REG_SCRATCH));
	return 0;
}

/* two devices: BAR0 of each, BAR2 of the first */
static int twodev(const char *a, const char *bdf_b)
{
	setenv("DRV_BDF", a, 1);
	drv_open();
	uint8_t *pa = map0();
	uint8_t *pa2 = drv_map_bar(VFIO_PCI_BAR2_REGION_INDEX, NULL, 0, PROT_READ | PROT_WRITE, 0);
	struct drv first = drv;
	drv = (struct drv){ .container = -1, .group = -1, .iommufd = -1, .devfd = -1 };
	setenv("DRV_BDF", bdf_b, 1);
	drv_open();
	uint8_t *pb = map0();

	WR32(pa + REG_SCRATCH, 0x11111111);
	WR32(pb + REG_SCRATCH, 0x22222222);
	WR64(pa + REG_SCRATCH64, 0x1111111100000001ull);
	WR64(pb + REG_SCRATCH64, 0x2222222200000002ull);
	WR32(pa2 + 0x20, 0x33333333);
	printf("A SCRATCH 0x%x\n", RD32(pa + REG_SCRATCH));
	printf("B SCRATCH 0x%x\n", RD32(pb + REG_SCRATCH));
	printf("A COUNTER %u\n", RD32(pa + REG_COUNTER));
	printf("B COUNTER %u\n", RD32(pb + REG_COUNTER));
	printf("A BYTES %u\n", RD8(pa + REG_BYTES + 3));
	WR16(pb + REG_BYTES + 6, 0x4444);
	printf("A2 0x%x\n", RD32(pa2 + 0x20));
	WR32(pa + REG_DOORBELL(0), 0x5);
	WR32(pb + REG_DOORBELL(63), 0x6);
	(void)first;
	return 0;
}

__attribute__((noinline)) static uint32_t exe_touch(volatile uint8_t *bar)
{
	WR32(bar + REG_SCRATCH, 0xe0e0e0e0);
	return RD32(bar + REG_SCRATCH);
}

static int symbols(const char *dlpath)
{
	uint8_t *b = map0();

	printf("exe 0x%x\n", exe_touch(b));
	printf("lib 0x%x\n", tracelib_touch(b));
	void *h = dlopen(dlpath, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		drv_die("dlopen %s: %s", dlpath, dlerror());
	uint32_t (*dl_touch)(volatile uint8_t *) = (uint32_t (*)(volatile uint8_t *))dlsym(h, "tracedl_touch");
	if (!dl_touch)
		drv_die("dlsym tracedl_touch: %s", dlerror());
	printf("dl 0x%x\n", dl_touch(b));
	return 0;
}

static int crash(const char *how)
{
	uint8_t *b = map0();

	fflush(stdout);
	WR32(b + REG_SCRATCH, 0xdeadbeef);
	if (!strcmp(how, "abort"))
		abort();
	*(volatile int *)opaque(0) = 1;	/* null dereference: SIGSEGV */
	return 99;
}

static uint8_t *tbar;
static long tn;
static pthread_barrier_t tstart;

static void *ring(void *arg)
{
	int t = (int)(intptr_t)arg;

	pthread_barrier_wait(&tstart);
	for (long k = 1; k <= tn; k++) {
		WR32(tbar + REG_DOORBELL(t), ((uint32_t)(t + 1) << 24) | (uint32_t)k);
		if (k % 8 == 0)
			(void)RD32(tbar + REG_ID);
	}
	return NULL;
}

static int threads(int nt, long n)
{
	pthread_t th[16];

	if (nt < 1 || nt > 16)
		drv_die("1 to 16 threads");
	tn = n;
	tbar = map0();
	pthread_barrier_init(&tstart, NULL, (unsigned)nt);
	for (int t = 0; t < nt; t++)
		pthread_create(&th[t], NULL, ring, (void *)(intptr_t)t);
	for (int t = 0; t < nt; t++)
		pthread_join(th[t], NULL);
	printf("rang %ld x %d\n", n, nt);
	return 0;
}

static int marks(void)
{
	printf("active before map %d\n", active_fn ? active_fn() : -1);
	uint8_t *b = map0();
	printf("active after map %d\n", active_fn ? active_fn() : -1);

	mark("first mark");
	WR32(b + REG_SCRATCH, 0x1);
	mark("W");
	mark("R done");
	WR32(b + REG_SCRATCH, 0x2);
	mark("two\nR 4 0000:00:01.0 BAR0 0x8 0x00000002");
	mark("quote \" backslash \\ tab \t end");
	WR32(b + REG_SCRATCH, 0x3);
	return 0;
}

/* The parent writes SCRATCH twice, forks; the child (pid printed) makes
 * three accesses and ends by _exit; the parent then makes four more. */
static int forking(void)
{
	uint8_t *b = map0();

	WR32(b + REG_SCRATCH, 0x1);
	WR32(b + REG_SCRATCH, 0x2);
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		drv_die("fork");
	if (pid == 0) {
		WR32(b + REG_DOORBELL(1), 0xc1);
		WR32(b + REG_DOORBELL(2), 0xc2);
		uint32_t id = RD32(b + REG_ID);
		_exit(id ? 0 : 1);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		drv_die("child %d did not end well", (int)pid);
	printf("child %d\n", (int)pid);
	for (int i = 0; i < 3; i++)
		WR32(b + REG_DOORBELL(3), 0xa0u + (unsigned)i);
	printf("parent ID 0x%x\n", RD32(b + REG_ID));
	return 0;
}

/* Functions whose symbol names a trace must carry whole and, in jsonl, as
 * valid JSON: 410 characters, UTF-8, and a byte that is not UTF-8. */
#define X10 "xxxxxxxxxx"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
__attribute__((noinline)) uint32_t long_touch(volatile uint8_t *b) __asm__("long" X100 X100 X100 X100 "_touch");
__attribute__((noinline)) uint32_t utf8_touch(volatile uint8_t *b) __asm__("caf\xc3\xa9_touch");
__attribute__((noinline)) uint32_t bad_touch(volatile uint8_t *b) __asm__("bad\xff_touch");

__attribute__((noinline)) uint32_t long_touch(volatile uint8_t *b)
{
	WR32(b + REG_SCRATCH, 0x410);
	return RD32(b + REG_SCRATCH);
}

__attribute__((noinline)) uint32_t utf8_touch(volatile uint8_t *b)
{
	WR32(b + REG_SCRATCH, 0xcafe);
	return RD32(b + REG_SCRATCH);
}

__attribute__((noinline)) uint32_t bad_touch(volatile uint8_t *b)
{
	WR32(b + REG_SCRATCH, 0xbad);
	return RD32(b + REG_SCRATCH);
}

static int names(void)
{
	uint8_t *b = map0();

	printf("long 0x%x utf8 0x%x bad 0x%x\n", long_touch(b), utf8_touch(b), bad_touch(b));
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	find_api();
	if (argc == 3 && !strcmp(argv[1], "resource")) {
		/* the simulated sysfs resource file of device argv[2] */
		char path[256], line[256];
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", argv[2]);
		FILE *f = fopen(path, "r");
		if (!f)
			drv_die("%s: cannot open", path);
		while (fgets(line, sizeof(line), f))
			fputs(line, stdout);
		fclose(f);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "twodev") && argc == 4)
		return twodev(argv[2], argv[3]);
	drv_open();
	if (argc == 2 && !strcmp(argv[1], "basic"))
		return basic();
	if (argc == 2 && !strcmp(argv[1], "copy"))
		return copy();
	if (argc == 2 && !strcmp(argv[1], "bar2"))
		return bar2();
	if (argc == 3 && !strcmp(argv[1], "symbols"))
		return symbols(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "crash"))
		return crash(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "threads"))
		return threads(atoi(argv[2]), atol(argv[3]));
	if (argc == 2 && !strcmp(argv[1], "marks"))
		return marks();
	if (argc == 2 && !strcmp(argv[1], "fork"))
		return forking();
	if (argc == 2 && !strcmp(argv[1], "names"))
		return names();
	drv_die("usage: trace_drv basic|copy|bar2|twodev A B|symbols DLPATH|crash abort|segv|threads T N|marks|fork|"
		"names");
}
