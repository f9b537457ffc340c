/* Our fault handler's place among the application's signal handling.
 * Once installed, the application's sigaction/signal calls for the signals
 * we own are recorded instead of replacing our handler, and its signal masks
 * never really block them (a blocked synchronous fault kills the process).
 * A fault that is not ours is then delivered as the kernel would have: to
 * the application's handler with its flags and mask, or the default action
 * with the same signal and si_code. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arch.h"
#include "fault.h"
#include "init.h"
#include "mmioshim.h"
#include "signals.h"
#include "support.h"
#include "trace.h"

static struct sigaction app[NSIG];
/* What the C library adds to every action it installs (x86_64 glibc:
 * SA_RESTORER and its restorer), learned from our own: an action the
 * program sets on an owned signal reads back as it would from the kernel. */
static int lib_added_flags;
static void (*lib_restorer)(void);
static atomic_bool installed;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The owned signals this thread's application code believes it blocked. */
static __thread sigset_t app_blocked __attribute__((tls_model("initial-exec")));

/* How many application handlers this thread is in (signals_forward), and
 * the view the outermost one interrupted: a handler left by siglongjmp
 * never gets back to signals_forward, so the jump itself says so
 * (sigjump.c), and a jump that restores a saved mask restores that view. */
static __thread int forward_depth __attribute__((tls_model("initial-exec")));
static __thread sigset_t outer_view __attribute__((tls_model("initial-exec")));

/* Owned signals sent to this thread (kill, raise) while its view blocks
 * them: without the shim they would stay pending, so they are held here
 * and sent again when the view unblocks them. */
static __thread sigset_t held __attribute__((tls_model("initial-exec")));
static __thread siginfo_t held_info[NSIG] __attribute__((tls_model("initial-exec")));

bool signals_owned(int sig)
{
	for (size_t i = 0; i < arch_n_owned; i++)
		if (arch_owned_signals[i] == sig)
			return true;
	return false;
}

void signals_install(void)
{
	if (atomic_load(&installed))
		return;
	pthread_mutex_lock(&lock);
	if (!atomic_load(&installed)) {
		struct sigaction sa = { .sa_sigaction = fault_handler,
					.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART };
		/* nothing asynchronous runs inside our handler */
		sigfillset(&sa.sa_mask);
		struct sigaction back;
		for (size_t i = 0; i < arch_n_owned; i++) {
			real.sigaction(arch_owned_signals[i], NULL, &app[arch_owned_signals[i]]);
			real.sigaction(arch_owned_signals[i], &sa, NULL);
		}
		if (real.sigaction(arch_owned_signals[0], NULL, &back) == 0) {
			lib_added_flags = back.sa_flags & ~sa.sa_flags;
			lib_restorer = back.sa_restorer;
		}
		atomic_store(&installed, true);
	}
	pthread_mutex_unlock(&lock);
}

static bool recording(int sig)
{
	return sig > 0 && sig < NSIG && signals_owned(sig) && atomic_load(&installed);
}

/* Which owned signals each signal's application sa_mask held: the kernel
 * applies sa_mask itself when it runs a handler, so we hand it the mask
 * without them (a BAR access in that handler must still fault to us) and
 * give them back to the application when it asks. */
static unsigned char mask_had_owned[NSIG];

static unsigned char strip_owned(sigset_t *mask)
{
	unsigned char bits = 0;

	for (size_t i = 0; i < arch_n_owned; i++)
		if (sigismember(mask, arch_owned_signals[i])) {
			bits |= (unsigned char)(1u << i);
			sigdelset(mask, arch_owned_signals[i]);
		}
	return bits;
}

static void add_owned(sigset_t *mask, unsigned char bits)
{
	for (size_t i = 0; i < arch_n_owned; i++)
		if (bits & (1u << i))
			sigaddset(mask, arch_owned_signals[i]);
}

EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	shim_ensure_init();
	if (recording(sig)) {
		pthread_mutex_lock(&lock);
		if (old)
			*old = app[sig];
		if (act) {
			app[sig] = *act;
			app[sig].sa_flags |= lib_added_flags;
			if (lib_added_flags)
				app[sig].sa_restorer = lib_restorer;
		}
		pthread_mutex_unlock(&lock);
		return 0;
	}
	if (sig <= 0 || sig >= NSIG)
		return real.sigaction(sig, act, old);

	struct sigaction filtered;
	unsigned char bits = 0, before = mask_had_owned[sig];
	if (act) {
		filtered = *act;
		bits = strip_owned(&filtered.sa_mask);
		act = &filtered;
	}
	int ret = real.sigaction(sig, act, old);
	if (ret == 0 && old)
		add_owned(&old->sa_mask, before);
	if (ret == 0 && act)
		mask_had_owned[sig] = bits;
	return ret;
}

static sighandler_t set_simple(int sig, sighandler_t h, int flags)
{
	struct sigaction sa = { .sa_handler = h, .sa_flags = flags }, old;

	if (sigaction(sig, &sa, &old))
		return SIG_ERR;
	return old.sa_handler;
}

EXPORT sighandler_t signal(int sig, sighandler_t h)
{
	return set_simple(sig, h, SA_RESTART);
}

EXPORT sighandler_t bsd_signal(int sig, sighandler_t h)
{
	return set_simple(sig, h, SA_RESTART);
}

EXPORT sighandler_t sysv_signal(int sig, sighandler_t h)
{
	return set_simple(sig, h, SA_RESETHAND | SA_NODEFER);
}

/* Apply a mask change to the application's view and return the set with
 * our signals removed. */
