/* _exit and _Exit end a process without its atexit handlers: a forked
 * child usually ends so. Its access statistics, and the records its trace
 * lost, are said all the same. */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"
#include "support.h"
#include "trace.h"

EXPORT void _exit(int status)
{
	stats_exit();
	trace_exit();
	if (real._exit)
		real._exit(status);
	syscall(SYS_exit_group, status);	/* before the shim's constructor */
	__builtin_unreachable();
}

EXPORT void _Exit(int status) __attribute__((alias("_exit")));
