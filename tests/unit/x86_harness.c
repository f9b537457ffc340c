#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "x86_harness.h"

struct env env;
int failures;

/* ---- random values ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

void rnd_seed(uint64_t seed)
{
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint64_t rnd_value(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
		0xffffffff, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~0ull - 1, 0x100, 31, 32, 63, 64,
	};
	uint64_t r = rnd();
	switch (r % 4) {
	case 0: return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
	case 1: {	/* an edge in the low bits, garbage above */
		uint64_t e = edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
		unsigned w = 8u << ((r >> 16) % 3);
		return (rnd() & ~((1ull << w) - 1)) | (e & ((1ull << w) - 1));
	}
	case 2: return rnd() & 0xff;
	default: return rnd();
	}
}

void rnd_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rnd_value();
		memcpy(p + i, &v, n - i < 8 ? n - i : 8);
	}
}

void cpu_random(struct cpu *c)
{
	memset(c, 0, sizeof *c);
	for (int i = 0; i < 16; i++)
		c->gpr[i] = rnd_value();
	c->rflags = 0x202 | (rnd() & X86_FLAGS_STATUS);
	for (int i = 0; i < 32; i++)
		if (rnd() % 8)
			rnd_fill(c->vec[i], 64);
	for (int i = 0; i < 8; i++) {
		uint64_t r = rnd();
		switch (r % 4) {
		case 0: c->k[i] = (r >> 8) % 4 == 0 ? 0 : (r >> 8) % 4 == 1 ? ~0ull : ((r >> 10) & 1) ? 1 : 0x8000000000000000ull; break;
		case 1: c->k[i] = (1ull << ((r >> 8) % 64)) - 1; break;	/* glibc's (1 << n) - 1 */
		default: c->k[i] = rnd_value(); break;
		}
	}
	if (!env.avx512vl) {
		memset(c->vec[16], 0, 16 * 64);
		for (int i = 0; i < 16; i++)
			memset(c->vec[i] + 32, 0, 32);
		memset(c->k, 0, sizeof c->k);
	}
	if (!env.avx)
		for (int i = 0; i < 16; i++)
			memset(c->vec[i] + 16, 0, 16);
}

/* ---- fake io ---- */

static int fio_access(const struct mmio_io *io, char dir, uint64_t addr, size_t len, void *buf)
{
	struct fake_io *f = io->ctx;
	int k = f->n++;
	uint8_t *p;

	if (f->fail_call == k + 1)
		return MMIO_E_DEVICE;
	if (addr >= f->dev && addr - f->dev < DEV_SIZE) {
		if (len > DEV_SIZE - (addr - f->dev))
			return MMIO_E_RANGE;
		p = f->shadow + (addr - f->dev);
	} else {
		p = (uint8_t *)(uintptr_t)addr;	/* ordinary memory */
	}
	if (dir == 'R')
		memcpy(buf, p, len);
	else
		memcpy(p, buf, len);
	if (k < IO_MAX) {
		f->call[k].dir = dir;
		f->call[k].addr = addr;
		f->call[k].len = len;
		memcpy(f->call[k].data, buf, len < 64 ? len : 64);
	}
	return 0;
}

static int fio_read(const struct mmio_io *io, uint64_t addr, size_t len, void *buf)
{
	return fio_access(io, 'R', addr, len, buf);
}

static int fio_write(const struct mmio_io *io, uint64_t addr, size_t len, const void *buf)
{
	return fio_access(io, 'W', addr, len, (void *)buf);
}

/* As the shim's: an operand that starts on the device and runs past its
 * end is refused before any access. */
static int fio_check(const struct mmio_io *io, uint64_t addr, size_t len)
{
	const struct fake_io *f = io->ctx;

	return addr >= f->dev && addr - f->dev < DEV_SIZE && len > DEV_SIZE - (addr - f->dev) ? MMIO_E_RANGE : 0;
}

void fio_reset(void)
{
	int used = env.fio.n < IO_MAX ? env.fio.n : IO_MAX;

	memset(env.fio.call, 0, (size_t)used * sizeof env.fio.call[0]);
	env.fio.n = 0;
	env.fio.fail_call = 0;
}

