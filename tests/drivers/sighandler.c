/* An application with its own signal handling keeps it, and BAR accesses
 * keep working.   sighandler MODE
 *   handler        SIGSEGV handler (SA_SIGINFO) fixing faults on its own
 *                  PROT_NONE pages, BAR accesses before/between/after
 *   handler_bar    the same handler also touches the BAR
 *   usr1_fullmask  a SIGUSR1 handler whose sa_mask blocks every signal
 *                  (SIGSEGV included) rings a doorbell
 *   block          SIGSEGV blocked with sigprocmask, then BAR accesses
 *   block_thread   the same with pthread_sigmask in a second thread
 *   block_own      SIGSEGV blocked, then a fault on the app's own page:
 *                  the process dies by SIGSEGV, as without the shim
 * Compiled normally and with -DEXPLICIT: output, log and exit status
 * must be identical. */
#include "vfio_drv.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint8_t *bar;
static uint8_t *own;                 /* two PROT_NONE pages of the app */
static volatile int seen_code, seen_count, touch_bar;
static volatile long seen_off;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig != SIGSEGV)
		_exit(50);
	seen_code = si->si_code;
	seen_off = (long)((uint8_t *)si->si_addr - own);
	seen_count++;
	if ((uint8_t *)si->si_addr < own || (uint8_t *)si->si_addr >= own + 2 * 4096)
		_exit(51);               /* not ours: would loop */
	if (touch_bar)
		WR32(bar + REG_DOORBELL(9), opaque(0x900 + seen_count));
	mprotect((void *)((uintptr_t)si->si_addr & ~4095ul), 4096, PROT_READ | PROT_WRITE);
}

static void report(const char *what)
{
	printf("%s: faults %d code %d offset 0x%lx\n", what, seen_count, seen_code, seen_off);
}

static void check_sigaction_view(void)
{
	struct sigaction cur;

	sigaction(SIGSEGV, NULL, &cur);
	/* all the flags, as the C library reports them (with SA_RESTORER
	 * where it adds that), must read back as without the shim */
	printf("sigaction reports app handler: %s, SA_SIGINFO: %s, flags 0x%x, restorer %s\n",
	       cur.sa_sigaction == on_segv ? "yes" : "no", (cur.sa_flags & SA_SIGINFO) ? "yes" : "no",
	       (unsigned)cur.sa_flags, cur.sa_restorer ? "set" : "none");
}

static void run_handler(int with_bar)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL))
		drv_die("sigaction: %s", strerror(errno));
	touch_bar = with_bar;
	WR32(bar + REG_SCRATCH, opaque(0x51));
	own[0x10] = 7;                                      /* write fault, fixed up */
	report("write own page");
	printf("scratch %08x\n", RD32(bar + REG_SCRATCH));
	WR32(bar + REG_DOORBELL(2), opaque(2));
	printf("own read %d\n", ((volatile uint8_t *)own)[4096 + 0x20]); /* read fault */
	report("read own page");
	printf("id %08x\n", RD32(bar + REG_ID));
	check_sigaction_view();
}

static volatile int usr1_done;

static void on_usr1(int sig)
{
	(void)sig;
	WR32(bar + REG_DOORBELL(11), opaque(0x1111));
	usr1_done = RD32(bar + REG_ID) == REGS_ID_VALUE;
}

static void run_usr1_fullmask(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	sigfillset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	WR32(bar + REG_SCRATCH, opaque(0x1));
	raise(SIGUSR1);
	printf("usr1 handler done: %d\n", usr1_done);
	printf("scratch %08x\n", RD32(bar + REG_SCRATCH));
}

static void block_segv(int thread)
{
	sigset_t set, cur;

	sigemptyset(&set);
	sigaddset(&set, SIGSEGV);
	if (thread)
		pthread_sigmask(SIG_BLOCK, &set, NULL);
	else
		sigprocmask(SIG_BLOCK, &set, NULL);
	WR32(bar + REG_SCRATCH, opaque(0xb10c));
	{
		__auto_type rd0_ = RD32(bar + REG_SCRATCH);
		__auto_type rd1_ = RD32(bar + REG_ID);
		printf("scratch %08x id %08x\n", rd0_, rd1_);
	}
	WR32(bar + REG_DOORBELL(4), opaque(4));
	if (thread)
		pthread_sigmask(SIG_BLOCK, NULL, &cur);
	else
		sigprocmask(SIG_BLOCK, NULL, &cur);
	printf("mask reports SIGSEGV blocked: %s\n", sigismember(&cur, SIGSEGV) ? "yes" : "no");
	fflush(stdout);
}

static void *thread_main(void *arg)
{
	(void)arg;
	block_segv(1);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	puts("main");
	drv_open();
	bar = drv_map_bar(VFIO_PCI_BAR0_REGION_INDEX, NULL, 0, PROT_READ | PROT_WRITE, 0);
	own = mmap(NULL, 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (own == MAP_FAILED)
		drv_die("mmap: %s", strerror(errno));

	if (!strcmp(mode, "handler") || !strcmp(mode, "handler_bar")) {
		run_handler(!strcmp(mode, "handler_bar"));
	} else if (!strcmp(mode, "usr1_fullmask")) {
		run_usr1_fullmask();
	} else if (!strcmp(mode, "block")) {
		block_segv(0);
	} else if (!strcmp(mode, "block_thread")) {
		pthread_t t;
		pthread_create(&t, NULL, thread_main, NULL);
		pthread_join(t, NULL);
		printf("main thread id %08x\n", RD32(bar + REG_ID));
	} else if (!strcmp(mode, "block_own")) {
		block_segv(0);
		((volatile uint8_t *)own)[0] = 1;            /* dies by SIGSEGV */
		puts("survived a blocked SIGSEGV");
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}
	fflush(stdout);
	return 0;
}
