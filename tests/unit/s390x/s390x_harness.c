/* The s390x unit tests' harness: see s390x_harness.h. */
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>

#include "s390x_harness.h"

struct env env;
int failures;

/* The code page: the runner at 0, the instruction's tail (EX targets) at
 * TAIL, data from DATA on. */
#define TAIL 0x600
#define DATA 0x800
#define D_IN (DATA + 0)		/* 16 gprs in */
#define D_OUT (DATA + 128)	/* 16 gprs out */
#define D_SAVE (DATA + 256)	/* r6-r15, then v8-v15 at +80 */
#define D_CCIN (DATA + 464)
#define D_CCOUT (DATA + 472)
#define D_SLOT (DATA + 480)
#define D_VIN 0xa00		/* 32 x 16 */
#define D_VOUT 0xc00		/* 32 x 16 -> ends at 0xe00 */
#define HWCAP_S390_VX_BIT 2048

static sigjmp_buf trap_jmp;
static uint8_t altstack[65536];

static bool on_dev(uint64_t addr, size_t len)
{
	uint64_t d = (uintptr_t)env.dev;
	return addr >= d && addr - d < PAGE && len <= PAGE - (addr - d);
}

static void record(char dir, uint64_t addr, size_t len)
{
	struct fake_io *f = &env.fio;
	if (f->n < IO_MAX)
		f->call[f->n] = (struct io_call){ dir, on_dev(addr, 1), addr, len };
	f->n++;
}

static int fio_read(const struct mmio_io *io, uint64_t addr, size_t len, void *buf)
{
	(void)io;
	record('R', addr, len);
	if (env.fio.fail_call && env.fio.n == env.fio.fail_call)
		return MMIO_E_DEVICE;
	if (on_dev(addr, 1)) {
		if (!on_dev(addr, len))
			return MMIO_E_RANGE;
		memcpy(buf, env.shadow + (addr - (uintptr_t)env.dev), len);
	} else {
		memcpy(buf, (const void *)(uintptr_t)addr, len);
	}
	return 0;
}

static int fio_write(const struct mmio_io *io, uint64_t addr, size_t len, const void *buf)
{
	(void)io;
	record('W', addr, len);
	if (env.fio.fail_call && env.fio.n == env.fio.fail_call)
		return MMIO_E_DEVICE;
	if (on_dev(addr, 1)) {
		if (!on_dev(addr, len))
			return MMIO_E_RANGE;
		memcpy(env.shadow + (addr - (uintptr_t)env.dev), buf, len);
	} else {
		memcpy((void *)(uintptr_t)addr, buf, len);
	}
	return 0;
}

void fio_reset(void)
{
	env.fio.io = (struct mmio_io){ .read = fio_read, .write = fio_write, .ctx = &env.fio };
	env.fio.n = 0;
	env.fio.fail_call = 0;
}

/* The shim's fault path in miniature: a guard-page fault on the device
 * page is decoded at the PSW address and emulated. */
static void on_segv(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint64_t pc = uc->uc_mcontext.psw.addr;
	(void)sig;

	if (!on_dev((uintptr_t)si->si_addr, 1)) {
		env.err = -1;
		siglongjmp(trap_jmp, 1);
	}
	env.traps++;
	int err = arch_decode(env.cs, env.scratch, (const uint8_t *)(uintptr_t)pc, ARCH_MAX_INSN, pc, &env.last);
	if (!err)
		err = env.last.refuse;
	if (!err) {
		env.last_data_address = arch_data_address(&env.last, uc);
		err = arch_emulate(&env.last, uc, &env.fio.io);
	}
	if (err) {
		env.err = err;
		siglongjmp(trap_jmp, 1);
	}
}

static void on_refused(int sig, siginfo_t *si, void *ucv)
{
	/* runs in a signal handler */
	(void)si, (void)ucv;
	env.err = -sig;
	siglongjmp(trap_jmp, 1);
}

