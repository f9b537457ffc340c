/* sigaltstack(): a program's handler running on its alternate stack that
 * touches a BAR faults there, and the kernel puts our fault handler's frame
 * on the same stack, below the program's frame. A stack sized for the
 * program's handler alone (4 or 6 KiB; MINSIGSTKSZ is 2 KiB) overflows.
 * So the kernel is given a mapping of ours instead: the program's size
 * plus room for a second signal frame and our handler, with a guard page
 * below. The program's answers stay its own: the kernel judges its request
 * (EINVAL, ENOMEM, EPERM exactly as without the shim), a query reads back
 * its buffer and size, and SS_ONSTACK and SS_AUTODISARM keep their meaning.
 * The substitution shows only in the addresses a handler sees. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "init.h"
#include "signals.h"
#include "support.h"

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

/* Our handler (decoder, emulator, backend, trace) and the frame of a
 * second signal, beyond what the kernel says one frame needs. */
#define RESERVE (64 * 1024)

struct altstack {
	char *map;		/* guard page, then the stack the kernel uses */
	size_t map_size;
	stack_t shown;		/* what the program installed */
	bool ours;		/* the kernel's stack is map, standing for shown */
};

static __thread struct altstack cur __attribute__((tls_model("initial-exec")));
static pthread_key_t exit_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* At thread exit: the kernel must not deliver onto a mapping that is gone. */
static void thread_gone(void *p)
{
	(void)p;
	if (!cur.map)
		return;
	if (cur.ours) {
		stack_t off = { .ss_flags = SS_DISABLE };
		real.sigaltstack(&off, NULL);
	}
	real.munmap(cur.map, cur.map_size);
	cur = (struct altstack){ 0 };
}

static void make_key(void)
{
	pthread_key_create(&exit_key, thread_gone);
}

/* A mapping of at least usable bytes above a guard page, reused when the
 * thread's present one is large enough. */
static char *stack_for(size_t usable)
{
	size_t pg = page_size();
	size_t want = pg + ((usable + pg - 1) & ~(pg - 1));

	if (cur.map && cur.map_size >= want)
		return cur.map + pg;
	char *m = real.mmap(NULL, want, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	real.mprotect(m, pg, PROT_NONE);
	/* A handler with SS_AUTODISARM may be running on the old one, and its
	 * sigreturn reinstalls it: then it stays. */
	char here;
	uintptr_t sp = (uintptr_t)&here, base = (uintptr_t)cur.map;
	if (cur.map && !(sp >= base && sp - base < cur.map_size))
		real.munmap(cur.map, cur.map_size);
	cur.map = m;
	cur.map_size = want;
	pthread_once(&key_once, make_key);
	pthread_setspecific(exit_key, m);
	return m + pg;
}

/* The kernel's answer, with our mapping shown as the program's stack. */
static void shown(const stack_t *k, stack_t *out)
{
	*out = *k;
	if (cur.ours && k->ss_sp == cur.map + page_size()) {
		out->ss_sp = cur.shown.ss_sp;
		out->ss_size = cur.shown.ss_size;
	}
}

bool altstack_substitute(void **base, size_t *size)
{
	/* may run in a signal handler */
	if (!cur.ours)
		return false;
	*base = cur.map + page_size();
	*size = cur.map_size - page_size();
	return true;
}

EXPORT int sigaltstack(const stack_t *ss, stack_t *old)
{
	stack_t want, k;
	int saved = errno;

	shim_ensure_init();
	if (!ss) {
		if (real.sigaltstack(NULL, &k))
			return -1;
		if (old)
			shown(&k, old);
		return 0;
	}
	want = *ss;	/* ss and old may be the same object */
	/* the kernel judges the program's own request first */
	if (real.sigaltstack(&want, &k))
		return -1;
	stack_t before;
	shown(&k, &before);
	cur.ours = false;
	if (!(want.ss_flags & SS_DISABLE)) {
		unsigned long min = getauxval(AT_MINSIGSTKSZ), least = (unsigned long)MINSIGSTKSZ;
		char *sp = stack_for(want.ss_size + RESERVE + (min > least ? min : least));
		if (!sp) {
			static bool said;
			if (!said) {
				said = true;
				log_warn("no memory for a larger alternate signal stack: a handler on the "
					 "program's %zu-byte stack that touches a BAR may overflow it", want.ss_size);
			}
		} else {
			stack_t sub = { .ss_sp = sp, .ss_size = cur.map_size - page_size(),
					.ss_flags = want.ss_flags };
			if (real.sigaltstack(&sub, NULL) == 0) {
				cur.ours = true;
				cur.shown = want;
			}
		}
	}
	if (old)
		*old = before;
	errno = saved;
	return 0;
}
