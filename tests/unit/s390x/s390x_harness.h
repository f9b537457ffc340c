/* Shared by the s390x decoder/emulator unit tests: a fake io that records
 * every call and serves a fake device, a trap mode in which the device page
 * is PROT_NONE and a SIGSEGV handler runs arch_decode + arch_emulate (the
 * shim's fault path in miniature), and a runner that executes one
 * instruction with chosen registers, condition code and vector registers
 * and returns them afterwards. The same instruction run once natively on
 * readable memory and once trapped must give the same result. */
#ifndef S390X_HARNESS_H
#define S390X_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <ucontext.h>

#include "arch.h"
#include "s390x.h"

#define PAGE 4096

/* Register state around the instruction under test. */
struct cpu {
	uint64_t g[16];
	unsigned cc;
	uint8_t v[32][16];	/* vector registers, bytes in storage order */
};

struct io_call {
	char dir;		/* 'R' or 'W' */
	bool dev;		/* inside the device page */
	uint64_t addr;
	size_t len;
};

#define IO_MAX 1024

struct fake_io {
	struct mmio_io io;
	struct io_call call[IO_MAX];
	int n;
	int fail_call;		/* 1-based call number that fails with MMIO_E_DEVICE, or 0 */
};

struct env {
	csh cs;
	cs_insn *scratch;
	uint8_t *code;		/* RWX: the runner, its data, the instruction */
	uint8_t *dev;		/* the device page: readable, or PROT_NONE when trapping */
	uint8_t *mem;		/* ordinary memory */
	uint8_t *shadow;	/* the device's contents while trapping */
	bool vx;		/* vector facility */
	struct fake_io fio;
	/* the last trap */
	int traps;
	int err;		/* arch_decode/arch_emulate failure in the handler */
	struct insn last;
	uint64_t last_data_address;
};

extern struct env env;
extern int failures;

#define CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			failures++; \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fprintf(stderr, "\n"); \
		} \
	} while (0)

void env_init(void);
void fio_reset(void);

uint64_t rnd(void);
uint64_t rnd_value(void);	/* biased towards the edges of each width */
void fill_random(uint8_t *p, size_t n);

/* Run the instruction bytes insn[0..len) with *c in, *c out. tail (EX
 * targets) is placed at tail_address(); an EXRL's offset is pointed at it.
 * trap: the device page is PROT_NONE and its contents are env.shadow.
 * Returns 0, or -1 if the handler could not emulate (env.err says why). */
int run_insn(const uint8_t *insn, size_t len, const uint8_t *tail, size_t tail_len, struct cpu *c, bool trap);
uint64_t tail_address(void);

/* Call fn(a, b, c) natively or trapped (the compiled-code test). */
uint64_t call_trapped(uint64_t (*fn)(uint64_t, uint64_t, uint64_t), uint64_t a, uint64_t b, uint64_t c,
		      bool trap, int *err);

/* A ucontext for direct arch_emulate calls. */
void uc_init(ucontext_t *uc, const struct cpu *c, uint64_t pc);

#endif