void env_init(void)
{
	env.code = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	env.dev = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	env.mem = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	env.shadow = malloc(PAGE);
	if (env.code == MAP_FAILED || env.dev == MAP_FAILED || env.mem == MAP_FAILED || !env.shadow) {
		perror("mmap");
		exit(2);
	}
	if (arch_cs_open(&env.cs) != 0 || !(env.scratch = cs_malloc(env.cs))) {
		fprintf(stderr, "cannot open capstone\n");
		exit(2);
	}
	env.vx = getauxval(AT_HWCAP) & HWCAP_S390_VX_BIT;
	fio_reset();

	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
	sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigaction(SIGSEGV, &sa, NULL);
	/* an instruction the CPU (or QEMU) refuses, or one that divides by
	 * zero: the run fails, it does not end the test */
	sa.sa_sigaction = on_refused;
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	srandom(12345);
}

uint64_t rnd(void)
{
	return (uint64_t)random() << 42 ^ (uint64_t)random() << 21 ^ (uint64_t)random();
}

uint64_t rnd_value(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
		0x7fffffffffffffff, 0x8000000000000000, ~0ull, ~0ull - 1, 0xfffffffe,
	};
	uint64_t r = rnd();
	switch (r % 8) {
	case 0: case 1: case 2:
		return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
	case 3:	/* a small value, sign-extended or not in 32 bits */
		return (r >> 8) & 1 ? (uint64_t)(int64_t)(int8_t)(r >> 16) : (uint32_t)(int32_t)(int8_t)(r >> 16);
	default:
		return rnd();
	}
}

/* Storage: 8-byte words from rnd_value(), so that a compare often finds
 * its register's value and an add often overflows. */
void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint64_t v = rnd_value();
		for (int k = 0; k < 8; k++)
			p[i + k] = (uint8_t)(v >> (56 - 8 * k));
	}
}

/* ---- the runner's code ---- */

struct emit {
	uint8_t *p;
	size_t n;
};

static void bytes(struct emit *e, const uint8_t *b, size_t n)
{
	memcpy(e->p + e->n, b, n);
	e->n += n;
}

static void ril(struct emit *e, uint8_t op, uint8_t r1op, size_t target)
{
	int32_t off = (int32_t)(((int64_t)target - (int64_t)e->n) / 2);
	uint8_t b[6] = { op, r1op, (uint8_t)(off >> 24), (uint8_t)(off >> 16), (uint8_t)(off >> 8), (uint8_t)off };
	bytes(e, b, 6);
}

#define LARL_R1(e, t) ril(e, 0xc0, 0x10, t)
#define LGRL(e, r, t) ril(e, 0xc4, (uint8_t)((r) << 4 | 8), t)
#define STGRL(e, r, t) ril(e, 0xc4, (uint8_t)((r) << 4 | 0xb), t)

static void rsy(struct emit *e, uint8_t r1, uint8_t r3, uint16_t d, uint8_t op2)
{
	uint8_t b[6] = { 0xeb, (uint8_t)(r1 << 4 | r3), (uint8_t)(0x10 | d >> 8), (uint8_t)d, 0, op2 };
	bytes(e, b, 6);
}

/* vlm/vstm v(v1)..v(v3), d(%r1) */
static void vrs_multi(struct emit *e, uint8_t v1, uint8_t v3, uint16_t d, uint8_t op2)
{
	uint8_t rxb = (uint8_t)((v1 & 16 ? 8 : 0) | (v3 & 16 ? 4 : 0));
	uint8_t b[6] = { 0xe7, (uint8_t)((v1 & 15) << 4 | (v3 & 15)), (uint8_t)(0x10 | d >> 8), (uint8_t)d, rxb, op2 };
	bytes(e, b, 6);
}

#define VLM 0x36
#define VSTM 0x3e