void io_format(const struct io_call *c, char *buf, size_t size)
{
	uint64_t dev = (uint64_t)env.dev, mem = (uint64_t)env.mem;
	if (c->addr >= dev && c->addr - dev < DEV_SIZE)
		snprintf(buf, size, "%c%zu@D%llu", c->dir, c->len, (unsigned long long)(c->addr - dev));
	else if (c->addr >= mem && c->addr - mem < MEM_SIZE)
		snprintf(buf, size, "%c%zu@M%llu", c->dir, c->len, (unsigned long long)(c->addr - mem));
	else
		snprintf(buf, size, "%c%zu@0x%llx", c->dir, c->len, (unsigned long long)c->addr);
}

void io_log(char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = 0;
	for (int i = 0; i < env.fio.n && i < IO_MAX && n + 1 < size; i++) {
		char one[64];
		io_format(&env.fio.call[i], one, sizeof one);
		n += snprintf(buf + n, size - n, "%s%s", i ? " " : "", one);
		if (n >= size)
			break;
	}
	if (env.fio.n > IO_MAX && n + 8 < size)
		snprintf(buf + n, size - n, " ...(%d)", env.fio.n);
}

/* ---- the FPU area of a signal frame ---- */

static uint8_t frame[16384] __attribute__((aligned(64)));
static uint32_t frame_bytes;
static uint64_t xcr0;

uint8_t *frame_area(void) { return frame; }
uint32_t frame_size(void) { return frame_bytes; }
uint64_t frame_features(void) { return xcr0; }

uint32_t xcomp_offset(unsigned comp)
{
	static uint32_t cache[8];
	unsigned a, b, c, d;
	if (comp == 1)
		return 160;
	if (comp < 8 && cache[comp])
		return cache[comp];
	if (!__get_cpuid_count(0xd, comp, &a, &b, &c, &d))
		return 0;
	if (comp < 8)
		cache[comp] = b;	/* cpuid traps to the hypervisor in a VM: slow */
	return b;
}

