#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "early_getenv.h"

/* getenv, also when we are started before libc has set up environ (a
 * sanitizer runtime's initialisation can call into us that early): then
 * the environment is read from /proc/self/environ. */
const char *early_getenv(const char *name)
{
	static char buf[65536];
	static ssize_t len = -1;
	extern char **environ;

	if (environ)
		return getenv(name);
	if (len < 0) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/environ", O_RDONLY | O_CLOEXEC);
		len = 0;
		if (fd >= 0) {
			ssize_t n;
			while (len < (ssize_t)sizeof(buf) - 1 &&
			       (n = (ssize_t)syscall(SYS_read, fd, buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
				len += n;
			syscall(SYS_close, fd);
		}
		buf[len] = '\0';
	}
	size_t nl = strlen(name);
	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(buf + i) + 1)
		if (!strncmp(buf + i, name, nl) && buf[i + (ssize_t)nl] == '=')
			return buf + i + nl + 1;
	return NULL;
}
