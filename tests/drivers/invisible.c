/* The program's own signal handling sees what it would see without the
 * shim.   invisible MODE
 *   siglongjmp        a SIGSEGV handler leaves by siglongjmp (sigsetjmp
 *                     saved the mask); two faults, both caught
 *   longjmp           the same with setjmp/longjmp (mask not saved): the
 *                     second fault finds SIGSEGV blocked and kills
 *   pending           SIGSEGV blocked, kill(getpid(), SIGSEGV): pending,
 *                     sigpending shows it, the program lives on
 *   pending_unblock   the same with a handler: it runs at the unblock
 *   thread            SIGSEGV blocked, then a thread: it sees it blocked
 *   bar               only BAR0 mapped and read
 *   mprotect_race     one thread rings a doorbell 3000 times while another
 *                     mprotects the BAR read-write again and again: every
 *                     store reaches the device (a guard page opened for an
 *                     instant would swallow some)
 *   fork_threads      two threads ring a doorbell and map and unmap BAR0
 *                     while the main thread forks 20 children, each of
 *                     which maps BAR0 and uses it: none may hang on a lock
 *                     another thread held at the fork
 *   vfork_threads     the same threads while 20 children, by vfork and fork
 *                     in turn, exec this program's "bar" mode
 *   highfd            the device fd moved to 70000 (the test raises
 *                     RLIMIT_NOFILE) and BAR0 mapped through it
 *   altstack SIZE     a SIGUSR1 handler on a SIZE-byte alternate stack
 *                     writes and reads BAR0; sigaltstack reads back the
 *                     program's stack before and after SS_DISABLE
 * BAR0 is read first (so that the shim has installed its handler) and
 * between the steps. Compiled normally and with -DEXPLICIT: output, device
 * log and exit status must be identical. Built with _FORTIFY_SOURCE: at
 * -O1 and up longjmp and siglongjmp are __longjmp_chk, as in distribution
 * binaries. */
#undef _FORTIFY_SOURCE
#define _FORTIFY_SOURCE 2
#include "vfio_drv.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static uint8_t *bar;
static uint8_t *own;			/* a PROT_NONE page of the program */
static sigjmp_buf sigenv;
static jmp_buf env;
static volatile int caught, handled;

static void bar_read(const char *when)
{
	printf("%s: ID 0x%x\n", when, (unsigned)RD32(bar + REG_ID));
}

static void on_segv_siglongjmp(int sig)
{
	(void)sig;
	caught++;
	siglongjmp(sigenv, 1);
}

static void on_segv_longjmp(int sig)
{
	(void)sig;
	caught++;
	longjmp(env, 1);
}

static void on_segv_count(int sig)
{
	(void)sig;
	handled++;
}

static void set_handler(void (*h)(int))
{
	struct sigaction sa = { .sa_handler = h };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
}

static void block_segv(int how)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGSEGV);
	sigprocmask(how, &s, NULL);
}

static const char *pending_segv(void)
{
	sigset_t p;

	sigemptyset(&p);
	sigpending(&p);
	return sigismember(&p, SIGSEGV) ? "yes" : "no";
}

static void *thread_view(void *arg)
{
	sigset_t cur;

	(void)arg;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	printf("thread sees SIGSEGV blocked: %s\n", sigismember(&cur, SIGSEGV) ? "yes" : "no");
	bar_read("thread");
	return NULL;
}

#define RACE_STORES 3000
static volatile int race_done;

static void *ring(void *arg)
{
	(void)arg;
	for (int i = 1; i <= RACE_STORES; i++)
		WR32(bar + REG_DOORBELL(0), opaque((uint64_t)i));
	race_done = 1;
	return NULL;
}

static void mprotect_race(void)
{
	pthread_t t;
	long calls = 0;

	if (pthread_create(&t, NULL, ring, NULL))
		drv_die("pthread_create");
	/* at least one call, however fast the other thread is done: the
	 * output must not depend on the timing */
	do {
		if (mprotect(bar, 4096, PROT_READ | PROT_WRITE))
			drv_die("mprotect");
		calls++;
	} while (!race_done);
	pthread_join(t, NULL);
	printf("stores %d, mprotect calls %s\n", RACE_STORES, calls ? "some" : "none");
}

#define FORKS 20
static volatile int stop;

static void *hammer(void *arg)
{
	uint32_t n = 0;

	(void)arg;
	while (!stop) {
		WR32(bar + REG_DOORBELL(2), opaque(++n));
		/* the shim's tables of mappings and device fds, locked each time */
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, drv.devfd,
			       (off_t)drv.region[0].offset);
		if (p != MAP_FAILED)
			munmap(p, 4096);
	}
	return NULL;
}

/* fork children while two threads hammer the BAR; with exec_self, every
 * other child comes from vfork and each child execs this program's "bar"
 * mode (preloaded again), else each child maps BAR0 and uses it */