static const int greg_slot[16] = {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

void uc_build(ucontext_t *uc, const struct cpu *c, uint64_t pc)
{
	memset(uc, 0, sizeof *uc);
	for (int i = 0; i < 16; i++)
		uc->uc_mcontext.gregs[greg_slot[i]] = (long long)c->gpr[i];
	uc->uc_mcontext.gregs[REG_EFL] = (long long)c->rflags;
	uc->uc_mcontext.gregs[REG_RIP] = (long long)pc;

	memset(frame, 0, sizeof frame);
	uint32_t mxcsr = 0x1f80, mask = 0xffff;
	memcpy(frame + 24, &mxcsr, 4);
	memcpy(frame + 28, &mask, 4);
	for (int i = 0; i < 16; i++)
		memcpy(frame + 160 + 16 * i, c->vec[i], 16);
	uc->uc_mcontext.fpregs = (fpregset_t)frame;
	if (!frame_bytes)
		return;		/* no XSAVE: a plain fxsave area */

	uint32_t magic1 = X86_FP_XSTATE_MAGIC1, ext = frame_bytes + 4, magic2 = 0x46505845;
	memcpy(frame + X86_FX_SW_OFFSET, &magic1, 4);
	memcpy(frame + X86_FX_SW_OFFSET + 4, &ext, 4);
	memcpy(frame + X86_FX_SW_OFFSET + 8, &xcr0, 8);
	memcpy(frame + X86_FX_SW_OFFSET + 16, &frame_bytes, 4);
	memcpy(frame + frame_bytes, &magic2, 4);
	uint64_t bv = xcr0 & ((1u << 1) | (1u << 2) | (1u << 5) | (1u << 6) | (1u << 7));
	memcpy(frame + X86_XSAVE_HDR_OFFSET, &bv, 8);
	if (xcr0 & 4)
		for (int i = 0; i < 16; i++)
			memcpy(frame + X86_XSAVE_YMM_OFFSET + 16 * i, c->vec[i] + 16, 16);
	if (xcr0 & 0x20)
		memcpy(frame + xcomp_offset(5), c->k, 64);
	if (xcr0 & 0x40)
		for (int i = 0; i < 16; i++)
			memcpy(frame + xcomp_offset(6) + 32 * i, c->vec[i] + 32, 32);
	if (xcr0 & 0x80)
		for (int i = 0; i < 16; i++)
			memcpy(frame + xcomp_offset(7) + 64 * i, c->vec[16 + i], 64);
}

void uc_extract(const ucontext_t *uc, struct cpu *c)
{
	const uint8_t *f = (const uint8_t *)uc->uc_mcontext.fpregs;
	uint64_t bv = ~0ull;

	memset(c, 0, sizeof *c);
	for (int i = 0; i < 16; i++)
		c->gpr[i] = (uint64_t)uc->uc_mcontext.gregs[greg_slot[i]];
	c->rflags = (uint64_t)uc->uc_mcontext.gregs[REG_EFL];
	if (frame_bytes)
		memcpy(&bv, f + X86_XSAVE_HDR_OFFSET, 8);
	for (int i = 0; i < 16; i++) {
		if (bv & 2)
			memcpy(c->vec[i], f + 160 + 16 * i, 16);
		if ((bv & 4) && (xcr0 & 4))
			memcpy(c->vec[i] + 16, f + X86_XSAVE_YMM_OFFSET + 16 * i, 16);
	}
	if ((bv & 0x20) && (xcr0 & 0x20))
		memcpy(c->k, f + xcomp_offset(5), 64);
	if ((bv & 0x40) && (xcr0 & 0x40))
		for (int i = 0; i < 16; i++)
			memcpy(c->vec[i] + 32, f + xcomp_offset(6) + 32 * i, 32);
	if ((bv & 0x80) && (xcr0 & 0x80))
		for (int i = 0; i < 16; i++)
			memcpy(c->vec[16 + i], f + xcomp_offset(7) + 64 * i, 64);
}

/* ---- the native runner ---- */

__attribute__((visibility("hidden"))) struct cpu *x86_native_cpu;
__attribute__((visibility("hidden"))) void *x86_native_code;
__attribute__((visibility("hidden"))) uint64_t x86_native_scratch;
__attribute__((visibility("hidden"))) uint8_t x86_native_avx, x86_native_evex;
void x86_native_enter(struct cpu *c);
extern const char x86_native_back[];

__asm__(
	".text\n"
	".globl x86_native_enter\n"
	".hidden x86_native_enter\n"
	".type x86_native_enter, @function\n"
	"x86_native_enter:\n"
	"	push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	mov %rdi, x86_native_cpu(%rip)\n"
	"	cmpb $0, x86_native_avx(%rip)\n"
	"	je 2f\n"
	"	cmpb $0, x86_native_evex(%rip)\n"
	"	jne 1f\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	vmovdqu 144+64*\\i(%rdi), %ymm\\i\n"
	"	.endr\n"
	"	jmp 3f\n"
	"1:\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	vmovdqu64 144+64*\\i(%rdi), %zmm\\i\n"
	"	.endr\n"
	"	.irp i,0,1,2,3,4,5,6,7\n"
	"	kmovq 2192+8*\\i(%rdi), %k\\i\n"
	"	.endr\n"
	"	jmp 3f\n"
	"2:\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	movdqu 144+64*\\i(%rdi), %xmm\\i\n"
	"	.endr\n"
	"3:\n"
	"	pushq 128(%rdi)\n"
	"	popfq\n"
	"	mov 0(%rdi), %rax\n mov 8(%rdi), %rcx\n mov 16(%rdi), %rdx\n mov 24(%rdi), %rbx\n"
	"	mov 40(%rdi), %rbp\n mov 48(%rdi), %rsi\n"
	"	mov 64(%rdi), %r8\n mov 72(%rdi), %r9\n mov 80(%rdi), %r10\n mov 88(%rdi), %r11\n"
	"	mov 96(%rdi), %r12\n mov 104(%rdi), %r13\n mov 112(%rdi), %r14\n mov 120(%rdi), %r15\n"
	"	mov 56(%rdi), %rdi\n"
	"	jmp *x86_native_code(%rip)\n"
	".globl x86_native_back\n"
	".hidden x86_native_back\n"
	"x86_native_back:\n"
	"	mov %rdi, x86_native_scratch(%rip)\n"
	"	mov x86_native_cpu(%rip), %rdi\n"
	"	pushfq\n"
	"	popq 128(%rdi)\n"
	"	mov %rax, 0(%rdi)\n mov %rcx, 8(%rdi)\n mov %rdx, 16(%rdi)\n mov %rbx, 24(%rdi)\n"
	"	mov %rbp, 40(%rdi)\n mov %rsi, 48(%rdi)\n"
	"	mov %r8, 64(%rdi)\n mov %r9, 72(%rdi)\n mov %r10, 80(%rdi)\n mov %r11, 88(%rdi)\n"
	"	mov %r12, 96(%rdi)\n mov %r13, 104(%rdi)\n mov %r14, 112(%rdi)\n mov %r15, 120(%rdi)\n"
	"	mov x86_native_scratch(%rip), %rax\n"
	"	mov %rax, 56(%rdi)\n"
	"	cmpb $0, x86_native_avx(%rip)\n"
	"	je 4f\n"
	"	cmpb $0, x86_native_evex(%rip)\n"
	"	jne 7f\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	vmovdqu %ymm\\i, 144+64*\\i(%rdi)\n"
	"	.endr\n"
	"	jmp 5f\n"
	"7:\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
	"	vmovdqu64 %zmm\\i, 144+64*\\i(%rdi)\n"
	"	.endr\n"
	"	.irp i,0,1,2,3,4,5,6,7\n"
	"	kmovq %k\\i, 2192+8*\\i(%rdi)\n"
	"	.endr\n"
	"5:\n"
	"	vzeroupper\n"
	"	jmp 6f\n"
	"4:\n"
	"	.irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
	"	movdqu %xmm\\i, 144+64*\\i(%rdi)\n"
	"	.endr\n"
	"6:\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"	ret\n"
	".size x86_native_enter, .-x86_native_enter\n");

void native_run(struct cpu *c, const uint8_t *insn, size_t len)
{
	uint64_t back = (uint64_t)x86_native_back;
	static const uint8_t jmp[6] = { 0xff, 0x25, 0, 0, 0, 0 };	/* jmp *0(%rip) */

	memcpy(env.code, insn, len);
	memcpy(env.code + len, jmp, sizeof jmp);
	memcpy(env.code + len + sizeof jmp, &back, 8);
	__builtin___clear_cache((char *)env.code, (char *)env.code + len + 14);
	x86_native_code = env.code;
	x86_native_avx = env.avx;
	x86_native_evex = env.avx512vl;
	x86_native_enter(c);
}

/* ---- setup ---- */

void env_init(void)
{
	unsigned a, b, c, d;

	if (__get_cpuid(1, &a, &b, &c, &d)) {
		env.sse41 = (c >> 19) & 1;
		env.movbe = (c >> 22) & 1;
		int osxsave = (c >> 27) & 1;
		if (osxsave) {
			uint32_t lo, hi;
			__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
			xcr0 = ((uint64_t)hi << 32) | lo;
			env.avx = ((c >> 28) & 1) && (xcr0 & 6) == 6;
			if (__get_cpuid_count(0xd, 0, &a, &b, &c, &d))
				frame_bytes = b;
		}
	}
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
		env.avx2 = env.avx && ((b >> 5) & 1);
		/* F, BW (vmovdqu8/16, kmovq), VL */
		env.avx512vl = ((b >> 16) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1) && (xcr0 & 0xe0) == 0xe0;
	}
	if (frame_bytes + 4 > sizeof frame) {
		fprintf(stderr, "XSAVE area of %u bytes is larger than the test's frame\n", frame_bytes);
		exit(1);
	}

	uint8_t *m = mmap(NULL, 4096 + DEV_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	env.mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	env.shadow = malloc(DEV_SIZE);
	if (m == MAP_FAILED || env.mem == MAP_FAILED || !env.shadow) {
		perror("mmap");
		exit(1);
	}
	env.code = m;
	env.dev = m + 4096;	/* rip-relative test cases reach it at code + 4096 */

	env.fio.io.read = fio_read;
	env.fio.io.write = fio_write;
	env.fio.io.check = fio_check;
	env.fio.io.ctx = &env.fio;
	env.fio.shadow = env.shadow;
	env.fio.dev = (uint64_t)env.dev;

	if (arch_cs_open(&env.cs) != 0) {
		fprintf(stderr, "arch_cs_open failed\n");
		exit(1);
	}
	env.scratch = cs_malloc(env.cs);
}

int decode_bytes(const uint8_t *bytes, size_t len, struct insn *in)
{
	return arch_decode(env.cs, env.scratch, bytes, len, (uint64_t)env.code, in);
}

/* ---- placing the operand ---- */

int gpr_number(csh cs, x86_reg r)
{
	static const char *const names[4][16] = {
		{ "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
		  "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" },
		{ "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
		  "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d" },
		{ "ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
		  "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w" },
		{ "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
		  "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b" },
	};
	const char *n = cs_reg_name(cs, r);
	for (int w = 0; n && w < 4; w++)
		for (int i = 0; i < 16; i++)
			if (!strcmp(n, names[w][i]))
				return i;
	return -1;
}

bool operand_at_device(const cs_insn *ci, const struct insn *in, struct cpu *c)
{
	const cs_x86 *d = &ci->detail->x86;
	const x86_op_mem *m = NULL;

	for (int i = 0; i < d->op_count && !m; i++)
		if (d->operands[i].type == X86_OP_MEM)
			m = &d->operands[i].mem;
	if (!m || ci->id == X86_INS_LEA || ci->id == X86_INS_NOP)
		return false;
	int base = m->base == X86_REG_INVALID ? -1 : gpr_number(env.cs, m->base);
	int index = m->index == X86_REG_INVALID ? -1 : gpr_number(env.cs, m->index);
	/* fs and gs have bases of their own; es, ds, cs, ss are flat */
	if (base < 0 || base == RSP || base == RBP || (m->index != X86_REG_INVALID && index < 0) ||
	    m->segment == X86_REG_FS || m->segment == X86_REG_GS)
		return false;
	/* the native runner has a stack pointer of its own */
	for (int i = 0; i < ci->detail->regs_write_count; i++)
		if (gpr_number(env.cs, ci->detail->regs_write[i]) == RSP)
			return false;
	for (int i = 0; i < ci->detail->regs_read_count; i++)
		if (gpr_number(env.cs, ci->detail->regs_read[i]) == RSP)
			return false;
	for (int i = 0; i < d->op_count; i++)
		if (d->operands[i].type == X86_OP_REG &&
		    (d->operands[i].reg == X86_REG_RSP || d->operands[i].reg == X86_REG_ESP ||
		     d->operands[i].reg == X86_REG_SP || d->operands[i].reg == X86_REG_SPL))
			return false;
	if (in && in->element) {
		c->gpr[RSI] = (uint64_t)env.mem;
		c->gpr[RDI] = (uint64_t)env.dev + 64;
		c->gpr[RCX] = 8;
		return true;
	}
	uint64_t ea = (uint64_t)env.dev + 64;
	/* bt/bts/btr/btc with a register: its bit offset moves the access, by
	 * at most 64 bytes either way here */
	if ((ci->id == X86_INS_BT || ci->id == X86_INS_BTS || ci->id == X86_INS_BTR || ci->id == X86_INS_BTC) &&
	    d->op_count == 2 && d->operands[1].type == X86_OP_REG) {
		int r = gpr_number(env.cs, d->operands[1].reg);
		if (r < 0 || r == base || r == index)
			return false;
		c->gpr[r] = (uint64_t)((int64_t)(c->gpr[r] % 1024) - 512);
	}
	if (index >= 0)
		c->gpr[index] = 1;
	c->gpr[base] = ea - (uint64_t)m->disp - (index >= 0 ? (uint64_t)m->scale : 0);
	if (index == base) {
		/* [r + r*scale + disp]: r = (ea - disp) / (1 + scale), if whole */
		uint64_t v = ea - (uint64_t)m->disp, k = 1 + (uint64_t)m->scale;
		if (v % k)
			return false;
		c->gpr[base] = v / k;
	}
	return true;
}

/* ---- the differential run ---- */

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[n - 1 - i]);
}

