/* The ways a thread's signal view changes outside sigprocmask: a jump out
 * of an application handler (siglongjmp, longjmp, setcontext: language
 * runtimes, libsigsegv and memory probes leave SIGSEGV handlers so) and a
 * new thread, which inherits its creator's mask. The shim keeps the owned
 * signals out of the kernel's mask (a BAR access must always fault to it)
 * and the program's view of them in signals.c; these keep that view what
 * the kernel's mask would be without the shim. */
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdlib.h>
#include <ucontext.h>

#include "init.h"
#include "signals.h"
#include "support.h"

/* An AddressSanitizer build: the frames the jump abandons (the shim's
 * handler among them) must be unpoisoned, which asan's own longjmp
 * interceptor would do, but the next definition found is the C library's.
 * asan unpoisons the alternate stack sigaltstack shows, which is the
 * program's: the shim's substitute is unpoisoned here. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
static void jump_away(void)
{
	/* may run in a signal handler */
	void *base;
	size_t size;

	if (altstack_substitute(&base, &size))
		__asan_unpoison_memory_region(base, size);
	__asan_handle_no_return();
}
#else
#define jump_away() ((void)0)
#endif

/* Before a jump out of application handlers: the view follows the mask the
 * jump sets. May run in a signal handler. */
static void leaving_handlers(bool mask_restored)
{
	signals_left_handlers(mask_restored);
	jump_away();
}

/* glibc's siglongjmp sets the mask sigsetjmp saved exactly when
 * __mask_was_saved; longjmp and _longjmp are the same function. */
EXPORT void siglongjmp(sigjmp_buf env, int val)
{
	leaving_handlers(env->__mask_was_saved);
	real.siglongjmp(env, val);
	__builtin_unreachable();
}

EXPORT void longjmp(jmp_buf env, int val)
{
	leaving_handlers(env->__mask_was_saved);
	real.longjmp(env, val);
	__builtin_unreachable();
}

EXPORT void _longjmp(jmp_buf env, int val)
{
	leaving_handlers(env->__mask_was_saved);
	real.longjmp(env, val);
	__builtin_unreachable();
}

/* What _FORTIFY_SOURCE makes of longjmp and siglongjmp. */
EXPORT void __longjmp_chk(sigjmp_buf env, int val);
EXPORT void __longjmp_chk(sigjmp_buf env, int val)
{
	leaving_handlers(env->__mask_was_saved);
	real.longjmp_chk(env, val);
	__builtin_unreachable();
}

EXPORT int setcontext(const ucontext_t *ucp)
{
	/* setcontext always sets the mask */
	leaving_handlers(true);
	return real.setcontext(ucp);
}

struct thread_start {
	void *(*fn)(void *);
	void *arg;
	sigset_t view;
};

static void *start_with_view(void *p)
{
	struct thread_start s = *(struct thread_start *)p;

	free(p);
	signals_set_thread_view(&s.view);
	return s.fn(s.arg);
}

EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	sigset_t view;

	shim_ensure_init();
	signals_thread_view(&view);
	if (!signals_view_blocks_any(&view))
		return real.pthread_create(t, attr, fn, arg);
	struct thread_start *s = malloc(sizeof(*s));
	if (!s)
		return EAGAIN;
	*s = (struct thread_start){ fn, arg, view };
	int r = real.pthread_create(t, attr, start_with_view, s);
	if (r)
		free(s);
	return r;
}