static void forks_while_hammering(bool exec_self)
{
	pthread_t t[2];
	int ok = 0;
	char *const args[] = { "invisible", "bar", NULL };

	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, hammer, NULL))
			drv_die("pthread_create");
	for (int k = 0; k < FORKS; k++) {
		pid_t pid = exec_self && k % 2 == 0 ? vfork() : fork();
		if (pid < 0)
			drv_die("fork");
		if (pid == 0 && exec_self) {
			execv("/proc/self/exe", args);
			_exit(127);
		}
		if (pid == 0) {
			alarm(20); /* a child stuck on a lock dies by SIGALRM, not the test */
			uint8_t *q = drv_map_bar(0, NULL, 0, PROT_READ | PROT_WRITE, 0);
			WR32(q + REG_SCRATCH, opaque(0x5000u + (unsigned)k));
			_exit(RD32(q + REG_SCRATCH) == 0x5000u + (unsigned)k ? 0 : 1);
		}
		int st;
		if (waitpid(pid, &st, 0) != pid)
			drv_die("waitpid");
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
		else
			printf("child %d: %s %d\n", k, WIFSIGNALED(st) ? "signal" : "status",
			       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	}
	stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("%s %d, children ok %d\n", exec_self ? "vforks and forks" : "forks", FORKS, ok);
}

static void high_fd(void)
{
	int fd = dup2(drv.devfd, 70000);

	if (fd != 70000)
		drv_die("dup2 to 70000 (is RLIMIT_NOFILE above it?)");
	drv.devfd = fd;
	uint8_t *q = drv_map_bar(0, NULL, 0, PROT_READ | PROT_WRITE, 0);
	WR32(q + REG_SCRATCH, opaque(0x70000u));
	printf("fd %d: scratch 0x%x\n", fd, (unsigned)RD32(q + REG_SCRATCH));
}

static volatile unsigned alt_id, alt_scratch, alt_onstack;

static void on_usr1_alt(int sig)
{
	volatile char room[1024];	/* what a handler of its own uses */
	stack_t now;

	(void)sig;
	for (size_t i = 0; i < sizeof(room); i++)
		room[i] = (char)i;
	WR32(bar + REG_SCRATCH, opaque(0xa175));
	alt_id = RD32(bar + REG_ID);
	alt_scratch = RD32(bar + REG_SCRATCH) + (unsigned)room[5] - 5;
	sigaltstack(NULL, &now);
	alt_onstack = (now.ss_flags & SS_ONSTACK) != 0;
}

static void alt_stack(size_t size)
{
	char *buf = malloc(size);
	stack_t ss = { .ss_sp = buf, .ss_size = size }, back;
	struct sigaction sa = { .sa_handler = on_usr1_alt, .sa_flags = SA_ONSTACK };

	if (!buf || sigaltstack(&ss, NULL))
		drv_die("sigaltstack of %zu bytes", size);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("handler: on its stack %s, ID 0x%x, scratch 0x%x\n", alt_onstack ? "yes" : "no", alt_id,
	       alt_scratch);
	sigaltstack(NULL, &back);
	printf("after: the program's stack %s, size %zu, flags 0x%x\n", back.ss_sp == buf ? "yes" : "no",
	       back.ss_size, (unsigned)back.ss_flags);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, &back);
	printf("disabled: old is the program's %s, size %zu\n", back.ss_sp == buf ? "yes" : "no", back.ss_size);
	sigaltstack(NULL, &back);
	printf("now: flags 0x%x\n", (unsigned)back.ss_flags);
}

static void faults(int use_sigjmp)
{
	for (int round = 1; round <= 2; round++) {
		int jumped = use_sigjmp ? sigsetjmp(sigenv, 1) : setjmp(env);
		if (!jumped) {
			printf("round %d: touching own page\n", round);
			fflush(stdout);
			own[16] = 1;
			printf("round %d: not caught\n", round);
		}
		printf("round %d: caught %d\n", round, caught);
		bar_read("after");
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	drv_open();
	bar = drv_map_bar(0, NULL, 0, PROT_READ | PROT_WRITE, 0);
	own = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (own == MAP_FAILED)
		drv_die("mmap");
	bar_read("start");
	if (!strcmp(mode, "siglongjmp") || !strcmp(mode, "longjmp")) {
		int sj = !strcmp(mode, "siglongjmp");
		set_handler(sj ? on_segv_siglongjmp : on_segv_longjmp);
		faults(sj);
	} else if (!strcmp(mode, "pending") || !strcmp(mode, "pending_unblock")) {
		if (!strcmp(mode, "pending_unblock"))
			set_handler(on_segv_count);
		block_segv(SIG_BLOCK);
		kill(getpid(), SIGSEGV);
		printf("after kill: pending %s, handled %d\n", pending_segv(), handled);
		bar_read("blocked");
		if (!strcmp(mode, "pending_unblock")) {
			block_segv(SIG_UNBLOCK);
			printf("after unblock: pending %s, handled %d\n", pending_segv(), handled);
		}
	} else if (!strcmp(mode, "thread")) {
		pthread_t t;
		block_segv(SIG_BLOCK);
		if (pthread_create(&t, NULL, thread_view, NULL))
			drv_die("pthread_create");
		pthread_join(t, NULL);
	} else if (!strcmp(mode, "bar")) {
		bar_read("again");
	} else if (!strcmp(mode, "mprotect_race")) {
		mprotect_race();
	} else if (!strcmp(mode, "fork_threads")) {
		forks_while_hammering(false);
	} else if (!strcmp(mode, "vfork_threads")) {
		forks_while_hammering(true);
	} else if (!strcmp(mode, "highfd")) {
		high_fd();
	} else if (!strcmp(mode, "altstack") && argc > 2) {
		alt_stack(strtoul(argv[2], NULL, 0));
	} else {
		drv_die("usage: invisible siglongjmp|longjmp|pending|pending_unblock|thread|bar|mprotect_race|"
			"fork_threads|vfork_threads|highfd|altstack SIZE");
	}
	printf("%s: done\n", mode);
	return 0;
}