/* A masked EVEX move: one read or write per contiguous run of the
 * elements the opmask selects (of the vector's elements), in order, at
 * the vector's address plus the run's offset, nothing else. */
static bool io_masked(const char *what, const struct insn *in, const struct x86_decoded *x, const struct cpu *c,
		      uint64_t ea)
{
	const struct fake_io *f = &env.fio;
	unsigned e = x->elem, n = in->width / e;
	uint64_t sel = c->k[x->mask] & (n < 64 ? (1ull << n) - 1 : ~0ull);
	char dir = x->op == X86_OP_VSTORE ? 'W' : 'R', log[512];
	int k = 0;
	bool ok = true;

	for (unsigned i = 0; i < n;) {
		if (!((sel >> i) & 1)) {
			i++;
			continue;
		}
		unsigned j = i;
		while (j < n && ((sel >> j) & 1))
			j++;
		ok &= k < f->n && k < IO_MAX && f->call[k].dir == dir && f->call[k].addr == ea + i * e &&
		      f->call[k].len == (j - i) * e;
		k++;
		i = j;
	}
	ok &= f->n == k;
	io_log(log, sizeof log);
	CHECK(ok, "%s: io log \"%s\" for opmask %016llx, elements of %u bytes at 0x%llx", what, log,
	      (unsigned long long)c->k[x->mask], e, (unsigned long long)ea);
	return ok;
}

