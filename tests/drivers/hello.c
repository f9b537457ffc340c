/* Prints "main reached" first thing, then: exit N | raise SIG | env VAR. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	return 0;
}
