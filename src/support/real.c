/* The definitions our interposers pass through to: the next library in
 * the lookup order (the simulator when it is preloaded after us, else libc). */
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#include "support.h"

struct real_fns real;

static void *next(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p) {
		static const char msg[] = "mmioshim: cannot find the next definition of a libc function\n";
		write(STDERR_FILENO, msg, sizeof(msg) - 1);
		abort();
	}
	return p;
}

void real_init(void)
{
	real.open = next("open");
	real.openat = next("openat");
	real.close = next("close");
	real.dup = next("dup");
	real.dup2 = next("dup2");
	real.dup3 = next("dup3");
	real.fcntl = next("fcntl");
	real.ioctl = next("ioctl");
	real.mmap = next("mmap");
	real.munmap = next("munmap");
	real.mremap = next("mremap");
	real.mprotect = next("mprotect");
	real.sigaction = next("sigaction");
	real.sigprocmask = next("sigprocmask");
	real.pthread_sigmask = next("pthread_sigmask");
	real.pread = next("pread64");
	real.pwrite = next("pwrite64");
	real.syscall = next("syscall");
	real.siglongjmp = next("siglongjmp");
	real.longjmp = next("longjmp");
	real.longjmp_chk = next("__longjmp_chk");
	real.setcontext = next("setcontext");
	real.pthread_create = next("pthread_create");
	real.pread_chk = next("__pread64_chk");
	real.sigaltstack = next("sigaltstack");
	real._exit = next("_exit");
}