/* The io log must be what the instruction's kind says: one read, one
 * write, or a read and a write, of exactly its width at its address; for
 * string copies whole elements in bounded chunks adding up to the count. */
static bool io_as_specified(const char *what, const struct insn *in, uint64_t ea, uint64_t count,
			    const struct cpu *c)
{
	const struct fake_io *f = &env.fio;
	char log[512];
	const char *expect = NULL;
	struct x86_decoded x;

	memcpy(&x, in->arch, sizeof x);
	if (x.mask) {
		/* ea is the first selected element's: the vector's own address */
		uint64_t sel = c->k[x.mask], first = 0;
		while (first < 64 && !((sel >> first) & 1))
			first++;
		if (first * x.elem < in->width)
			ea -= first * x.elem;
		return io_masked(what, in, &x, c, ea);
	}
	io_log(log, sizeof log);
	switch (in->kind) {
	case INSN_LOAD: case INSN_CMP: expect = "R"; break;
	case INSN_STORE: expect = "W"; break;
	case INSN_RMW: expect = "RW"; break;
	default: break;
	}
	if (expect) {
		bool ok = f->n == (int)strlen(expect);
		for (int i = 0; ok && i < f->n; i++)
			ok = f->call[i].dir == expect[i] && f->call[i].len == in->width && f->call[i].addr == ea;
		CHECK(ok, "%s: io log \"%s\", expected %s of %u bytes at 0x%llx", what, log, expect,
		      in->width, (unsigned long long)ea);
		return ok;
	}
	bool movs = strstr(in->text, "movs") != NULL;
	if (in->element) {
		/* a string instruction: one call per element of its width, in
		 * ascending order; movs reads and then writes each element */
		int per = movs ? 2 : 1;
		bool ok = f->n == (int)count * per && f->n <= IO_MAX;
		for (int i = 0; ok && i < f->n; i++) {
			const struct io_call *k = &f->call[i], *first = &f->call[i % per];
			ok = k->len == in->element && k->dir == (movs && i % 2 == 0 ? 'R' : 'W') &&
			     k->addr == first->addr + (uint64_t)(i / per) * in->element;
		}
		CHECK(ok, "%s: io log \"%s\" for %llu elements of %u bytes", what, log, (unsigned long long)count,
		      in->element);
		return ok;
	}
	uint64_t rd = 0, wr = 0;
	bool ok = true;
	for (int i = 0; i < f->n && i < IO_MAX; i++) {
		ok &= f->call[i].len % in->width == 0 && f->call[i].len <= 4096 && f->call[i].len > 0;
		*(f->call[i].dir == 'R' ? &rd : &wr) += f->call[i].len;
	}
	ok &= f->n <= IO_MAX && wr == count * in->width && rd == (movs ? wr : 0);
	CHECK(ok, "%s: io log \"%s\" for %llu elements", what, log, (unsigned long long)count);
	return ok;
}