static size_t build(const uint8_t *insn, size_t len, const uint8_t *tail, size_t tail_len)
{
	struct emit e = { env.code, 0 };
	static const uint8_t spm_r0[] = { 0x04, 0x00 }, ipm_r1[] = { 0xb2, 0x22, 0x00, 0x10 }, br_r14[] = { 0x07, 0xfe };

	LARL_R1(&e, D_SAVE);
	rsy(&e, 6, 15, 0, 0x24);			/* stmg %r6,%r15,0(%r1) */
	if (env.vx)
		vrs_multi(&e, 8, 15, 80, VSTM);
	LGRL(&e, 0, D_CCIN);
	bytes(&e, spm_r0, 2);
	if (env.vx) {
		LARL_R1(&e, D_VIN);
		vrs_multi(&e, 0, 15, 0, VLM);
		vrs_multi(&e, 16, 31, 256, VLM);
	}
	LARL_R1(&e, D_IN);
	rsy(&e, 0, 15, 0, 0x04);			/* lmg %r0,%r15,0(%r1) */
	size_t at = e.n;
	bytes(&e, insn, len);
	if (insn[0] == 0xc6 && (insn[1] & 15) == 0) {	/* exrl: point it at the tail */
		int32_t off = (int32_t)(((int64_t)TAIL - (int64_t)at) / 2);
		env.code[at + 2] = (uint8_t)(off >> 24);
		env.code[at + 3] = (uint8_t)(off >> 16);
		env.code[at + 4] = (uint8_t)(off >> 8);
		env.code[at + 5] = (uint8_t)off;
	}
	STGRL(&e, 1, D_SLOT);
	bytes(&e, ipm_r1, 4);
	STGRL(&e, 1, D_CCOUT);
	LARL_R1(&e, D_OUT);
	rsy(&e, 0, 15, 0, 0x24);			/* stmg %r0,%r15,0(%r1) */
	if (env.vx) {
		LARL_R1(&e, D_VOUT);
		vrs_multi(&e, 0, 15, 0, VSTM);
		vrs_multi(&e, 16, 31, 256, VSTM);
	}
	LGRL(&e, 0, D_SLOT);
	STGRL(&e, 0, D_OUT + 8);
	LARL_R1(&e, D_SAVE);
	rsy(&e, 6, 15, 0, 0x04);			/* lmg %r6,%r15,0(%r1) */
	if (env.vx)
		vrs_multi(&e, 8, 15, 80, VLM);
	bytes(&e, br_r14, 2);
	if (e.n > TAIL || tail_len > DATA - TAIL) {
		fprintf(stderr, "runner too long\n");
		exit(2);
	}
	memcpy(env.code + TAIL, tail, tail_len);
	__builtin___clear_cache((char *)env.code, (char *)env.code + PAGE);
	return at;
}

uint64_t tail_address(void)
{
	return (uintptr_t)env.code + TAIL;
}

int run_insn(const uint8_t *insn, size_t len, const uint8_t *tail, size_t tail_len, struct cpu *c, bool trap)
{
	build(insn, len, tail, tail_len);
	memcpy(env.code + D_IN, c->g, 128);
	uint64_t ccin = (uint64_t)c->cc << 28;
	memcpy(env.code + D_CCIN, &ccin, 8);
	memcpy(env.code + D_VIN, c->v, sizeof c->v);

	env.traps = 0;
	env.err = 0;
	if (trap)
		mprotect(env.dev, PAGE, PROT_NONE);
	volatile int failed = 0;
	if (sigsetjmp(trap_jmp, 1))
		failed = 1;
	else
		((void (*)(void))(uintptr_t)env.code)();
	if (trap)
		mprotect(env.dev, PAGE, PROT_READ | PROT_WRITE);
	if (failed)
		return -1;
	memcpy(c->g, env.code + D_OUT, 128);
	uint64_t ccout;
	memcpy(&ccout, env.code + D_CCOUT, 8);
	c->cc = (unsigned)(ccout >> 28) & 3;
	if (env.vx)
		memcpy(c->v, env.code + D_VOUT, sizeof c->v);
	return 0;
}

uint64_t call_trapped(uint64_t (*fn)(uint64_t, uint64_t, uint64_t), uint64_t a, uint64_t b, uint64_t c,
		      bool trap, int *err)
{
	volatile uint64_t r = 0;

	env.traps = 0;
	env.err = 0;
	if (trap)
		mprotect(env.dev, PAGE, PROT_NONE);
	if (!sigsetjmp(trap_jmp, 1))
		r = fn(a, b, c);
	if (trap)
		mprotect(env.dev, PAGE, PROT_READ | PROT_WRITE);
	*err = env.err;
	return r;
}

void uc_init(ucontext_t *uc, const struct cpu *c, uint64_t pc)
{
	memset(uc, 0, sizeof *uc);
	for (int i = 0; i < 16; i++)
		uc->uc_mcontext.gregs[i] = c->g[i];
	uc->uc_mcontext.psw.mask = 0x0705000180000000ull | (uint64_t)c->cc << S390X_CC_SHIFT;
	uc->uc_mcontext.psw.addr = pc;
}
