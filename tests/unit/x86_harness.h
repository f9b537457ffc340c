/* Shared by the x86_64 decoder/emulator unit tests: a fake io that records
 * every call and serves a fake device, a ucontext with a real XSAVE-layout
 * FPU area, and a runner that executes one instruction natively with
 * chosen registers (the reference for the differential tests). */
#ifndef X86_HARNESS_H
#define X86_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

#include "arch.h"
#include "x86.h"

#define DEV_SIZE 8192
#define MEM_SIZE 8192

/* Architectural register numbers. */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* Register state, for the native runner (its asm knows these offsets). */
struct cpu {
	uint64_t gpr[16];	/* 0 */
	uint64_t rflags;	/* 128 */
	uint64_t pad;
	uint8_t vec[32][64];	/* 144: zmm0..31 */
	uint64_t k[8];		/* 2192: k0..k7 */
};

_Static_assert(offsetof(struct cpu, vec) == 144 && offsetof(struct cpu, k) == 2192,
	       "the native runner's asm knows these offsets");

/* One io call. */
struct io_call {
	char dir;		/* 'R' or 'W' */
	uint64_t addr;
	size_t len;
	uint8_t data[64];	/* first bytes moved */
};

#define IO_MAX 8192	/* a string instruction's elements, one call each */

struct fake_io {
	struct mmio_io io;
	struct io_call call[IO_MAX];
	int n;			/* calls made (may exceed IO_MAX) */
	uint8_t *shadow;	/* the device's contents, at address dev */
	uint64_t dev;
	int fail_call;		/* 1-based call number that fails with MMIO_E_DEVICE, or 0 */
};

/* The environment: code page, device (real memory at the same address for
 * the native run, served from the shadow for the emulated one), ordinary
 * memory. All below 2 GiB (MAP_32BIT) so 32-bit addressing can reach them. */
struct env {
	csh cs;
	cs_insn *scratch;
	uint8_t *code;
	uint8_t *dev;
	uint8_t *mem;
	uint8_t *shadow;
	struct fake_io fio;
	bool avx, avx2, movbe, sse41;
	bool avx512vl;		/* AVX512F, VL and BW, and the OS saves their state */
};

extern struct env env;
extern int failures;

void env_init(void);

#define CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			failures++; \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fprintf(stderr, "\n"); \
		} \
	} while (0)

/* Random numbers, biased towards the edges of each width. */
uint64_t rnd(void);
uint64_t rnd_value(void);
void rnd_fill(uint8_t *p, size_t n);

/* Reset the fake io's log. */
void fio_reset(void);

/* A ucontext for state c, RIP at pc, with an XSAVE-layout FPU area
 * holding c's vector registers. */
void uc_build(ucontext_t *uc, const struct cpu *c, uint64_t pc);
/* The state in uc (vector registers from its FPU area). */
void uc_extract(const ucontext_t *uc, struct cpu *c);
/* The FPU area uc_build uses, and its layout. */
uint8_t *frame_area(void);
uint32_t frame_size(void);
uint64_t frame_features(void);
uint32_t xcomp_offset(unsigned comp);

/* Copy the instruction into the code page and run it natively on c. */
void native_run(struct cpu *c, const uint8_t *insn, size_t len);

/* Decode bytes at the code page's address. */
int decode_bytes(const uint8_t *bytes, size_t len, struct insn *in);

/* Format one io call as "R4@D16" / "W8@M0" / "R2@0x1234". */
void io_format(const struct io_call *c, char *buf, size_t size);
/* The log as "R4@D16 W4@D16". */
void io_log(char *buf, size_t size);

/* Run one instruction (already decoded into in, bytes in insn) natively
 * and emulated from the same state c, compare registers, flags, vector
 * registers, device and memory. Returns true when they agree. */
bool differential(const char *what, const uint8_t *insn, const struct insn *in, const struct cpu *c);

/* A state with random registers and flags (DF clear). */
void cpu_random(struct cpu *c);
/* Start the random numbers from seed (the fuzz target's input). */
void rnd_seed(uint64_t seed);

/* The architectural number of a 64-bit general register, or -1. */
int gpr_number(csh cs, x86_reg r);
/* Point ci's memory operand at the device (dev + 64, 64-byte aligned) by
 * setting its base and index registers in c; a string instruction gets
 * rsi = ordinary memory, rdi = device + 64 and rcx = 8. False when the
 * operand cannot be placed so (stack, rip-relative, absolute, segment
 * override) or the instruction writes rsp: not a driver's BAR access, or
 * not one the native runner survives. */
bool operand_at_device(const cs_insn *ci, const struct insn *in, struct cpu *c);

#endif