bool differential(const char *what, const uint8_t *insn, const struct insn *in, const struct cpu *c)
{
	static uint8_t mem0[MEM_SIZE], mem_native[MEM_SIZE], dev_native[DEV_SIZE];
	struct cpu nat = *c, emu;
	ucontext_t uc;
	bool ok = true;

	rnd_fill(env.dev, DEV_SIZE);
	memcpy(env.shadow, env.dev, DEV_SIZE);
	rnd_fill(env.mem, MEM_SIZE);
	memcpy(mem0, env.mem, MEM_SIZE);

	native_run(&nat, insn, in->len);
	memcpy(dev_native, env.dev, DEV_SIZE);
	memcpy(mem_native, env.mem, MEM_SIZE);
	memcpy(env.mem, mem0, MEM_SIZE);

	uc_build(&uc, c, (uint64_t)env.code);
	uint64_t ea = arch_data_address(in, &uc);
	fio_reset();
	int err = arch_emulate(in, &uc, &env.fio.io);
	CHECK(err == 0, "%s: arch_emulate: %s", what, err_text(err));
	if (err)
		return false;
	uc_extract(&uc, &emu);

	struct x86_decoded xd;
	memcpy(&xd, in->arch, sizeof xd);
	ok &= io_as_specified(what, in, ea, in->element && xd.rep ? c->gpr[RCX] : 1, c);
	CHECK((uint64_t)uc.uc_mcontext.gregs[REG_RIP] == (uint64_t)env.code + in->len,
	      "%s: rip advanced by %lld, length %u", what,
	      uc.uc_mcontext.gregs[REG_RIP] - (long long)(uint64_t)env.code, in->len);
	for (int i = 0; i < 16; i++) {
		if (i == RSP)
			continue;
		if (emu.gpr[i] != nat.gpr[i]) {
			ok = false;
			CHECK(0, "%s: gpr %d: emulated %016llx native %016llx (was %016llx)", what, i,
			      (unsigned long long)emu.gpr[i], (unsigned long long)nat.gpr[i],
			      (unsigned long long)c->gpr[i]);
		}
	}
	uint64_t fm = X86_FLAGS_STATUS | X86_FLAG_DF;
	if ((emu.rflags & fm) != (nat.rflags & fm) || (emu.rflags & ~fm) != (c->rflags & ~fm)) {
		ok = false;
		CHECK(0, "%s: rflags emulated %03llx native %03llx (was %03llx)", what,
		      (unsigned long long)emu.rflags, (unsigned long long)nat.rflags, (unsigned long long)c->rflags);
	}
	int nvec = env.avx512vl ? 32 : 16;
	size_t vlen = env.avx512vl ? 64 : env.avx ? 32 : 16;
	for (int i = 0; i < nvec; i++) {
		if (memcmp(emu.vec[i], nat.vec[i], vlen)) {
			char a[130], b[130], w[130];
			hex(emu.vec[i], vlen, a);
			hex(nat.vec[i], vlen, b);
			hex(c->vec[i], vlen, w);
			ok = false;
			CHECK(0, "%s: %cmm%d\n  emulated %s\n  native   %s\n  was      %s", what,
			      vlen == 64 ? 'z' : vlen == 32 ? 'y' : 'x', i, a, b, w);
		}
	}
	/* the opmask registers are never written, only read */
	for (int i = 0; env.avx512vl && i < 8; i++) {
		if (emu.k[i] != nat.k[i] || emu.k[i] != c->k[i]) {
			ok = false;
			CHECK(0, "%s: k%d emulated %016llx native %016llx (was %016llx)", what, i,
			      (unsigned long long)emu.k[i], (unsigned long long)nat.k[i], (unsigned long long)c->k[i]);
		}
	}
	if (memcmp(env.shadow, dev_native, DEV_SIZE)) {
		size_t i = 0;
		while (env.shadow[i] == dev_native[i])
			i++;
		ok = false;
		CHECK(0, "%s: device differs at offset %zu: emulated %02x native %02x", what, i,
		      env.shadow[i], dev_native[i]);
	}
	if (memcmp(env.mem, mem_native, MEM_SIZE)) {
		size_t i = 0;
		while (env.mem[i] == mem_native[i])
			i++;
		ok = false;
		CHECK(0, "%s: memory differs at offset %zu", what, i);
	}
	return ok;
}
