/* Fuzz target of the x86_64 decoder and emulator: instruction bytes and a
 * register file from the input. An instruction the decoder accepts is run
 * natively on a RAM page holding the device's bytes and emulated against
 * the fake device from the same state (tests/unit's differential run):
 * registers, flags, vector registers, memory and the device must agree,
 * and the device must have seen exactly the accesses the instruction
 * makes. Refusals are fine; a crash, a sanitizer report or a difference
 * is a finding.
 *
 * Input: byte 0 gives the instruction's length (1 + byte % 15), the next
 * bytes are the instruction (missing ones are nop), the rest seeds the
 * register file.
 *
 * Built twice: with libFuzzer (clang -fsanitize=fuzzer, MMIO_LIBFUZZER),
 * and as a plain program that reads the same inputs:
 *   x86_fuzz replay FILE|DIR...       every input once; exit 1 on a finding
 *   x86_fuzz run SECONDS [DIR...]     random and mutated inputs (from the
 *                                     DIRs' files) for SECONDS; a finding
 *                                     is written to ./fuzz-finding-N */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "x86_harness.h"

#define STATES 4	/* register files per input */

static bool ready;
static unsigned long accepted;

static uint64_t seed_of(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* 0: agreed or refused; 1: a finding (said on stderr). */
static int one_input(const uint8_t *data, size_t size)
{
	uint8_t bytes[15];
	struct insn in;
	cs_insn *ci = NULL;
	int finding = 0;

	if (!ready) {
		env_init();
		ready = true;
	}
	if (size < 2)
		return 0;
	size_t len = 1 + data[0] % 15, have = size - 1 < len ? size - 1 : len;
	memset(bytes, 0x90, sizeof bytes);
	memcpy(bytes, data + 1, have);
	if (decode_bytes(bytes, len, &in) || in.refuse)
		return 0;
	/* the operand must be placeable on the device; capstone's view of it */
	if (cs_disasm(env.cs, bytes, in.len, (uint64_t)env.code, 1, &ci) != 1)
		return 0;
	rnd_seed(seed_of(data + 1 + have, size - 1 - have) ^ seed_of(bytes, in.len));
	for (int i = 0; i < STATES && !finding; i++) {
		struct cpu c;
		cpu_random(&c);
		if (!operand_at_device(ci, &in, &c))
			break;
		if (i == 0)
			accepted++;
		char what[sizeof(ci->mnemonic) + sizeof(ci->op_str) + 2];
		snprintf(what, sizeof what, "%s %s", ci->mnemonic, ci->op_str);
		int before = failures;
		if (!differential(what, bytes, &in, &c) || failures != before)
			finding = 1;
	}
	cs_free(ci, 1);
	return finding;
}

#ifdef MMIO_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (one_input(data, size))
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
		fprintf(stderr, "x86_fuzz: %s: %s\n", path, strerror(errno));
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
		fprintf(stderr, "x86_fuzz: %s: %s\n", path, strerror(errno));
		return 1;
	}
	(*count)++;
	if (one_input(buf, n)) {
		fprintf(stderr, "x86_fuzz: finding: %s\n", path);
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
		fprintf(stderr, "x86_fuzz: short write of %s\n", name);
	close(fd);
	fprintf(stderr, "x86_fuzz: %s: input saved as %s\n", why, name);
}

static void on_crash(int sig)
{
	/* runs in a signal handler; the process ends right after */
	save(strsignal(sig));
	signal(sig, SIG_DFL);
	raise(sig);
}

static void mutate(uint8_t *buf, size_t *n)
{
	uint64_t r = rnd();

	if (npool && r % 4) {
		size_t k = (size_t)(r >> 8) % npool;
		memcpy(buf, pool[k], pool_len[k]);
		*n = pool_len[k];
		for (int flips = 1 + (int)(rnd() % 3); flips > 0; flips--) {
			size_t at = (size_t)(rnd() % 17);
			if (at >= *n) {
				memset(buf + *n, 0, at + 1 - *n);
				*n = at + 1;
			}
			buf[at] = rnd() % 2 ? (uint8_t)rnd() : buf[at] ^ (uint8_t)(1u << (rnd() % 8));
		}
	} else {
		*n = 2 + (size_t)(rnd() % 30);
		rnd_fill(buf, *n);
	}
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "replay")) {
		unsigned long count = 0;
		int rc = 0;
		for (int i = 2; i < argc; i++)
			if (for_each_input(argv[i], replay_one, &count))
				rc = 1;
		printf("x86_fuzz: %lu inputs replayed, %lu accepted by the decoder, %s\n", count, accepted,
		       rc ? "FINDINGS" : "no finding");
		return rc;
	}
	if (argc >= 3 && !strcmp(argv[1], "run")) {
		char *end;
		long seconds = strtol(argv[2], &end, 10);
		if (*end || seconds <= 0) {
			fprintf(stderr, "x86_fuzz: SECONDS must be a positive number, not '%s'\n", argv[2]);
			return 2;
		}
		for (int i = 3; i < argc; i++)
			for_each_input(argv[i], add_to_pool, NULL);
		signal(SIGSEGV, on_crash);
		signal(SIGBUS, on_crash);
		signal(SIGILL, on_crash);
		signal(SIGFPE, on_crash);
		signal(SIGABRT, on_crash);
		time_t stop = time(NULL) + seconds;
		unsigned long runs = 0, findings = 0;
		uint64_t gen = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		while (time(NULL) < stop) {
			for (int k = 0; k < 256; k++) {
				rnd_seed(gen = gen * 6364136223846793005ull + 1442695040888963407ull);
				mutate(current, &current_len);
				runs++;
				if (one_input(current, current_len)) {
					findings++;
					save("a difference");
				}
			}
		}
		printf("x86_fuzz: %lu executions in %ld s, %lu accepted by the decoder, %lu findings\n", runs, seconds,
		       accepted, findings);
		return findings ? 1 : 0;
	}
	fprintf(stderr, "usage: x86_fuzz replay FILE|DIR... | x86_fuzz run SECONDS [CORPUS_DIR...]\n");
	return 2;
}
#endif
