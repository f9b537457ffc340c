/* What the kernel costs anyway: (1) a load and a store on ordinary
 * memory, (2) pread/pwrite of 4 bytes on a memfd and on the simulator's
 * device fd, (3) the trap floor: a PROT_NONE page and a handler that only
 * skips the instruction (whose length we know: we emitted it). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"

volatile uint8_t *floor_page;

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

void floor_install(int full_mask)
{
	struct sigaction sa = { .sa_sigaction = floor_handler, .sa_flags = SA_SIGINFO };

	if (full_mask)
		sigfillset(&sa.sa_mask);
	else
		sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL))
		die("sigaction: %s", strerror(errno));
}

void floor_map(void)
{
	floor_page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (floor_page == MAP_FAILED)
		die("mmap: %s", strerror(errno));
}

static uint8_t *memory_page(void)
{
	uint8_t *mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(mem, 0, 4096);
	return mem;
}

/* (2) on a memfd (tmpfs) */
static void measure_memfd(void)
{
	int fd = memfd_create("mmio-bench", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 4096))
		die("memfd: %s", strerror(errno));
	struct fd_ctx c = { fd, 8 };
	measure("pread.memfd", run_pread, &c);
	measure("pwrite.memfd", run_pwrite, &c);
}

/* (3), then the load again with the handler's sa_mask full as the shim's */
static void measure_floor(void)
{
	floor_map();
	floor_install(0);
	measure("floor.load", run_load, (void *)(floor_page + 8));
	measure("floor.store", run_store, (void *)(floor_page + 8));
	floor_install(1);
	measure("floor.load.fullmask", run_load, (void *)(floor_page + 8));
	signal(SIGSEGV, SIG_DFL);
}

/* fresh code on ordinary memory: what a first-time site costs without any
 * trap (instruction fetch from new pages) */
static void measure_fresh_code(volatile void *p)
{
	struct sites s;

	sites_make(&s, 0, (size_t)REPS * FRESH_SITES);
	measure_fresh("fresh.load", &s, p);
}

/* (1), (2) on a memfd, (3); nothing preloaded */
void part_plain(void)
{
	uint8_t *mem = memory_page();

	measure("mem.load", run_load, mem + 8);
	measure("mem.store", run_store, mem + 8);
	measure_memfd();
	measure_floor();
	measure_fresh_code(mem + 8);
}

/* (2) on the simulator's device fd at BAR0 SCRATCH; only libmmiosim.so
 * preloaded */
void part_sim(void)
{
	struct fd_ctx c = reg_fd(open_device(), 0);

	measure("pread.sim", run_pread, &c);
	measure("pwrite.sim", run_pwrite, &c);
}
