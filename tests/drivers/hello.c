/* Prints "main reached" first thing, then: exit N | raise SIG | env VAR |
 * wait (prints its pid and waits for a signal, at most 30 s). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	puts("main reached");
	fflush(stdout);
	if (argc == 3 && !strcmp(argv[1], "exit"))
		return atoi(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "raise")) {
		raise(atoi(argv[2]));
		return 99;
	}
	if (argc == 3 && !strcmp(argv[1], "env")) {
		const char *v = getenv(argv[2]);
		printf("%s=%s\n", argv[2], v ? v : "(unset)");
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "wait")) {
		printf("pid %d\n", (int)getpid());
		fflush(stdout);
		alarm(30);	/* never outlives a test that forgot it */
		for (;;)
			pause();
	}
	return 0;
}
