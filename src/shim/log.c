/* Messages on stderr. Each is formatted on the stack and written with one
 * write(2), so it is safe in the signal handler and lines from several
 * threads never interleave. */
#include <errno.h>
#include <unistd.h>

#include "shim.h"

void log_msg(enum log_level level, const char *f, ...)
{
	/* may run in a signal handler */
	if (level > cfg.log)
		return;

	int saved = errno;
	char buf[1024];
	size_t n = (size_t)fmt(buf, sizeof(buf), "mmioshim: ");
	va_list ap;

	va_start(ap, f);
	int m = fmt_v(buf + n, sizeof(buf) - n - 1, f, ap);
	va_end(ap);
	n += (size_t)m < sizeof(buf) - n - 1 ? (size_t)m : sizeof(buf) - n - 2;
	buf[n++] = '\n';
	for (size_t done = 0; done < n;) {
		ssize_t w = write(STDERR_FILENO, buf + done, n - done);
		if (w <= 0 && errno != EINTR)
			break;
		if (w > 0)
			done += (size_t)w;
	}
	errno = saved;
}