static void filter_mask(int how, const sigset_t *set, sigset_t *out)
{
	*out = *set;
	for (size_t i = 0; i < arch_n_owned; i++) {
		int s = arch_owned_signals[i];
		if (sigismember(set, s)) {
			if (how == SIG_BLOCK || how == SIG_SETMASK)
				sigaddset(&app_blocked, s);
			else if (how == SIG_UNBLOCK)
				sigdelset(&app_blocked, s);
			sigdelset(out, s);
		} else if (how == SIG_SETMASK) {
			sigdelset(&app_blocked, s);
		}
	}
}

/* Send again what was held and the view no longer blocks. */
static void release_held(void)
{
	for (size_t i = 0; i < arch_n_owned; i++) {
		int s = arch_owned_signals[i];
		if (sigismember(&held, s) && !sigismember(&app_blocked, s)) {
			sigdelset(&held, s);
			syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), s, &held_info[s]);
		}
	}
}

static int change_mask(int (*fn)(int, const sigset_t *, sigset_t *), int how,
		       const sigset_t *set, sigset_t *old)
{
	sigset_t before = app_blocked, filtered;

	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) {
		errno = EINVAL;
		return fn == real.pthread_sigmask ? EINVAL : -1;
	}
	if (set)
		filter_mask(how, set, &filtered);
	int ret = fn(how, set ? &filtered : NULL, old);
	if (ret == 0 && old)
		for (size_t i = 0; i < arch_n_owned; i++)
			if (sigismember(&before, arch_owned_signals[i]))
				sigaddset(old, arch_owned_signals[i]);
	if (ret == 0 && set)
		release_held();
	return ret;
}

EXPORT int sigpending(sigset_t *set)
{
	shim_ensure_init();
	int ret = (int)syscall(SYS_rt_sigpending, set, (size_t)(_NSIG / 8));
	if (ret == 0)
		for (size_t i = 0; i < arch_n_owned; i++)
			if (sigismember(&held, arch_owned_signals[i]))
				sigaddset(set, arch_owned_signals[i]);
	return ret;
}

void signals_left_handlers(bool mask_restored)
{
	/* may run in a signal handler (a jump out of one) */
	if (!forward_depth)
		return;
	/* the mask the jump restores was saved before the first handler ran,
	 * when the view was the one that handler interrupted */
	if (mask_restored)
		app_blocked = outer_view;
	forward_depth = 0;
	release_held();
}

void signals_thread_view(sigset_t *view)
{
	*view = app_blocked;
}

void signals_set_thread_view(const sigset_t *view)
{
	app_blocked = *view;
}

bool signals_view_blocks_any(const sigset_t *view)
{
	for (size_t i = 0; i < arch_n_owned; i++)
		if (sigismember(view, arch_owned_signals[i]))
			return true;
	return false;
}

EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	shim_ensure_init();
	return change_mask(real.sigprocmask, how, set, old);
}

EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	shim_ensure_init();
	return change_mask(real.pthread_sigmask, how, set, old);
}

/* Deliver the signal with the default action: a fault re-executes the
 * instruction and faults again with the same si_code (and a core dump);
 * a signal someone sent is sent again with its original siginfo. */
static void deliver_default(int sig, siginfo_t *si)
{
	/* runs in a signal handler */
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	real.sigaction(sig, &dfl, NULL);
	if (si->si_code <= 0)
		syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), sig, si);
}

void signals_forward(int sig, siginfo_t *si, void *uc)
{
	/* runs in a signal handler */
	struct sigaction a = app[sig];
	bool fault = si->si_code > 0;

	if (a.sa_handler == SIG_IGN && !fault)
		return;
	if (!fault && sigismember(&app_blocked, sig)) {
		/* sent while the program blocks it: pending, as without us */
		held_info[sig] = *si;
		sigaddset(&held, sig);
		return;
	}
	if (a.sa_handler == SIG_DFL || a.sa_handler == SIG_IGN || (fault && sigismember(&app_blocked, sig))) {
		deliver_default(sig, si);
		return;
	}

	/* The application's handler runs with the mask the kernel would give
	 * it, except that our signals stay deliverable (its BAR accesses must
	 * still reach us); that they are blocked is kept in its view. */
	sigset_t mask = ((ucontext_t *)uc)->uc_sigmask, old, view = app_blocked;
	for (int s = 1; s < NSIG; s++)
		if (sigismember(&a.sa_mask, s))
			sigaddset(signals_owned(s) ? &view : &mask, s);
	if (!(a.sa_flags & SA_NODEFER))
		sigaddset(&view, sig);
	strip_owned(&mask);
	if (a.sa_flags & SA_RESETHAND)
		app[sig].sa_handler = SIG_DFL;
	sigset_t saved_view = app_blocked;
	int depth = forward_depth;
	if (!depth)
		outer_view = saved_view;
	forward_depth = depth + 1;
	app_blocked = view;
	real.sigprocmask(SIG_SETMASK, &mask, &old);
	if (a.sa_flags & SA_SIGINFO)
		a.sa_sigaction(sig, si, uc);
	else
		a.sa_handler(sig);
	real.sigprocmask(SIG_SETMASK, &old, NULL);
	forward_depth = depth;
	app_blocked = saved_view;
	release_held();
}

void signals_die(int sig, siginfo_t *si, void *uc)
{
	/* runs in a signal handler */
	signals_forward(sig, si, uc);
}

EXPORT int mmioshim_active(void)
{
	return atomic_load(&installed);
}

EXPORT void mmioshim_mark(const char *text)
{
	trace_mark(text);
}

void signals_fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

void signals_fork_done(void)
{
	pthread_mutex_unlock(&lock);
}
