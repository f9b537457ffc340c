/* The driver of every fuzz target (x86_fuzz.c, s390x_fuzz.c), which
 * supplies fuzz_one. Built with libFuzzer (clang -fsanitize=fuzzer,
 * MMIO_LIBFUZZER) it is libFuzzer's entry point; otherwise a plain
 * program that reads the same inputs:
 *   NAME replay FILE|DIR...       every input once; exit 1 on a finding
 *   NAME run SECONDS [DIR...]     random and mutated inputs (from the
 *                                 DIRs' files) for SECONDS; a finding is
 *                                 written to ./fuzz-finding-N */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

uint64_t fuzz_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

#ifdef MMIO_LIBFUZZER
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_one(data, size))
		abort();	/* libFuzzer keeps the input */
	return 0;
}
#else

static int read_file(const char *path, uint8_t *buf, size_t size, size_t *n)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, buf, size);
	close(fd);
	if (r < 0)
		return -1;
	*n = (size_t)r;
	return 0;
}

/* Every regular file of a folder, or the file itself. */
static int for_each_input(const char *path, int (*fn)(const char *, void *), void *arg)
{
	struct stat st;
	if (stat(path, &st)) {
		fprintf(stderr, "%s: %s: %s\n", fuzz_name, path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return fn(path, arg);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int rc = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", path, e->d_name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && fn(p, arg))
			rc = 1;
	}
	closedir(d);
	return rc;
}

static int replay_one(const char *path, void *arg)
{
	uint8_t buf[256];
	size_t n;
	unsigned long *count = arg;

	if (read_file(path, buf, sizeof buf, &n)) {
		fprintf(stderr, "%s: %s: %s\n", fuzz_name, path, strerror(errno));
		return 1;
	}
	(*count)++;
	if (fuzz_one(buf, n)) {
		fprintf(stderr, "%s: finding: %s\n", fuzz_name, path);
		return 1;
	}
	return 0;
}

#define POOL 4096
static uint8_t pool[POOL][32];
static size_t pool_len[POOL], npool;

static int add_to_pool(const char *path, void *arg)
{
	(void)arg;
	if (npool < POOL && read_file(path, pool[npool], sizeof pool[0], &pool_len[npool]) == 0)
		npool++;
	return 0;
}

/* The input being run, for the report of a crash. */
static uint8_t current[32];
static size_t current_len;

static void save(const char *why)
{
	char name[64];
	static int n;
	int fd = -1;

	while (fd < 0 && n < 1000) {
		snprintf(name, sizeof name, "fuzz-finding-%d", ++n);
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
	}
	if (fd < 0)
		return;
	if (write(fd, current, current_len) != (ssize_t)current_len)
		fprintf(stderr, "%s: short write of %s\n", fuzz_name, name);
	close(fd);
	fprintf(stderr, "%s: %s: input saved as %s\n", fuzz_name, why, name);
}

static void on_crash(int sig)
{
	/* runs in a signal handler; the process ends right after */
	save(strsignal(sig));
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The generator's own random numbers (a target seeds its harness from the
 * input itself). */
static uint64_t gen_state = 0x9e3779b97f4a7c15ull;

static uint64_t gen(void)
{
	gen_state ^= gen_state >> 12;
	gen_state ^= gen_state << 25;
	gen_state ^= gen_state >> 27;
	return gen_state * 0x2545f4914f6cdd1dull;
}

/* Report a crash by sig, unless the target's harness handles sig itself
 * (s390x traps its device page with SIGSEGV). */
static void catch_crash(int sig)
{
	struct sigaction cur;

	if (sigaction(sig, NULL, &cur) == 0 && cur.sa_handler == SIG_DFL && !(cur.sa_flags & SA_SIGINFO))
		signal(sig, on_crash);
}

static void mutate(uint8_t *buf, size_t *n)
{
	uint64_t r = gen();

	if (npool && r % 2) {
		size_t k = (size_t)(r >> 8) % npool;
		memcpy(buf, pool[k], pool_len[k]);
		*n = pool_len[k];
		for (int flips = 1 + (int)(gen() % 3); flips > 0; flips--) {
			size_t at = (size_t)(gen() % 17);
			if (at >= *n) {
				memset(buf + *n, 0, at + 1 - *n);
				*n = at + 1;
			}
			buf[at] = gen() % 2 ? (uint8_t)gen() : buf[at] ^ (uint8_t)(1u << (gen() % 8));
		}
	} else {
		*n = 2 + (size_t)(gen() % 30);
		for (size_t i = 0; i < *n; i++)
			buf[i] = (uint8_t)gen();
	}
}

int main(int argc, char **argv)
{
	fuzz_setup();
	if (argc >= 3 && !strcmp(argv[1], "replay")) {
		unsigned long count = 0;
		int rc = 0;
		for (int i = 2; i < argc; i++)
			if (for_each_input(argv[i], replay_one, &count))
				rc = 1;
		printf("%s: %lu inputs replayed, %lu accepted by the decoder, %s\n", fuzz_name, count, fuzz_accepted,
		       rc ? "FINDINGS" : "no finding");
		return rc;
	}
	if (argc >= 3 && !strcmp(argv[1], "run")) {
		char *end;
		long seconds = strtol(argv[2], &end, 10);
		if (*end || seconds <= 0) {
			fprintf(stderr, "%s: SECONDS must be a positive number, not '%s'\n", fuzz_name, argv[2]);
			return 2;
		}
		for (int i = 3; i < argc; i++)
			for_each_input(argv[i], add_to_pool, NULL);
		static const int deadly[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
		for (size_t i = 0; i < sizeof deadly / sizeof deadly[0]; i++)
			catch_crash(deadly[i]);
		time_t stop = time(NULL) + seconds;
		unsigned long runs = 0, findings = 0;
		gen_state = ((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32)) | 1;
		while (time(NULL) < stop) {
			for (int k = 0; k < 256; k++) {
				mutate(current, &current_len);
				runs++;
				if (fuzz_one(current, current_len)) {
					findings++;
					save("a difference");
				}
			}
		}
		printf("%s: %lu executions in %ld s, %lu accepted by the decoder, %lu findings\n", fuzz_name, runs, seconds,
		       fuzz_accepted, findings);
		return findings ? 1 : 0;
	}
	fprintf(stderr, "usage: %s replay FILE|DIR... | %s run SECONDS [CORPUS_DIR...]\n", fuzz_name, fuzz_name);
	return 2;
}
#endif
